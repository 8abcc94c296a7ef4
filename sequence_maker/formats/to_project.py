"""Ticks → project: decoded ``.prg`` programs and PRG-JSON timelines become editable balls.

Black solids at the ball's default pixels are left out (export writes gaps exactly like that),
so ``export → import → export`` gives the same bytes. Segments that are neither a plain solid nor
an official fade (e.g. the "100 colour slots" trick) become one solid per slot, with a warning.
"""

from __future__ import annotations

from sequence_maker.model.ball import Ball
from sequence_maker.model.color import Color
from sequence_maker.model.project import VALID_REFRESH_RATES, Project
from sequence_maker.model.segment import Fade, Segment, Solid

from .errors import FormatError
from .prg import PrgProgram
from .timeline import BLACK, TickSegment, TickTimeline


def program_to_timeline(program: PrgProgram, name: str = "Ball", warnings: list[str] | None = None) -> TickTimeline:
    """A decoded program as a tick timeline (every record becomes one or more tick segments)."""
    out: list[TickSegment] = []
    t = 0
    for k, s in enumerate(program.segments):
        kind = s.kind
        if kind == "solid":
            out.append(TickSegment(t, t + s.duration, s.first_color, None, s.pixels))
        elif kind == "fade":
            start, end = s.fade_colors()  # type: ignore[misc]
            out.append(TickSegment(t, t + s.duration, start, end, s.pixels))
        else:
            out.extend(_slots(s.colors(), t, s.duration, s.ticks_per_entry, s.pixels))
            if warnings is not None:
                warnings.append(f"segment {k}: {s.entry_count} different colour slots of {s.ticks_per_entry} "
                                "tick(s) each; imported as one solid per slot")
        t += s.duration
    return TickTimeline(program.refresh_rate, program.default_pixels, t, out, name)


def _slots(colors: list[tuple[int, int, int]], start: int, duration: int, per: int, pixels: int) -> list[TickSegment]:
    if per == 0:  # the firmware shows only the first slot (ltx-formats.md, "1 Hz + 100 slots")
        return [TickSegment(start, start + duration, colors[0], None, pixels)]
    out: list[TickSegment] = []
    t = start
    end = start + duration
    for i, c in enumerate(colors):
        if t >= end:
            break
        nxt = end if i == len(colors) - 1 else min(end, t + per)
        if out and out[-1].color == c:
            out[-1] = TickSegment(out[-1].start, nxt, c, None, pixels)
        else:
            out.append(TickSegment(t, nxt, c, None, pixels))
        t = nxt
    return out


def tick_to_ms(tick: int, rate: int) -> int:
    return tick * (1000 // rate) if 1000 % rate == 0 else (2 * tick * 1000 + rate) // (2 * rate)


def timeline_to_project(tl: TickTimeline, name: str, warnings: list[str] | None = None) -> Project:
    """One-ball project from a tick timeline (project rate = timeline rate when it gives whole ms)."""
    rate = tl.refresh_rate
    if rate not in VALID_REFRESH_RATES:
        if warnings is not None:
            warnings.append(f"refresh rate {rate} ticks/s does not give whole-millisecond ticks; "
                            "times were rounded to the millisecond and the project uses 100 ticks/s")
        project_rate = 100
    else:
        project_rate = rate
    segs: list[Segment] = []
    for s in tl.segments:
        if s.end_color is None and s.color == BLACK and s.pixels == tl.default_pixels:
            continue
        a, b = tick_to_ms(s.start, rate), tick_to_ms(s.end, rate)
        if b <= a:
            raise FormatError(f"segment at tick {s.start} is shorter than a millisecond", field="segments")
        kind = Solid(Color(*s.color)) if s.end_color is None else Fade(Color(*s.color), Color(*s.end_color))
        segs.append(Segment(a, b, kind, s.pixels))
    duration = max(1, tick_to_ms(tl.end, rate))
    ball = Ball(tl.name or "Ball 1", tl.default_pixels, segs)
    return Project(name or "Imported", duration, [ball], refresh_rate=project_rate)
