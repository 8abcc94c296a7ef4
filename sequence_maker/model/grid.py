"""The musical grid of a project: beats, downbeats, meter and sections, in integer milliseconds.

The grid is project data (so grid corrections are undoable edits); the audio layer produces it
and the editor/assistant snap to it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .errors import ModelError


@dataclass(frozen=True, slots=True)
class Section:
    """A labelled stretch of the song (A, B, A′, "chorus" …)."""

    label: str
    start_ms: int
    end_ms: int
    kind: str = ""  # optional role guess such as "chorus", "intro"

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise ModelError(f"section {self.label!r}: end {self.end_ms} ms must be after start {self.start_ms} ms")


@dataclass(frozen=True, slots=True)
class BeatGrid:
    """Beat and downbeat times (sorted, ms), meter and sections."""

    beats_ms: tuple[int, ...] = ()
    downbeats_ms: tuple[int, ...] = ()
    beats_per_bar: int = 4
    tempo_bpm: float = 0.0
    sections: tuple[Section, ...] = ()
    confidence: float = 0.0
    extras: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if list(self.beats_ms) != sorted(self.beats_ms):
            raise ModelError("grid beats must be sorted")
        if list(self.downbeats_ms) != sorted(self.downbeats_ms):
            raise ModelError("grid downbeats must be sorted")
        if self.beats_per_bar < 1:
            raise ModelError("beats_per_bar must be ≥ 1")

    def beats_in(self, start_ms: int, end_ms: int) -> tuple[int, ...]:
        """Beats with start_ms ≤ t < end_ms."""
        return self.beats_ms[bisect_left(self.beats_ms, start_ms) : bisect_left(self.beats_ms, end_ms)]

    def downbeats_in(self, start_ms: int, end_ms: int) -> tuple[int, ...]:
        """Downbeats with start_ms ≤ t < end_ms."""
        d = self.downbeats_ms
        return d[bisect_left(d, start_ms) : bisect_left(d, end_ms)]

    def section_at(self, t_ms: int) -> Section | None:
        for s in self.sections:
            if s.start_ms <= t_ms < s.end_ms:
                return s
        return None

    def nearest_beat(self, t_ms: int) -> int | None:
        b = self.beats_ms
        if not b:
            return None
        i = bisect_right(b, t_ms)
        cands = [b[j] for j in (i - 1, i) if 0 <= j < len(b)]
        return min(cands, key=lambda x: abs(x - t_ms))

    def beat_period_ms(self) -> float:
        if self.tempo_bpm > 0:
            return 60000.0 / self.tempo_bpm
        if len(self.beats_ms) >= 2:
            return (self.beats_ms[-1] - self.beats_ms[0]) / (len(self.beats_ms) - 1)
        return 500.0
