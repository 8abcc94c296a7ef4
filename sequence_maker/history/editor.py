"""ProjectEditor: the one way every layer (CLI, server, assistant) changes a project.

Each operation plans its change on the model, wraps it in a command, applies it and records it
in the history — as its own undo step, or inside an open group (a drag, an assistant turn).
Listeners hear about every change, which is how the server keeps every open tab in sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from ..model.ball import Ball
from ..model.color import parse_color
from ..model.errors import ModelError
from ..model.grid import BeatGrid
from ..model.lyrics import Lyrics
from ..model.project import AudioRef, BallState, Project
from ..model.segment import Effect, Fade, Segment, Solid
from .commands import (
    Command,
    DeleteBall,
    InsertBall,
    ReplaceSegments,
    SetBallProps,
    SetGrid,
    SetLyrics,
    SetProjectProps,
)
from .history import Checkpoint, History, Step

_UNSET: Any = object()
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """Notification of a change. ``balls`` = touched ball indices, None = refresh everything."""

    action: str  # "do" | "undo" | "redo" | "rollback"
    label: str
    balls: tuple[int, ...] | None
    version: int


class _Group:
    def __init__(self, label: str, origin: str) -> None:
        self.step = Step(label, origin=origin)


class ProjectEditor:
    """Edits a :class:`Project` through undoable commands."""

    def __init__(self, project: Project, history: History | None = None) -> None:
        self.project = project
        self.history = history or History()
        self._groups: list[_Group] = []
        self._listeners: list[Callable[[Change], None]] = []
        self.version = 0

    # --- listeners -----------------------------------------------------------------------------
    def subscribe(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def _notify(self, action: str, label: str, cmds: Sequence[Command]) -> None:
        self.version += 1
        touched: set[int] = set()
        full = False
        for c in cmds:
            t = c.touched_balls()
            if t is None:
                full = True
            else:
                touched.update(t)
        change = Change(action, label, None if full else tuple(sorted(touched)), self.version)
        for fn in list(self._listeners):
            try:
                fn(change)
            except Exception:  # a broken listener (e.g. a closed socket) must not undo or fail the edit
                log.exception("change listener %r failed", fn)

    # --- core ----------------------------------------------------------------------------------
    def execute(self, cmd: Command, label: str) -> None:
        """Apply a command and record it (in the open group, else as its own step)."""
        cmd.apply(self.project)
        if self._groups:
            self._groups[0].step.commands.append(cmd)
        else:
            self.history.push(Step(label, [cmd]))
        self._notify("do", label, [cmd])

    @contextmanager
    def group(self, label: str, origin: str = "user") -> Iterator[_Group]:
        """Everything inside is one undo step. Nested groups merge into the outermost.

        On an exception the group's commands are rolled back and the error re-raised.
        """
        g = _Group(label, origin)
        self._groups.append(g)
        outer = len(self._groups) == 1
        try:
            yield g
        except BaseException:
            self._groups.remove(g)
            if outer:
                self._rollback(g.step)
            raise
        self._groups.remove(g)
        if outer:
            self.history.push(g.step)

    def rollback_group(self, g: _Group) -> None:
        """Undo everything done so far in an open group (e.g. a cancelled assistant turn)."""
        self._rollback(g.step)
        g.step.commands.clear()

    def _rollback(self, step: Step) -> None:
        if step.commands:
            step.revert(self.project)
            self._notify("rollback", step.label, step.commands)

    def undo(self) -> Step:
        self._require_no_group()
        step = self.history.undo(self.project)
        self._notify("undo", step.label, step.commands)
        return step

    def redo(self) -> Step:
        self._require_no_group()
        step = self.history.redo(self.project)
        self._notify("redo", step.label, step.commands)
        return step

    def _require_no_group(self) -> None:
        if self._groups:
            raise ModelError("finish the current edit before undo/redo")

    # --- segments ------------------------------------------------------------------------------
    def _ball(self, ball: int) -> Ball:
        return self.project.ball(ball)

    def paint(self, ball: int, segments: Segment | Sequence[Segment], label: str = "Add segment") -> None:
        """Put segment(s) on a ball, trimming/splitting what they cover."""
        segs = [segments] if isinstance(segments, Segment) else list(segments)
        if not segs:
            return
        self.project.check_inside(segs, f"ball {ball + 1}")
        removed, added = self._ball(ball).plan_paint(segs)
        self.execute(ReplaceSegments(ball, tuple(removed), tuple(added)), label)

    def erase(self, ball: int, start_ms: int, end_ms: int, label: str = "Erase range") -> None:
        removed, added = self._ball(ball).plan_erase(start_ms, end_ms)
        if removed:
            self.execute(ReplaceSegments(ball, tuple(removed), tuple(added)), label)

    def find_segment(self, ball: int, t_ms: int) -> Segment:
        """The segment of a ball that starts at, or else contains, t."""
        b = self._ball(ball)
        seg = b.segment_at(t_ms)
        if seg is None:
            raise ModelError(f"ball {ball + 1} has no segment at {t_ms} ms")
        return seg

    def delete_segment(self, ball: int, t_ms: int, label: str = "Delete segment") -> Segment:
        seg = self.find_segment(ball, t_ms)
        self.execute(ReplaceSegments(ball, (seg,), ()), label)
        return seg

    def modify_segment(self, ball: int, t_ms: int, *, start_ms: int | None = None, end_ms: int | None = None,
                       color: Any = _UNSET, end_color: Any = _UNSET, pixels: int | None = None,
                       effect: Effect | None = _UNSET, label: str = "Modify segment") -> Segment:
        """Change one segment; a new time range overwrites whatever it now covers."""
        old = self.find_segment(ball, t_ms)
        kind = old.kind
        if color is not _UNSET or end_color is not _UNSET:
            base = old.kind.color if isinstance(old.kind, Solid) else old.kind.start
            c0 = parse_color(color) if color is not _UNSET else base
            if end_color is _UNSET:
                kind = Solid(c0) if isinstance(old.kind, Solid) else Fade(c0, old.kind.end)
            elif end_color is None:
                kind = Solid(c0)
            else:
                kind = Fade(c0, parse_color(end_color))
        new = replace(
            old, start_ms=old.start_ms if start_ms is None else start_ms,
            end_ms=old.end_ms if end_ms is None else end_ms, kind=kind,
            pixels=old.pixels if pixels is None else pixels,
            effect=old.effect if effect is _UNSET else effect,
        )
        if new == old:
            return old
        self.project.check_inside([new], f"ball {ball + 1}")
        b = self._ball(ball)
        # remove the old one, then paint the new one over the rest
        rest = [s for s in b.segments_in(new.start_ms, new.end_ms) if s != old]
        removed, added = [old], []
        for s in rest:
            removed.append(s)
            if s.start_ms < new.start_ms:
                added.append(s.trimmed(s.start_ms, new.start_ms))
            if s.end_ms > new.end_ms:
                added.append(s.trimmed(new.end_ms, s.end_ms))
        added.append(new)
        removed.sort(key=lambda s: s.start_ms)
        self.execute(ReplaceSegments(ball, tuple(removed), tuple(added)), label)
        return new

    def move_segment(self, ball: int, t_ms: int, new_start_ms: int, to_ball: int | None = None,
                     label: str = "Move segment") -> Segment:
        old = self.find_segment(ball, t_ms)
        new = old.moved(new_start_ms)
        target = ball if to_ball is None else to_ball
        with self.group(label):
            self.execute(ReplaceSegments(ball, (old,), ()), label)
            self.paint(target, new, label)
        return new

    def clear_ball(self, ball: int, label: str = "Clear timeline") -> int:
        segs = tuple(self._ball(ball).segment_list())
        if segs:
            self.execute(ReplaceSegments(ball, segs, ()), label)
        return len(segs)

    def set_segments(self, ball: int, segments: Sequence[Segment], label: str = "Replace timeline") -> None:
        """Replace a ball's whole timeline (imports)."""
        self.project.check_inside(segments, f"ball {ball + 1}")
        old = tuple(self._ball(ball).segment_list())
        self.execute(ReplaceSegments(ball, old, tuple(sorted(segments, key=lambda s: s.start_ms))), label)

    # --- balls & project ----------------------------------------------------------------------
    def add_ball(self, name: str | None = None, default_pixels: int = 4, index: int | None = None,
                 segments: Sequence[Segment] = ()) -> int:
        idx = len(self.project.balls) if index is None else index
        name = name or f"Ball {len(self.project.balls) + 1}"
        Ball(name, default_pixels, segments)  # validate
        self.execute(InsertBall(idx, BallState(name, default_pixels, tuple(segments))), f"Add ball {name}")
        return idx

    def remove_ball(self, index: int) -> None:
        b = self._ball(index)
        self.execute(DeleteBall(index, BallState(b.name, b.default_pixels, tuple(b.segment_list()))),
                     f"Remove ball {b.name}")

    def set_ball_props(self, ball: int, name: str | None = None, default_pixels: int | None = None) -> None:
        b = self._ball(ball)
        old = (b.name, b.default_pixels)
        new = (b.name if name is None else name, b.default_pixels if default_pixels is None else default_pixels)
        if new != old:
            self.execute(SetBallProps(ball, old, new), "Ball settings")

    def set_project_props(self, name: str | None = None, duration_ms: int | None = None,
                          refresh_rate: int | None = None, audio: AudioRef | None = _UNSET) -> None:
        p = self.project
        old = (p.name, p.duration_ms, p.refresh_rate, p.audio)
        new = (p.name if name is None else name, p.duration_ms if duration_ms is None else duration_ms,
               p.refresh_rate if refresh_rate is None else refresh_rate, p.audio if audio is _UNSET else audio)
        if new != old:
            self.execute(SetProjectProps(old, new), "Project settings")

    def set_grid(self, grid: BeatGrid | None, label: str = "Edit beat grid") -> None:
        if grid != self.project.grid:
            self.execute(SetGrid(self.project.grid, grid), label)

    def set_lyrics(self, lyrics: Lyrics | None, label: str = "Edit lyrics") -> None:
        if lyrics != self.project.lyrics:
            self.execute(SetLyrics(self.project.lyrics, lyrics), label)

    # --- checkpoints ---------------------------------------------------------------------------
    def checkpoint(self, name: str, auto: bool = False) -> Checkpoint:
        return self.history.checkpoint(self.project, name, auto=auto)

    def restore_checkpoint(self, ref: str) -> Step:
        self._require_no_group()
        step = self.history.restore_step(self.project, ref)
        step.apply(self.project)
        self.history.push(step)
        self._notify("do", step.label, step.commands)
        return step
