"""Tick timeline → ``.prg`` program, applying the known hardware limits (ltx-formats.md §2.1).

- A fade longer than :data:`MAX_FADE_ENTRIES` entries misbehaved on real balls (≤ 13 500 work,
  15 000 "change way too fast"): it is split into consecutive fades of at most that length, the
  colour at each cut taken from the straight line between the original end colours.
- Solids longer than :data:`MAX_RECORD_TICKS` are split into several records: the duration field
  is probably u32 but longer records were never tested, while the earlier app's split worked.
- Gaps and the time up to the end are black. Every change is reported as a :class:`HardwareNote`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FormatError
from .prg import U16_MAX, PrgProgram, PrgSegment
from .timeline import RGB, TickSegment, TickTimeline, shown_as

MAX_FADE_ENTRIES = 13_500
MAX_RECORD_TICKS = U16_MAX
TESTED_SEGMENT_COUNT = 512


@dataclass(frozen=True, slots=True)
class HardwareNote:
    """A change made (or a risk found) while fitting a timeline to the ball; ``tick`` is where."""

    severity: str  # "warning" | "info"
    tick: int
    message: str
    fix: str | None = None


def _even_parts(total: int, limit: int) -> list[int]:
    n = -(-total // limit)
    base, extra = divmod(total, n)
    return [base + 1] * extra + [base] * (n - extra)


def _lerp(a: RGB, b: RGB, num: int, den: int) -> RGB:
    return tuple((2 * (x * den + (y - x) * num) + den) // (2 * den) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def split_segment(s: TickSegment) -> tuple[list[TickSegment], HardwareNote | None]:
    """Pieces of ``s`` that each fit the hardware limits, plus a note if it had to be split."""
    d = s.duration
    if s.end_color is not None and d > MAX_FADE_ENTRIES:
        parts = _even_parts(d, MAX_FADE_ENTRIES)
        out, t = [], s.start
        for p in parts:
            a = _lerp(s.color, s.end_color, t - s.start, d)
            b = _lerp(s.color, s.end_color, t + p - s.start, d)
            out.append(TickSegment(t, t + p, a, b, s.pixels))
            t += p
        note = HardwareNote("warning", s.start,
                            f"fade of {d} ticks exceeds the {MAX_FADE_ENTRIES}-entry limit that works on real balls",
                            f"split into {len(parts)} consecutive fades")
        return out, note
    if s.end_color is None and d > MAX_RECORD_TICKS:
        parts = _even_parts(d, MAX_RECORD_TICKS)
        out, t = [], s.start
        for p in parts:
            out.append(TickSegment(t, t + p, s.color, None, s.pixels))
            t += p
        note = HardwareNote("info", s.start, f"solid of {d} ticks is longer than one {MAX_RECORD_TICKS}-tick record",
                            f"written as {len(parts)} consecutive records (as the earlier app did)")
        return out, note
    return [s], None


def segment_record(s: TickSegment) -> PrgSegment:
    s = shown_as(s)
    if s.end_color is None:
        return PrgSegment.solid(s.duration, s.color, s.pixels)
    return PrgSegment.fade(s.duration, s.color, s.end_color, s.pixels)


def timeline_to_program(tl: TickTimeline, source: str | None = None) -> tuple[PrgProgram, list[HardwareNote]]:
    """The program a ball plays for ``tl`` (gaps black), and notes on every hardware fix applied."""
    tl.check(source)
    notes: list[HardwareNote] = []
    records: list[PrgSegment] = []
    for s in tl.filled():
        pieces, note = split_segment(s)
        if note:
            notes.append(note)
        records.extend(segment_record(p) for p in pieces)
    if not records:
        raise FormatError("the timeline has no duration; a .prg needs at least one tick", source=source,
                          field="end")
    if len(records) > U16_MAX:
        raise FormatError(f"{len(records)} segments exceed the format's maximum of {U16_MAX}; "
                          "use a lower refresh rate or fewer segments", source=source, field="N")
    if len(records) > TESTED_SEGMENT_COUNT:
        notes.append(HardwareNote("info", 0, f"{len(records)} segments: more than {TESTED_SEGMENT_COUNT} was never "
                                  "tested on a real ball (287–512 worked)"))
    return PrgProgram(tl.refresh_rate, tl.default_pixels, tuple(records)), notes
