"""A ball's timeline on the export tick grid: the meeting point of PRG-JSON, projects and ``.prg``.

Segments are plain (effects already rendered), sorted and non-overlapping; gaps mean black.
Keeping this step separate lets PRG-JSON and projects share one path to ``.prg`` bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import FormatError

RGB = tuple[int, int, int]
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True, slots=True)
class TickSegment:
    """[start, end) in ticks; a solid (``end_color`` None) or a fade from ``color`` to ``end_color``."""

    start: int
    end: int
    color: RGB
    end_color: RGB | None = None
    pixels: int = 4

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def is_fade(self) -> bool:
        return self.end_color is not None


@dataclass(slots=True)
class TickTimeline:
    """One ball at ``refresh_rate`` ticks/s, lasting ``end`` ticks (time after the last segment is black)."""

    refresh_rate: int
    default_pixels: int
    end: int
    segments: list[TickSegment] = field(default_factory=list)
    name: str = "Ball"

    def check(self, source: str | None = None) -> None:
        """Raise FormatError if segments overlap, are empty or run past ``end``."""
        prev_end = 0
        for i, s in enumerate(self.segments):
            where = f"segment {i} ({s.start}–{s.end} ticks)"
            if s.start < 0:
                raise FormatError("starts before 0", source=source, field=where)
            if s.end <= s.start:
                raise FormatError("has no duration", source=source, field=where)
            if s.start < prev_end:
                raise FormatError(f"overlaps the previous segment ending at tick {prev_end}", source=source,
                                  field=where)
            prev_end = s.end
        if prev_end > self.end:
            raise FormatError(f"segments run to tick {prev_end}, past the end at tick {self.end}", source=source,
                              field="end")

    def filled(self) -> list[TickSegment]:
        """Segments with gaps (and the time up to ``end``) filled with black at the default pixels."""
        out: list[TickSegment] = []
        t = 0
        for s in self.segments:
            if s.start > t:
                out.append(TickSegment(t, s.start, BLACK, None, self.default_pixels))
            out.append(s)
            t = s.end
        if self.end > t:
            out.append(TickSegment(t, self.end, BLACK, None, self.default_pixels))
        return out


def shown_as(s: TickSegment) -> TickSegment:
    """A fade that shows one colour only (same ends, or one tick long) is the equivalent solid;
    writing it so means decoding gives back exactly what the ball shows."""
    if s.end_color is not None and (s.end_color == s.color or s.duration == 1):
        return TickSegment(s.start, s.end, s.color, None, s.pixels)
    return s


def merge_solids(segs: list[TickSegment]) -> list[TickSegment]:
    """Contiguous solids of the same colour and pixels joined (what the ball shows is unchanged)."""
    out: list[TickSegment] = []
    for s in segs:
        p = out[-1] if out else None
        if (p is not None and p.end == s.start and p.end_color is None and s.end_color is None
                and p.color == s.color and p.pixels == s.pixels):
            out[-1] = TickSegment(p.start, s.end, p.color, None, p.pixels)
        else:
            out.append(s)
    return out
