"""Sections: bar-level segmentation, labels by repetition, and a chorus guess.

Work happens on bars (downbeat to downbeat), so every boundary is a downbeat by construction.
Each bar is described by timbre (MFCC-like DCT of the log-mel), harmony (chroma) and loudness.
A checkerboard kernel slid along the bar self-similarity matrix gives a novelty curve whose
peaks are the boundaries (Foote 2000). Segments are then clustered by their mean features:
segments of one cluster get one letter (A, B, C… in order of appearance); a repeat that is
noticeably different from the first occurrence gets a prime (A′). The chorus guess is the
letter that repeats most, ties broken by loudness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SECTION_BARS = 2
#: A repeat farther than this (fraction of the cluster threshold) from the first occurrence is A′.
PRIME_FRACTION = 0.5


@dataclass(slots=True)
class SectionEstimate:
    label: str
    start_s: float
    end_s: float
    kind: str = ""  # "chorus", "silence" or ""


def bar_features(
    bars: np.ndarray, log_mel: np.ndarray, chroma: np.ndarray, rms_db: np.ndarray, onset: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Standardised per-bar features: (for boundaries, for labels).

    Boundaries use pitch-independent cues only: coarse spectral shape (MFCC 1–5, i.e. timbre
    and brightness), loudness and rhythmic density. Fine MFCCs and chroma follow the chord of
    each bar, so a pivot chord shared by two sections would pull the boundary off by a bar.
    Labels add a key profile (chroma smoothed over 4 bars) to tell apart sections that only
    differ in harmony.
    """
    from scipy.fft import dct
    from scipy.ndimage import uniform_filter1d

    rms_db = np.maximum(rms_db, rms_db.max() - 60.0)  # silence must not dominate the statistics
    timbre, key, loud, dens = [], [], [], []
    for b0, b1 in zip(bars[:-1], bars[1:], strict=True):
        b1 = max(b1, b0 + 1)
        # DCT is linear: the DCT of the bar's mean log-mel is the bar's mean MFCC
        timbre.append(dct(log_mel[:, b0:b1].astype(np.float32).mean(axis=1), norm="ortho")[1:6])
        key.append(chroma[:, b0:b1].mean(axis=1))
        loud.append(rms_db[b0:b1].mean())
        dens.append(onset[b0:b1].mean())
    key_arr = uniform_filter1d(np.asarray(key), 4, axis=0, mode="nearest")
    key_arr = key_arr / np.maximum(np.linalg.norm(key_arr, axis=1, keepdims=True), 1e-9)

    def z(x: np.ndarray) -> np.ndarray:
        """Robust standardisation (median / IQR): one odd bar must not squash all the others."""
        x = np.asarray(x, dtype=np.float64).reshape(len(bars) - 1, -1)
        q1, med, q3 = np.percentile(x, [25, 50, 75], axis=0)
        scale = np.maximum((q3 - q1) / 1.35, np.maximum(x.std(axis=0) * 0.1, 1e-6))
        return np.clip((x - med) / scale, -6.0, 6.0)

    base = np.hstack([z(timbre), 2.0 * z(loud), 2.0 * z(dens)])
    return base, np.hstack([base, 0.5 * z(key_arr)])


def novelty(F: np.ndarray, half: int) -> np.ndarray:
    """Foote novelty with a Gaussian-tapered checkerboard of ``half`` bars per side."""
    n = len(F)
    norm = F / np.maximum(np.linalg.norm(F, axis=1, keepdims=True), 1e-9)
    S = norm @ norm.T
    g = np.exp(-0.5 * ((np.arange(-half, half) + 0.5) / max(half, 1)) ** 2)
    sign = np.sign(np.arange(-half, half) + 0.5)
    K = np.outer(g * sign, g * sign)
    # pad with NaN and renormalise by the kernel mass that is inside the song: edge padding
    # would repeat the first/last bar and fake a boundary next to the ends
    Sp = np.pad(S, half, mode="constant", constant_values=np.nan)
    total = np.abs(K).sum()
    out = np.zeros(n + 1)
    for i in range(n + 1):  # boundary before bar i
        block = Sp[i : i + 2 * half, i : i + 2 * half]
        valid = ~np.isnan(block)
        mass = np.abs(K)[valid].sum()
        out[i] = float(np.nansum(K * block) * total / mass) if mass > 0 else 0.0
    out[0] = out[n] = 0.0
    return np.maximum(out, 0.0)


