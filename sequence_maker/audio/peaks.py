"""Multi-resolution min/max waveform peaks for drawing.

The finest level holds one (min, max) pair per ``PEAK_BASE`` samples of the mono analysis
signal (64 samples at 22.05 kHz ≈ 2.9 ms); each coarser level halves the count. A browser
asks for the resolution it needs (``samples_per_peak``) and gets at most one pair per pixel.
An hour of audio is ~1.2 M base pairs (10 MB as float32), so the pyramid lives in the cache
as ``.npz`` next to the analysis JSON, not in the JSON itself.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PEAK_BASE = 64


class PeakAccumulator:
    """Streams blocks into base-level min/max pairs (carries the remainder between blocks)."""

    def __init__(self, base: int = PEAK_BASE) -> None:
        self.base = base
        self.rest = np.zeros(0, dtype=np.float32)
        self.mins: list[np.ndarray] = []
        self.maxs: list[np.ndarray] = []
        self.n_samples = 0

    def push(self, block: np.ndarray) -> None:
        self.n_samples += len(block)
        buf = np.concatenate([self.rest, block]) if len(self.rest) else block
        n = len(buf) // self.base
        if n:
            m = buf[: n * self.base].reshape(n, self.base)
            self.mins.append(m.min(axis=1))
            self.maxs.append(m.max(axis=1))
        self.rest = np.array(buf[n * self.base :], dtype=np.float32)

    def finish(self, sample_rate: int) -> PeakPyramid:
        if len(self.rest):
            self.mins.append(np.array([self.rest.min()], dtype=np.float32))
            self.maxs.append(np.array([self.rest.max()], dtype=np.float32))
            self.rest = np.zeros(0, dtype=np.float32)
        lo = np.concatenate(self.mins) if self.mins else np.zeros(0, dtype=np.float32)
        hi = np.concatenate(self.maxs) if self.maxs else np.zeros(0, dtype=np.float32)
        return PeakPyramid.from_base(
            lo.astype(np.float32), hi.astype(np.float32), sample_rate, self.base, self.n_samples
        )


@dataclass(slots=True)
class PeakPyramid:
    """Levels of (min, max) arrays; level k covers ``base * 2**k`` samples per pair."""

    sample_rate: int
    base: int
    mins: list[np.ndarray]
    maxs: list[np.ndarray]
    n_samples: int

    @classmethod
    def from_base(
        cls,
        lo: np.ndarray,
        hi: np.ndarray,
        sample_rate: int,
        base: int = PEAK_BASE,
        n_samples: int | None = None,
    ) -> PeakPyramid:
        mins, maxs = [lo], [hi]
        while len(mins[-1]) > 1:
            a, b = mins[-1], maxs[-1]
            if len(a) % 2:
                a, b = np.append(a, a[-1]), np.append(b, b[-1])
            mins.append(np.minimum(a[0::2], a[1::2]))
            maxs.append(np.maximum(b[0::2], b[1::2]))
        return cls(sample_rate, base, mins, maxs, n_samples if n_samples is not None else len(lo) * base)

    def peaks(self, samples_per_peak: int) -> np.ndarray:
        """(n, 2) array of (min, max), one row per ``samples_per_peak`` samples (last may be partial).

        Exact when ``samples_per_peak`` is a multiple of ``base``: it is built from the coarsest
        level whose step divides it, so a whole-song overview costs a few thousand operations.
        Other sizes use the finest level and round each row's edges to ``base`` samples.
        """
        if samples_per_peak < self.base:
            raise ValueError(f"samples_per_peak must be ≥ {self.base} (the finest stored resolution)")
        if len(self.mins[0]) == 0 or self.n_samples == 0:
            return np.zeros((0, 2), dtype=np.float32)
        level = 0
        if samples_per_peak % self.base == 0:
            ratio = samples_per_peak // self.base
            while ratio % 2 == 0 and level + 1 < len(self.mins):
                ratio //= 2
                level += 1
        step = self.base * 2**level
        lo, hi = self.mins[level], self.maxs[level]
        n_out = -(-self.n_samples // samples_per_peak)
        starts = np.minimum((np.arange(n_out) * samples_per_peak) // step, len(lo) - 1)
        uniq, inverse = np.unique(starts, return_inverse=True)
        out_lo = np.minimum.reduceat(lo, uniq)[inverse]
        out_hi = np.maximum.reduceat(hi, uniq)[inverse]
        return np.stack([out_lo, out_hi], axis=1).astype(np.float32)

    def window(self, start_s: float, end_s: float, n_points: int) -> np.ndarray:
        """About ``n_points`` (min, max) rows covering ``start_s``–``end_s``: what a zoomed view draws.

        Resolution is rounded to a multiple of ``base`` (exact min/max); only the levels' slice
        for the window is touched, so zooming into an hour-long song is cheap.
        """
        if n_points < 1 or end_s <= start_s:
            raise ValueError("need end_s > start_s and n_points ≥ 1")
        s0 = max(0, int(start_s * self.sample_rate))
        s1 = min(self.n_samples, int(np.ceil(end_s * self.sample_rate)))
        if s1 <= s0:
            return np.zeros((0, 2), dtype=np.float32)
        spp = max(self.base, (s1 - s0) // n_points // self.base * self.base)
        level = 0
        ratio = spp // self.base
        while ratio % 2 == 0 and level + 1 < len(self.mins):
            ratio //= 2
            level += 1
        step = self.base * 2**level
        lo, hi = self.mins[level], self.maxs[level]
        first = s0 // spp  # rows aligned to multiples of spp from the song start
        last = -(-s1 // spp)
        starts = np.minimum((np.arange(first, last) * spp) // step, len(lo) - 1)
        stop = min(len(lo), -(-last * spp // step))
        uniq, inverse = np.unique(starts, return_inverse=True)
        edges = np.append(uniq, stop)
        out_lo = np.array(
            [lo[a:b].min() for a, b in zip(edges[:-1], edges[1:], strict=True)], dtype=np.float32
        )
        out_hi = np.array(
            [hi[a:b].max() for a, b in zip(edges[:-1], edges[1:], strict=True)], dtype=np.float32
        )
        return np.stack([out_lo[inverse], out_hi[inverse]], axis=1)

    def save(self, path: Path) -> None:
        """Atomic write of the base level (coarser levels are rebuilt on load in milliseconds)."""
        import io

        from .cache import atomic_write_bytes

        buf = io.BytesIO()
        np.savez(
            buf,
            mins=self.mins[0],
            maxs=self.maxs[0],
            meta=np.array([self.sample_rate, self.base, self.n_samples]),
        )
        atomic_write_bytes(path, buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> PeakPyramid:
        with np.load(path) as z:
            sr, base, n = (int(x) for x in z["meta"])
            return cls.from_base(z["mins"], z["maxs"], sr, base, n)


def peaks(source: object, samples_per_peak: int) -> list[tuple[float, float]]:
    """(min, max) pairs for drawing, from an ``Analysis``, a ``PeakPyramid`` or an audio path.

    ``samples_per_peak`` counts samples at the analysis rate (``pyramid.sample_rate``,
    22 050 Hz). A path uses the cached pyramid or computes one by a streaming decode.
    """
    pyramid = peak_pyramid(source)
    return [(float(a), float(b)) for a, b in pyramid.peaks(samples_per_peak)]


def peak_pyramid(source: object) -> PeakPyramid:
    """The pyramid of an ``Analysis``/``PeakPyramid``, or of an audio file (cached by content hash)."""
    if isinstance(source, PeakPyramid):
        return source
    pyr = getattr(source, "peaks", None)
    if isinstance(pyr, PeakPyramid):
        return pyr
    key = getattr(source, "audio_hash", None)
    if isinstance(key, str):  # an Analysis rebuilt from JSON: its pyramid lives in the cache
        from .cache import AnalysisCache

        cached = AnalysisCache().load_peaks(key)
        if cached is None:
            raise ValueError("this analysis has no cached peaks; call peaks(audio_path, …) instead")
        return cached
    if isinstance(source, str | Path):
        from .cache import AnalysisCache
        from .decode import ANALYSIS_SR, audio_hash, iter_blocks

        cache = AnalysisCache()
        key = audio_hash(source)
        cached = cache.load_peaks(key)
        if cached is not None:
            return cached
        acc = PeakAccumulator(PEAK_BASE)
        for block in iter_blocks(source, sr=ANALYSIS_SR):
            acc.push(block)
        pyramid = acc.finish(ANALYSIS_SR)
        cache.save_peaks(key, pyramid)
        return pyramid
    raise TypeError(f"peaks() needs an Analysis, a PeakPyramid or a path, not {type(source).__name__}")


class _CallableModule(types.ModuleType):
    """``sequence_maker.audio.peaks`` is both this module and the function ``peaks()``.

    Importing the submodule rebinds the package attribute to the module object, which would
    shadow the public function of the same name; making the module callable keeps
    ``sequence_maker.audio.peaks(...)`` working either way.
    """

    def __call__(self, *args: object, **kwargs: object) -> object:
        return peaks(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
