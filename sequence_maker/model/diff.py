"""Differences between two project states, per ball: added, removed and changed segments.

Used for checkpoint diffs and for previewing an assistant's proposed change set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .project import ProjectState
from .segment import Segment


@dataclass(slots=True)
class BallDiff:
    ball: int  # 0-based index
    name: str
    added: list[Segment] = field(default_factory=list)
    removed: list[Segment] = field(default_factory=list)
    changed: list[tuple[Segment, Segment]] = field(default_factory=list)  # (before, after)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(slots=True)
class StateDiff:
    balls: list[BallDiff]
    props: dict[str, tuple[object, object]]  # name → (before, after)
    balls_added: list[str] = field(default_factory=list)
    balls_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.props and not self.balls_added and not self.balls_removed and all(b.empty for b in self.balls)

    def counts(self) -> dict[str, int]:
        return {
            "added": sum(len(b.added) for b in self.balls),
            "removed": sum(len(b.removed) for b in self.balls),
            "changed": sum(len(b.changed) for b in self.balls),
        }


def diff_segments(before: tuple[Segment, ...], after: tuple[Segment, ...]) -> tuple[list, list, list]:
    """(added, removed, changed) between two sorted segment tuples.

    Identical segments match; a removed and an added segment with the same start are "changed".
    """
    if before is after:
        return [], [], []
    bset, aset = set(before), set(after)
    removed = [s for s in before if s not in aset]
    added = [s for s in after if s not in bset]
    by_start = {s.start_ms: s for s in removed}
    changed = []
    still_added = []
    for s in added:
        old = by_start.pop(s.start_ms, None)
        if old is not None:
            changed.append((old, s))
        else:
            still_added.append(s)
    still_removed = [s for s in removed if s.start_ms in by_start]
    return still_added, still_removed, changed


def diff_states(before: ProjectState, after: ProjectState) -> StateDiff:
    props = {}
    for name in ("name", "duration_ms", "refresh_rate", "audio", "grid", "lyrics"):
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            props[name] = (a, b)
    out = []
    for i in range(min(len(before.balls), len(after.balls))):
        ba, bb = before.balls[i], after.balls[i]
        added, removed, changed = diff_segments(ba.segments, bb.segments)
        out.append(BallDiff(i, bb.name, added, removed, changed))
        if (ba.name, ba.default_pixels) != (bb.name, bb.default_pixels):
            props[f"ball {i + 1}"] = ((ba.name, ba.default_pixels), (bb.name, bb.default_pixels))
    return StateDiff(
        out, props,
        balls_added=[b.name for b in after.balls[len(before.balls):]],
        balls_removed=[b.name for b in before.balls[len(after.balls):]],
    )
