"""Property: whatever random edits produced, save → open gives the same project, and undoing
everything after the reload reaches the same initial state as before."""

import tempfile
from pathlib import Path

from history.test_random_edits import apply_op, op, seeded_project  # tests/ is on sys.path (package root)
from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_maker.model import ModelError
from sequence_maker.storage import ProjectDocument


@settings(max_examples=25, deadline=None)
@given(st.lists(op, min_size=1, max_size=15), st.booleans())
def test_save_open_round_trip_keeps_state_and_history(ops, with_checkpoint):
    doc = ProjectDocument(seeded_project())
    initial = doc.project.snapshot()
    for k, o in enumerate(ops):
        try:
            apply_op(doc.editor, o)
        except ModelError:
            pass
        if with_checkpoint and k == len(ops) // 2:
            doc.editor.checkpoint("mid")
    with tempfile.TemporaryDirectory() as tmp:
        path = doc.save(Path(tmp) / "p.smproj")
        again = ProjectDocument.open(path)
    assert again.project.snapshot() == doc.project.snapshot()
    assert len(again.history.undo_stack) == len(doc.history.undo_stack)
    assert len(again.history.redo_stack) == len(doc.history.redo_stack)
    if with_checkpoint:
        assert again.history.checkpoints[0].state == doc.history.checkpoints[0].state
    while again.history.can_undo():
        again.editor.undo()
    assert again.project.snapshot() == initial
    while again.history.can_redo():
        again.editor.redo()
    while doc.history.can_redo():
        doc.editor.redo()
    assert again.project.snapshot() == doc.project.snapshot()
