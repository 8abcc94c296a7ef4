"""Warm the numba/librosa caches so the user's first analysis is not ~20 s slower.

Run once at install: ``python -m sequence_maker.audio.warmup``. It renders a 6 s synthetic
song, analyses it (no result cache) and exits; numba writes its compiled code to its cache dir.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def warmup() -> float:
    """Run a tiny analysis end to end; returns the seconds it took."""
    from .engine import analyze
    from .synth import SongSpec, write_song

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seqmaker-warmup-") as tmp:
        path = Path(tmp) / "warmup.wav"
        write_song(SongSpec(tempo_bpm=120, plan="AB", bars_per_section=2), path)
        analyze(path, cache=False)
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"sequence_maker.audio warm-up done in {warmup():.1f} s")
