"""PRG-JSON writer, .ball.json and .seqdesign.json: what they read, write and refuse."""

from __future__ import annotations

import json

import pytest

from sequence_maker.formats import prg
from sequence_maker.formats.ball_json import ball_to_ball_json, parse_ball_json
from sequence_maker.formats.errors import FormatError
from sequence_maker.formats.export import export_project
from sequence_maker.formats.hardware import timeline_to_program
from sequence_maker.formats.importers import import_file
from sequence_maker.formats.prg_json import parse_prg_json
from sequence_maker.formats.seqdesign import compile_seqdesign
from sequence_maker.model import Ball, Fade, Project, Pulse, Solid, fade, solid


def test_exported_prg_json_encodes_to_the_exported_prg(tmp_path):
    p = Project("p", 4000, [Ball("B", 3, [solid(500, 1000, "red", pixels=2), fade(1000, 3000, "blue", "white")])])
    result = export_project(p, tmp_path, rate=50, prg_json=True)
    ball = result.balls[0]
    tl = parse_prg_json(json.loads(ball.json_path.read_text()))
    program, _ = timeline_to_program(tl)
    assert prg.encode(program) == ball.prg_path.read_bytes()


def test_ball_json_round_trip_keeps_fades_and_renders_effects():
    p = Project("p", 3000, [Ball("Juggler", 2, [solid(0, 1000, "red"),
                                                fade(1000, 2000, "red", "blue", pixels=1),
                                                solid(2000, 3000, "green", effect=Pulse(2, 0.5))])])
    doc = ball_to_ball_json(p, 0)
    assert doc["metadata"]["name"] == "Juggler" and doc["metadata"]["total_duration"] == 3.0
    back = parse_ball_json(json.loads(json.dumps(doc)))
    segs = back.balls[0].segments
    assert segs[0].kind == Solid((255, 0, 0)) and segs[1].kind == Fade((255, 0, 0), (0, 0, 255))
    assert segs[1].pixels == 1
    assert all(s.effect is None for s in segs) and len(segs) > 3  # pulse rendered into plain pieces
    assert back.duration_ms == 3000 and back.balls[0].default_pixels == 2


def test_ball_json_requires_metadata_and_segments():
    with pytest.raises(FormatError, match="metadata"):
        parse_ball_json({"segments": []})
    with pytest.raises(FormatError, match=r"segments\[0\]: end_time"):
        parse_ball_json({"metadata": {}, "segments": [{"start_time": 2, "end_time": 1, "color": "red"}]})
    with pytest.raises(FormatError, match="unknown colour"):
        parse_ball_json({"metadata": {}, "segments": [{"start_time": 0, "end_time": 1, "color": "blurple"}]})


def _design(*effects, **meta):
    metadata = {"target_prg_refresh_rate": 100, "default_pixels": 4, "total_duration_seconds": 10}
    metadata.update(meta)
    return {"metadata": metadata, "effects_timeline": list(effects)}


def _fx(kind, start, end, **params):
    return {"id": f"{kind}@{start}", "type": kind, "timing": {"start_seconds": start, "end_seconds": end},
            "params": params}


def test_seqdesign_paints_later_effects_over_earlier_without_restarting_fades():
    doc = _design(_fx("fade", 0, 4, color_start={"name": "black"}, color_end={"rgb": [200, 0, 0]}),
                  _fx("solid_color", 1, 2, color={"hex": "#00F"}))
    segs = compile_seqdesign(doc).balls[0].segments
    assert [(s.start_ms, s.end_ms) for s in segs] == [(0, 1000), (1000, 2000), (2000, 4000)]
    assert segs[0].kind == Fade((0, 0, 0), (50, 0, 0))
    assert segs[2].kind == Fade((100, 0, 0), (200, 0, 0))  # continues the gradient, no restart


