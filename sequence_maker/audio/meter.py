"""Meter (3 or 4 beats per bar) and downbeats from musical evidence, not "every 4th beat".

Per beat we measure three cues that mark the start of a bar in most popular music:

* harmonic change: chords tend to change on the downbeat (chroma distance to the previous beat);
* low-frequency accent: kick drum and bass notes land on beat one;
* overall accent: the onset strength of the beat.

Each cue is standardised, combined, and a hidden-Markov "position in bar" model decodes the
most likely bar position of every beat for meter 3 and for meter 4; the meter whose decoded
downbeats stand out most from the other beats wins. The HMM allows a rare phase jump so a
dropped or extra beat (or a 2/4 bar) does not shift every later downbeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Weight of each cue in the downbeat score (harmonic change is the most reliable).
CUE_WEIGHTS = {"harmony": 1.0, "low": 0.8, "accent": 0.3}
#: Probability that the bar position does not advance by one (phase jump).
PHASE_JUMP_P = 0.01


@dataclass(slots=True)
class MeterEstimate:
    beats_per_bar: int
    downbeat_index: np.ndarray  # indices into the beat array
    confidence: float


def _zscore(x: np.ndarray) -> np.ndarray:
    s = x.std()
    return (x - x.mean()) / s if s > 1e-9 else np.zeros_like(x)


def beat_cues(
    beat_frames: np.ndarray, onset: np.ndarray, low_onset: np.ndarray, chroma: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-beat cue values (raw, not standardised)."""
    n = len(beat_frames)
    T = chroma.shape[1]
    bounds = np.append(
        beat_frames, min(T, beat_frames[-1] + (beat_frames[-1] - beat_frames[-2] if n > 1 else 1))
    )
    bounds = np.clip(bounds, 0, max(T - 1, 0))
    csum = np.concatenate([np.zeros((12, 1)), np.cumsum(chroma, axis=1)], axis=1)
    seg = np.stack(
        [
            (csum[:, b1] - csum[:, b0]) / max(b1 - b0, 1)
            for b0, b1 in zip(bounds[:-1], bounds[1:], strict=True)
        ]
    )
    seg = seg / np.maximum(np.linalg.norm(seg, axis=1, keepdims=True), 1e-9)
    harm = np.zeros(n)
    harm[1:] = 1.0 - np.sum(seg[1:] * seg[:-1], axis=1)
    harm[0] = harm[1:].mean() if n > 1 else 0.0

    def peak(env: np.ndarray) -> np.ndarray:
        idx = np.clip(beat_frames[:, None] + np.arange(-2, 3)[None, :], 0, len(env) - 1)
        return env[idx].max(axis=1)

    return {"harmony": harm, "low": peak(low_onset), "accent": peak(onset)}


def _viterbi_positions(score: np.ndarray, meter: int) -> tuple[np.ndarray, float]:
    """Most likely bar position per beat; returns (positions, log-likelihood)."""
    n = len(score)
    # emission: position 0 likes high downbeat score, the others like low scores
    emis = np.zeros((n, meter))
    emis[:, 0] = score
    emis[:, 1:] = -score[:, None] / (meter - 1)
    trans = np.full((meter, meter), np.log(PHASE_JUMP_P / (meter - 1)))
    for s in range(meter):
        trans[s, (s + 1) % meter] = np.log(1 - PHASE_JUMP_P)
    delta = emis[0].copy()
    back = np.zeros((n, meter), dtype=np.int32)
    for i in range(1, n):
        cand = delta[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], np.arange(meter)] + emis[i]
    pos = np.zeros(n, dtype=np.int32)
    pos[-1] = int(np.argmax(delta))
    for i in range(n - 1, 0, -1):
        pos[i - 1] = back[i, pos[i]]
    return pos, float(delta.max())


def estimate_meter(
    beat_frames: np.ndarray, onset: np.ndarray, low_onset: np.ndarray, chroma: np.ndarray
) -> MeterEstimate:
    """Choose 3 or 4 beats per bar and the downbeats; with too few beats assume 4 from the first."""
    n = len(beat_frames)
    if n < 8:
        return MeterEstimate(4, np.arange(0, n, 4), 0.0)
    cues = beat_cues(beat_frames, onset, low_onset, chroma)
    score = sum(w * _zscore(cues[k]) for k, w in CUE_WEIGHTS.items())
    best: tuple[float, int, np.ndarray] | None = None
    contrasts = {}
    for meter in (3, 4):
        pos, _ = _viterbi_positions(score, meter)
        down = pos == 0
        if down.sum() == 0 or (~down).sum() == 0:
            continue
        # contrast: downbeats vs the strongest other bar position (a 2-vs-4 ambiguity is fine,
        # a 3-vs-4 one is not: wrong meters leave some other position as strong as "one")
        others = [score[pos == p].mean() for p in range(1, meter) if np.any(pos == p)]
        contrast = score[down].mean() - max(others)
        contrasts[meter] = contrast
        if best is None or contrast > best[0]:
            best = (contrast, meter, np.flatnonzero(down))
    if best is None:
        return MeterEstimate(4, np.arange(0, n, 4), 0.0)
    contrast, meter, idx = best
    other = contrasts.get(7 - meter, 0.0)
    confidence = (
        float(np.clip((contrast - max(other, 0.0)) / max(contrast, 1e-9), 0.0, 1.0)) if contrast > 0 else 0.0
    )
    return MeterEstimate(meter, idx, round(confidence, 3))
