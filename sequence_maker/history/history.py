"""Undo/redo stacks of steps (a step = one or more commands undone together) and named
checkpoints (snapshots that share immutable segments with the live project)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..model import codec
from ..model.diff import StateDiff, diff_states
from ..model.errors import ModelError
from ..model.project import Project, ProjectState
from .commands import Command, RestoreState

DEFAULT_MAX_STEPS = 1000
PERSISTED_STEPS = 200


@dataclass(slots=True)
class Step:
    """One undoable unit: a single edit, a drag, or a whole assistant turn."""

    label: str
    commands: list[Command] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    origin: str = "user"  # "user" | "assistant" | "system"

    def apply(self, project: Project) -> None:
        done: list[Command] = []
        try:
            for c in self.commands:
                c.apply(project)
                done.append(c)
        except Exception:
            for c in reversed(done):
                c.revert(project)
            raise

    def revert(self, project: Project) -> None:
        done: list[Command] = []
        try:
            for c in reversed(self.commands):
                c.revert(project)
                done.append(c)
        except Exception:
            for c in reversed(done):
                c.apply(project)
            raise

    def approx_bytes(self) -> int:
        return sum(c.approx_bytes() for c in self.commands)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "created": self.created, "origin": self.origin,
                "commands": [c.to_dict() for c in self.commands]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        return cls(str(d.get("label", "")), [Command.from_dict(c) for c in d.get("commands", [])],
                   float(d.get("created", 0.0)), str(d.get("origin", "user")))


@dataclass(slots=True)
class Checkpoint:
    """A named snapshot of the project. ``auto`` ones are taken by other layers (assistant turns)."""

    id: str
    name: str
    state: ProjectState
    created: float = field(default_factory=time.time)
    auto: bool = False

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "created": self.created, "auto": self.auto}


class History:
    """Linear undo/redo history plus checkpoints. Pushing a new step clears the redo stack."""

    def __init__(self, max_steps: int = DEFAULT_MAX_STEPS, max_auto_checkpoints: int = 50) -> None:
        self.undo_stack: list[Step] = []
        self.redo_stack: list[Step] = []
        self.checkpoints: list[Checkpoint] = []
        self.max_steps = max_steps
        self.max_auto_checkpoints = max_auto_checkpoints

    # --- steps ---------------------------------------------------------------------------------
    def push(self, step: Step) -> None:
        if not step.commands:
            return
        self.undo_stack.append(step)
        self.redo_stack.clear()
        if len(self.undo_stack) > self.max_steps:
            del self.undo_stack[: len(self.undo_stack) - self.max_steps]

    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def undo(self, project: Project) -> Step:
        if not self.undo_stack:
            raise ModelError("nothing to undo")
        step = self.undo_stack[-1]
        step.revert(project)
        self.redo_stack.append(self.undo_stack.pop())
        return step

    def redo(self, project: Project) -> Step:
        if not self.redo_stack:
            raise ModelError("nothing to redo")
        step = self.redo_stack[-1]
        step.apply(project)
        self.undo_stack.append(self.redo_stack.pop())
        return step

    def approx_bytes(self) -> int:
        return sum(s.approx_bytes() for s in self.undo_stack + self.redo_stack)

    # --- checkpoints ---------------------------------------------------------------------------
    def checkpoint(self, project: Project, name: str, auto: bool = False) -> Checkpoint:
        name = name.strip() or "checkpoint"
        cp = Checkpoint(uuid.uuid4().hex[:12], name, project.snapshot(), auto=auto)
        self.checkpoints.append(cp)
        autos = [c for c in self.checkpoints if c.auto]
        if len(autos) > self.max_auto_checkpoints:
            drop = {c.id for c in autos[: len(autos) - self.max_auto_checkpoints]}
            self.checkpoints = [c for c in self.checkpoints if c.id not in drop]
        return cp

    def find_checkpoint(self, ref: str) -> Checkpoint:
        """By id, exact name, or 1-based position in the list (latest match wins for names)."""
        for cp in reversed(self.checkpoints):
            if cp.id == ref or cp.name == ref:
                return cp
        if ref.isdigit() and 1 <= int(ref) <= len(self.checkpoints):
            return self.checkpoints[int(ref) - 1]
        raise ModelError(f"no checkpoint {ref!r}; see the checkpoint list")

    def restore_step(self, project: Project, ref: str) -> Step:
        """A step that restores a checkpoint (push it through the editor to make it undoable)."""
        cp = self.find_checkpoint(ref)
        return Step(f"Restore checkpoint “{cp.name}”", [RestoreState(project.snapshot(), cp.state)], origin="user")

    def diff(self, project: Project, ref: str) -> StateDiff:
        """What changed from the checkpoint to now."""
        return diff_states(self.find_checkpoint(ref).state, project.snapshot())

    # --- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "undo": [s.to_dict() for s in self.undo_stack[-PERSISTED_STEPS:]],
            "redo": [s.to_dict() for s in self.redo_stack[-PERSISTED_STEPS:]],
            "checkpoints": [{**cp.info(), "state": codec.state_to_dict(cp.state)} for cp in self.checkpoints],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        h = cls()
        h.undo_stack = [Step.from_dict(s) for s in d.get("undo", [])]
        h.redo_stack = [Step.from_dict(s) for s in d.get("redo", [])]
        h.checkpoints = [
            Checkpoint(str(c["id"]), str(c["name"]), codec.state_from_dict(c["state"], "checkpoint.state"),
                       float(c.get("created", 0.0)), bool(c.get("auto", False)))
            for c in d.get("checkpoints", [])
        ]
        return h