def test_seqdesign_pulse_on_beat_reads_beats_under_either_key_and_fails_loudly_without():
    doc = _design(_fx("pulse_on_beat", 1, 3, color="cyan", beat_source="all_beats", pulse_duration_seconds=0.1))
    for analysis in ({"beats": [0.5, 1.0, 2.0, 3.5]}, {"beat_times": [0.5, 1.0, 2.0, 3.5]},
                     {"analysis_data": {"beats": [0.5, 1.0, 2.0, 3.5]}}):
        segs = compile_seqdesign(doc, analysis=analysis).balls[0].segments
        assert [(s.start_ms, s.end_ms) for s in segs] == [(1000, 1100), (2000, 2100)]
    with pytest.raises(FormatError, match="needs all_beats"):
        compile_seqdesign(doc)
    downs = _design(_fx("pulse_on_beat", 0, 10, color="red", beat_source="downbeats", pulse_duration_seconds=0.2))
    segs = compile_seqdesign(downs, analysis={"beats": [1, 2, 3], "downbeats": [1, 3]}).balls[0].segments
    assert [s.start_ms for s in segs] == [1000, 3000]
    custom = _design(_fx("pulse_on_beat", 0, 10, color="red", beat_source="custom_times: [1.5, 2.5]",
                         pulse_duration_seconds=0.25))
    assert [s.start_ms for s in compile_seqdesign(custom).balls[0].segments] == [1500, 2500]


def test_seqdesign_strobe_and_snap_on_flash_off():
    doc = _design(_fx("strobe", 0, 1, color_on="white", color_off="black", frequency_hz=2),
                  _fx("snap_on_flash_off", 2, 4, pre_base_color="black", target_color="white",
                      post_base_color={"hsv": [240, 100, 50]}, fade_out_duration=0.5))
    segs = compile_seqdesign(doc).balls[0].segments
    assert [(s.start_ms, s.end_ms) for s in segs] == [(0, 250), (250, 500), (500, 750), (750, 1000),
                                                      (2000, 2500), (2500, 4000)]
    assert segs[4].kind == Fade((255, 255, 255), (0, 0, 128))
    assert segs[5].kind == Solid((0, 0, 128))


def test_seqdesign_errors_and_warnings():
    with pytest.raises(FormatError, match="unknown effect type 'sparkle'"):
        compile_seqdesign(_design(_fx("sparkle", 0, 1)))
    with pytest.raises(FormatError, match="start_seconds: must be ≥ 0"):
        compile_seqdesign(_design(_fx("solid_color", -1, 1, color="red")))
    with pytest.raises(FormatError, match="target_prg_refresh_rate"):
        compile_seqdesign(_design(target_prg_refresh_rate=0))
    warnings: list[str] = []
    p = compile_seqdesign(_design(_fx("solid_color", 8, 12, color="red")), warnings=warnings)
    assert p.balls[0].segments[0].end_ms == 10_000 and "cut" in warnings[0]
    derived = _design(_fx("solid_color", 0, 6, color="red"))
    del derived["metadata"]["total_duration_seconds"]
    assert compile_seqdesign(derived).duration_ms == 6000


def test_import_file_dispatches_on_name_and_content(tmp_path):
    (tmp_path / "a.seqdesign.json").write_text(json.dumps(_design(_fx("solid_color", 0, 1, color="red"))))
    (tmp_path / "noext.json").write_text(json.dumps({"refresh_rate": 10, "end_time": 20,
                                                     "sequence": {"0": {"color": [1, 2, 3]}}}))
    assert import_file(tmp_path / "a.seqdesign.json").balls[0].segments[0].kind == Solid((255, 0, 0))
    p = import_file(tmp_path / "noext.json")
    assert p.refresh_rate == 10 and p.duration_ms == 2000 and p.name == "noext"


def test_seqdesign_rejects_sub_millisecond_strobes_and_pulses():
    with pytest.raises(FormatError, match="shorter than 1 ms"):
        compile_seqdesign(_design(_fx("strobe", 0, 1, color_on="white", color_off="black", frequency_hz=5000)))
    with pytest.raises(FormatError, match="shorter than 1 ms"):
        compile_seqdesign(_design(_fx("pulse_on_beat", 0, 1, color="red", beat_source="custom_times: 0.5",
                                      pulse_duration_seconds=0.0001)))
