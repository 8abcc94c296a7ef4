"""Segments and balls: validation, trimming, editor-style paint/erase planning, atomic replace."""

import pytest

from sequence_maker.model import Ball, Color, Fade, ModelError, Project, Segment, Solid, fade, solid


@pytest.mark.parametrize(("args", "needle"), [
    ((100, 100, Solid(Color(1, 2, 3))), "must be after its start"),
    ((-5, 10, Solid(Color(1, 2, 3))), "negative"),
    ((0, 10, Solid(Color(1, 2, 3)), 5), "pixels must be 1–4"),
    ((0.5, 10, Solid(Color(1, 2, 3))), "must be an integer"),
    ((0, 10, "red"), "Solid or Fade"),
])
def test_segment_rejects_invalid_values(args, needle):
    with pytest.raises(ModelError) as exc:
        Segment(*args)
    assert needle in str(exc.value)


def test_trimmed_fade_keeps_the_gradient_continuous():
    f = fade(0, 1000, [0, 0, 0], [200, 100, 0])
    left, right = f.trimmed(0, 400), f.trimmed(400, 1000)
    assert left.kind == Fade(Color(0, 0, 0), Color(80, 40, 0))
    assert right.kind == Fade(Color(80, 40, 0), Color(200, 100, 0))
    assert f.trimmed(-10, 5000) is f
    with pytest.raises(ModelError):
        f.trimmed(2000, 3000)


def test_ball_rejects_overlaps_and_sorts_segments():
    b = Ball("B", 4, [solid(500, 600, "red"), solid(0, 100, "blue")])
    assert [s.start_ms for s in b.segments] == [0, 500]
    with pytest.raises(ModelError, match="overlaps"):
        Ball("B", 4, [solid(0, 100, "red"), solid(50, 150, "blue")])
    with pytest.raises(ModelError, match="pixels"):
        Ball("B", 0)
    with pytest.raises(ModelError, match="name"):
        Ball("  ", 4)


def test_queries_segments_in_segment_at_and_color_at():
    b = Ball("B", 4, [solid(0, 100, "red"), fade(100, 300, [0, 0, 0], [200, 0, 0]), solid(500, 600, "blue")])
    assert [s.start_ms for s in b.segments_in(50, 101)] == [0, 100]
    assert b.segments_in(300, 500) == []
    assert [s.start_ms for s in b.segments_in(299, 501)] == [100, 500]
    assert b.segment_at(100).start_ms == 100
    assert b.segment_at(300) is None
    assert b.color_at(200) == Color(100, 0, 0)
    assert b.color_at(400) is None
    p = Project("P", 1000, [b])
    assert p.color_at(0, 400) == Color(0, 0, 0)
    assert p.color_at(0, 550) == Color(0, 0, 255)


def test_plan_paint_splits_what_it_covers_and_keeps_the_rest():
    b = Ball("B", 4, [solid(0, 1000, "red")])
    removed, added = b.plan_paint(solid(400, 600, "blue"))
    assert removed == [solid(0, 1000, "red")]
    assert added == [solid(0, 400, "red"), solid(400, 600, "blue"), solid(600, 1000, "red")]
    b.replace(removed, added)
    assert len(b) == 3
    removed, added = b.plan_erase(300, 700)
    b.replace(removed, added)
    assert [(s.start_ms, s.end_ms) for s in b.segments] == [(0, 300), (700, 1000)]


def test_replace_is_atomic_when_it_would_overlap():
    b = Ball("B", 4, [solid(0, 100, "red"), solid(200, 300, "blue")])
    before = b.segments
    with pytest.raises(ModelError, match="overlap"):
        b.replace([solid(0, 100, "red")], [solid(0, 250, "green")])
    assert b.segments == before
    with pytest.raises(ModelError, match="not the one expected"):
        b.replace([solid(0, 100, "green")], [])
    assert b.segments == before


def test_project_enforces_duration_and_refresh_rate():
    with pytest.raises(ModelError, match="ends after the project end"):
        Project("P", 1000, [Ball("B", 4, [solid(900, 1100, "red")])])
    with pytest.raises(ModelError, match="whole-millisecond"):
        Project("P", 1000, refresh_rate=30)
    with pytest.raises(ModelError, match="duration"):
        Project("P", 0)
    assert Project.new("P", balls=2, duration_ms=5000, refresh_rate=50).tick_ms == 20
