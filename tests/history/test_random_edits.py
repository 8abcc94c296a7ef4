"""Property tests: random edit sequences never break the model's invariants, and undo/redo
walk exactly back and forth through the same states."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.history import ProjectEditor
from sequence_maker.model import ModelError, Project, Pulse, Rainbow, Strobe, fade, solid

DURATION = 2_000
BALLS = 2
T = st.integers(0, DURATION)
COLOURS = st.sampled_from(["red", "blue", "#00ff80", (10, 20, 30), "white"])
EFFECTS = st.one_of(st.none(), st.builds(Strobe, st.sampled_from([2.0, 8.0])),
                    st.builds(Pulse, st.sampled_from([1.0, 3.0])), st.builds(Rainbow, st.just(0.5)))


@st.composite
def ranges(draw) -> tuple[int, int]:
    a, b = draw(T), draw(T)
    if a == b:
        b = a + 1 if a < DURATION else a - 1
    return min(a, b), max(a, b)


@st.composite
def segments(draw):
    a, b = draw(ranges())
    eff = draw(EFFECTS)
    px = draw(st.integers(1, 4))
    if draw(st.booleans()):
        return solid(a, b, draw(COLOURS), px, eff)
    return fade(a, b, draw(COLOURS), draw(COLOURS), px, eff)


ball_ix = st.integers(0, BALLS - 1)
op = st.one_of(
    st.tuples(st.just("paint"), ball_ix, st.lists(segments(), min_size=1, max_size=1)),
    st.tuples(st.just("erase"), ball_ix, ranges()),
    st.tuples(st.just("modify"), ball_ix, T, ranges(), COLOURS),
    st.tuples(st.just("delete"), ball_ix, T),
    st.tuples(st.just("move"), ball_ix, T, T, ball_ix),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


def apply_op(ed: ProjectEditor, o: tuple) -> None:
    name = o[0]
    if name == "paint":
        ed.paint(o[1], o[2])
    elif name == "erase":
        ed.erase(o[1], *o[2])
    elif name == "modify":
        ed.modify_segment(o[1], o[2], start_ms=o[3][0], end_ms=o[3][1], color=o[4])
    elif name == "delete":
        ed.delete_segment(o[1], o[2])
    elif name == "move":
        ed.move_segment(o[1], o[2], o[3], to_ball=o[4])
    elif name == "undo":
        ed.undo()
    else:
        ed.redo()


def check_invariants(p: Project) -> None:
    for b in p.balls:
        segs = list(b.segments)
        assert segs == sorted(segs, key=lambda s: s.start_ms)
        for s in segs:
            assert 0 <= s.start_ms < s.end_ms <= p.duration_ms
        for a, c in zip(segs, segs[1:], strict=False):
            assert a.end_ms <= c.start_ms


def seeded_project() -> Project:
    p = Project.new("prop", balls=BALLS, duration_ms=DURATION)
    ed = ProjectEditor(p)
    ed.paint(0, [solid(0, 500, "red"), fade(700, 1500, "blue", "green")])
    ed.paint(1, solid(100, 1900, "white"))
    return p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=25))
def test_random_edits_keep_invariants_and_undo_redo_exactly(ops: list[tuple]) -> None:
    p = seeded_project()
    ed = ProjectEditor(p)
    initial = p.snapshot()
    for o in ops:
        before = p.snapshot()
        try:
            apply_op(ed, o)
        except ModelError:
            assert p.snapshot() == before, f"failed {o[0]} changed the project"
        check_invariants(p)
    final = p.snapshot()
    done = len(ed.history.undo_stack)
    while ed.history.can_undo():
        ed.undo()
        check_invariants(p)
    assert p.snapshot() == initial
    for _ in range(done):
        ed.redo()
        check_invariants(p)
    assert p.snapshot() == final


@settings(max_examples=60, deadline=None)
@given(st.lists(op.filter(lambda o: o[0] not in {"undo", "redo"}), min_size=1, max_size=8))
def test_group_is_one_undo_step(ops: list[tuple]) -> None:
    p = seeded_project()
    ed = ProjectEditor(p)
    initial = p.snapshot()
    with ed.group("assistant turn", origin="assistant"):
        for o in ops:
            try:
                apply_op(ed, o)
            except ModelError:
                pass
    after = p.snapshot()
    if after == initial:
        return
    assert len(ed.history.undo_stack) == 1
    ed.undo()
    assert p.snapshot() == initial
    ed.redo()
    assert p.snapshot() == after


@settings(max_examples=80, deadline=None)
@given(st.lists(segments(), min_size=1, max_size=4), segments(), st.booleans())
def test_paint_and_erase_never_change_colours_outside_the_edited_range(base, new, erase) -> None:
    """Trimming/splitting keeps what lies outside the edit looking the same (fades, effect phase).

    Cut-point colours of a trimmed fade are whole RGB values, so in-between colours may move by
    one step of rounding; anything more would be a visible restart.
    """
    p = Project.new("keep", balls=1, duration_ms=DURATION)
    ed = ProjectEditor(p)
    for s in base:
        ed.paint(0, s)
    before = [p.color_at(0, t) for t in range(0, DURATION, 7)]
    if erase:
        ed.erase(0, new.start_ms, new.end_ms)
    else:
        ed.paint(0, new)
    after = [p.color_at(0, t) for t in range(0, DURATION, 7)]
    for k, t in enumerate(range(0, DURATION, 7)):
        if not new.start_ms <= t < new.end_ms:
            drift = max(abs(x - y) for x, y in zip(before[k], after[k], strict=True))
            assert drift <= 2, f"colour at {t} ms changed: {before[k]} → {after[k]}"
