"""Onsets land on the hits; the energy curve follows loudness (0–1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sequence_maker.audio import analyze
from sequence_maker.audio.synth import SongSpec, write_song


@pytest.fixture(scope="module")
def intro_song(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("intro") / "intro.wav"
    truth = write_song(SongSpec(tempo_bpm=100, plan="AB", intro_silence_s=3.0, seed=5), path)
    return path, truth


def test_every_beat_has_an_onset_within_30_ms(short_song) -> None:
    path, truth = short_song
    onsets = np.asarray(analyze(path).onsets)
    err = np.min(np.abs(onsets[None, :] - truth.beats_s[:, None]), axis=1)
    assert np.mean(err < 0.03) >= 0.95, np.round(err, 3)


def test_energy_is_normalised_and_silent_where_the_song_is(intro_song) -> None:
    path, truth = intro_song
    a = analyze(path)
    e = np.asarray(a.energy)
    t = np.arange(len(e)) * a.energy_hop_s
    assert e.min() >= 0.0 and e.max() == pytest.approx(1.0)
    assert np.all(e[t < 2.5] < 0.05)  # the silent intro
    assert np.median(e[(t > 4) & (t < truth.duration_s - 2)]) > 0.6
    assert a.energy_hop_s == pytest.approx(0.0464, abs=1e-3)


def test_silent_intro_is_its_own_section_and_has_no_beats(intro_song) -> None:
    path, _ = intro_song
    a = analyze(path)
    assert a.sections[0].label == "silence" and a.sections[0].end_s == pytest.approx(3.0, abs=0.05)
    assert a.beats[0] == pytest.approx(3.0, abs=0.03)


def test_cli_plot_is_written_atomically(tmp_path: Path, intro_song) -> None:
    from sequence_maker.audio.plot import plot_analysis

    a = analyze(intro_song[0])
    out = tmp_path / "p.png"
    plot_analysis(a, out)
    assert out.stat().st_size > 10_000 and not list(tmp_path.glob("*.tmp"))
