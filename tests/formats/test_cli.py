"""The formats CLI: export, import, prg decode/encode (through the real root app)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sequence_maker.cli.app import app
from sequence_maker.model import Ball, Project, solid
from sequence_maker.storage import ProjectDocument

from .vectors import vectors_dir

runner = CliRunner()


def _text(res) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(res.output.split())


def _project_file(tmp_path, segs) -> str:
    path = tmp_path / "show.smproj"
    ProjectDocument(Project("show", 3000, [Ball("Left", 4, segs), Ball("Right", 2, [])])).save(path)
    return str(path)


def test_export_shows_lint_then_writes_files(tmp_path):
    proj = _project_file(tmp_path, [solid(0, 1005, "red")])
    res = runner.invoke(app, ["export", proj, "--out", str(tmp_path / "out"), "--prg-json"])
    assert res.exit_code == 0, res.output
    assert "not on the 10 ms tick grid" in _text(res)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "Left.prg", "Left.prg.json", "Right.prg", "Right.prg.json"]


def test_export_refusal_exits_non_zero_and_writes_nothing(tmp_path):
    proj = _project_file(tmp_path, [solid(0, 400, "red")])
    res = runner.invoke(app, ["export", proj, "--out", str(tmp_path / "out"), "--rate", "1"])
    assert res.exit_code == 1
    assert "rounds to 0 ticks" in _text(res) and "nothing was written" in _text(res)
    assert not (tmp_path / "out").exists()
    res = runner.invoke(app, ["export", proj, "--out", str(tmp_path / "out"), "--rate", "3"])
    assert res.exit_code == 1 and "ticks/s" in _text(res)


def test_prg_decode_table_and_encode(tmp_path):
    case = vectors_dir() / "cases" / "official_complex_fade"
    res = runner.invoke(app, ["prg", "decode", f"{case}.prg"])
    assert res.exit_code == 0, res.output
    assert "#ff0000 → #00ff00" in _text(res) and "2514 bytes" in _text(res)
    out = tmp_path / "x.prg"
    res = runner.invoke(app, ["prg", "encode", f"{case}.prg.json", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == (vectors_dir() / "cases" / "official_complex_fade.prg").read_bytes()
    bad = tmp_path / "bad.prg"
    bad.write_bytes(b"nope")
    res = runner.invoke(app, ["prg", "decode", str(bad)])
    assert res.exit_code == 1 and "bad.prg" in _text(res)


def test_prg_encode_bad_json_leaves_no_output(tmp_path):
    src = tmp_path / "in.prg.json"
    src.write_text(json.dumps({"end_time": 1, "sequence": {"5": {"color": [1, 2, 3]}}}))
    out = tmp_path / "out.prg"
    res = runner.invoke(app, ["prg", "encode", str(src), str(out)])
    assert res.exit_code == 1 and "end_time" in _text(res)
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_import_then_export_round_trips_a_vector(tmp_path):
    case = vectors_dir() / "cases" / "seq2_4px_r2y2g2c2b2.prg"
    target = tmp_path / "r.smproj"
    res = runner.invoke(app, ["import", str(case), "--out", str(target)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["import", str(case), "--out", str(target)])
    assert res.exit_code == 1 and "--force" in _text(res)
    res = runner.invoke(app, ["export", str(target), "--out", str(tmp_path / "o"), "--rate", "1"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "seq2_4px_r2y2g2c2b2.prg").read_bytes() == case.read_bytes()
