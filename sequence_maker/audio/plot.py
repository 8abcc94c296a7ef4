"""A PNG of an analysis for people who would rather look: waveform, beats, sections, energy."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .cache import atomic_write_bytes
from .result import Analysis

_SECTION_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]


def plot_analysis(analysis: Analysis, out: str | Path, *, width_px: int = 1800) -> None:
    """Render the analysis to ``out`` (PNG, written atomically)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_w, ax_e) = plt.subplots(2, 1, figsize=(width_px / 100, 5), sharex=True, height_ratios=[3, 1])
    dur = analysis.duration_s
    if analysis.peaks is not None and analysis.peaks.mins:
        spp = max(analysis.peaks.base, int(analysis.peaks.sample_rate * dur / width_px))
        pk = analysis.peaks.peaks(spp)
        t = np.arange(len(pk)) * spp / analysis.peaks.sample_rate
        ax_w.fill_between(t, pk[:, 0], pk[:, 1], color="#555", linewidth=0)
    letters = sorted({s.label.rstrip("′") for s in analysis.sections})
    for s in analysis.sections:
        colour = _SECTION_COLOURS[letters.index(s.label.rstrip("′")) % len(_SECTION_COLOURS)]
        ax_w.axvspan(s.start_s, s.end_s, color=colour, alpha=0.18, linewidth=0)
        ax_w.text(
            s.start_s, 0.95, s.label + (" (chorus)" if s.kind == "chorus" else ""), va="top", fontsize=9
        )
    ax_w.vlines(analysis.beats, -1, 1, color="#2a7", linewidth=0.5, alpha=0.6, label="beats")
    ax_w.vlines(analysis.downbeats, -1, 1, color="#d22", linewidth=1.2, label="downbeats")
    ax_w.set_ylim(-1, 1)
    ax_w.set_yticks([])
    ax_w.legend(loc="lower right", fontsize=8)
    ax_w.set_title(
        f"{analysis.tempo_bpm:.1f} BPM, {analysis.beats_per_bar}/bar, confidence {analysis.tempo_confidence:.2f}"
    )
    e = np.asarray(analysis.energy)
    ax_e.plot(np.arange(len(e)) * analysis.energy_hop_s, e, color="#e68a00", linewidth=0.8)
    ax_e.set_ylim(0, 1)
    ax_e.set_ylabel("energy")
    ax_e.set_xlabel("time (s)")
    ax_e.set_xlim(0, max(dur, 1e-3))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(Path(out), buf.getvalue())
