"""Times, balls and colours as users say them, resolved against the grid (the model never does maths)."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.tools.resolve import ResolveError, Resolver, Span

from .helpers import make_editor


@pytest.fixture
def r() -> Resolver:
    return Resolver(make_editor().project)  # 120 bpm, first beat 0.5 s, 4/4, 90 s


@pytest.mark.parametrize(("when", "expected"), [
    ("all", [(0, 90000)]),
    ("chorus", [(30000, 50000), (70000, 85000)]),
    ("the second chorus", [(70000, 85000)]),
    ("chorus 2", [(70000, 85000)]),
    ("last verse", [(50000, 70000)]),
    ("bar 5", [(8500, 10500)]),
    ("bars 5-8", [(8500, 16500)]),
    ("beats 1-8", [(500, 4500)]),
    ("beat 3", [(1500, 2000)]),
    ("first 8 beats", [(500, 4500)]),
    ("last 10 seconds", [(80000, 90000)]),
    ("the last 2 bars", [(86500, 90000)]),
    ("0:30-0:45", [(30000, 45000)]),
    ("from 1:20", [(80000, 90000)]),
    ("first 4 bars of the chorus", [(30500, 38500), (70500, 78500)]),
    ("first 2 beats of chorus 2", [(70000, 71000)]),
    ("between 0:20 and 0:25", [(20000, 25000)]),
    ("for 2.5 seconds starting at 0:30", [(30000, 32500)]),
    ("at 0:30 for 4 beats", [(30000, 32000)]),
    ("starting at bar 9 for 2 bars", [(16500, 20500)]),
    ("one bar at 0:40", [(40000, 42000)]),
    ("2 bars starting at bar 9", [(16500, 20500)]),
    ("bar 9 for 2 bars", [(16500, 20500)]),
    ("beat 3 for 4 beats", [(1500, 3500)]),
    ("chorus 2 for 2 bars", [(70000, 74000)]),
    ("bar 5 to bar 8", [(8500, 16500)]),
    ("all choruses", [(30000, 50000), (70000, 85000)]),
    ("the whole verse 2", [(50000, 70000)]),
])
def test_when_phrases(r: Resolver, when: str, expected: list[tuple[int, int]]) -> None:
    assert [(s.start_ms, s.end_ms) for s in r.spans(when=when)] == expected


def test_start_plus_duration_in_seconds_beats_and_bars(r: Resolver) -> None:
    assert r.spans(start="0:30", duration=2.5) == [Span(30000, 32500)]
    assert r.spans(start="bar 9", duration="2 bars") == [Span(16500, 20500)]
    assert r.spans(start=40, duration="4 beats") == [Span(40000, 42000)]
    assert r.spans(start="chorus") == [Span(30000, 50000), Span(70000, 85000)]


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"when": "0:80-1:40"}, "ends after the song"),
    ({"start": 85, "duration": 10}, "ends after the song"),
    ({"when": "bridge"}, "cannot read range"),
    ({"when": "bar 99"}, "no bar 99"),
    ({"start": "0:30"}, "give 'end' or 'duration'"),
    ({}, "say when"),
    ({"when": "0:20-0:10"}, "empty or backwards"),
    ({"when": "the bridge for 2 bars"}, "cannot read range"),
])
def test_bad_times_explain_the_fix(r: Resolver, kwargs: dict, fragment: str) -> None:
    with pytest.raises(ResolveError, match=fragment):
        r.spans(**kwargs)


def test_balls_and_colours(r: Resolver) -> None:
    assert r.balls("all") == [0, 1, 2]
    assert r.balls([3, 1]) == [2, 0]
    assert r.balls("1 and 3") == [0, 2]
    assert r.balls(2) == [1]
    with pytest.raises(ResolveError, match="ball 4 does not exist; this project has 3"):
        r.balls(4)
    assert tuple(r.color("warm white")) == (255, 180, 100)
    assert tuple(r.color([1, 2, 3])) == (1, 2, 3)
    with pytest.raises(ResolveError, match="unknown colour"):
        r.color("blurple")
    with pytest.raises(ResolveError, match="outside 0–255"):
        r.color([300, 0, 0])


def test_beat_time_interpolates_the_real_grid(r: Resolver) -> None:
    assert r.beat_time(0) == 500 and r.beat_time(1.5) == 1250
    assert r.beat_pos(1250) == pytest.approx(1.5)


def test_no_grid_gives_a_clear_error() -> None:
    from sequence_maker.model import Project

    res = Resolver(Project.new("x", 1, 10_000))
    assert res.spans(when="last 2 seconds") == [Span(8000, 10000)]
    with pytest.raises(ResolveError, match="no beat grid"):
        res.spans(when="bar 2")
