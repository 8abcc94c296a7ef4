"""Autosave writes a recovery file for unsaved edits; after a crash it is found and recovered."""

import asyncio
import os
import time

from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument, recovery_path_for


def saved_doc(tmp_path):
    doc = ProjectDocument.new("Show", balls=2, duration_ms=10_000, path=tmp_path / "show.smproj")
    doc.editor.paint(0, solid(0, 1000, "red"))
    doc.save()
    return doc


def test_autosave_only_when_dirty_and_recover_brings_back_edits_and_undo(tmp_path):
    doc = saved_doc(tmp_path)
    assert doc.autosave() is None
    assert ProjectDocument.find_recovery(doc.path) is None
    doc.editor.paint(1, solid(0, 500, "blue"))
    rp = doc.autosave()
    assert rp == recovery_path_for(doc.path) == tmp_path / ".show.smproj.recovery"
    assert doc.autosave() is None  # nothing new since
    # "crash": the document is gone without saving
    info = ProjectDocument.find_recovery(tmp_path / "show.smproj")
    assert info is not None and info.recovery_path == rp and "unsaved changes" in info.describe()
    opened = ProjectDocument.open(tmp_path / "show.smproj")
    assert len(opened.project.balls[1]) == 0  # the saved file is untouched
    rec = ProjectDocument.recover(tmp_path / "show.smproj")
    assert rec.dirty and rec.path == tmp_path / "show.smproj"
    assert len(rec.project.balls[1]) == 1
    rec.editor.undo()
    assert len(rec.project.balls[1]) == 0
    rec.editor.redo()
    assert rp.exists()  # kept until the recovered document is saved
    rec.save()
    assert not rp.exists()
    assert ProjectDocument.find_recovery(rec.path) is None
    assert len(ProjectDocument.open(rec.path).project.balls[1]) == 1


def test_recovery_older_than_project_is_not_offered(tmp_path):
    doc = saved_doc(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))
    rp = doc.autosave()
    old = time.time() - 3600
    os.utime(rp, (old, old))
    assert ProjectDocument.find_recovery(doc.path) is None


def test_saving_removes_recovery_and_close_keeps_it_when_dirty(tmp_path):
    doc = saved_doc(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))
    rp = doc.autosave()
    doc.close()
    assert rp.exists()
    doc.save()
    assert not rp.exists()
    doc.close()
    assert not rp.exists()


def test_unsaved_new_project_autosaves_into_the_user_data_dir(tmp_path, isolated_home):
    doc = ProjectDocument.new("Untitled")
    rp = doc.autosave()
    assert rp.parent == isolated_home / "recovery"
    assert ProjectDocument.orphan_recoveries() == [rp]
    doc.save(tmp_path / "untitled.smproj")
    assert not rp.exists()


def test_background_thread_autosaves(tmp_path):
    doc = saved_doc(tmp_path)
    doc.start_autosave(0.02)
    try:
        with doc.lock:
            doc.editor.paint(1, solid(0, 500, "blue"))
        deadline = time.monotonic() + 5
        while not recovery_path_for(doc.path).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        doc.stop_autosave()
    assert recovery_path_for(doc.path).exists()
    assert doc.autosave_error is None


def test_autosave_failure_is_reported_not_raised(tmp_path, monkeypatch):
    doc = saved_doc(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(13, "Permission denied")))
    doc._autosave_logged()
    assert "Permission denied" in doc.autosave_error


async def test_asyncio_autosave_loop(tmp_path):
    doc = saved_doc(tmp_path)
    task = asyncio.create_task(doc.autosave_loop(0.01))
    doc.editor.paint(1, solid(0, 500, "blue"))
    for _ in range(300):
        await asyncio.sleep(0.01)
        if recovery_path_for(doc.path).exists():
            break
    task.cancel()
    assert recovery_path_for(doc.path).exists()


def test_orphan_recovery_of_a_never_saved_project_can_be_reopened(tmp_path):
    doc = ProjectDocument.new("Untitled", balls=1)
    doc.editor.paint(0, solid(0, 100, "red"))
    rp = doc.autosave()
    again = ProjectDocument.open_recovery_file(ProjectDocument.orphan_recoveries()[0])
    assert again.path is None and again.dirty and len(again.project.balls[0]) == 1
    assert again.recovery_path == rp  # keeps autosaving into the same file
    again.save(tmp_path / "kept.smproj")
    assert not rp.exists() and ProjectDocument.orphan_recoveries() == []


def test_recovery_file_remembers_its_project_path(tmp_path):
    doc = saved_doc(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))
    rp = doc.autosave()
    assert ProjectDocument.open_recovery_file(rp).path == doc.path


def test_saves_and_autosaves_concurrent_with_edits_stay_consistent(tmp_path):
    import threading

    doc = saved_doc(tmp_path)
    stop = threading.Event()
    errors: list[BaseException] = []

    def edit() -> None:
        try:
            for i in range(300):
                with doc.lock:
                    doc.editor.paint(1, solid(i * 10, i * 10 + 5, (i % 256, 0, 0)))
                time.sleep(0.0005)
        except BaseException as e:  # surfaced below
            errors.append(e)
        finally:
            stop.set()

    editor = threading.Thread(target=edit)
    doc.start_autosave(0.005)
    editor.start()
    try:
        while not stop.is_set():
            doc.save()
    finally:
        editor.join(timeout=10)
        doc.stop_autosave()
    assert not errors and doc.autosave_error is None
    doc.save()
    again = ProjectDocument.open(doc.path)
    assert again.project.snapshot() == doc.project.snapshot()
    assert len(again.history.undo_stack) == min(200, len(doc.history.undo_stack))
    assert ProjectDocument.find_recovery(doc.path) is None


def test_closing_a_dirty_document_writes_its_recovery_file(tmp_path):
    doc = saved_doc(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))
    doc.close()
    rec = ProjectDocument.recover(doc.path)
    assert len(rec.project.balls[1]) == 1
