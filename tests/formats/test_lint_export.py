"""Export rules: tick rounding, refusals, hardware splits, black fill, effects, file naming."""

from __future__ import annotations

import json

import pytest

from sequence_maker.formats import prg
from sequence_maker.formats.export import ExportError, ball_file_stem, export_project, project_to_prg_bytes
from sequence_maker.formats.hardware import MAX_FADE_ENTRIES
from sequence_maker.formats.lint import lint_project
from sequence_maker.formats.prg import fade_entries
from sequence_maker.formats.quantise import ms_to_ticks
from sequence_maker.model import Ball, Project, Strobe, fade, solid


def _one_ball(duration_ms: int, segs, rate: int = 100) -> Project:
    return Project("p", duration_ms, [Ball("Ball 1", 4, segs)], refresh_rate=rate)


def test_ticks_round_half_up():
    assert [ms_to_ticks(ms, 100) for ms in (0, 4, 5, 14, 15, 1005)] == [0, 0, 1, 1, 2, 101]
    assert ms_to_ticks(1500, 1) == 2 and ms_to_ticks(1499, 1) == 1


def test_off_grid_boundary_is_rounded_and_reported():
    p = _one_ball(3000, [solid(0, 1005, "red")])
    issues = lint_project(p, 100)
    assert [(i.severity, i.time_ms) for i in issues] == [("warning", 0)]
    assert "rounded to 0:00.000–0:01.010" in issues[0].fix
    segs = prg.decode(project_to_prg_bytes(p, 0, 100)).segments
    assert [s.duration for s in segs] == [101, 199]


def test_segment_shorter_than_a_tick_blocks_export_unless_merging(tmp_path):
    p = _one_ball(2000, [solid(0, 1000, "red"), solid(1000, 1004, "blue"), solid(1004, 2000, "green")])
    errors = [i for i in lint_project(p, 100) if i.severity == "error"]
    assert len(errors) == 1 and errors[0].time_ms == 1000 and "0 ticks" in errors[0].message
    with pytest.raises(ExportError):
        project_to_prg_bytes(p, 0, 100)
    with pytest.raises(ExportError):
        export_project(p, tmp_path / "o", 100)
    assert not (tmp_path / "o").exists()
    merged = prg.decode(project_to_prg_bytes(p, 0, 100, merge_short=True))
    assert [(s.duration, s.first_color) for s in merged.segments] == [(100, (255, 0, 0)), (100, (0, 255, 0))]
    assert any(i.severity == "warning" and "left out" in (i.fix or "")
               for i in lint_project(p, 100, merge_short=True))


def test_empty_timeline_exports_black_of_project_length():
    p = _one_ball(12_340, [])
    program = prg.decode(project_to_prg_bytes(p, 0, 100))
    assert [(s.kind, s.duration, s.first_color) for s in program.segments] == [("solid", 1234, (0, 0, 0))]


def test_gaps_and_tail_are_black():
    p = _one_ball(5000, [solid(1000, 2000, "red"), fade(3000, 4000, "red", "blue")], rate=100)
    program = prg.decode(project_to_prg_bytes(p, 0, 10))
    assert program.refresh_rate == 10
    assert [(s.kind, s.duration, s.first_color) for s in program.segments] == [
        ("solid", 10, (0, 0, 0)), ("solid", 10, (255, 0, 0)), ("solid", 10, (0, 0, 0)),
        ("fade", 10, (255, 0, 0)), ("solid", 10, (0, 0, 0))]


def test_long_fade_is_split_and_reported():
    p = _one_ball(20_000, [fade(0, 20_000, "red", "blue")], rate=1000)
    program = prg.decode(project_to_prg_bytes(p, 0, 1000))
    assert [s.duration for s in program.segments] == [10_000, 10_000]
    assert all(s.entry_count <= MAX_FADE_ENTRIES for s in program.segments)
    first, second = (s.fade_colors() for s in program.segments)
    assert first[0] == (255, 0, 0) and second[1] == (0, 0, 255)
    assert first[1] == second[0] == (128, 0, 128)  # colour at the cut, on the original line
    issues = lint_project(p, 1000)
    assert any(i.severity == "warning" and "13500" in i.message and "2 consecutive fades" in i.fix for i in issues)


