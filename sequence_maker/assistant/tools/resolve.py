"""Resolve times, balls and colours the way users say them, against the project and its grid.

The model passes "0:30", "bar 5", "beats 1-8", "last 10 seconds", "chorus", "first 8 beats of the
chorus", ball numbers or "all", colour names — this module does the arithmetic, so a small model
never has to. Every failure raises :class:`ResolveError` with a message telling the model how to fix
the call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...model.color import NAMED_COLORS, Color, parse_color
from ...model.errors import ModelError
from ...model.grid import BeatGrid, Section
from ...model.project import Project
from ...model.timeutil import format_ms, parse_clock, seconds_to_ms


class ResolveError(ValueError):
    """A time/ball/colour the tools cannot resolve; the message says what to send instead."""


_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "twenty": 20, "thirty": 30,
}
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6,
}
_WHOLE_SONG = {"all", "whole song", "the whole song", "everything", "entire song", "song", "full song",
               "whole", "all song", "the song", "whole track"}
_UNIT = r"(seconds?|secs?|s|beats?|bars?|measures?)"
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(_WORD_NUMBERS) + r")"
_FIRST_LAST = re.compile(rf"^(first|last|final|opening|closing)\s+{_NUM}?\s*{_UNIT}$")
_BEATS = re.compile(r"^(beats?|bars?|measures?)\s+(\d+)(?:\s*(?:-|–|to|through|\.\.)\s*(\d+))?$")
_CLOCK_RANGE = re.compile(r"^(?:from\s+)?([\d:.]+)\s*(?:s|sec|seconds)?\s*(?:-|–|to|until)\s*([\d:.]+)\s*(?:s|sec|seconds)?$")
_QTY = re.compile(rf"^{_NUM}\s*{_UNIT}$")
# "2.5 seconds starting at 0:30", "one bar at 0:40", "at 0:30 for 2.5 s", "0:30 for 2.5 s": a length + a start
_START_FOR = (
    re.compile(r"^(?:for\s+)?(?P<d>.+?)\s+(?:starting|beginning|from|at)\s+(?:at\s+|from\s+)?(?P<s>.+)$"),
    re.compile(r"^(?:starting\s+|beginning\s+)?(?:at|from)\s+(?P<s>.+?)\s+for\s+(?P<d>.+)$"),
    re.compile(r"^(?P<s>[\d:.]+\s*s?)\s+for\s+(?P<d>.+)$"),
    # "bar 3 for 4 beats", "the chorus for 2 bars": the user's "4 beats starting at bar 3" as small
    # models reorder it; the start must read as a moment, else the other readings are tried
    re.compile(r"^(?P<s>.+?)\s+for\s+(?P<d>.+)$"),
)


def _num(text: str) -> float:
    return float(_WORD_NUMBERS.get(text, text)) if text in _WORD_NUMBERS else float(text)


def _norm(text: str) -> str:
    t = " ".join(str(text).strip().lower().replace("_", " ").replace("–", "-").split())
    t = t.rstrip(".!?,;")
    changed = True
    while changed:
        changed = False
        for prefix in ("the ", "during ", "in ", "over ", "for the ", "whole ", "entire ", "every ", "each ",
                       "all the ", "all of the ", "all "):
            if t.startswith(prefix) and t != prefix.strip():
                t = t[len(prefix):]
                changed = True
    t = re.sub(r"\b(to|through|until|-)\s*(bar|beat|measure)s?\s+", r"\1 ", t)  # "bar 5 to bar 8"
    return t


def _unit(u: str) -> str:
    if u.startswith("beat"):
        return "beat"
    if u.startswith(("bar", "measure")):
        return "bar"
    return "second"


@dataclass(frozen=True, slots=True)
class Span:
    """A resolved half-open time range in ms."""

    start_ms: int
    end_ms: int

    def describe(self) -> str:
        return f"{format_ms(self.start_ms)}–{format_ms(self.end_ms)}"


class Resolver:
    """Resolves user-style references against one project (built per tool call; cheap)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.duration_ms = project.duration_ms
        self.grid: BeatGrid | None = project.grid

    # --- grid helpers ------------------------------------------------------------------------
    def beats(self) -> tuple[int, ...]:
        if self.grid is None or not self.grid.beats_ms:
            raise ResolveError("this project has no beat grid yet (analyse the song first); use seconds or 'm:ss' instead")
        return self.grid.beats_ms

    def downbeats(self) -> tuple[int, ...]:
        beats = self.beats()
        assert self.grid is not None
        if self.grid.downbeats_ms:
            return self.grid.downbeats_ms
        return beats[:: max(1, self.grid.beats_per_bar)]

    def beat_period_ms(self) -> float:
        return self.grid.beat_period_ms() if self.grid else 500.0

    def beat_time(self, pos: float) -> int:
        """Time of fractional beat index ``pos`` (0 = first beat), interpolated on the real grid."""
        b = self.beats()
        period = self.beat_period_ms()
        i = math.floor(pos)
        f = pos - i
        if i < 0:
            return round(b[0] + pos * period)
        if i >= len(b) - 1:
            return round(b[-1] + (pos - (len(b) - 1)) * period)
        return round(b[i] + f * (b[i + 1] - b[i]))

    def beat_pos(self, t_ms: float) -> float:
        """Fractional beat index of a time (inverse of :meth:`beat_time`)."""
        b = self.beats()
        period = self.beat_period_ms()
        if t_ms <= b[0]:
            return (t_ms - b[0]) / period
        if t_ms >= b[-1]:
            return len(b) - 1 + (t_ms - b[-1]) / period
        lo, hi = 0, len(b) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if b[mid] <= t_ms:
                lo = mid
            else:
                hi = mid
        return lo + (t_ms - b[lo]) / (b[hi] - b[lo])

    def _bar_bounds(self, n: int, marks: Sequence[int], unit: str, lo: int, hi: int) -> Span:
        """[start, end) of the n-th (1-based) beat or bar among ``marks`` inside [lo, hi)."""
        inside = [m for m in marks if lo <= m < hi]
        if not 1 <= n <= len(inside):
            raise ResolveError(f"there is no {unit} {n} here; the range has {len(inside)} {unit}s (1–{len(inside)})")
        start = inside[n - 1]
        if n < len(inside):
            end = inside[n]
        else:
            nxt = [m for m in marks if m > start]
            size = self.beat_period_ms() * (1 if unit == "beat" else self._bpb())
            end = min(nxt[0] if nxt else round(start + size), hi)
        return Span(start, end)

    def _bpb(self) -> int:
        return self.grid.beats_per_bar if self.grid else 4

    # --- sections ----------------------------------------------------------------------------
    def sections(self) -> tuple[Section, ...]:
        return self.grid.sections if self.grid else ()

    def find_sections(self, text: str) -> list[Section] | None:
        """Sections matching a label/kind ('chorus', 'chorus 2', 'second chorus', 'last verse')."""
        secs = self.sections()
        if not secs:
            return None
        t = _norm(text)
        which: int | None = None
        m = re.match(r"^(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th|last|final)\s+(.+)$", t)
        if m:
            which = -1 if m.group(1) in ("last", "final") else _ORDINALS[m.group(1)]
            t = m.group(2)
        else:
            m = re.match(r"^(.+?)\s*#?\s*(\d+)$", t)
            if m and not any(_norm(s.label) == t for s in secs):
                which, t = int(m.group(2)), m.group(1)
        t = t.removesuffix(" section")
        found = [s for s in secs if _norm(s.label) == t or (s.kind and _norm(s.kind) == t)]
        for plural in ("es", "s"):  # "choruses", "verses"
            if not found and t.endswith(plural):
                base = t[: -len(plural)]
                found = [s for s in secs if _norm(s.label) == base or (s.kind and _norm(s.kind) == base)]
        if not found:
            return None
        if which is None:
            return found
        idx = which - 1 if which > 0 else len(found) - 1
        if not 0 <= idx < len(found):
            raise ResolveError(f"there are only {len(found)} {t!r} section(s)")
        return [found[idx]]

    def section_names(self) -> str:
        secs = self.sections()
        if not secs:
            return "this song has no sections"
        return "sections: " + ", ".join(
            f"{s.label} ({s.kind + ', ' if s.kind else ''}{format_ms(s.start_ms)}–{format_ms(s.end_ms)})" for s in secs)

    # --- points and durations ----------------------------------------------------------------
    def point(self, value: object, *, as_end: bool = False) -> int:
        """A moment: seconds, 'm:ss', 'beat 3', 'bar 5', a section name, 'start'/'end'."""
        if isinstance(value, bool):
            raise ResolveError(f"time must be seconds or text like '0:30', got {value!r}")
        if isinstance(value, (int, float)):
            try:
                return seconds_to_ms(float(value))
            except ModelError as exc:
                raise ResolveError(str(exc)) from None
        if not isinstance(value, str):
            raise ResolveError(f"time must be seconds or text like '0:30' / 'bar 5' / 'chorus', got {value!r}")
        t = _norm(value)
        if t in ("start", "beginning", "begin", "0"):
            return 0
        if t in ("end", "the end", "song end", "end of song"):
            return self.duration_ms
        m = re.match(r"^(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)$", t)
        if m:
            return seconds_to_ms(float(m.group(1)))
        if re.match(r"^[\d:.]+$", t):
            try:
                return parse_clock(t)
            except ModelError as exc:
                raise ResolveError(str(exc)) from None
        m = _BEATS.match(t)
        if m and m.group(3) is None:
            unit = "beat" if m.group(1).startswith("beat") else "bar"
            marks = self.beats() if unit == "beat" else self.downbeats()
            span = self._bar_bounds(int(m.group(2)), marks, unit, 0, self.duration_ms)
            return span.end_ms if as_end else span.start_ms
        secs = self.find_sections(t)
        if secs:
            return secs[0].end_ms if as_end else secs[0].start_ms
        raise ResolveError(
            f"cannot read time {value!r}; use seconds (12.5), 'm:ss' (1:05), 'beat 9', 'bar 5' or a section name "
            f"({self.section_names()})"
        )

    def duration(self, value: object, at_ms: int) -> int:
        """A length from ``at_ms``: seconds, '2.5 s', '4 beats', '2 bars' (beats follow the grid)."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value) or value <= 0:
                raise ResolveError(f"duration must be a positive number of seconds, got {value!r}")
            return seconds_to_ms(float(value))
        if isinstance(value, str):
            t = _norm(value)
            try:
                return self.duration(float(t), at_ms)
            except ValueError:
                pass
            m = _QTY.match(t)
            if m:
                n, unit = _num(m.group(1)), _unit(m.group(2))
                if n <= 0:
                    raise ResolveError(f"duration must be positive, got {value!r}")
                if unit == "second":
                    return seconds_to_ms(n)
                beats = n * (1 if unit == "beat" else self._bpb())
                return self.beat_time(self.beat_pos(at_ms) + beats) - at_ms
        raise ResolveError(f"cannot read duration {value!r}; use seconds (2.5) or '4 beats' / '2 bars'")

    # --- ranges ------------------------------------------------------------------------------
    def spans(self, when: str | None = None, start: object = None, end: object = None,
              duration: object = None) -> list[Span]:
        """Resolve a range from ``when`` text, or from start + end/duration. Validated inside the song."""
        if when is not None and str(when).strip():
            spans = self._range_text(str(when), 0, self.duration_ms)
        elif start is not None:
            s = self.point(start)
            if duration is not None:
                e = s + self.duration(duration, s)
            elif end is not None:
                e = self.point(end, as_end=True)
            elif isinstance(start, str) and (self.find_sections(start) or _BEATS.match(_norm(start))):
                return self.spans(when=start)
            else:
                raise ResolveError("give 'end' or 'duration' with 'start' (or use 'when', e.g. 'chorus', '0:30-0:45')")
            spans = [Span(s, e)]
        elif end is not None or duration is not None:
            raise ResolveError("give 'start' too (or use 'when', e.g. 'last 10 seconds')")
        else:
            raise ResolveError(
                "say when: 'when' like 'chorus', 'bar 5', 'beats 1-8', 'last 10 seconds', '0:30-0:45', 'all', "
                "or 'start' plus 'end'/'duration'"
            )
        for sp in spans:
            self.check_span(sp)
        return spans

    def check_span(self, sp: Span) -> None:
        if sp.start_ms < 0:
            raise ResolveError(f"range starts before the song ({format_ms(sp.start_ms)}); times start at 0")
        if sp.end_ms <= sp.start_ms:
            raise ResolveError(f"range {sp.describe()} is empty or backwards; the end must be after the start")
        if sp.end_ms > self.duration_ms:
            raise ResolveError(
                f"range {sp.describe()} ends after the song, which is {format_ms(self.duration_ms)} "
                f"({self.duration_ms / 1000:g} s) long; end at or before that"
            )

    def _range_text(self, text: str, lo: int, hi: int) -> list[Span]:
        t = _norm(text)
        if t in _WHOLE_SONG or t == "":
            return [Span(lo, hi)]
        m = re.match(r"^between\s+(.+?)\s+and\s+(.+)$", t)
        if m:
            return [Span(self.point(m.group(1)), self.point(m.group(2), as_end=True))]
        for i, pattern in enumerate(_START_FOR):
            m = pattern.match(t)
            if m and _QTY.match(_norm(m.group("d"))):
                try:
                    start = self.point(m.group("s"))
                except ResolveError:
                    if i < len(_START_FOR) - 1:
                        raise
                    break  # the generic "<moment> for <length>" did not name a moment
                return [Span(start, start + self.duration(m.group("d"), start))]
        for sep in (" of ", " in ", " during "):
            if sep in t:
                inner, outer = t.split(sep, 1)
                outers = self._range_text(outer, lo, hi)
                return [s for o in outers for s in self._range_text(inner, o.start_ms, o.end_ms)]
        m = _FIRST_LAST.match(t)
        if m:
            first = m.group(1) in ("first", "opening")
            n = _num(m.group(2)) if m.group(2) else 1
            unit = _unit(m.group(3))
            return [self._edge(first, n, unit, lo, hi)]
        m = _BEATS.match(t)
        if m:
            unit = "beat" if m.group(1).startswith("beat") else "bar"
            marks = self.beats() if unit == "beat" else self.downbeats()
            a = int(m.group(2))
            b = int(m.group(3)) if m.group(3) else a
            if b < a:
                raise ResolveError(f"{unit}s {a}-{b} run backwards; write the smaller number first")
            first = self._bar_bounds(a, marks, unit, lo, hi)
            last = self._bar_bounds(b, marks, unit, lo, hi)
            return [Span(first.start_ms, last.end_ms)]
        m = _CLOCK_RANGE.match(t)
        if m:
            return [Span(self.point(m.group(1)), self.point(m.group(2)))]
        m = re.match(r"^(?:from|after|starting at|since)\s+(.+)$", t)
        if m:
            return [Span(self.point(m.group(1), as_end=t.startswith("after")), hi)]
        m = re.match(r"^(?:until|till|before|up to)\s+(.+)$", t)
        if m:
            return [Span(lo, self.point(m.group(1)))]
        secs = self.find_sections(t)
        if secs:
            return [Span(max(lo, s.start_ms), min(hi, s.end_ms)) for s in secs
                    if min(hi, s.end_ms) > max(lo, s.start_ms)]
        raise ResolveError(
            f"cannot read range {text!r}; use 'all', a section name ({self.section_names()}), 'bar 5', 'bars 5-8', "
            "'beats 1-8', 'first 8 beats', 'last 10 seconds', '0:30-0:45', or start + duration"
        )

    def _edge(self, first: bool, n: float, unit: str, lo: int, hi: int) -> Span:
        if n <= 0:
            raise ResolveError("the count must be positive")
        if unit == "second":
            d = seconds_to_ms(n)
            if d > hi - lo:
                raise ResolveError(f"the range is only {(hi - lo) / 1000:g} s long, shorter than {n:g} seconds")
            return Span(lo, lo + d) if first else Span(hi - d, hi)
        marks = [m for m in (self.beats() if unit == "beat" else self.downbeats()) if lo <= m < hi]
        k = int(n)
        if k != n:
            raise ResolveError(f"count of {unit}s must be a whole number, got {n:g}")
        if k > len(marks):
            raise ResolveError(f"the range has only {len(marks)} {unit}s, fewer than {k}")
        if first:
            return Span(marks[0], marks[k] if k < len(marks) else hi)
        return Span(marks[-k], hi)

    # --- balls & colours ---------------------------------------------------------------------
    def balls(self, value: object) -> list[int]:
        """1-based ball number(s), 'all', '1,3' or a list → 0-based indices (sorted, unique)."""
        n = len(self.project.balls)
        if isinstance(value, str):
            t = " ".join(value.strip().lower().split()).rstrip(".")
            if t in ("all", "all balls", "every ball", "everyone", "both", "every", "each"):
                return list(range(n))
            nums = re.findall(r"\d+", t)
            if not nums or re.sub(r"(balls?|and|,|&|\d+|\s)", "", t):
                raise ResolveError(f"cannot read balls {value!r}; use a ball number 1–{n}, a list like [1, 2], or 'all'")
            items: list[object] = [int(x) for x in nums]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            items = [value]
        if not items:
            raise ResolveError(f"no ball given; use a ball number 1–{n} or 'all'")
        out: list[int] = []
        for v in items:
            if isinstance(v, str) and v.strip().isdigit():
                v = int(v)
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ResolveError(f"ball must be a number 1–{n} or 'all', got {v!r}")
            if not 1 <= v <= n:
                raise ResolveError(f"ball {v} does not exist; this project has {n} ball(s), numbered 1–{n}")
            if v - 1 not in out:
                out.append(v - 1)
        return out

    def ball(self, value: object) -> int:
        got = self.balls(value)
        if len(got) != 1:
            raise ResolveError("this tool edits one ball; give a single ball number")
        return got[0]

    @staticmethod
    def color(value: object) -> Color:
        try:
            return parse_color(value)
        except ModelError as exc:
            raise ResolveError(f"{exc} (names: {', '.join(list(NAMED_COLORS)[:16])} …)") from None
