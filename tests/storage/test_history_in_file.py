"""History survives save/load: undo after a restart, checkpoints, and snapshot deduplication."""

import json

import pytest

from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument, ProjectFileError


def doc_with_history(tmp_path, segments=200):
    doc = ProjectDocument.new("H", balls=2, duration_ms=1_000_000, path=tmp_path / "h.smproj")
    doc.editor.set_segments(0, [solid(i * 100, i * 100 + 90, (i % 256, 0, 0)) for i in range(segments)])
    return doc


def test_undo_redo_and_checkpoints_work_after_reopening(tmp_path):
    doc = doc_with_history(tmp_path)
    doc.editor.checkpoint("start")
    doc.editor.paint(1, solid(0, 500, "blue"))
    with doc.editor.group("assistant turn", origin="assistant"):
        doc.editor.add_ball("Extra")
        doc.editor.paint(2, solid(0, 100, "red"))
    doc.editor.restore_checkpoint("start")
    doc.editor.remove_ball(1)
    doc.editor.undo()
    expected = [doc.project.snapshot()]
    doc.save()
    again = ProjectDocument.open(doc.path)
    assert again.project.snapshot() == expected[0]
    assert [s.label for s in again.history.undo_stack][-1] == "Restore checkpoint “start”"
    assert again.history.redo_stack[-1].label.startswith("Remove ball")
    again.editor.redo()
    assert len(again.project.balls) == 1
    again.editor.undo()
    again.editor.undo()  # the checkpoint restore
    assert len(again.project.balls) == 3 and again.history.undo_stack[-1].origin == "assistant"
    again.editor.undo()
    assert len(again.project.balls) == 2
    assert again.history.diff(again.project, "start").counts()["added"] == 1


def test_many_checkpoints_do_not_repeat_the_project_in_the_file(tmp_path):
    doc = doc_with_history(tmp_path, segments=2000)
    plain = len(doc.to_bytes())
    for i in range(50):
        doc.editor.paint(1, solid(i * 100, i * 100 + 50, "white"))
        doc.editor.checkpoint(f"turn {i}", auto=True)
    path = doc.save()
    size = path.stat().st_size
    assert size < 2.5 * plain, (size, plain)  # one pooled copy, not 50
    again = ProjectDocument.open(path)
    cps = again.history.checkpoints
    assert len(cps) == 50
    assert cps[0].state.balls[0].segments[5] is cps[49].state.balls[0].segments[5]  # shared after load
    assert [len(c.state.balls[1].segments) for c in cps] == list(range(1, 51))
    assert again.history.diff(again.project, "turn 0").counts() == {"added": 49, "removed": 0, "changed": 0}


@pytest.mark.parametrize(("mutate", "json_path", "needle"), [
    (lambda h: h["checkpoints"][0]["state"]["balls"][0].update(segment_refs=[[0, 99999]]),
     "history.checkpoints[0].state.balls[0].segment_refs[0]", "segment pool"),
    (lambda h: h["checkpoints"][0]["state"]["balls"][0].update(segment_refs=[[1, 1], [0, 1]]),
     "history.checkpoints[0].state.balls[0]", "overlaps"),
    (lambda h: h["segment_pool"][0].update(end_ms=-1), "history.segment_pool[0]", "after its start"),
    (lambda h: h["segment_pool"][1].update(color="red"), "history.segment_pool[1].color", "[r, g, b]"),
    (lambda h: h["checkpoints"][0]["state"]["balls"][0].update(default_pixels=0),
     "history.checkpoints[0].state.balls[0]", "pixels"),
])
def test_bad_pooled_history_is_reported_precisely(tmp_path, mutate, json_path, needle):
    doc = doc_with_history(tmp_path, segments=3)
    doc.editor.checkpoint("cp")
    data = json.loads(doc.to_bytes())
    mutate(data["history"])
    path = tmp_path / "bad.smproj"
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectFileError) as exc:
        ProjectDocument.open(path)
    assert exc.value.json_path == json_path and needle in exc.value.problem


def test_hand_edited_project_keeps_the_undo_steps_that_still_apply(tmp_path):
    doc = doc_with_history(tmp_path, segments=3)
    doc.editor.paint(1, solid(0, 100, "red"))      # step 2: still applies after the hand edit
    doc.editor.paint(1, solid(500, 600, "blue"))   # step 3
    doc.editor.undo()                              # redo: step 3
    doc.save()
    data = json.loads(doc.path.read_text())
    data["project"]["balls"][0]["segments"][1]["color"] = [1, 2, 3]  # touches what step 1 added
    doc.path.write_text(json.dumps(data))
    again = ProjectDocument.open(doc.path)
    assert [s.label for s in again.history.undo_stack] == ["Add segment"]
    assert len(again.history.redo_stack) == 1
    assert any("1 oldest undo step" in w for w in again.warnings)
    again.editor.undo()
    assert len(again.project.balls[1]) == 0
    again.editor.redo()
    again.editor.redo()
    assert len(again.project.balls[1]) == 2


def test_consistent_history_loads_without_warnings(tmp_path):
    doc = doc_with_history(tmp_path, segments=3)
    doc.editor.paint(1, solid(0, 100, "red"))
    doc.editor.undo()
    doc.save()
    assert ProjectDocument.open(doc.path).warnings == []
