"""Filterbanks and peak picking in plain numpy.

These replace ``librosa.filters`` and ``librosa.onset.onset_detect`` on the analysis path:
importing librosa pulls in scipy.signal and numba (3–10 s per cold process on the 2-core CI
machine, most of a 4-minute song's analysis time). The mel filterbank is the Slaney-style one
librosa uses by default (a test checks they agree); chroma is a Gaussian pitch-class mapping;
peak picking follows librosa's onset defaults.
"""

from __future__ import annotations

import numpy as np

_F_SP = 200.0 / 3  # Slaney mel scale: linear below 1 kHz …
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0  # … logarithmic above


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    safe = np.maximum(f, _MIN_LOG_HZ)  # avoid log(0) in the branch np.where does not pick
    return np.where(f < _MIN_LOG_HZ, f / _F_SP, _MIN_LOG_MEL + np.log(safe / _MIN_LOG_HZ) / _LOG_STEP)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return np.where(m < _MIN_LOG_MEL, m * _F_SP, _MIN_LOG_HZ * np.exp(_LOG_STEP * (m - _MIN_LOG_MEL)))


def mel_filterbank(
    sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular filters, area-normalised (Slaney), float32."""
    fmax = sr / 2 if fmax is None else fmax
    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


def chroma_filterbank(
    sr: int, n_fft: int, fmin: float = 55.0, fmax: float = 5000.0, width_semitones: float = 0.5
) -> np.ndarray:
    """(12, 1 + n_fft // 2) pitch-class weights (C = 0), Gaussian in cents around each class.

    Bins outside ``fmin``–``fmax`` get no weight: below, FFT bins are wider than a semitone;
    above, partials and noise blur the harmony.
    """
    freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    out = np.zeros((12, len(freqs)))
    ok = (freqs >= fmin) & (freqs <= fmax)
    midi = 69.0 + 12.0 * np.log2(freqs[ok] / 440.0)
    for pc in range(12):
        d = (midi - pc + 6.0) % 12.0 - 6.0  # circular distance in semitones
        out[pc, ok] = np.exp(-0.5 * (d / width_semitones) ** 2)
    return out.astype(np.float32)


def pick_peaks(env: np.ndarray, fps: float, *, delta: float = 0.07) -> np.ndarray:
    """Onset frames: local maxima (30 ms before) above the local mean (100 ms) + ``delta``,
    at least 30 ms apart, on the envelope scaled to 0–1 (librosa's onset_detect defaults)."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    x = env.astype(np.float64)
    if len(x) < 3 or x.max() <= x.min():
        return np.zeros(0, dtype=int)
    x = (x - x.min()) / (x.max() - x.min())
    pre_max = max(1, int(0.03 * fps))
    avg = max(1, int(0.10 * fps))
    wait = max(1, int(0.03 * fps))
    # window [n - pre_max, n] for the maximum, [n - avg, n + avg] for the mean
    local_max = maximum_filter1d(x, size=pre_max + 1, origin=pre_max // 2, mode="constant", cval=0.0)
    local_mean = uniform_filter1d(x, size=2 * avg + 1, mode="constant", cval=0.0)
    cands = np.flatnonzero((x >= local_max) & (x >= local_mean + delta))
    peaks: list[int] = []
    for c in cands:
        if not peaks or c > peaks[-1] + wait:
            peaks.append(int(c))
    return np.asarray(peaks, dtype=int)
