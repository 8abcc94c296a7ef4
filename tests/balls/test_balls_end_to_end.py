"""End to end: project → export (CLI) → upload (CLI) to the fake ball → identical bytes; lyrics CLI."""

from __future__ import annotations

from typer.testing import CliRunner

from sequence_maker.balls.fake import FakeBallThread, free_udp_port
from sequence_maker.cli.app import app
from sequence_maker.model import fade, solid
from sequence_maker.storage import ProjectDocument

runner = CliRunner()


def _project(tmp_path):
    doc = ProjectDocument.new("show", balls=2, duration_ms=8000, path=tmp_path / "show.smproj")
    doc.editor.paint(0, [solid(0, 2000, "red"), fade(2000, 5000, "blue", "green"), solid(5000, 6500, "white")])
    doc.editor.paint(1, solid(1000, 3000, "gold"))
    doc.save()
    return doc






def test_export_then_upload_gives_identical_bytes(tmp_path, monkeypatch):
    _project(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["export", str(tmp_path / "show.smproj"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    exported = sorted(out.glob("*.prg"))
    assert len(exported) == 2
    status = free_udp_port()
    # the CLI listens for the confirmation on the standard port; point it at a free loopback one
    from sequence_maker.balls import client
    from sequence_maker.balls.protocol import safe_filename
    orig = client.upload

    async def upload_on_loopback(*a, **kw):
        kw.setdefault("status_bind", "127.0.0.1")
        kw["status_port"] = status
        return await orig(*a, **kw)

    monkeypatch.setattr(client, "upload", upload_on_loopback)
    with FakeBallThread(status_port=status) as ball:
        r = runner.invoke(app, ["balls", "upload", str(exported[0]), "--to", "127.0.0.1",
                                "--port", str(ball.tcp_port), "--timeout", "3"])
        assert r.exit_code == 0, r.output
        assert "confirmed" in r.output
        r2 = runner.invoke(app, ["balls", "upload", str(tmp_path / "show.smproj"), "--ball", "2",
                                 "--to", "127.0.0.1", "--port", str(ball.tcp_port), "--name", "b2.prg"])
        assert r2.exit_code == 0, r2.output
    assert ball.files[safe_filename(exported[0].name)] == exported[0].read_bytes()
    ball2 = next(p for p in exported if p != exported[0])
    assert ball.files["b2.prg"] == ball2.read_bytes()


def test_upload_refuses_invalid_prg_and_bad_address(tmp_path):
    bad = tmp_path / "bad.prg"
    bad.write_bytes(b"not a prg")
    r = runner.invoke(app, ["balls", "upload", str(bad), "--to", "127.0.0.1"])
    assert r.exit_code == 1 and "not a valid .prg" in r.output
    r = runner.invoke(app, ["balls", "upload", str(bad), "--to", "my-ball.local"])
    assert r.exit_code == 1 and "IP address" in r.output


def test_live_mirrors_the_timeline(tmp_path):
    _project(tmp_path)
    with FakeBallThread() as ball:
        r = runner.invoke(app, ["balls", "live", str(tmp_path / "show.smproj"), "--to", "127.0.0.1",
                                "--port", str(ball.udp_port), "--seconds", "1", "--rate", "25"])
        assert r.exit_code == 0, r.output
        import time
        time.sleep(0.1)
    colours = [p.values for _, p in ball.live if p.op == "color"]
    assert len(colours) >= 20
    assert colours[0] == (255, 0, 0)  # ball 1 starts red
    assert colours[-1] == (0, 0, 0)  # blacked out at the end


def test_lyrics_cli_import_export_undo(tmp_path):
    _project(tmp_path)
    lrc = tmp_path / "song.lrc"
    lrc.write_text("[00:01.00]<00:01.00>hello <00:01.50>world\n[00:03.00]again\n")
    proj = str(tmp_path / "show.smproj")
    r = runner.invoke(app, ["lyrics", "import", proj, str(lrc)])
    assert r.exit_code == 0, r.output
    assert ProjectDocument.open(proj).project.lyrics.words[1].text == "world"
    xt = tmp_path / "out.xtiming"
    r = runner.invoke(app, ["lyrics", "export", proj, str(xt)])
    assert r.exit_code == 0 and "<Effect label=\"world\" starttime=\"1500\"" in xt.read_text()
    r = runner.invoke(app, ["lyrics", "show", proj])
    assert "world" in r.output
    r = runner.invoke(app, ["undo", proj])
    assert r.exit_code == 0, r.output
    assert ProjectDocument.open(proj).project.lyrics is None
    r = runner.invoke(app, ["lyrics", "export", proj, str(tmp_path / "x.lrc")])
    assert r.exit_code == 1 and "no lyrics" in r.output
