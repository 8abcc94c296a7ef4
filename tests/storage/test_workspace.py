"""Workspace: list/create/rename/delete projects by name, safely (no path traversal)."""

import pytest

from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument, Workspace, WorkspaceError, recovery_path_for


def test_create_list_open_rename_delete(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.create("Circus act", balls=2, duration_ms=30_000)
    ws.create("alpha")
    assert [e.name for e in ws.list()] == ["alpha", "Circus act"]
    doc = ws.open("Circus act.smproj")
    assert (len(doc.project.balls), doc.project.duration_ms) == (2, 30_000)
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.create("alpha")
    doc.editor.paint(0, solid(0, 100, "red"))
    doc.save()
    doc.editor.paint(1, solid(0, 100, "red"))
    doc.autosave()
    new_path = ws.rename("Circus act", "Finale")
    assert new_path.name == "Finale.smproj" and not (tmp_path / "ws" / "Circus act.smproj").exists()
    assert ws.open("Finale").project.name == "Finale"
    assert recovery_path_for(new_path).exists()
    assert [e.name for e in ws.list()] == ["alpha", "Finale"] and ws.list()[1].has_recovery
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.rename("alpha", "Finale")
    trashed = ws.delete("Finale")
    assert trashed.parent.name == ".trash" and ProjectDocument.open(trashed).project.name == "Finale"
    assert [e.name for e in ws.list()] == ["alpha"]
    with pytest.raises(WorkspaceError, match="no project"):
        ws.open("Finale")


@pytest.mark.parametrize("name", ["../evil", "a/b", "a\\b", "..", ".hidden", "", "   ", "bad\x00name",
                                  "tab\tname", "x" * 200, "c:drive", "what?"])
def test_names_that_could_escape_or_break_the_folder_are_refused(tmp_path, name):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError):
        ws.path_for(name)
    assert list((tmp_path / "ws").iterdir()) == []


def test_default_root_follows_seqmaker_home(isolated_home):
    ws = Workspace()
    assert ws.root == isolated_home / "projects" and ws.root.is_dir()
    assert ws.path_for("Ünïcode show").name == "Ünïcode show.smproj"


def test_rename_carries_unsaved_recovery_edits(tmp_path):
    ws = Workspace(tmp_path)
    doc = ws.create("one")
    doc.editor.paint(0, solid(0, 100, "red"))
    doc.autosave()  # crash before saving
    ws.rename("one", "two")
    rec = ProjectDocument.recover(ws.path_for("two"))
    assert rec.project.name == "two" and len(rec.project.balls[0]) == 1
    assert not recovery_path_for(tmp_path / "one.smproj").exists()
