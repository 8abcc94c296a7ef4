"""Shared fixtures for the audio tests: an isolated cache dir and small synthetic songs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sequence_maker.audio.synth import RenderedSong, SongSpec, write_song


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("seqmaker-cache")
    monkeypatch.setenv("SEQMAKER_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(scope="session")
def short_song(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderedSong]:
    """A 16-bar 120 BPM song (≈33 s), written once per session."""
    path = tmp_path_factory.mktemp("songs") / "short.wav"
    truth = write_song(SongSpec(tempo_bpm=120, plan="ABAB", bars_per_section=4), path)
    return path, truth


def write_silence(path: Path, seconds: float, sr: int = 22050) -> Path:
    import soundfile as sf

    sf.write(str(path), np.zeros(int(seconds * sr), dtype=np.float32), sr)
    return path
