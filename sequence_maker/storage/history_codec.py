"""The history inside a .smproj, with whole-project snapshots deduplicated.

Checkpoints (and checkpoint-restore / ball insert-delete steps) hold whole ball timelines. In
memory they share immutable Segment objects with the live project; written naively, every
checkpoint would repeat every segment (50 assistant auto-checkpoints = 50 copies of the project).
So snapshot segments go once into ``history.segment_pool`` and each ball lists runs of pool
indices (``"segment_refs": [[start, count], …]``). Loading rebuilds shared Segment objects, so
memory stays shared after a restart too. Plain ``"segments"`` lists are accepted as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..history import Checkpoint, Command, History, Step
from ..history.commands import DeleteBall, InsertBall, RestoreState
from ..history.history import PERSISTED_STEPS
from ..model import codec
from ..model.ball import validate_ball_props
from ..model.codec import CodecError
from ..model.errors import ModelError
from ..model.project import BallState, ProjectState, validate_project_props
from ..model.segment import Segment
from .errors import ProjectFileError


class SegmentPool:
    """Distinct segments in first-seen order; consecutive runs compress to [start, count]."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self._by_value: dict[Segment, int] = {}
        self._by_id: dict[int, int] = {}

    def index(self, s: Segment) -> int:
        i = self._by_id.get(id(s))
        if i is None:
            i = self._by_value.get(s)
            if i is None:
                i = self._by_value[s] = len(self.segments)
                self.segments.append(s)
            self._by_id[id(s)] = i  # segments are kept alive by the history while encoding
        return i

    def runs(self, segs: tuple[Segment, ...]) -> list[list[int]]:
        out: list[list[int]] = []
        for s in segs:
            i = self.index(s)
            if out and out[-1][0] + out[-1][1] == i:
                out[-1][1] += 1
            else:
                out.append([i, 1])
        return out


# --- encoding ----------------------------------------------------------------------------------
def _ball(b: BallState, pool: SegmentPool) -> dict[str, Any]:
    return {"name": b.name, "default_pixels": b.default_pixels, "segment_refs": pool.runs(b.segments)}


def _state(s: ProjectState, pool: SegmentPool) -> dict[str, Any]:
    d = codec.state_to_dict(ProjectState(s.name, s.duration_ms, s.refresh_rate, s.audio, (), s.grid, s.lyrics))
    d["balls"] = [_ball(b, pool) for b in s.balls]
    return d


def _command(c: Command, pool: SegmentPool) -> dict[str, Any]:
    if isinstance(c, RestoreState):
        return {"kind": c.kind, "old": _state(c.old, pool), "new": _state(c.new, pool)}
    if isinstance(c, (InsertBall, DeleteBall)):
        return {"kind": c.kind, "index": c.index, "ball": _ball(c.state, pool)}
    return c.to_dict()


def _step_dict(s: Step, pool: SegmentPool) -> dict[str, Any]:
    return {"label": s.label, "created": s.created, "origin": s.origin,
            "commands": [_command(c, pool) for c in s.commands]}


def encode_history(h: History) -> dict[str, Any]:
    """Like History.to_dict (same step limit), with snapshot segments pooled."""
    pool = SegmentPool()
    out: dict[str, Any] = {
        "undo": [_step_dict(s, pool) for s in h.undo_stack[-PERSISTED_STEPS:]],
        "redo": [_step_dict(s, pool) for s in h.redo_stack[-PERSISTED_STEPS:]],
        "checkpoints": [{**cp.info(), "state": _state(cp.state, pool)} for cp in h.checkpoints],
    }
    out["segment_pool"] = [codec.segment_to_dict(s) for s in pool.segments]
    return out


# --- decoding ----------------------------------------------------------------------------------
def decode_history(d: Any, file: Path | None) -> History:
    """Undo/redo steps and checkpoints; errors name the step, command or checkpoint index."""
    h = History()
    if d is None:
        return h
    if not isinstance(d, dict):
        raise ProjectFileError(file, "history", "expected an object")
    raw_pool = d.get("segment_pool", [])
    if not isinstance(raw_pool, list):
        raise ProjectFileError(file, "history.segment_pool", "expected a list")
    pool = [_guard(file, f"history.segment_pool[{i}]", lambda x: codec.segment_from_dict(x, ""), s)
            for i, s in enumerate(raw_pool)]
    reader = _Reader(pool)
    for key, stack in (("undo", h.undo_stack), ("redo", h.redo_stack)):
        raw = d.get(key, [])
        if not isinstance(raw, list):
            raise ProjectFileError(file, f"history.{key}", "expected a list")
        for i, s in enumerate(raw):
            stack.append(_step(file, f"history.{key}[{i}]", s, reader))
    raw_cps = d.get("checkpoints", [])
    if not isinstance(raw_cps, list):
        raise ProjectFileError(file, "history.checkpoints", "expected a list")
    for i, c in enumerate(raw_cps):
        h.checkpoints.append(_guard(file, f"history.checkpoints[{i}]", reader.checkpoint, c))
    return h


