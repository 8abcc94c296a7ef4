"""Segments: a stretch of one ball's timeline with a solid colour or a fade, and optional effect.

Times are integer milliseconds (exact; no float accumulation). Segments are immutable, so the
history can keep references to them cheaply (memory per edit ∝ the edit, not the project).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .color import Color, lerp_color, parse_color
from .errors import ModelError


@dataclass(frozen=True, slots=True)
class Solid:
    """One colour for the whole segment."""

    color: Color

    def color_at(self, frac: float) -> Color:
        return self.color


@dataclass(frozen=True, slots=True)
class Fade:
    """Linear RGB fade from ``start`` to ``end`` over the segment."""

    start: Color
    end: Color

    def color_at(self, frac: float) -> Color:
        return lerp_color(self.start, self.end, frac)


Kind = Solid | Fade


def _check_phase(phase_ms: float) -> None:
    if isinstance(phase_ms, bool) or not isinstance(phase_ms, (int, float)) or not 0 <= phase_ms < float("inf"):
        raise ModelError(f"effect phase_ms must be a finite number ≥ 0, got {phase_ms!r}")


@dataclass(frozen=True, slots=True)
class Strobe:
    """Flash between the segment colour (``duty`` of each period) and ``off_color``."""

    hz: float
    duty: float = 0.5
    off_color: Color = Color(0, 0, 0)
    #: Where in its cycle the effect is at the segment start (ms); set when a segment is split so
    #: the remaining part keeps flashing in step instead of restarting.
    phase_ms: float = 0.0

    def __post_init__(self) -> None:
        _check_phase(self.phase_ms)
        if not 0 < self.hz <= 50:
            raise ModelError(f"strobe hz must be in (0, 50], got {self.hz}")
        if not 0 < self.duty < 1:
            raise ModelError(f"strobe duty must be in (0, 1), got {self.duty}")
        Color.of(self.off_color)


@dataclass(frozen=True, slots=True)
class Pulse:
    """Brightness breathes between 1 and ``min_brightness`` at ``hz`` (cosine)."""

    hz: float
    min_brightness: float = 0.2
    phase_ms: float = 0.0  # see Strobe.phase_ms

    def __post_init__(self) -> None:
        _check_phase(self.phase_ms)
        if not 0 < self.hz <= 50:
            raise ModelError(f"pulse hz must be in (0, 50], got {self.hz}")
        if not 0 <= self.min_brightness < 1:
            raise ModelError(f"pulse min_brightness must be in [0, 1), got {self.min_brightness}")


@dataclass(frozen=True, slots=True)
class Rainbow:
    """Hue cycles through the colour wheel ``cycles_per_s`` times a second (full saturation)."""

    cycles_per_s: float
    phase_ms: float = 0.0  # see Strobe.phase_ms

    def __post_init__(self) -> None:
        _check_phase(self.phase_ms)
        if not 0 < self.cycles_per_s <= 20:
            raise ModelError(f"rainbow cycles_per_s must be in (0, 20], got {self.cycles_per_s}")


Effect = Strobe | Pulse | Rainbow

MAX_PIXELS = 4


@dataclass(frozen=True, slots=True)
class Segment:
    """[start_ms, end_ms) of one ball: a Solid or Fade, pixels 1–4, optional effect."""

    start_ms: int
    end_ms: int
    kind: Kind
    pixels: int = 4
    effect: Effect | None = None

    def __post_init__(self) -> None:
        for name in ("start_ms", "end_ms", "pixels"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ModelError(f"segment {name} must be an integer, got {v!r}")
        if self.start_ms < 0:
            raise ModelError(f"segment start {self.start_ms} ms is negative")
        if self.end_ms <= self.start_ms:
            raise ModelError(f"segment end {self.end_ms} ms must be after its start {self.start_ms} ms")
        if not 1 <= self.pixels <= MAX_PIXELS:
            raise ModelError(f"segment pixels must be 1–{MAX_PIXELS}, got {self.pixels}")
        if not isinstance(self.kind, (Solid, Fade)):
            raise ModelError(f"segment kind must be Solid or Fade, got {self.kind!r}")

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def is_fade(self) -> bool:
        return isinstance(self.kind, Fade)

    def base_color_at(self, t_ms: float) -> Color:
        """Colour of the underlying solid/fade at time t (ignores the effect)."""
        if isinstance(self.kind, Solid):
            return self.kind.color
        return self.kind.color_at((t_ms - self.start_ms) / self.duration_ms)

    def trimmed(self, start_ms: int, end_ms: int) -> Segment:
        """The part of this segment inside [start_ms, end_ms), keeping fade colours continuous.

        A trimmed fade keeps the colours it had at the cut points, so the gradient does not
        restart (the earlier compiler's visual bug); likewise a trimmed effect keeps its phase.
        """
        s, e = max(start_ms, self.start_ms), min(end_ms, self.end_ms)
        if e <= s:
            raise ModelError("trim leaves nothing of the segment")
        if s == self.start_ms and e == self.end_ms:
            return self
        kind = self.kind
        if isinstance(kind, Fade):
            kind = Fade(self.base_color_at(s), self.base_color_at(e))
        effect = self.effect
        if effect is not None and s != self.start_ms:  # keep the effect in step (no restart)
            effect = replace(effect, phase_ms=effect.phase_ms + (s - self.start_ms))
        return replace(self, start_ms=s, end_ms=e, kind=kind, effect=effect)

    def moved(self, start_ms: int) -> Segment:
        return replace(self, start_ms=start_ms, end_ms=start_ms + self.duration_ms)


def solid(start_ms: int, end_ms: int, color: object, pixels: int = 4, effect: Effect | None = None) -> Segment:
    """Convenience constructor for a solid segment."""
    return Segment(start_ms, end_ms, Solid(parse_color(color)), pixels, effect)


def fade(start_ms: int, end_ms: int, start: object, end: object, pixels: int = 4,
         effect: Effect | None = None) -> Segment:
    """Convenience constructor for a fade segment."""
    return Segment(start_ms, end_ms, Fade(parse_color(start), parse_color(end)), pixels, effect)
