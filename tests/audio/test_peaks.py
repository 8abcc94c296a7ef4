"""Waveform peaks: exact min/max at any resolution, streamed, cached."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_maker.audio.peaks import PEAK_BASE, PeakAccumulator, PeakPyramid, peak_pyramid, peaks


def brute(y: np.ndarray, spp: int) -> np.ndarray:
    n = -(-len(y) // spp)
    return np.array([[y[i * spp : (i + 1) * spp].min(), y[i * spp : (i + 1) * spp].max()] for i in range(n)])


def pyramid_of(y: np.ndarray, block: int = 1000) -> PeakPyramid:
    acc = PeakAccumulator(PEAK_BASE)
    for s in range(0, len(y), block):
        acc.push(y[s : s + block])
    return acc.finish(22050)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 20_000), mult=st.integers(1, 40), block=st.integers(1, 5000), seed=st.integers(0, 9))
def test_peaks_equal_brute_force_at_multiples_of_the_base(n: int, mult: int, block: int, seed: int) -> None:
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    spp = PEAK_BASE * mult
    got = pyramid_of(y, block).peaks(spp)
    np.testing.assert_array_equal(got, brute(y, spp))


def test_non_multiple_resolution_covers_the_signal_without_gaps() -> None:
    y = np.sin(np.linspace(0, 40 * np.pi, 50_000)).astype(np.float32)
    got = pyramid_of(y).peaks(1000)
    assert len(got) == 50
    assert np.all(got[:, 0] <= got[:, 1])
    assert got[:, 1].max() == pytest.approx(1.0, abs=1e-3) and got[:, 0].min() == pytest.approx(
        -1.0, abs=1e-3
    )


def test_resolution_finer_than_base_is_refused() -> None:
    with pytest.raises(ValueError, match="samples_per_peak"):
        pyramid_of(np.zeros(1000, dtype=np.float32)).peaks(PEAK_BASE // 2)


def test_peaks_from_path_is_cached(tmp_path: Path, short_song) -> None:
    path, _ = short_song
    first = peaks(path, 4096)
    cached = list((Path(__import__("os").environ["SEQMAKER_CACHE_DIR"]) / "audio").glob("*.peaks.npz"))
    assert len(cached) == 1
    assert peaks(path, 4096) == first
    assert all(lo <= hi for lo, hi in first)


def test_analysis_carries_its_pyramid(short_song) -> None:
    from sequence_maker.audio import analyze

    path, truth = short_song
    a = analyze(path)
    pyr = peak_pyramid(a)
    assert pyr.sample_rate == 22050
    overview = pyr.peaks(22050)  # one pair per second
    assert len(overview) == pytest.approx(truth.duration_s, abs=1)


def test_window_matches_the_same_rows_of_the_full_view() -> None:
    y = np.random.default_rng(3).standard_normal(22050 * 20).astype(np.float32)
    pyr = pyramid_of(y, 4096)
    win = pyr.window(5.0, 7.5, 100)  # 2.5 s in ~100 rows
    spp = (int(7.5 * 22050) - int(5.0 * 22050)) // 100 // PEAK_BASE * PEAK_BASE
    full = brute(y, spp)
    first = int(5.0 * 22050) // spp
    np.testing.assert_array_equal(win, full[first : first + len(win)])
    assert 100 <= len(win) <= 110
    with pytest.raises(ValueError):
        pyr.window(3.0, 2.0, 10)


def test_analysis_from_json_finds_its_pyramid_in_the_cache(short_song) -> None:
    from sequence_maker.audio import analyze
    from sequence_maker.audio.result import Analysis

    path, _ = short_song
    a = analyze(path)
    rebuilt = Analysis.from_json(a.to_json())
    assert rebuilt.peaks is None
    np.testing.assert_array_equal(peak_pyramid(rebuilt).peaks(4096), a.peaks.peaks(4096))


def test_package_level_functions_stay_callable_after_submodule_import() -> None:
    import importlib

    import sequence_maker.audio as audio

    importlib.import_module("sequence_maker.audio.peaks")
    importlib.import_module("sequence_maker.audio.warmup")
    acc = PeakAccumulator()
    acc.push(np.arange(256, dtype=np.float32))
    assert audio.peaks(acc.finish(22050), 128) == [(0.0, 127.0), (128.0, 255.0)]
    assert callable(audio.warmup)
