"""Undoable commands. Each stores only what it changes (memory ∝ edit, not project size) and
serialises to a dict so history survives save/load."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, ClassVar

from ..model import codec
from ..model.ball import Ball, validate_ball_props
from ..model.errors import ModelError
from ..model.grid import BeatGrid
from ..model.lyrics import Lyrics
from ..model.project import AudioRef, BallState, Project, ProjectState, validate_project_props
from ..model.segment import Segment


class Command:
    """Base: ``apply(project)`` does, ``revert(project)`` undoes; both atomic."""

    kind: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Command]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            Command.registry[cls.kind] = cls

    def apply(self, project: Project) -> None:
        raise NotImplementedError

    def revert(self, project: Project) -> None:
        raise NotImplementedError

    def touched_balls(self) -> tuple[int, ...] | None:
        """Ball indices this command changes; None = project-wide (structure/props)."""
        return None

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Command:
        cls = Command.registry.get(d.get("kind", ""))
        if cls is None:
            raise ModelError(f"unknown history command {d.get('kind')!r}")
        return cls._from_dict(d)  # type: ignore[attr-defined]

    def approx_bytes(self) -> int:
        """Rough memory held by this command (for the history bench and budget)."""
        return _deep_size(self)


def _deep_size(obj: Any, seen: set[int] | None = None) -> int:
    seen = seen if seen is not None else set()
    if id(obj) in seen or isinstance(obj, (int, float, bool, type(None))) and sys.getsizeof(obj) <= 32:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(_deep_size(k, seen) + _deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(_deep_size(x, seen) for x in obj)
    elif hasattr(obj, "__slots__") or hasattr(obj, "__dict__"):
        names = getattr(obj, "__slots__", ()) or ()
        for n in names if not isinstance(names, str) else (names,):
            if hasattr(obj, n):
                size += _deep_size(getattr(obj, n), seen)
        if hasattr(obj, "__dict__"):
            size += _deep_size(vars(obj), seen)
    return size


@dataclass(slots=True)
class ReplaceSegments(Command):
    """Remove some segments of one ball and add others (every segment edit reduces to this)."""

    kind: ClassVar[str] = "replace_segments"
    ball: int
    removed: tuple[Segment, ...]
    added: tuple[Segment, ...]

    def apply(self, project: Project) -> None:
        b = project.ball(self.ball)
        project.check_inside(self.added, f"ball {self.ball + 1}")
        b.replace(self.removed, self.added)

    def revert(self, project: Project) -> None:
        project.ball(self.ball).replace(self.added, self.removed)

    def touched_balls(self) -> tuple[int, ...]:
        return (self.ball,)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ball": self.ball,
                "removed": [codec.segment_to_dict(s) for s in self.removed],
                "added": [codec.segment_to_dict(s) for s in self.added]}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> ReplaceSegments:
        return cls(int(d["ball"]), tuple(codec.segment_from_dict(s, f"removed[{i}]") for i, s in enumerate(d["removed"])),
                   tuple(codec.segment_from_dict(s, f"added[{i}]") for i, s in enumerate(d["added"])))


@dataclass(slots=True)
class InsertBall(Command):
    """Insert a ball at ``index`` (revert removes it)."""

    kind: ClassVar[str] = "insert_ball"
    index: int
    state: BallState

    def apply(self, project: Project) -> None:
        if not 0 <= self.index <= len(project.balls):
            raise ModelError(f"cannot insert a ball at position {self.index + 1}")
        project.check_inside(self.state.segments, f"ball {self.state.name!r}")
        project.balls.insert(self.index, Ball(self.state.name, self.state.default_pixels, self.state.segments))

    def revert(self, project: Project) -> None:
        project.ball(self.index)
        del project.balls[self.index]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "index": self.index, "ball": codec.ball_to_dict(self.state)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> InsertBall:
        b = codec.ball_from_dict(d["ball"])
        return cls(int(d["index"]), BallState(b.name, b.default_pixels, tuple(b.segment_list())))


@dataclass(slots=True)
class DeleteBall(Command):
    """Remove the ball at ``index`` (keeps its content for undo)."""

    kind: ClassVar[str] = "delete_ball"
    index: int
    state: BallState

    def apply(self, project: Project) -> None:
        InsertBall(self.index, self.state).revert(project)

    def revert(self, project: Project) -> None:
        InsertBall(self.index, self.state).apply(project)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "index": self.index, "ball": codec.ball_to_dict(self.state)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> DeleteBall:
        ins = InsertBall._from_dict(d)
        return cls(ins.index, ins.state)


@dataclass(slots=True)
class SetBallProps(Command):
    kind: ClassVar[str] = "set_ball_props"
    ball: int
    old: tuple[str, int]
    new: tuple[str, int]

    def _set(self, project: Project, v: tuple[str, int]) -> None:
        validate_ball_props(*v)
        b = project.ball(self.ball)
        b.name, b.default_pixels = v

    def apply(self, project: Project) -> None:
        self._set(project, self.new)

    def revert(self, project: Project) -> None:
        self._set(project, self.old)

    def touched_balls(self) -> tuple[int, ...]:
        return (self.ball,)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ball": self.ball, "old": list(self.old), "new": list(self.new)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> SetBallProps:
        return cls(int(d["ball"]), tuple(d["old"]), tuple(d["new"]))  # type: ignore[arg-type]


@dataclass(slots=True)
class SetProjectProps(Command):
    """Name, duration, refresh rate, audio reference (old/new tuples)."""

    kind: ClassVar[str] = "set_project_props"
    old: tuple[str, int, int, AudioRef | None]
    new: tuple[str, int, int, AudioRef | None]

    def _set(self, project: Project, v: tuple[str, int, int, AudioRef | None]) -> None:
        name, dur, rate, audio = v
        validate_project_props(name, dur, rate)
        if dur < project.duration_ms:
            for i, b in enumerate(project.balls):
                if b.end_ms() > dur:
                    raise ModelError(
                        f"cannot shorten the project to {dur} ms: ball {i + 1} has segments until {b.end_ms()} ms "
                        "(delete or trim them first)"
                    )
        project.name, project.duration_ms, project.refresh_rate, project.audio = name, dur, rate, audio

    def apply(self, project: Project) -> None:
        self._set(project, self.new)

    def revert(self, project: Project) -> None:
        self._set(project, self.old)

    def to_dict(self) -> dict[str, Any]:
        def enc(v):
            return [v[0], v[1], v[2], codec.audio_to_dict(v[3])]
        return {"kind": self.kind, "old": enc(self.old), "new": enc(self.new)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> SetProjectProps:
        def dec(v):
            return (v[0], int(v[1]), int(v[2]), codec.audio_from_dict(v[3]))
        return cls(dec(d["old"]), dec(d["new"]))


@dataclass(slots=True)
class SetGrid(Command):
    kind: ClassVar[str] = "set_grid"
    old: BeatGrid | None
    new: BeatGrid | None

    def apply(self, project: Project) -> None:
        project.grid = self.new

    def revert(self, project: Project) -> None:
        project.grid = self.old

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": codec.grid_to_dict(self.old), "new": codec.grid_to_dict(self.new)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> SetGrid:
        return cls(codec.grid_from_dict(d["old"]), codec.grid_from_dict(d["new"]))


@dataclass(slots=True)
class SetLyrics(Command):
    kind: ClassVar[str] = "set_lyrics"
    old: Lyrics | None
    new: Lyrics | None

    def apply(self, project: Project) -> None:
        project.lyrics = self.new

    def revert(self, project: Project) -> None:
        project.lyrics = self.old

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": codec.lyrics_to_dict(self.old), "new": codec.lyrics_to_dict(self.new)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> SetLyrics:
        return cls(codec.lyrics_from_dict(d["old"]), codec.lyrics_from_dict(d["new"]))


@dataclass(slots=True)
class RestoreState(Command):
    """Jump to a snapshot (checkpoint restore); undo goes back. Snapshots share segments."""

    kind: ClassVar[str] = "restore_state"
    old: ProjectState
    new: ProjectState

    def apply(self, project: Project) -> None:
        project.restore(self.new)

    def revert(self, project: Project) -> None:
        project.restore(self.old)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": codec.state_to_dict(self.old), "new": codec.state_to_dict(self.new)}

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> RestoreState:
        return cls(codec.state_from_dict(d["old"]), codec.state_from_dict(d["new"]))
