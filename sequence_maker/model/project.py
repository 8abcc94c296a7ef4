"""The project: song reference, refresh rate, duration and one Ball per physical ball.

Invariants enforced here: every segment lies inside [0, duration]; refresh rates give whole
millisecond ticks; properties are validated on every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ball import Ball
from .color import Color
from .errors import ModelError
from .grid import BeatGrid
from .lyrics import Lyrics
from .segment import Segment

#: Refresh rates (ticks per second) whose tick is a whole number of milliseconds.
VALID_REFRESH_RATES = tuple(r for r in range(1, 1001) if 1000 % r == 0)
MAX_DURATION_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class AudioRef:
    """Where the song lives and what it is (content hash detects a swapped file)."""

    path: str
    sha256: str | None = None
    duration_ms: int | None = None


@dataclass(frozen=True, slots=True)
class BallState:
    """Immutable snapshot of a ball (segments shared by reference with the live ball)."""

    name: str
    default_pixels: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ProjectState:
    """Immutable snapshot of everything editable (cheap: shares immutable segments)."""

    name: str
    duration_ms: int
    refresh_rate: int
    audio: AudioRef | None
    balls: tuple[BallState, ...]
    grid: BeatGrid | None
    lyrics: Lyrics | None


def validate_project_props(name: str, duration_ms: int, refresh_rate: int) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"project name must be a non-empty string, got {name!r}")
    if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or not 0 < duration_ms <= MAX_DURATION_MS:
        raise ModelError(f"project duration must be 1 ms … 24 h (integer ms), got {duration_ms!r}")
    if isinstance(refresh_rate, bool) or refresh_rate not in VALID_REFRESH_RATES:
        raise ModelError(
            f"refresh rate {refresh_rate!r} ticks/s does not give whole-millisecond ticks; "
            f"use one of {', '.join(map(str, (1, 10, 50, 100, 1000)))} (or another divisor of 1000)"
        )


class Project:
    """The editable document. Mutate only through the history's commands/editor."""

    def __init__(
        self,
        name: str,
        duration_ms: int,
        balls: list[Ball] | None = None,
        refresh_rate: int = 100,
        audio: AudioRef | None = None,
        grid: BeatGrid | None = None,
        lyrics: Lyrics | None = None,
        notes: list[dict[str, Any]] | None = None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        validate_project_props(name, duration_ms, refresh_rate)
        self.name = name
        self.duration_ms = duration_ms
        self.refresh_rate = refresh_rate
        self.audio = audio
        self.balls: list[Ball] = list(balls or [])
        self.grid = grid
        self.lyrics = lyrics
        self.notes: list[dict[str, Any]] = list(notes or [])
        #: Data we read but do not use (earlier-app fields), written back unchanged.
        self.extras: dict[str, Any] = dict(extras or {})
        for b in self.balls:
            self.check_inside(b.segment_list(), b.name)

    @classmethod
    def new(cls, name: str, balls: int = 3, duration_ms: int = 60_000, refresh_rate: int = 100,
            default_pixels: int = 4) -> Project:
        if not 1 <= balls <= 64:
            raise ModelError(f"a project has 1–64 balls, got {balls}")
        return cls(name, duration_ms, [Ball(f"Ball {i + 1}", default_pixels) for i in range(balls)],
                   refresh_rate=refresh_rate)

    def __repr__(self) -> str:
        return f"Project({self.name!r}, {self.duration_ms} ms, {len(self.balls)} balls)"

    @property
    def tick_ms(self) -> int:
        return 1000 // self.refresh_rate

    def ball(self, index: int) -> Ball:
        if not 0 <= index < len(self.balls):
            raise ModelError(f"no ball {index + 1}; the project has {len(self.balls)} ball(s)")
        return self.balls[index]

    def check_inside(self, segs: list[Segment] | tuple[Segment, ...], where: str) -> None:
        for s in segs:
            if s.end_ms > self.duration_ms:
                raise ModelError(
                    f"{where}: segment {s.start_ms}–{s.end_ms} ms ends after the project end ({self.duration_ms} ms)"
                )

    def color_at(self, ball_index: int, t_ms: float) -> Color:
        """Colour of a ball at t; black where it has no segment."""
        c = self.ball(ball_index).color_at(t_ms)
        return c if c is not None else Color(0, 0, 0)

    def segment_count(self) -> int:
        return sum(len(b) for b in self.balls)

    # --- snapshots -----------------------------------------------------------------------------
    def snapshot(self) -> ProjectState:
        return ProjectState(
            self.name, self.duration_ms, self.refresh_rate, self.audio,
            tuple(BallState(b.name, b.default_pixels, tuple(b.segment_list())) for b in self.balls),
            self.grid, self.lyrics,
        )

    def restore(self, state: ProjectState) -> None:
        """Replace all editable content by a snapshot (validated before anything changes)."""
        balls = [Ball(bs.name, bs.default_pixels, bs.segments) for bs in state.balls]
        validate_project_props(state.name, state.duration_ms, state.refresh_rate)
        for b in balls:
            for s in b.segment_list():
                if s.end_ms > state.duration_ms:
                    raise ModelError(f"snapshot: ball {b.name!r} has a segment past the end")
        self.name, self.duration_ms, self.refresh_rate = state.name, state.duration_ms, state.refresh_rate
        self.audio, self.balls, self.grid, self.lyrics = state.audio, balls, state.grid, state.lyrics


@dataclass(slots=True)
class ProjectSummary:
    """A compact description (for CLI tables and assistant context)."""

    name: str
    duration_ms: int
    refresh_rate: int
    balls: list[dict[str, Any]] = field(default_factory=list)


def summarize(project: Project) -> ProjectSummary:
    return ProjectSummary(
        project.name, project.duration_ms, project.refresh_rate,
        [{"index": i + 1, "name": b.name, "pixels": b.default_pixels, "segments": len(b),
          "end_ms": b.end_ms()} for i, b in enumerate(project.balls)],
    )
