"""Long files: streaming keeps memory bounded; progress is reported and can cancel."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from sequence_maker.audio import AnalysisCancelledError, analyze
from sequence_maker.audio.cache import cache_dir


def write_long_click_track(path: Path, minutes: float, sr: int = 8000) -> Path:
    """A 120 BPM kick/hat loop written block by block (the test never holds it in memory)."""
    import soundfile as sf

    bar = np.zeros(2 * sr, dtype=np.float32)
    t = np.arange(int(0.1 * sr)) / sr
    kick = (0.8 * np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.03)).astype(np.float32)
    for beat in range(4):
        i = beat * sr // 2
        bar[i : i + len(kick)] += kick * (1.0 if beat == 0 else 0.6)
    with sf.SoundFile(str(path), "w", sr, 1, subtype="PCM_16") as f:
        for _ in range(int(minutes * 30)):
            f.write(bar)
    return path


def test_memory_stays_far_below_the_decoded_signal(tmp_path: Path, short_song) -> None:
    analyze(short_song[0], cache=False)  # first-use imports/JIT must not count as per-song memory
    path = write_long_click_track(tmp_path / "long.wav", minutes=12)
    full_signal_bytes = 12 * 60 * 22050 * 4  # what "decode everything" would need at the analysis rate
    decoding_updates: list[float] = []
    tracemalloc.start()
    try:
        a = analyze(path, cache=False, progress=lambda f, s: s == "decoding" and decoding_updates.append(f))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.duration_s == pytest.approx(720, abs=0.5)
    assert abs(a.tempo_bpm - 120) < 1
    # streaming: peak memory is a fraction of the decoded signal (per-frame features only)
    assert peak < 0.5 * full_signal_bytes, f"peak {peak / 1e6:.0f} MB"
    # decoding is block-wise (~10 s per block), so a progress bar moves steadily
    assert len(decoding_updates) >= 60 and decoding_updates == sorted(decoding_updates)


def test_progress_is_monotonic_staged_and_reaches_one(short_song) -> None:
    path, _ = short_song
    seen: list[tuple[float, str]] = []
    analyze(path, cache=False, progress=lambda f, s: seen.append((f, s)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] == 0.0
    stages = [s for _, s in seen]
    assert {"decoding", "tempo and beats", "sections", "done"} <= set(stages)


def test_progress_callback_can_cancel_without_leaving_a_cache_entry(short_song) -> None:
    path, _ = short_song

    def cancel(fraction: float, stage: str) -> None:
        if stage == "sections":
            raise AnalysisCancelledError("user closed the song")

    with pytest.raises(AnalysisCancelledError):
        analyze(path, progress=cancel)
    assert not list(cache_dir().glob("*.json")) if cache_dir().exists() else True
