"""Effects (strobe, pulse, rainbow): their colour at any instant, and their rendering into plain
solids/fades on a tick grid for export (the earlier app never exported effects; we must).

``color_at`` is analytic; ``render`` quantises piece boundaries to the export tick grid, so the
two agree at tick-aligned instants up to one tick of boundary placement.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .color import Color, lerp_color
from .segment import Fade, Pulse, Rainbow, Segment, Solid, Strobe

#: Linear pieces per half pulse cycle (peak → trough): 6 keeps the cosine within ~2 % of its swing,
#: where 1 piece was off by 11 %. Extra pieces cost ~19 bytes each in a .prg (fades store one
#: colour per tick anyway).
PULSE_PIECES_PER_HALF_CYCLE = 6

_WHEEL = (
    Color(255, 0, 0), Color(255, 255, 0), Color(0, 255, 0),
    Color(0, 255, 255), Color(0, 0, 255), Color(255, 0, 255),
)


def rainbow_color(phase: float) -> Color:
    """Full-saturation hue for phase in cycles (0..1 wraps); linear RGB between wheel primaries."""
    x = (phase % 1.0) * 6.0
    i = int(x) % 6
    return lerp_color(_WHEEL[i], _WHEEL[(i + 1) % 6], x - int(x))


def _pulse_brightness(effect: Pulse, elapsed_ms: float) -> float:
    wave = 0.5 + 0.5 * math.cos(2 * math.pi * effect.hz * elapsed_ms / 1000.0)
    return effect.min_brightness + (1.0 - effect.min_brightness) * wave


def color_at(seg: Segment, t_ms: float) -> Color:
    """Colour of a segment at t (start ≤ t < end), effect included."""
    base = seg.base_color_at(t_ms)
    eff = seg.effect
    if eff is None:
        return base
    elapsed = t_ms - seg.start_ms + eff.phase_ms
    if isinstance(eff, Strobe):
        period = 1000.0 / eff.hz
        return base if (elapsed % period) < eff.duty * period else Color.of(eff.off_color)
    if isinstance(eff, Pulse):
        return base.scaled(_pulse_brightness(eff, elapsed))
    if isinstance(eff, Rainbow):
        return rainbow_color(elapsed / 1000.0 * eff.cycles_per_s)
    return base


def _boundaries(seg: Segment, step_ms: float, tick_ms: int, phase_ms: float = 0.0) -> list[int]:
    """Piece boundaries every ``step_ms`` of the effect's cycle (which began ``phase_ms`` before
    the segment start), snapped to ticks, deduplicated."""
    out = [seg.start_ms]
    origin = seg.start_ms - phase_ms
    k = int(math.floor(phase_ms / step_ms)) + 1
    while True:
        t = origin + k * step_ms
        if t >= seg.end_ms:
            break
        q = int(math.floor(t / tick_ms + 0.5)) * tick_ms
        if out[-1] < q < seg.end_ms:
            out.append(q)
        k += 1
    out.append(seg.end_ms)
    return out


def render(seg: Segment, tick_ms: int) -> list[Segment]:
    """Plain (effect-free) segments that reproduce ``seg`` on a grid of ``tick_ms``."""
    eff = seg.effect
    if eff is None:
        return [seg]
    plain = replace(seg, effect=None)
    pieces: list[Segment] = []
    if isinstance(eff, Strobe):
        period = 1000.0 / eff.hz
        origin = seg.start_ms - eff.phase_ms
        marks: list[tuple[float, bool]] = []
        k = int(math.floor(eff.phase_ms / period))
        while origin + k * period < seg.end_ms:
            on_at = origin + k * period
            marks += [(on_at, True), (on_at + eff.duty * period, False)]
            k += 1
        while len(marks) > 1 and marks[1][0] <= seg.start_ms:  # state at the start is the last mark before it
            marks.pop(0)
        off = Solid(Color.of(eff.off_color))

        def snap(t: float) -> int:
            return max(seg.start_ms, min(seg.end_ms, int(math.floor(t / tick_ms + 0.5)) * tick_ms))

        for i, (t, on) in enumerate(marks):
            a = seg.start_ms if i == 0 else snap(t)
            b = snap(marks[i + 1][0]) if i + 1 < len(marks) else seg.end_ms
            if b > a:
                pieces.append(plain.trimmed(a, b) if on else Segment(a, b, off, seg.pixels))
        return pieces
    if isinstance(eff, Pulse):
        bounds = _boundaries(seg, 500.0 / eff.hz / PULSE_PIECES_PER_HALF_CYCLE, tick_ms, eff.phase_ms)
    else:
        bounds = _boundaries(seg, 1000.0 / eff.cycles_per_s / 6.0, tick_ms, eff.phase_ms)
    for a, b in zip(bounds, bounds[1:], strict=False):
        ca = color_at(seg, a)
        cb = color_at(seg, b) if b < seg.end_ms else _end_color(seg, b)
        kind = Solid(ca) if ca == cb else Fade(ca, cb)
        pieces.append(Segment(a, b, kind, seg.pixels))
    return pieces


def _end_color(seg: Segment, t_ms: int) -> Color:
    """Colour the effect reaches at the (exclusive) end instant of a segment."""
    eff = seg.effect
    base = seg.kind.end if isinstance(seg.kind, Fade) else seg.kind.color
    elapsed = t_ms - seg.start_ms + (eff.phase_ms if eff is not None else 0.0)
    if isinstance(eff, Pulse):
        return base.scaled(_pulse_brightness(eff, elapsed))
    if isinstance(eff, Rainbow):
        return rainbow_color(elapsed / 1000.0 * eff.cycles_per_s)
    return base
