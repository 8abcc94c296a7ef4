"""A replacement beat back-end plugs in without touching the rest of the pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sequence_maker.audio import analyze
from sequence_maker.audio.engine import BackendResult
from sequence_maker.audio.features import FrameFeatures


class GridBackend:
    """Pretends to be a neural tracker: returns the true beats, leaves downbeats to us."""

    name = "fake-neural"

    def __init__(self, beats: np.ndarray) -> None:
        self.beats = beats
        self.calls = 0

    def track(self, path: Path, features: FrameFeatures) -> BackendResult:
        self.calls += 1
        assert features.fps > 80 and features.n_frames > 0
        return BackendResult(self.beats, None, None, 120.0, 0.99)


def test_custom_backend_feeds_meter_sections_and_cache(short_song) -> None:
    path, truth = short_song
    backend = GridBackend(truth.beats_s)
    a = analyze(path, backend=backend)
    assert backend.calls == 1 and a.backend == "fake-neural"
    np.testing.assert_allclose(a.beats, truth.beats_s)
    # downbeats came from our meter estimator, on the real bar lines
    assert a.beats_per_bar == 4
    assert np.allclose(a.downbeats[:4], truth.downbeats_s[:4], atol=0.02)
    assert len(a.sections) >= 2
    # cached per back-end: each back-end keeps its own entry
    assert analyze(path).backend == "dsp"
    assert analyze(path, backend=backend).backend == "fake-neural"
    assert backend.calls == 1
