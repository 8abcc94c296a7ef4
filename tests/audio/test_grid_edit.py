"""Grid corrections are pure, predictable and refuse nonsense with a clear message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_maker.audio import grid_edit as ge
from sequence_maker.model.grid import BeatGrid, Section


def steady(
    bpm: float = 120.0, n: int = 33, start: int = 100, bpb: int = 4, sections: bool = True
) -> BeatGrid:
    period = 60000.0 / bpm
    beats = tuple(int(round(start + i * period)) for i in range(n))
    downs = beats[::bpb]
    secs = ()
    if sections and len(downs) >= 5:
        secs = (Section("A", 0, downs[4]), Section("B", downs[4], beats[-1] + 500, "chorus"))
    return BeatGrid(beats, downs, bpb, bpm, secs, 0.9, {"duration_ms": beats[-1] + 500})


def test_double_inserts_midpoints_and_keeps_the_first_downbeat() -> None:
    g = steady()
    d = ge.double_tempo(g)
    assert len(d.beats_ms) == 2 * len(g.beats_ms) - 1
    assert d.tempo_bpm == pytest.approx(240, rel=0.01)
    assert d.downbeats_ms[0] == g.downbeats_ms[0]
    assert set(d.downbeats_ms) <= set(d.beats_ms)
    assert g.beats_ms == steady().beats_ms  # input untouched


def test_halve_keeps_every_other_beat_through_the_downbeat() -> None:
    g = steady()
    h = ge.halve_tempo(g)
    assert h.beats_ms == g.beats_ms[::2]
    assert h.tempo_bpm == pytest.approx(60, rel=0.01)
    odd = ge.halve_tempo(g, keep_odd=True)
    assert odd.beats_ms == g.beats_ms[1::2]


@settings(max_examples=30, deadline=None)
@given(bpm=st.floats(60, 200), n=st.integers(9, 60), start=st.integers(0, 3000))
def test_double_then_halve_is_identity(bpm: float, n: int, start: int) -> None:
    g = steady(bpm, n, start, sections=False)
    assert ge.halve_tempo(ge.double_tempo(g)).beats_ms == g.beats_ms


@settings(max_examples=30, deadline=None)
@given(delta=st.integers(-50, 50))
def test_nudge_there_and_back(delta: int) -> None:
    g = steady(start=200)
    back = ge.nudge(ge.nudge(g, delta), -delta)
    assert back.beats_ms == g.beats_ms and back.downbeats_ms == g.downbeats_ms
    assert back.sections == g.sections


def test_nudge_moves_sections_with_the_downbeats() -> None:
    g = steady()
    n = ge.nudge(g, 10)
    assert n.beats_ms[0] == g.beats_ms[0] + 10
    assert n.sections[1].start_ms == g.sections[1].start_ms + 10
    assert n.sections[0].start_ms == 0 and n.sections[-1].end_ms == g.sections[-1].end_ms


def test_nudge_before_zero_is_refused() -> None:
    with pytest.raises(ge.GridEditError, match="before the start"):
        ge.nudge(steady(start=5), -10)


def test_shift_half_beat_moves_by_half_a_period() -> None:
    g = steady(120)
    s = ge.shift_half_beat(g)
    assert [b - a for a, b in zip(g.beats_ms, s.beats_ms, strict=True)] == [250] * len(g.beats_ms)
    assert s.downbeats_ms[0] == g.downbeats_ms[0] + 250
    back = ge.shift_half_beat(s, -1)
    assert back.beats_ms == g.beats_ms


def test_set_tempo_builds_a_steady_grid_with_pickup() -> None:
    g = steady(118, start=37)
    s = ge.set_tempo(g, 120, first_downbeat_ms=1000, beats_per_bar=3)
    assert s.beats_ms[0] == 0 and 1000 in s.beats_ms and 1000 in s.downbeats_ms
    assert s.tempo_bpm == 120 and s.beats_per_bar == 3
    assert s.beats_ms[-1] < g.extras["duration_ms"]
    assert all(b - a in (499, 500, 501) for a, b in zip(s.beats_ms, s.beats_ms[1:], strict=False))
    idx = s.beats_ms.index(1000)
    assert all((s.beats_ms.index(d) - idx) % 3 == 0 for d in s.downbeats_ms)


@pytest.mark.parametrize("bpm", [0, -5, 1000, float("nan")])
def test_set_tempo_rejects_impossible_tempi(bpm: float) -> None:
    with pytest.raises(ge.GridEditError, match="BPM"):
        ge.set_tempo(steady(), bpm, 0)


def test_set_meter_changes_which_beat_is_one() -> None:
    g = steady()
    m = ge.set_meter(g, 3, downbeat_ms=g.beats_ms[1])
    assert m.beats_per_bar == 3 and m.downbeats_ms[0] == g.beats_ms[1]
    assert m.downbeats_ms[1] == g.beats_ms[4]


def test_add_and_remove_a_single_beat() -> None:
    g = steady()
    t = (g.beats_ms[3] + g.beats_ms[4]) // 2
    a = ge.add_beat(g, t)
    assert t in a.beats_ms and len(a.beats_ms) == len(g.beats_ms) + 1
    assert a.downbeats_ms == g.downbeats_ms
    r = ge.remove_beat(a, t + 3)
    assert r.beats_ms == g.beats_ms
    with pytest.raises(ge.GridEditError, match="already a beat"):
        ge.add_beat(g, g.beats_ms[2] + 5)
    with pytest.raises(ge.GridEditError, match="no beat within"):
        ge.remove_beat(g, g.beats_ms[-1] + 5000)


def test_removing_a_downbeat_removes_it_from_downbeats() -> None:
    g = steady()
    r = ge.remove_beat(g, g.downbeats_ms[1])
    assert g.downbeats_ms[1] not in r.downbeats_ms


def test_tap_tempo_fits_and_drops_a_stray_tap() -> None:
    taps = [1000 + i * 500 + j for i, j in enumerate([0, 12, -9, 4, -6, 8, -3, 0])]
    taps.insert(4, 2800)  # an accidental double tap
    fit = ge.fit_taps(taps)
    assert fit.bpm == pytest.approx(120, abs=1.0)
    assert abs(fit.first_beat_ms - 1000) <= 10
    g = ge.apply_taps(steady(97), taps)
    assert g.tempo_bpm == pytest.approx(120, abs=1.0) and g.downbeats_ms[0] <= 1010


def test_tap_tempo_needs_enough_taps() -> None:
    with pytest.raises(ge.GridEditError, match="at least 4 taps"):
        ge.fit_taps([0, 500, 1000])


def test_edits_on_an_empty_grid_explain_themselves() -> None:
    empty = BeatGrid()
    for edit in (ge.double_tempo, ge.halve_tempo, ge.shift_half_beat):
        with pytest.raises(ge.GridEditError, match="needs at least"):
            edit(empty)
    with pytest.raises(ge.GridEditError, match="no beats"):
        ge.nudge(empty, 10)


def test_json_style_arguments_are_accepted_and_garbage_refused() -> None:
    g = steady()
    n = ge.nudge(g, 10.0)  # JSON numbers may arrive as floats
    assert all(isinstance(b, int) for b in n.beats_ms) and n.beats_ms[0] == g.beats_ms[0] + 10
    assert all(isinstance(b, int) for b in ge.add_beat(g, 1234.6).beats_ms)
    s = ge.set_tempo(g, 120, 1000.0)
    assert all(isinstance(b, int) for b in s.beats_ms + s.downbeats_ms)
    for bad in ("10", None, float("inf"), True):
        with pytest.raises(ge.GridEditError, match="must be a number"):
            ge.nudge(g, bad)  # type: ignore[arg-type]
    with pytest.raises(ge.GridEditError, match="list of tap times"):
        ge.fit_taps("0,500,1000,1500")  # type: ignore[arg-type]
    with pytest.raises(ge.GridEditError, match="must be a number"):
        ge.set_tempo(g, "fast", 0)  # type: ignore[arg-type]