class _Reader:
    def __init__(self, pool: list[Segment]) -> None:
        self.pool = pool

    def segments(self, b: dict[str, Any], path: str) -> tuple[Segment, ...]:
        if "segment_refs" not in b:
            return tuple(codec.ball_from_dict(b, path).segment_list())
        runs = b["segment_refs"]
        if not isinstance(runs, list):
            raise CodecError(f"{path}.segment_refs", "expected a list of [start, count]")
        out: list[Segment] = []
        for k, run in enumerate(runs):
            ok = (isinstance(run, list) and len(run) == 2 and all(type(x) is int for x in run)
                  and run[0] >= 0 and run[1] >= 1 and run[0] + run[1] <= len(self.pool))
            if not ok:
                raise CodecError(f"{path}.segment_refs[{k}]",
                                 f"expected [start, count] inside the segment pool of {len(self.pool)}, got {run!r}")
            out.extend(self.pool[run[0]: run[0] + run[1]])
        return out_sorted_checked(out, path)

    def ball(self, b: Any, path: str) -> BallState:
        if not isinstance(b, dict):
            raise CodecError(path, "expected an object")
        segs = self.segments(b, path)
        name, pixels = b.get("name"), b.get("default_pixels", 4)
        try:
            validate_ball_props(name, pixels)  # type: ignore[arg-type]
        except ModelError as e:
            raise CodecError(path, str(e)) from None
        return BallState(name, pixels, segs)

    def state(self, d: Any, path: str) -> ProjectState:
        if not isinstance(d, dict):
            raise CodecError(path, "expected an object")
        balls = d.get("balls")
        if not isinstance(balls, list):
            raise CodecError(f"{path}.balls", "expected a list")
        base = codec.state_from_dict({**d, "balls": []}, path)
        try:
            validate_project_props(base.name, base.duration_ms, base.refresh_rate)
        except ModelError as e:
            raise CodecError(path, str(e)) from None
        bs = tuple(self.ball(b, f"{path}.balls[{i}]") for i, b in enumerate(balls))
        return ProjectState(base.name, base.duration_ms, base.refresh_rate, base.audio, bs, base.grid, base.lyrics)

    def command(self, c: dict[str, Any]) -> Command:
        kind = c.get("kind")
        if kind == "restore_state":
            return RestoreState(self.state(c.get("old"), "old"), self.state(c.get("new"), "new"))
        if kind in ("insert_ball", "delete_ball"):
            idx = c.get("index")
            if type(idx) is not int:
                raise CodecError("index", f"expected an integer, got {idx!r}")
            st = self.ball(c.get("ball"), "ball")
            return InsertBall(idx, st) if kind == "insert_ball" else DeleteBall(idx, st)
        return Command.from_dict(c)

    def checkpoint(self, c: dict[str, Any]) -> Checkpoint:
        return Checkpoint(str(c["id"]), str(c["name"]), self.state(c.get("state"), "state"),
                          float(c.get("created", 0.0)), bool(c.get("auto", False)))


def out_sorted_checked(segs: list[Segment], path: str) -> tuple[Segment, ...]:
    """A snapshot ball must be sorted and non-overlapping like a live one."""
    for a, b in zip(segs, segs[1:], strict=False):
        if b.start_ms < a.end_ms:
            raise CodecError(path, f"segment {b.start_ms}–{b.end_ms} ms overlaps segment {a.start_ms}–{a.end_ms} ms")
    return tuple(segs)


def _step(file: Path | None, path: str, d: Any, reader: _Reader) -> Step:
    if not isinstance(d, dict):
        raise ProjectFileError(file, path, "expected an object")
    cmds = d.get("commands", [])
    if not isinstance(cmds, list):
        raise ProjectFileError(file, f"{path}.commands", "expected a list")
    commands = [_guard(file, f"{path}.commands[{j}]", reader.command, c) for j, c in enumerate(cmds)]
    step = _guard(file, path, Step.from_dict, {**d, "commands": []})
    step.commands = commands
    return step


def _guard(file: Path | None, path: str, fn, arg):
    if not isinstance(arg, dict):
        raise ProjectFileError(file, path, "expected an object")
    try:
        return fn(arg)
    except CodecError as e:
        sub = e.path.lstrip(".")
        raise ProjectFileError(file, f"{path}.{sub}" if sub else path, e.problem) from None
    except KeyError as e:
        raise ProjectFileError(file, path, f"missing field {e.args[0]!r}") from None
    except (ModelError, TypeError, ValueError, IndexError) as e:
        raise ProjectFileError(file, path, str(e)) from None
