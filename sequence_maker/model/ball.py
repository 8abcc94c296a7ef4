"""A ball = one timeline of non-overlapping, sorted segments.

Mutation goes through :meth:`Ball.replace` only (the history layer's single primitive); the
``plan_*`` methods compute what an edit would remove/add without touching anything, which is
what makes edits undoable with memory proportional to the change.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from .color import Color
from .effects import color_at as _effect_color_at
from .errors import ModelError
from .segment import MAX_PIXELS, Segment


def _start(s: Segment) -> int:
    return s.start_ms


class Ball:
    """One ball's timeline. ``segments`` is a read-only view; edit via the history/editor."""

    __slots__ = ("name", "default_pixels", "_segs", "_starts")

    def __init__(self, name: str, default_pixels: int = 4, segments: Iterable[Segment] = ()) -> None:
        validate_ball_props(name, default_pixels)
        self.name = name
        self.default_pixels = default_pixels
        segs = sorted(segments, key=_start)
        check_no_overlap(segs, where=f"ball {name!r}")
        self._segs: list[Segment] = segs
        self._starts: list[int] = [s.start_ms for s in segs]

    def __repr__(self) -> str:
        return f"Ball({self.name!r}, pixels={self.default_pixels}, {len(self._segs)} segments)"

    @property
    def segments(self) -> Sequence[Segment]:
        return tuple(self._segs)

    def __len__(self) -> int:
        return len(self._segs)

    def segment_list(self) -> list[Segment]:
        """Internal list (no copy) — callers must not mutate it."""
        return self._segs

    # --- queries -----------------------------------------------------------------------------
    def index_range(self, start_ms: int, end_ms: int) -> tuple[int, int]:
        """Indices [i, j) of segments overlapping [start_ms, end_ms)."""
        i = bisect_right(self._starts, start_ms) - 1
        if i < 0 or self._segs[i].end_ms <= start_ms:
            i += 1
        j = bisect_left(self._starts, end_ms)
        return i, max(i, j)

    def segments_in(self, start_ms: int, end_ms: int) -> list[Segment]:
        """Segments overlapping [start_ms, end_ms), in order."""
        i, j = self.index_range(start_ms, end_ms)
        return self._segs[i:j]

    def segment_at(self, t_ms: float) -> Segment | None:
        i = bisect_right(self._starts, t_ms) - 1
        if i >= 0 and self._segs[i].start_ms <= t_ms < self._segs[i].end_ms:
            return self._segs[i]
        return None

    def color_at(self, t_ms: float) -> Color | None:
        """Colour at time t, effects included; None where no segment (renders black)."""
        seg = self.segment_at(t_ms)
        return None if seg is None else _effect_color_at(seg, t_ms)

    def end_ms(self) -> int:
        return self._segs[-1].end_ms if self._segs else 0

    # --- edit planning -----------------------------------------------------------------------
    def plan_erase(self, start_ms: int, end_ms: int) -> tuple[list[Segment], list[Segment]]:
        """(removed, added) that clear [start_ms, end_ms), keeping the parts outside it."""
        if end_ms <= start_ms:
            raise ModelError(f"empty range {start_ms}–{end_ms} ms")
        removed = self.segments_in(start_ms, end_ms)
        added: list[Segment] = []
        for s in removed:
            if s.start_ms < start_ms:
                added.append(s.trimmed(s.start_ms, start_ms))
            if s.end_ms > end_ms:
                added.append(s.trimmed(end_ms, s.end_ms))
        return removed, added

    def plan_paint(self, new: Segment | Sequence[Segment]) -> tuple[list[Segment], list[Segment]]:
        """(removed, added) that put segment(s) over whatever is there (trim/split, like a video
        editor). Several new segments must not overlap each other."""
        news = sorted([new] if isinstance(new, Segment) else list(new), key=_start)
        check_no_overlap(news, where="new segments")
        removed: list[Segment] = []
        added: list[Segment] = []
        seen: set[int] = set()
        for n in news:
            i, j = self.index_range(n.start_ms, n.end_ms)
            for k in range(i, j):
                if k not in seen:
                    seen.add(k)
                    removed.append(self._segs[k])
        removed.sort(key=_start)
        # keep what lies outside every new segment
        for s in removed:
            pieces = [(s.start_ms, s.end_ms)]
            for n in news:
                nxt = []
                for a, b in pieces:
                    if n.end_ms <= a or n.start_ms >= b:
                        nxt.append((a, b))
                        continue
                    if a < n.start_ms:
                        nxt.append((a, n.start_ms))
                    if n.end_ms < b:
                        nxt.append((n.end_ms, b))
                pieces = nxt
            added.extend(s.trimmed(a, b) for a, b in pieces)
        added.extend(news)
        added.sort(key=_start)
        return removed, added

    # --- the one mutation primitive -----------------------------------------------------------
    def replace(self, removed: Sequence[Segment], added: Sequence[Segment]) -> None:
        """Remove exactly ``removed`` (must be present) and insert ``added``; atomic.

        Raises ModelError (and changes nothing) if a removed segment is missing or the result
        would overlap.
        """
        idx = []
        for s in removed:
            i = bisect_left(self._starts, s.start_ms)
            if i >= len(self._segs) or self._segs[i] != s:
                raise ModelError(f"ball {self.name!r}: segment at {s.start_ms} ms is not the one expected")
            idx.append(i)
        for i in sorted(set(idx), reverse=True):
            del self._segs[i]
            del self._starts[i]
        inserted: list[int] = []
        try:
            for s in sorted(added, key=_start):
                i = bisect_left(self._starts, s.start_ms)
                prev = self._segs[i - 1] if i > 0 else None
                nxt = self._segs[i] if i < len(self._segs) else None
                if (prev is not None and prev.end_ms > s.start_ms) or (nxt is not None and nxt.start_ms < s.end_ms):
                    raise ModelError(
                        f"ball {self.name!r}: segment {s.start_ms}–{s.end_ms} ms would overlap another segment"
                    )
                self._segs.insert(i, s)
                self._starts.insert(i, s.start_ms)
                inserted.append(s.start_ms)
        except ModelError:
            for st in inserted:
                i = bisect_left(self._starts, st)
                del self._segs[i]
                del self._starts[i]
            for s in removed:
                i = bisect_left(self._starts, s.start_ms)
                self._segs.insert(i, s)
                self._starts.insert(i, s.start_ms)
            raise


def validate_ball_props(name: str, default_pixels: int) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"ball name must be a non-empty string, got {name!r}")
    if isinstance(default_pixels, bool) or not isinstance(default_pixels, int) or not 1 <= default_pixels <= MAX_PIXELS:
        raise ModelError(f"ball default pixels must be 1–{MAX_PIXELS}, got {default_pixels!r}")


def check_no_overlap(segs: Sequence[Segment], where: str) -> None:
    """Raise if sorted ``segs`` overlap."""
    for a, b in zip(segs, segs[1:], strict=False):
        if b.start_ms < a.end_ms:
            raise ModelError(
                f"{where}: segment {b.start_ms}–{b.end_ms} ms overlaps segment {a.start_ms}–{a.end_ms} ms"
            )
