"""ProjectEditor: every edit undoes/redoes exactly; groups, rollback, listeners, checkpoints."""

import json

import pytest

from sequence_maker.history import History, ProjectEditor
from sequence_maker.model import Color, ModelError, Project, Strobe, solid


@pytest.fixture
def ed() -> ProjectEditor:
    e = ProjectEditor(Project.new("T", balls=3, duration_ms=10_000))
    e.paint(0, [solid(0, 1000, "red"), solid(2000, 3000, "blue")])
    return e


def starts(ed, ball=0):
    return [(s.start_ms, s.end_ms) for s in ed.project.balls[ball].segments]


def test_each_operation_undoes_and_redoes_to_identical_states(ed):
    ops = [
        lambda: ed.paint(0, solid(500, 2500, "green")),
        lambda: ed.erase(0, 100, 200),
        lambda: ed.modify_segment(0, 2600, color="white", end_ms=3500, effect=Strobe(3.0)),
        lambda: ed.move_segment(0, 0, 7000, to_ball=1),
        lambda: ed.delete_segment(0, 250),
        lambda: ed.clear_ball(0),
        lambda: ed.set_segments(2, [solid(0, 10, "red"), solid(10, 20, "blue")]),
        lambda: ed.add_ball("Extra", 2),
        lambda: ed.set_ball_props(3, name="Renamed", default_pixels=1),
        lambda: ed.remove_ball(1),
        lambda: ed.set_project_props(name="T2", duration_ms=20_000, refresh_rate=50),
    ]
    states = [ed.project.snapshot()]
    for op in ops:
        op()
        states.append(ed.project.snapshot())
        assert states[-1] != states[-2]
    for i in range(len(ops), 0, -1):
        ed.undo()
        assert ed.project.snapshot() == states[i - 1]
    for i in range(1, len(ops) + 1):
        ed.redo()
        assert ed.project.snapshot() == states[i]


def test_paint_over_middle_splits_like_a_video_editor(ed):
    ed.paint(0, solid(300, 600, "green"))
    assert starts(ed) == [(0, 300), (300, 600), (600, 1000), (2000, 3000)]
    assert ed.project.color_at(0, 700) == Color(255, 0, 0)


def test_new_edit_clears_redo_and_undo_empty_raises(ed):
    ed.undo()
    assert ed.history.can_redo()
    ed.paint(1, solid(0, 10, "red"))
    assert not ed.history.can_redo()
    ed.undo()
    with pytest.raises(ModelError, match="nothing to undo"):
        ed.undo()


def test_group_is_one_step_and_rolls_back_on_error(ed):
    before = ed.project.snapshot()
    with ed.group("drag"):
        ed.paint(1, solid(0, 100, "red"))
        ed.paint(1, solid(100, 200, "red"))
        with ed.group("nested"):
            ed.erase(0, 0, 500)
    assert len(ed.history.undo_stack) == 2
    ed.undo()
    assert ed.project.snapshot() == before
    with pytest.raises(RuntimeError), ed.group("assistant turn", origin="assistant"):
        ed.paint(2, solid(0, 100, "red"))
        raise RuntimeError("model failed")
    assert ed.project.snapshot() == before
    assert len(ed.history.undo_stack) == 1


def test_rollback_group_and_no_undo_inside_group(ed):
    before = ed.project.snapshot()
    with ed.group("turn") as g:
        ed.paint(2, solid(0, 100, "red"))
        with pytest.raises(ModelError, match="finish the current edit"):
            ed.undo()
        ed.rollback_group(g)
        assert ed.project.snapshot() == before
    assert len(ed.history.undo_stack) == 1


def test_listeners_hear_touched_balls(ed):
    heard = []
    unsubscribe = ed.subscribe(heard.append)
    ed.paint(2, solid(0, 100, "red"))
    ed.undo()
    ed.add_ball()
    unsubscribe()
    ed.paint(0, solid(5000, 5100, "red"))
    assert [(c.action, c.balls) for c in heard] == [("do", (2,)), ("undo", (2,)), ("do", None)]
    assert heard[-1].version > heard[0].version


def test_invalid_edits_change_nothing(ed):
    before = ed.project.snapshot()
    for bad in (lambda: ed.paint(0, solid(9000, 11_000, "red")),
                lambda: ed.delete_segment(0, 1500),
                lambda: ed.paint(7, solid(0, 10, "red")),
                lambda: ed.set_project_props(duration_ms=2500),
                lambda: ed.modify_segment(0, 0, pixels=9)):
        with pytest.raises(ModelError):
            bad()
        assert ed.project.snapshot() == before
    assert len(ed.history.undo_stack) == 1


def test_checkpoints_create_restore_diff_and_restore_is_undoable(ed):
    cp = ed.checkpoint("before chorus")
    ed.paint(0, solid(5000, 6000, "white"))
    ed.erase(0, 0, 500)
    d = ed.history.diff(ed.project, "before chorus")
    assert d.counts() == {"added": 2, "removed": 1, "changed": 0}
    edited = ed.project.snapshot()
    ed.restore_checkpoint(cp.id)
    assert ed.project.snapshot() == cp.state
    assert ed.history.diff(ed.project, "1").empty
    ed.undo()
    assert ed.project.snapshot() == edited
    with pytest.raises(ModelError, match="no checkpoint"):
        ed.history.find_checkpoint("nope")


def test_auto_checkpoints_are_capped_but_named_ones_kept():
    ed = ProjectEditor(Project.new("T", 1, 1000), History(max_auto_checkpoints=3))
    ed.checkpoint("mine")
    for i in range(6):
        ed.checkpoint(f"auto {i}", auto=True)
    names = [c.name for c in ed.history.checkpoints]
    assert names == ["mine", "auto 3", "auto 4", "auto 5"]


def test_history_survives_json_round_trip(ed):
    ed.paint(0, solid(500, 2500, "green", effect=Strobe(2.0)))
    with ed.group("turn", origin="assistant"):
        ed.add_ball("New")
        ed.set_project_props(name="Renamed")
    ed.checkpoint("cp")
    ed.undo()
    state_now = ed.project.snapshot()
    restored = History.from_dict(json.loads(json.dumps(ed.history.to_dict())))
    project = Project("T", state_now.duration_ms, [])
    project.restore(state_now)
    ed2 = ProjectEditor(project, restored)
    assert restored.redo_stack[-1].origin == "assistant" and restored.redo_stack[-1].label == "turn"
    ed2.redo()
    assert ed2.project.name == "Renamed" and len(ed2.project.balls) == 4
    ed2.undo()
    ed2.undo()
    ed2.undo()
    assert starts(ed2) == []
    assert [c.name for c in restored.checkpoints] == ["cp"]


def test_a_failing_listener_does_not_fail_or_undo_the_edit(ed, caplog):
    heard = []

    def broken(change):
        raise ConnectionError("socket closed")

    ed.subscribe(broken)
    ed.subscribe(heard.append)
    with ed.group("turn"):
        ed.paint(1, solid(0, 100, "red"))
    assert len(ed.project.balls[1]) == 1 and len(heard) == 1
    assert "listener" in caplog.text
