"""Dynamic-programming beat tracking (Ellis 2007) with a per-frame tempo, in plain numpy.

Same recurrence as ``librosa.beat.beat_track`` — each frame's best score is its own onset
score plus the best predecessor ½–2 beat periods earlier, penalised by the squared log ratio
of the gap to the local period — but vectorised over blocks of frames instead of compiled
with numba. Frames less than half a period apart cannot depend on each other, so a block of
that many frames is solved in one array operation. This avoids ``librosa.beat``'s numba
gufuncs, which compile at import in every process (~3–6 s per cold start).
"""

from __future__ import annotations

import numpy as np


def local_score(onset: np.ndarray, frames_per_beat: np.ndarray) -> np.ndarray:
    """Onsets normalised by their spread and smoothed by a Gaussian of 1/32 beat (as Ellis)."""
    from scipy.ndimage import gaussian_filter1d

    x = onset.astype(np.float64)
    x = x / (x.std(ddof=1) + 1e-12) if len(x) > 1 else x
    sigma = max(float(np.median(frames_per_beat)) / 32.0, 0.5)
    return gaussian_filter1d(x, sigma, mode="constant")


def track(onset: np.ndarray, frames_per_beat: np.ndarray, tightness: float = 100.0) -> np.ndarray:
    """Beat frame indices. ``frames_per_beat`` gives the local beat period for every frame."""
    n = len(onset)
    if n == 0 or not np.any(onset > 0):
        return np.zeros(0, dtype=int)
    fpb = np.maximum(np.asarray(frames_per_beat, dtype=np.float64), 2.0)
    local = local_score(onset, fpb)
    near = np.maximum(np.round(fpb / 2.0).astype(int), 1)  # closest allowed predecessor
    far = np.round(2.0 * fpb).astype(int)  # farthest allowed predecessor
    gaps = np.arange(1, int(far.max()) + 1)
    log_gaps = np.log(gaps)
    cum = np.zeros(n)
    back = np.full(n, -1, dtype=np.int64)
    # before the first clear onset a frame may not link back: the song has not started
    floor = 0.01 * local.max()
    strong = np.flatnonzero(local >= floor)
    first_onset = int(strong[0]) if len(strong) else n
    block = int(near.min())
    cum[0] = local[0]
    i = 1
    while i < n:
        idx = np.arange(i, min(n, i + block))
        loc = idx[:, None] - gaps[None, :]
        allowed = (gaps[None, :] >= near[idx, None]) & (gaps[None, :] <= far[idx, None]) & (loc >= 0)
        penalty = tightness * (log_gaps[None, :] - np.log(fpb[idx, None])) ** 2
        cand = np.where(allowed, cum[np.maximum(loc, 0)] - penalty, -np.inf)
        j = np.argmax(cand, axis=1)
        best = cand[np.arange(len(idx)), j]
        # link only to a predecessor with real evidence behind it; otherwise a beat would be
        # invented in the silence before the first onset
        has = np.isfinite(best) & (cum[np.maximum(idx - gaps[j], 0)] >= floor)
        cum[idx] = local[idx] + np.where(has, best, 0.0)
        back[idx] = np.where(has & (idx >= first_onset), idx - gaps[j], -1)
        i += len(idx)
    return _backtrack(back, _last_beat(cum, local >= floor))


def _last_beat(cum: np.ndarray, has_onset: np.ndarray) -> int:
    """Last local maximum of the cumulative score, on an onset, at least half the typical maximum."""
    if len(cum) < 3:
        return int(np.argmax(cum))
    peaks = np.flatnonzero((cum[1:-1] > cum[:-2]) & (cum[1:-1] >= cum[2:])) + 1
    peaks = peaks[has_onset[peaks]]
    if len(peaks) == 0:
        return int(np.argmax(cum))
    threshold = 0.5 * np.median(cum[peaks])
    good = peaks[cum[peaks] >= threshold]
    return int(good[-1]) if len(good) else int(peaks[-1])


def _backtrack(back: np.ndarray, tail: int) -> np.ndarray:
    beats = []
    i = tail
    while i >= 0:
        beats.append(i)
        i = int(back[i])
    return np.asarray(beats[::-1], dtype=int)
