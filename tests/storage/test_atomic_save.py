"""Saving is all-or-nothing: a failure or a crash mid-write leaves the previous file intact."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument, backup_path_for

from ._util import folder_snapshot


def saved_doc(tmp_path):
    doc = ProjectDocument.new("Safe", balls=2, duration_ms=10_000, path=tmp_path / "safe.smproj")
    doc.editor.paint(0, solid(0, 1000, "red"))
    doc.save()
    return doc


def test_save_keeps_previous_version_as_backup(tmp_path):
    doc = saved_doc(tmp_path)
    first = doc.path.read_bytes()
    doc.editor.paint(1, solid(0, 500, "blue"))
    assert doc.dirty
    doc.save()
    assert not doc.dirty
    assert backup_path_for(doc.path).read_bytes() == first
    assert len(ProjectDocument.open(doc.path).project.balls[1]) == 1
    assert len(ProjectDocument.open(backup_path_for(doc.path)).project.balls[1]) == 0


@pytest.mark.parametrize("target", ["replace", "fsync"])
def test_failure_mid_save_leaves_original_and_no_temp_files(tmp_path, monkeypatch, target):
    doc = saved_doc(tmp_path)
    before = folder_snapshot(tmp_path)
    doc.editor.paint(1, solid(0, 500, "blue"))

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, target, boom)
    with pytest.raises(OSError, match="No space"):
        doc.save()
    monkeypatch.undo()
    assert folder_snapshot(tmp_path) == before
    assert doc.dirty  # the user still has unsaved changes, and is told so


def test_save_refuses_other_suffix_and_missing_path(tmp_path):
    doc = ProjectDocument.new("X")
    with pytest.raises(Exception, match="no file name"):
        doc.save()
    with pytest.raises(Exception, match=r"\.smproj"):
        doc.save(tmp_path / "x.json")
    assert list(tmp_path.iterdir()) == []


CHILD = textwrap.dedent("""
    import os, sys, time
    from sequence_maker.model import solid
    from sequence_maker.storage import ProjectDocument
    doc = ProjectDocument.open(sys.argv[1])
    doc.editor.paint(1, [solid(i * 10, i * 10 + 5, "blue") for i in range(900)])
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(30)  # killed here: temp file written, not yet renamed
        real_fsync(fd)
    if sys.argv[2] == "stall":
        os.fsync = slow_fsync
        doc.save()
    else:
        while True:
            doc.editor.paint(0, solid(0, 100, "green"))
            doc.save()
            print("saved", flush=True)
""")


def _run_child(path, mode):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), mode], stdout=subprocess.PIPE, text=True,
                            env={**os.environ})


def test_process_killed_mid_write_leaves_original_intact(tmp_path):
    doc = saved_doc(tmp_path)
    original = doc.path.read_bytes()
    child = _run_child(doc.path, "stall")
    try:
        assert child.stdout.readline().strip() == "writing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert doc.path.read_bytes() == original
    assert len(ProjectDocument.open(doc.path).project.balls[1]) == 0


def test_process_killed_while_saving_repeatedly_always_leaves_a_valid_file(tmp_path):
    doc = saved_doc(tmp_path)
    child = _run_child(doc.path, "loop")
    try:
        assert child.stdout.readline().strip() == "saved"
        time.sleep(0.3)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    data = json.loads(doc.path.read_text())  # complete JSON, never half a file
    reopened = ProjectDocument.open(doc.path)
    assert data["format"] == "sequence-maker-project"
    assert len(reopened.project.balls[1]) == 900


def test_new_files_get_normal_permissions_and_existing_keep_theirs(tmp_path):
    doc = saved_doc(tmp_path)
    mask = os.umask(0)
    os.umask(mask)
    assert doc.path.stat().st_mode & 0o777 == 0o666 & ~mask
    os.chmod(doc.path, 0o640)
    doc.editor.paint(1, solid(0, 10, "red"))
    doc.save()
    assert doc.path.stat().st_mode & 0o777 == 0o640


def test_save_refuses_to_overwrite_changes_made_by_another_program(tmp_path):
    studio = saved_doc(tmp_path)
    cli = ProjectDocument.open(studio.path)
    cli.editor.paint(1, solid(0, 500, "blue"))
    cli.save()  # e.g. `seqmaker undo` while the studio has the file open
    on_disk = studio.path.read_bytes()
    studio.editor.paint(0, solid(5000, 6000, "green"))
    with pytest.raises(Exception, match="changed by another program"):
        studio.save()
    assert studio.path.read_bytes() == on_disk and studio.dirty
    studio.save(overwrite_external_changes=True)
    assert len(ProjectDocument.open(studio.path).project.balls[0]) == 2
    studio.editor.paint(0, solid(7000, 8000, "green"))
    studio.save()  # its own saves are not "external"


def test_save_cleans_temp_files_left_by_an_old_crash_only(tmp_path):
    doc = saved_doc(tmp_path)
    old = tmp_path / ".safe.smproj.abc123.tmp"
    fresh = tmp_path / ".safe.smproj.def456.tmp"
    for f in (old, fresh):
        f.write_bytes(b"partial")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    doc.editor.paint(1, solid(0, 10, "red"))
    doc.save()
    assert not old.exists() and fresh.exists()