def test_solid_longer_than_u16_ticks_is_split_into_records():
    p = _one_ball(70_000, [solid(0, 70_000, "white")], rate=1000)
    program = prg.decode(project_to_prg_bytes(p, 0, 1000))
    assert [s.duration for s in program.segments] == [35_000, 35_000]
    assert any("65535" in i.message for i in lint_project(p, 1000))


def test_long_fade_entries_hold_values_like_the_official_app():
    entries = fade_entries(12_000, (255, 0, 0), (0, 0, 255))
    reds = entries[0::3]
    assert reds[:47] == bytes([255]) * 47 and reds[47] != 255  # k = 12000 // 255 = 47
    short = fade_entries(3, (0, 0, 0), (255, 255, 255))
    assert short == bytes([0, 0, 0, 128, 128, 128, 255, 255, 255])  # 127.5 rounds half up


def test_strobe_is_rendered_into_plain_segments():
    p = _one_ball(1000, [solid(0, 1000, "white", effect=Strobe(5, 0.5))])
    program = prg.decode(project_to_prg_bytes(p, 0, 100))
    assert [(s.duration, s.first_color) for s in program.segments] == [(10, (255, 255, 255)), (10, (0, 0, 0))] * 5
    slow = lint_project(p, 1)
    assert any("strobe" in i.message for i in slow)


def test_export_writes_one_prg_per_ball_with_sanitised_unique_names(tmp_path):
    balls = [Ball("Ball 1", 4, [solid(0, 500, "red")]), Ball("a/b:c", 2, []), Ball("A_B_C", 4, []), Ball("CON", 1, [])]
    p = Project("p", 1000, balls)
    seen: list[tuple[int, int, str]] = []
    result = export_project(p, tmp_path, rate=100, prg_json=True, progress=lambda d, t, label: seen.append((d, t, label)))
    names = sorted(f.name for f in tmp_path.iterdir())
    assert names == sorted(["Ball 1.prg", "Ball 1.prg.json", "a_b_c.prg", "a_b_c.prg.json", "A_B_C_2.prg",
                            "A_B_C_2.prg.json", "_CON.prg", "_CON.prg.json"])
    assert seen[-1] == (5, 5, "written") and [s[0] for s in seen] == [1, 2, 3, 4, 5]
    for b in result.balls:
        data = b.prg_path.read_bytes()
        assert len(data) == b.size_bytes
        doc = json.loads(b.json_path.read_text())
        assert doc["refresh_rate"] == 100 and doc["end_time"] == 100
    assert ball_file_stem("", 0, set()) == "ball_1"


def test_decoder_keeps_official_quirks_and_import_handles_raw_slots():
    from sequence_maker.formats.prg import PrgProgram, PrgSegment
    from sequence_maker.formats.to_project import program_to_timeline

    # header-only official dumps wrote Y = D (500) instead of D % 100: decoded as-is, re-encoded identically
    quirky = PrgSegment(500, bytes([255, 0, 0]) * 100, 5, 500, 4)
    data = prg.encode(PrgProgram(1000, 4, (quirky,)))
    seg = prg.decode(data).segments[0]
    assert (seg.kind, seg.remainder, seg.duration) == ("solid", 500, 500)
    assert prg.encode(prg.decode(data)) == data
    # "colour slots": 4 entries of 2 ticks each (not a solid, not an official fade)
    slots = PrgSegment(8, bytes([1, 1, 1, 2, 2, 2, 2, 2, 2, 9, 9, 9]), 2, 0, 4)
    warnings: list[str] = []
    tl = program_to_timeline(prg.decode(prg.encode(PrgProgram(10, 4, (slots,)))), warnings=warnings)
    assert slots.kind == "raw" and warnings
    assert [(s.start, s.end, s.color) for s in tl.segments] == [(0, 2, (1, 1, 1)), (2, 6, (2, 2, 2)), (6, 8, (9, 9, 9))]