def pick_boundaries(nov: np.ndarray, min_bars: int = MIN_SECTION_BARS) -> list[int]:
    """Peaks of the novelty curve above an adaptive threshold, at least ``min_bars`` apart."""
    n = len(nov) - 1
    if n < 2 * min_bars:
        return []
    positive = nov[nov > 0]
    if len(positive) == 0:
        return []
    inner = nov[min_bars : n - min_bars + 1]  # only places a boundary may go
    thr = max(np.median(inner) + 0.5 * np.std(inner), 0.25 * inner.max())
    cands = [
        i
        for i in range(1, n)
        if nov[i] >= thr and nov[i] == nov[max(0, i - min_bars + 1) : i + min_bars].max()
    ]
    cands.sort(key=lambda i: -nov[i])
    chosen: list[int] = []
    for i in cands:
        if i < min_bars or n - i < min_bars:
            continue
        if all(abs(i - j) >= min_bars for j in chosen):
            chosen.append(i)
    return sorted(chosen)


def label_segments(seg_feats: np.ndarray, energies: np.ndarray) -> tuple[list[str], str | None]:
    """Letters by repetition (agglomerative clustering of segment means) and the chorus letter."""
    n = len(seg_feats)
    if n == 0:
        return [], None
    if n == 1:
        return ["A"], None
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    d = pdist(seg_feats)
    thr = 0.5 * float(np.median(d)) if np.median(d) > 0 else 1.0
    clusters = fcluster(linkage(seg_feats, method="average"), t=thr, criterion="distance")
    letters: dict[int, str] = {}
    first_of: dict[int, int] = {}
    labels = []
    for i, c in enumerate(clusters):
        if c not in letters:
            letters[c] = chr(ord("A") + len(letters)) if len(letters) < 26 else f"S{len(letters)}"
            first_of[c] = i
            labels.append(letters[c])
        else:
            dist = float(np.linalg.norm(seg_feats[i] - seg_feats[first_of[c]]))
            labels.append(letters[c] + ("′" if dist > PRIME_FRACTION * thr else ""))
    counts: dict[str, int] = {}
    loud: dict[str, list[float]] = {}
    for lab, e in zip(labels, energies, strict=True):
        base = lab.rstrip("′")
        counts[base] = counts.get(base, 0) + 1
        loud.setdefault(base, []).append(float(e))
    repeated = [k for k, v in counts.items() if v >= 2]
    chorus = max(repeated, key=lambda k: (counts[k], np.mean(loud[k]))) if repeated else None
    return labels, chorus


def estimate_sections(
    downbeats_s: np.ndarray,
    duration_s: float,
    fps: float,
    log_mel: np.ndarray,
    chroma: np.ndarray,
    rms_db: np.ndarray,
    onset: np.ndarray,
) -> list[SectionEstimate]:
    """Sections covering 0 → duration; internal boundaries on downbeats."""
    music_start = float(downbeats_s[0]) if len(downbeats_s) else 0.0
    lead: list[SectionEstimate] = []
    if music_start >= 1.0:
        lead = [
            SectionEstimate(
                "silence" if rms_db[: int(music_start * fps)].mean() < -40 else "intro",
                0.0,
                music_start,
                "intro",
            )
        ]
    if len(downbeats_s) < 2 * MIN_SECTION_BARS + 1:
        start = music_start if lead else 0.0
        return [*lead, SectionEstimate("A", start, duration_s)] if duration_s > start else lead
    T = log_mel.shape[1]
    # the last bar ends one typical bar after the last downbeat, not at the (maybe silent) file end
    bar_len = float(np.median(np.diff(downbeats_s)))
    bars = np.clip(np.round(np.append(downbeats_s, downbeats_s[-1] + bar_len) * fps).astype(int), 0, T)
    F, L = bar_features(bars, log_mel, chroma, rms_db, onset)
    n_bars = len(F)
    half = 4 if n_bars >= 12 else 2
    cuts = [0, *pick_boundaries(novelty(F, half)), n_bars]
    seg_feats = np.asarray([np.median(L[a:b], axis=0) for a, b in zip(cuts[:-1], cuts[1:], strict=True)])
    power = 10.0 ** (rms_db / 10.0)
    energies = np.asarray(
        [
            10 * np.log10(power[bars[a] : max(bars[b], bars[a] + 1)].mean() + 1e-12)
            for a, b in zip(cuts[:-1], cuts[1:], strict=True)
        ]
    )
    labels, chorus = label_segments(seg_feats, energies)
    # merge neighbours that got the same letter (one section split by a spurious peak)
    merged: list[tuple[str, int, int]] = []
    for lab, a, b in zip(labels, cuts[:-1], cuts[1:], strict=True):
        if merged and merged[-1][0] == lab:
            merged[-1] = (lab, merged[-1][1], b)
        else:
            merged.append((lab, a, b))
    out = list(lead)
    for k, (lab, a, b) in enumerate(merged):
        start = float(downbeats_s[a]) if (k > 0 or lead) else 0.0
        end = float(downbeats_s[b]) if b < len(downbeats_s) else duration_s
        kind = "chorus" if chorus is not None and lab.rstrip("′") == chorus else ""
        out.append(SectionEstimate(lab, start, end, kind))
    return out
