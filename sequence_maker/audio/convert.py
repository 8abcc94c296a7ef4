"""Analysis (float seconds) → model ``BeatGrid`` (integer milliseconds)."""

from __future__ import annotations

from sequence_maker.model.grid import BeatGrid, Section

from .result import Analysis


def _ms(t: float) -> int:
    return int(round(t * 1000.0))


def to_grid(analysis: Analysis) -> BeatGrid:
    """The project grid for an analysis: beats, downbeats, meter, tempo, sections.

    Sections shorter than 1 ms after rounding are dropped (they cannot be represented);
    the chorus guess becomes ``Section.kind == "chorus"``.
    """
    beats = tuple(sorted({_ms(t) for t in analysis.beats}))
    downbeats = tuple(sorted({_ms(t) for t in analysis.downbeats}))
    sections = []
    for s in analysis.sections:
        start, end = _ms(s.start_s), _ms(s.end_s)
        if end > start:
            sections.append(Section(s.label, start, end, s.kind))
    return BeatGrid(
        beats_ms=beats,
        downbeats_ms=downbeats,
        beats_per_bar=analysis.beats_per_bar,
        tempo_bpm=round(analysis.tempo_bpm, 3),
        sections=tuple(sections),
        confidence=analysis.tempo_confidence,
        extras={
            "duration_ms": _ms(analysis.duration_s),
            "audio_hash": analysis.audio_hash,
            "note": analysis.note,
            "energy": coarse_energy(analysis.energy, analysis.energy_hop_s),
        },
    )


#: Energy kept in the project grid (for the assistant's energy tools) is coarsened to this hop so
#: the project file and grid-edit history stay small (≈ 1,000 values for a 4-minute song).
GRID_ENERGY_HOP_S = 0.25


def coarse_energy(values, hop_s: float, target_hop_s: float = GRID_ENERGY_HOP_S) -> dict:
    """Block-average an energy curve to about ``target_hop_s`` per value, 3 decimals."""
    vals = [float(v) for v in values]
    if not vals or hop_s <= 0:
        return {"hop_s": target_hop_s, "values": []}
    k = max(1, round(target_hop_s / hop_s))
    out = [round(sum(vals[i:i + k]) / len(vals[i:i + k]), 3) for i in range(0, len(vals), k)]
    return {"hop_s": hop_s * k, "values": out}
