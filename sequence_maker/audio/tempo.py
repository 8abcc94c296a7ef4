"""Local tempo: a tempo curve (not one global BPM) with octave errors suppressed.

Each 8 s window of the onset envelope is scored over 40–240 BPM with two complementary
periodicity measures:

* the autocorrelation (ACF), which is also high at 2×, 3× the beat period (half tempo errors);
* the Fourier tempogram (DFT), which is also high at 2×, 3× the beat frequency (double tempo).

Their product is high only at the true beat level (Peeters' ACF×DFT idea), which removes most
×2/÷2 errors without leaning on a strong "120 BPM" prior. A Viterbi pass over windows then
picks a smooth path that may still jump when the song changes tempo abruptly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_BPM = 40.0
MAX_BPM = 240.0
BINS_PER_OCTAVE = 48
WINDOW_S = 8.0
STEP_S = 1.0
#: Viterbi cost of changing tempo, per octave; one abrupt 30 % jump costs about 4 nats.
JUMP_COST_PER_OCTAVE = 10.0


@dataclass(slots=True)
class TempoCurve:
    """Tempo per analysis window (centre times in seconds) and a per-window salience."""

    times_s: np.ndarray
    bpm: np.ndarray
    salience: np.ndarray  # 0–1 per window: onset autocorrelation at the chosen beat period

    def at_frames(self, n_frames: int, fps: float) -> np.ndarray:
        """Tempo for every onset-envelope frame (linear between windows, held at the ends)."""
        if len(self.bpm) == 0:
            return np.full(n_frames, 120.0)
        t = np.arange(n_frames) / fps
        return np.interp(t, self.times_s, self.bpm)


def tempo_bins() -> np.ndarray:
    n = int(np.floor(BINS_PER_OCTAVE * np.log2(MAX_BPM / MIN_BPM))) + 1
    return MIN_BPM * 2.0 ** (np.arange(n) / BINS_PER_OCTAVE)


def _normalise_onsets(onset: np.ndarray, fps: float) -> np.ndarray:
    """Remove the slow trend (loudness changes) so windows compare fairly."""
    from scipy.ndimage import gaussian_filter1d, uniform_filter1d

    # a little smoothing so a 1-frame timing jitter does not hide the periodicity
    x = gaussian_filter1d(onset.astype(np.float64), 1.0)
    trend = uniform_filter1d(x, size=max(3, int(fps * 1.0)), mode="nearest")
    x = np.maximum(0.0, x - trend)
    scale = np.percentile(x[x > 0], 95) if np.any(x > 0) else 1.0
    return x / max(scale, 1e-9)


def window_scores(onset: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score matrix (windows × tempo bins), window centre times and the ACF matrix.

    The normalised ACF at the chosen period measures how periodic the window is: near 1 for a
    steady drum track, near 0 for noise, whatever the beat tracker later makes of it.
    """
    bins = tempo_bins()
    x = _normalise_onsets(onset, fps)
    win = int(WINDOW_S * fps)
    step = max(1, int(STEP_S * fps))
    n = len(x)
    if n < win:
        starts = np.array([0])
        win = max(n, 8)
        x = np.pad(x, (0, max(0, win - n)))
    else:
        starts = np.arange(0, n - win + 1, step)
    taper = np.hanning(win)
    lags = 60.0 * fps / bins
    frames = np.arange(win) / fps
    basis = np.exp(-2j * np.pi * np.outer(bins / 60.0, frames)) * taper  # (bins, win)
    nfft = int(2 ** np.ceil(np.log2(2 * win)))
    prior = np.exp(-0.5 * (np.log2(bins / 120.0) / 1.2) ** 2)
    scores = np.zeros((len(starts), len(bins)))
    acfs = np.zeros((len(starts), len(bins)))
    bias = 1.0 / np.maximum(1.0 - np.arange(win) / win, 0.25)  # undo the biased ACF's taper
    basis_t = np.ascontiguousarray(basis.T)
    from numpy.lib.stride_tricks import sliding_window_view

    views = sliding_window_view(x, win)
    for c0 in range(0, len(starts), 64):  # batches of windows: vectorised, bounded memory
        segs = views[starts[c0 : c0 + 64]]
        spec = np.fft.rfft(segs * taper, nfft, axis=1)
        acf = np.fft.irfft(np.abs(spec) ** 2, nfft, axis=1)[:, :win]
        zero = acf[:, :1]
        acf = np.where(zero > 0, acf / np.where(zero > 0, zero, 1.0), 0.0) * bias
        lo = np.minimum(np.floor(lags).astype(int), win - 1)
        frac = np.clip(lags - lo, 0.0, 1.0)
        acf_at = np.maximum(0.0, acf[:, lo] * (1 - frac) + acf[:, np.minimum(lo + 1, win - 1)] * frac)
        acf_at[:, lags >= win - 1] = 0.0  # periods longer than a (short) window are unknown
        dft = np.abs((segs - segs.mean(axis=1, keepdims=True)) @ basis_t)
        dft = dft / np.maximum(dft.max(axis=1, keepdims=True), 1e-12)
        scores[c0 : c0 + len(segs)] = np.sqrt(acf_at * dft) * prior
        acfs[c0 : c0 + len(segs)] = acf_at
    centres = (starts + win / 2) / fps
    return scores, centres, acfs


def viterbi_path(scores: np.ndarray) -> np.ndarray:
    """Best bin per window under a log-distance jump cost."""
    n_win, n_bins = scores.shape
    logp = np.log(np.maximum(scores / np.maximum(scores.max(axis=1, keepdims=True), 1e-12), 1e-4))
    k = np.arange(n_bins)
    trans = -JUMP_COST_PER_OCTAVE * np.abs(k[:, None] - k[None, :]) / BINS_PER_OCTAVE
    delta = logp[0].copy()
    back = np.zeros((n_win, n_bins), dtype=np.int32)
    for i in range(1, n_win):
        cand = delta[:, None] + trans  # from (rows) → to (cols)
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], k] + logp[i]
    path = np.zeros(n_win, dtype=np.int32)
    path[-1] = int(np.argmax(delta))
    for i in range(n_win - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def estimate_tempo_curve(onset: np.ndarray, fps: float) -> TempoCurve:
    """Smooth local tempo with parabolic refinement of each window's chosen bin."""
    scores, centres, acfs = window_scores(onset, fps)
    bins = tempo_bins()
    if not np.any(scores > 0):
        return TempoCurve(centres, np.zeros(len(centres)), np.zeros(len(centres)))
    path = viterbi_path(scores)
    salience = np.clip(acfs[np.arange(len(path)), path], 0.0, 1.0)
    bpm = np.empty(len(path))
    for i, b in enumerate(path):
        if 0 < b < len(bins) - 1:
            y0, y1, y2 = scores[i, b - 1], scores[i, b], scores[i, b + 1]
            den = y0 - 2 * y1 + y2
            off = 0.5 * (y0 - y2) / den if den < 0 else 0.0
            bpm[i] = MIN_BPM * 2.0 ** ((b + np.clip(off, -0.5, 0.5)) / BINS_PER_OCTAVE)
        else:
            bpm[i] = bins[b]
    return TempoCurve(centres, bpm, salience)
