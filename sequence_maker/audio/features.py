"""Frame features computed in one streaming pass over the decoded blocks.

One STFT (2048 window, 256 hop at 22.05 kHz = 86.1 frames/s) feeds everything the later
stages need: a log-mel spectrogram (kept as float16: ~40 MB for an hour), chroma, RMS and
waveform min/max peaks. The whole signal is never held in memory: each block is framed with
the tail of the previous one, so frame ``t`` is centred on sample ``t * HOP`` exactly as
``librosa.stft(center=True)`` would place it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from .decode import ANALYSIS_SR
from .peaks import PEAK_BASE, PeakAccumulator, PeakPyramid

N_FFT = 2048
HOP = 256
N_MELS = 64
FPS = ANALYSIS_SR / HOP

ProgressFn = Callable[[float], None]


@dataclass(slots=True)
class FrameFeatures:
    """Everything downstream stages read, one column per frame (``fps`` columns per second)."""

    sr: int
    hop: int
    log_mel: np.ndarray  # (N_MELS, T) float16, dB
    chroma: np.ndarray  # (12, T) float32, per-frame max-normalised
    rms: np.ndarray  # (T,) float32, linear
    n_samples: int
    peaks: PeakPyramid
    _onset_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def fps(self) -> float:
        return self.sr / self.hop

    @property
    def n_frames(self) -> int:
        return self.rms.shape[0]

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sr

    def onset_envelope(self, *, low_only: bool = False) -> np.ndarray:
        """Spectral flux of log-compressed mel power (3-band max filter, SuperFlux-like).

        Compression is ``log1p(1000 · P / P_max)``, not decibels: dB flux makes a quiet hi-hat
        as strong as a kick, which pulls tempo estimates to double speed. Computed once, in
        chunks, so an hour of audio needs no hour-sized float32 temporaries.
        """
        key = "low" if low_only else "full"
        if key not in self._onset_cache:
            self._onset_cache.update(zip(("full", "low"), self._compute_onsets(), strict=True))
        return self._onset_cache[key]

    def _compute_onsets(self) -> tuple[np.ndarray, np.ndarray]:
        from scipy.ndimage import maximum_filter1d

        T = self.log_mel.shape[1]
        full = np.zeros(T, dtype=np.float32)
        low = np.zeros(T, dtype=np.float32)
        if T < 2:
            return full, low
        top = float(self.log_mel.max())
        chunk = 4096  # frames per chunk: ~1 MB temporaries
        for s0 in range(1, T, chunk):
            s1 = min(T, s0 + chunk)
            db = self.log_mel[:, s0 - 1 : s1].astype(np.float32)
            mel = np.log1p(1000.0 * 10.0 ** ((db - top) / 10.0))
            ref = maximum_filter1d(mel, size=3, axis=0)
            diff = np.maximum(0.0, mel[:, 1:] - ref[:, :-1])
            full[s0:s1] = diff.mean(axis=0)
            low[s0:s1] = diff[:8].mean(axis=0)  # below ~250 Hz: kick drum and bass notes
        return full, low


class _Columns:
    """Per-frame feature columns in preallocated arrays (growing ×1.5 only if the length guess
    was short), so finishing never holds the features twice as list + concatenated copy."""

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self.mel = np.zeros((N_MELS, max(capacity, 16)), dtype=np.float16)
        self.chroma = np.zeros((12, max(capacity, 16)), dtype=np.float32)
        self.rms = np.zeros(max(capacity, 16), dtype=np.float32)

    def append(self, mel: np.ndarray, chroma: np.ndarray, rms: np.ndarray) -> None:
        k = len(rms)
        if self.n + k > len(self.rms):
            cap = max(self.n + k, int(len(self.rms) * 1.5))
            self.mel = np.concatenate(
                [self.mel[:, : self.n], np.zeros((N_MELS, cap - self.n), np.float16)], axis=1
            )
            self.chroma = np.concatenate(
                [self.chroma[:, : self.n], np.zeros((12, cap - self.n), np.float32)], axis=1
            )
            self.rms = np.concatenate([self.rms[: self.n], np.zeros(cap - self.n, np.float32)])
        self.mel[:, self.n : self.n + k] = mel
        self.chroma[:, self.n : self.n + k] = chroma
        self.rms[self.n : self.n + k] = rms
        self.n += k


class _Extractor:
    """Stateful per-block feature computation (STFT carry-over between blocks)."""

    def __init__(self, sr: int, expected_samples: int | None = None) -> None:
        from .filters import chroma_filterbank, mel_filterbank

        self.sr = sr
        self.mel_fb = mel_filterbank(sr, N_FFT, N_MELS, fmin=30.0, fmax=sr / 2)
        # chroma from 55 Hz to 5 kHz: lower bins are wider than a semitone, higher ones add noise
        self.chroma_fb = chroma_filterbank(sr, N_FFT, fmin=55.0, fmax=5000.0)
        # one (bins × 76) matrix: a single contiguous matmul yields mel and chroma together
        self.filters = np.ascontiguousarray(np.vstack([self.mel_fb, self.chroma_fb]).T.astype(np.float32))
        self.window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
        self.carry = np.zeros(N_FFT // 2, dtype=np.float32)  # centre-pad, as librosa does
        self.cols = _Columns(2 + (expected_samples or sr * 60) // HOP)
        self.n_samples = 0
        self.peaks = PeakAccumulator(PEAK_BASE)

    def push(self, block: np.ndarray) -> None:
        self.n_samples += len(block)
        self.peaks.push(block)
        buf = np.concatenate([self.carry, block])
        n_frames = 1 + (len(buf) - N_FFT) // HOP if len(buf) >= N_FFT else 0
        if n_frames > 0:
            self._frames(buf[: (n_frames - 1) * HOP + N_FFT], n_frames)
        self.carry = buf[n_frames * HOP :]

    def finish(self) -> FrameFeatures:
        # pad the tail so the last centred frame reaches the end of the signal
        total_frames = 1 + self.n_samples // HOP
        done = self.cols.n
        missing = total_frames - done
        if missing > 0:
            buf = np.concatenate([self.carry, np.zeros(N_FFT + missing * HOP, dtype=np.float32)])
            n_frames = min(missing, 1 + (len(buf) - N_FFT) // HOP)
            self._frames(buf[: (n_frames - 1) * HOP + N_FFT], n_frames)
        n = self.cols.n
        log_mel, chroma, rms = self.cols.mel[:, :n], self.cols.chroma[:, :n], self.cols.rms[:n]
        return FrameFeatures(self.sr, HOP, log_mel, chroma, rms, self.n_samples, self.peaks.finish(self.sr))

    def _frames(self, buf: np.ndarray, n_frames: int) -> None:
        from numpy.lib.stride_tricks import sliding_window_view
        from scipy.fft import rfft  # float32 in, complex64 out, no float64 work buffers

        frames = sliding_window_view(buf, N_FFT)[::HOP][:n_frames]
        # process in slices to keep the complex spectrum small
        for s in range(0, n_frames, 512):  # 512 frames: ~4 MB of spectrum at a time
            fr = frames[s : s + 512]
            power = np.abs(rfft(fr * self.window, axis=1)) ** 2  # (n, bins) float32
            banded = (power @ self.filters).T  # (N_MELS + 12, n)
            log_mel = 10.0 * np.log10(np.maximum(banded[:N_MELS], 1e-10))
            chroma = banded[N_MELS:] / np.maximum(banded[N_MELS:].max(axis=0, keepdims=True), 1e-10)
            self.cols.append(log_mel, chroma, np.sqrt(np.mean(np.square(fr), axis=1)))


def extract(
    blocks: Iterable[np.ndarray],
    *,
    sr: int = ANALYSIS_SR,
    expected_samples: int | None = None,
    progress: ProgressFn | None = None,
) -> FrameFeatures:
    """Run the streaming extractor over ``blocks`` (mono float32 at ``sr``)."""
    ex = _Extractor(sr, expected_samples)
    for block in blocks:
        ex.push(block)
        if progress is not None and expected_samples:
            progress(min(1.0, ex.n_samples / expected_samples))
    return ex.finish()
