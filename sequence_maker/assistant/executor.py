"""Run one tool call safely: reads on the live project, edits as a dry run on a copy first.

A write handler edits a scratch copy through its own editor; only if it succeeds are the recorded
commands replayed on the real editor (inside the turn's undo group). So a failing or timed-out
call never leaves a half-applied edit, and the same dry run gives the approval preview (a diff).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from ..history.commands import Command, ReplaceSegments
from ..history.editor import ProjectEditor
from ..model.diff import BallDiff, StateDiff, diff_segments, diff_states
from ..model.project import Project, ProjectState
from ..model.segment import Segment
from .tools.common import segment_dict
from .tools.registry import Tool, ToolArgs, ToolContext
from .turn_events import PlayerCommandEvent

PREVIEW_LIMIT = 40  # segments listed per ball and kind in a preview (counts are always complete)


@dataclass(slots=True)
class Outcome:
    """A successful tool run: its result and what applying it would do."""

    result: Any
    commands: list[Command] = field(default_factory=list)
    player_commands: list[PlayerCommandEvent] = field(default_factory=list)
    diff: StateDiff | None = None


def clone_project(project: Project) -> Project:
    """An independent copy sharing immutable segments (cheap: no segment is copied)."""
    copy = Project(project.name, project.duration_ms, refresh_rate=project.refresh_rate)
    copy.restore(project.snapshot())
    return copy


def run_tool(tool: Tool, args: ToolArgs, project: Project, *, is_copy: bool = False) -> Outcome:
    """Run a call. Writes run on a copy and return their commands + diff; nothing real changes.

    ``is_copy`` says ``project`` is already a private copy (the loop snapshots on its own thread)."""
    if tool.kind != "write":
        ctx = ToolContext(project)
        result = tool.handler(ctx, args)
        return Outcome(result, player_commands=list(ctx.player_commands))
    scratch = project if is_copy else clone_project(project)
    before = scratch.snapshot()
    editor = ProjectEditor(scratch)
    ctx = ToolContext(scratch, editor=editor)
    with editor.group(tool.name, origin="assistant") as g:
        result = tool.handler(ctx, args)
        commands = list(g.step.commands)
    return Outcome(result, commands, diff=commands_diff(before, scratch, commands))


def commands_diff(before: ProjectState, after: Project, commands: list[Command]) -> StateDiff:
    """The diff of a dry run, computed only where its commands touched (per ball, in the time window
    they cover), so previewing an edit costs ∝ the edit, not the project (20k segments: ~1 ms vs
    ~200 ms for a full diff). Falls back to the full diff for anything but segment replacements."""
    windows: dict[int, list[int]] = {}
    for cmd in commands:
        if not isinstance(cmd, ReplaceSegments):
            return diff_states(before, after.snapshot())
        segs = (*cmd.removed, *cmd.added)
        if not segs:
            continue
        lo, hi = min(x.start_ms for x in segs), max(x.end_ms for x in segs)
        w = windows.setdefault(cmd.ball, [lo, hi])
        w[0], w[1] = min(w[0], lo), max(w[1], hi)
    balls = []
    for b, (lo, hi) in sorted(windows.items()):
        old = before.balls[b].segments
        first = bisect_right(old, lo, key=_end)
        last = bisect_left(old, hi, key=_start)
        added, removed, changed = diff_segments(tuple(old[first:last]), tuple(after.balls[b].segments_in(lo, hi)))
        balls.append(BallDiff(b, after.balls[b].name, added, removed, changed))
    return StateDiff(balls, {})


def _start(seg: Segment) -> int:
    return seg.start_ms


def _end(seg: Segment) -> int:
    return seg.end_ms


def apply_outcome(editor: ProjectEditor, outcome: Outcome, label: str) -> None:
    """Replay a dry run's commands on the real editor (the states are identical, so they fit).

    One call = one undo step on its own; inside an assistant turn it merges into the turn's group.
    If a command no longer fits (the project changed meanwhile), the group rolls back what it did.
    """
    if not outcome.commands:
        return
    with editor.group(label, origin="assistant"):
        for cmd in outcome.commands:
            editor.execute(cmd, label)


def preview(diff: StateDiff | None, limit: int = PREVIEW_LIMIT) -> list[dict[str, Any]]:
    """Per-ball summary of a diff: added/removed/changed segments as dicts (lists capped)."""
    if diff is None:
        return []
    out = []
    for b in diff.balls:
        if b.empty:
            continue
        out.append({
            "ball": b.ball + 1, "name": b.name,
            "counts": {"added": len(b.added), "removed": len(b.removed), "changed": len(b.changed)},
            "added": [segment_dict(s) for s in b.added[:limit]],
            "removed": [segment_dict(s) for s in b.removed[:limit]],
            "changed": [{"before": segment_dict(x), "after": segment_dict(y)} for x, y in b.changed[:limit]],
        })
    return out


def change_summary(diff: StateDiff | None) -> dict[str, Any]:
    """Short per-ball counts for the model (it does not need every segment back)."""
    if diff is None:
        return {}
    return {f"ball {b.ball + 1}": {k: v for k, v in
                                   (("added", len(b.added)), ("removed", len(b.removed)), ("changed", len(b.changed)))
                                   if v}
            for b in diff.balls if not b.empty}
