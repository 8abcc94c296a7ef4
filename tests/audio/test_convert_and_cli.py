"""to_grid conversion and the `seqmaker analyze` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sequence_maker.audio import analyze, to_grid
from sequence_maker.cli.app import app


def test_to_grid_uses_integer_milliseconds_and_keeps_structure(short_song) -> None:
    path, truth = short_song
    a = analyze(path)
    g = to_grid(a)
    assert all(isinstance(b, int) for b in g.beats_ms)
    assert len(g.beats_ms) == len(a.beats) and set(g.downbeats_ms) <= set(g.beats_ms)
    assert g.beats_per_bar == a.beats_per_bar == 4
    assert abs(g.beat_period_ms() - 500) < 5
    assert [s.label for s in g.sections] == [s.label for s in a.sections]
    assert g.sections[0].start_ms == 0 and g.sections[-1].end_ms == round(a.duration_s * 1000)
    assert any(s.kind == "chorus" for s in g.sections)
    # every internal boundary sits on a downbeat
    assert all(s.start_ms in g.downbeats_ms for s in g.sections[1:])
    assert g.extras["duration_ms"] == round(truth.duration_s * 1000)
    energy = g.extras["energy"]
    assert 0.2 <= energy["hop_s"] <= 0.3
    assert len(energy["values"]) == pytest.approx(a.duration_s / energy["hop_s"], abs=2)
    assert max(energy["values"]) <= 1.0 and min(energy["values"]) >= 0.0


def test_cli_writes_json_and_plot(short_song, tmp_path: Path) -> None:
    path, truth = short_song
    out_json, out_png = tmp_path / "a.json", tmp_path / "a.png"
    res = CliRunner().invoke(app, ["analyze", str(path), "--json", str(out_json), "--plot", str(out_png)])
    assert res.exit_code == 0, res.output
    assert "BPM" in res.output and "4 beats per bar" in res.output
    d = json.loads(out_json.read_text())
    assert abs(d["tempo_bpm"] - 120) < 1
    assert np.allclose(d["beats"][:4], truth.beats_s[:4], atol=0.05)
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out_png.stat().st_size > 10_000


def test_cli_bad_file_exits_2_with_a_message(tmp_path: Path) -> None:
    p = tmp_path / "x.mp3"
    p.write_bytes(b"")
    res = CliRunner().invoke(app, ["analyze", str(p)])
    assert res.exit_code == 2
    assert "empty" in res.output


def test_to_grid_carries_coarse_energy_for_the_assistant():
    from sequence_maker.audio.convert import coarse_energy

    e = coarse_energy([0.0, 0.2, 0.4, 0.6, 1.0], hop_s=0.1, target_hop_s=0.2)
    assert e["hop_s"] == pytest.approx(0.2)
    assert e["values"] == [0.1, 0.5, 1.0]
    assert coarse_energy([], 0.05)["values"] == []
