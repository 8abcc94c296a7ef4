"""Property tests: random programs and projects survive encode → decode; layout invariants hold."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.formats import prg
from sequence_maker.formats.export import project_to_prg_bytes
from sequence_maker.formats.prg import PrgProgram, PrgSegment
from sequence_maker.formats.quantise import ball_to_timeline
from sequence_maker.formats.to_project import program_to_timeline, timeline_to_project
from sequence_maker.model import Ball, Color, Fade, Project, Segment, Solid

colors = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
pixels = st.integers(1, 4)

segment = st.one_of(
    st.builds(PrgSegment.solid, st.integers(1, 70_000), colors, pixels),
    st.builds(PrgSegment.fade, st.integers(1, 1_500), colors, colors, pixels),
)
programs = st.builds(PrgProgram, st.sampled_from([1, 2, 10, 50, 100, 1000]), pixels,
                     st.lists(segment, min_size=1, max_size=12).map(tuple))

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(programs)
def test_encode_decode_round_trip_and_layout(program: PrgProgram):
    data = prg.encode(program)
    n, e = len(program.segments), program.entry_total
    assert len(data) == 38 + 19 * n + 3 * e
    assert prg.decode(data) == program
    # RGB ranges of the records tile the CD payload exactly: no overlap, no gap, u32 offsets.
    rgb_start = 0x20 + 19 * n
    expected = rgb_start
    for k in range(n):
        _x, c, off = struct.unpack_from("<HHI", data, 0x16 + 19 * k)
        assert off == expected
        expected += 3 * c
    assert expected == len(data) - 6
    assert data[-6:] == b"BT\x00\x00\x00\x00"


@st.composite
def projects(draw) -> Project:
    """Random 1–2-ball projects on a 10 ms grid (gaps allowed, fades and solids mixed)."""
    duration = draw(st.integers(1, 400)) * 10
    balls = []
    for b in range(draw(st.integers(1, 2))):
        cuts = sorted(set(draw(st.lists(st.integers(0, duration // 10), max_size=14))))
        segs = []
        for a, z in zip(cuts, cuts[1:], strict=False):
            if draw(st.booleans()):
                continue  # leave a gap (exports as black)
            kind = Fade(Color(*draw(colors)), Color(*draw(colors))) if draw(st.booleans()) else Solid(Color(*draw(colors)))
            segs.append(Segment(a * 10, z * 10, kind, draw(pixels)))
        balls.append(Ball(f"Ball {b + 1}", draw(pixels), segs))
    return Project("p", duration, balls, refresh_rate=100)


@FAST
@given(projects())
def test_project_export_decodes_to_the_same_segments(project: Project):
    for i in range(len(project.balls)):
        tl, issues = ball_to_timeline(project, i, 100)
        assert not [x for x in issues if x.severity == "error"]
        data = project_to_prg_bytes(project, i, 100)
        decoded = prg.decode(data)
        assert len(data) == 38 + 19 * len(decoded.segments) + 3 * decoded.entry_total
        back = program_to_timeline(decoded)
        assert back.segments == tl.segments
        assert back.end == project.duration_ms // 10


@FAST
@given(projects())
def test_export_import_export_is_byte_identical(project: Project):
    data = project_to_prg_bytes(project, 0, 100)
    imported = timeline_to_project(program_to_timeline(prg.decode(data)), "again")
    assert project_to_prg_bytes(imported, 0, 100) == data


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 13_500), colors, colors)
def test_decoder_recovers_fade_colours_even_when_long_fades_hold_values(count, start, end):
    seg = prg.decode(prg.encode(PrgProgram(100, 4, (PrgSegment.fade(count, start, end),)))).segments[0]
    found = seg.fade_colors()
    assert found is not None and found[0] == start
    assert PrgSegment.fade(count, *found).entries == seg.entries
