"""`seqmaker new/info/undo/redo/checkpoint/recover` end to end through the real CLI app."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequence_maker.cli.app import app
from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument, recovery_path_for

EARLIER = Path(__file__).parent.parent / "storage" / "fixtures" / "earlier_full.smproj"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEQMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        assert "Traceback" not in result.stdout + result.stderr
        return result
    return invoke


def edited(tmp_path) -> Path:
    doc = ProjectDocument.new("demo", balls=2, duration_ms=20_000, path=tmp_path / "demo.smproj")
    doc.editor.paint(0, solid(1000, 2000, "red"))
    doc.editor.paint(1, solid(0, 500, "blue"))
    doc.save()
    return doc.path


def test_new_then_info(run, tmp_path):
    out = run("new", "demo").stdout
    assert "Created demo.smproj" in out
    info = run("info", "demo.smproj").stdout
    for text in ("demo", "1:00.000", "100 ticks/s", "Ball 1", "Ball 3", "0 undo / 0 redo"):
        assert text in info
    run("new", "show", "--balls", "5", "--duration", "2:30", "--rate", "50", "--dir", "sub")
    doc = ProjectDocument.open(tmp_path / "sub" / "show.smproj")
    assert (len(doc.project.balls), doc.project.duration_ms, doc.project.refresh_rate) == (5, 150_000, 50)


@pytest.mark.parametrize(("args", "needle"), [
    (("new", "demo", "--rate", "30"), "whole-millisecond"),
    (("new", "../escape"), "not allowed"),
    (("new", "demo", "--duration", "soon"), "--duration"),
    (("new", "demo", "--balls", "0"), "1–64"),
])
def test_new_rejects_bad_input_clearly(run, tmp_path, args, needle):
    err = run(*args, code=1).stderr
    assert needle in err
    assert not (tmp_path / "demo.smproj").exists()


def test_new_refuses_to_overwrite(run, tmp_path):
    run("new", "demo")
    before = (tmp_path / "demo.smproj").read_bytes()
    assert "already exists" in run("new", "demo", code=1).stderr
    assert (tmp_path / "demo.smproj").read_bytes() == before


def test_info_segments_and_json(run, tmp_path):
    edited(tmp_path)
    out = run("info", "demo", "--segments").stdout
    assert "0:01.000" in out and "#ff0000" in out and "#0000ff" in out
    only = run("info", "demo", "--segments", "--ball", "2").stdout
    assert "#0000ff" in only and "#ff0000" not in only
    data = json.loads(run("info", "demo.smproj", "--json").stdout)
    assert data["undo_steps"] == 2 and [b["segments"] for b in data["balls"]] == [1, 1]


def test_undo_redo_persist_in_the_file(run, tmp_path):
    path = edited(tmp_path)
    assert "Undid 1 step(s)" in run("undo", "demo.smproj").stdout
    assert len(ProjectDocument.open(path).project.balls[1]) == 0
    run("redo", str(path))
    assert len(ProjectDocument.open(path).project.balls[1]) == 1
    run("undo", "demo", "-n", "5")
    assert ProjectDocument.open(path).project.segment_count() == 0
    assert "nothing to undo" in run("undo", "demo", code=1).stderr


def test_checkpoint_create_list_diff_restore(run, tmp_path):
    path = edited(tmp_path)
    run("checkpoint", "demo", "create", "v1")
    doc = ProjectDocument.open(path)
    doc.editor.paint(0, solid(5000, 6000, "green"))
    doc.save()
    listing = run("checkpoint", "demo", "list").stdout
    assert "v1" in listing
    diff = run("checkpoint", "demo", "diff", "v1").stdout
    assert "1 added" in diff and "#00ff00" in diff
    run("checkpoint", "demo", "restore", "v1")
    assert len(ProjectDocument.open(path).project.balls[0]) == 1
    run("undo", "demo")
    assert len(ProjectDocument.open(path).project.balls[0]) == 2
    assert "no checkpoint" in run("checkpoint", "demo", "restore", "nope", code=1).stderr
    assert "needs a" in run("checkpoint", "demo", "create", code=1).stderr


def test_commands_warn_about_recovery_and_recover_restores(run, tmp_path):
    path = edited(tmp_path)
    doc = ProjectDocument.open(path)
    doc.editor.paint(1, solid(5000, 9000, "white"))
    doc.autosave()  # then "crash"
    err = run("info", "demo").stderr
    assert "unsaved changes" in err and "seqmaker recover" in err
    run("recover", "demo")
    assert len(ProjectDocument.open(path).project.balls[1]) == 2
    assert not recovery_path_for(path).exists()
    assert "unsaved changes" not in run("info", "demo").stderr
    assert "no recovery file" in run("recover", "demo", code=1).stderr


def test_recover_discard(run, tmp_path):
    path = edited(tmp_path)
    doc = ProjectDocument.open(path)
    doc.editor.clear_ball(0)
    doc.autosave()
    run("recover", "demo", "--discard")
    assert not recovery_path_for(path).exists()
    assert len(ProjectDocument.open(path).project.balls[0]) == 1


def test_bad_and_earlier_files(run, tmp_path):
    bad = tmp_path / "bad.smproj"
    bad.write_text('{"format": "sequence-maker-project", "format_version": 1, "project": {"na')
    err = run("info", "bad.smproj", code=1).stderr
    assert "bad.smproj" in err and "truncated" in err
    shutil.copy(EARLIER, tmp_path / "old.smproj")
    res = run("info", "old.smproj")
    assert "earlier-app" in res.stdout and "Ball 2" in res.stdout
    assert "name was False" in res.stderr


def test_projects_lists_the_workspace(run, tmp_path):
    assert "No projects" in run("projects").stdout
    from sequence_maker.storage import Workspace

    ws = Workspace()
    ws.create("Circus act")
    doc = ws.create("Finale")
    doc.editor.paint(0, solid(0, 100, "red"))
    doc.autosave()
    out = run("projects").stdout
    assert "Circus act" in out and "Finale" in out and "seqmaker recover" in out
    assert str(tmp_path / "home" / "projects") in out
