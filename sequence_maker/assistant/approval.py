"""Approval modes: when a tool call must wait for the user, and the sticky "always allow" list.

Modes: ``auto`` (never ask), ``ask_destructive`` (clear, delete, big batches), ``ask_all`` (every
call that changes the project or the player). Read-only tools never ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.diff import StateDiff
from ..model.project import Project
from .tools.registry import Tool, ToolArgs

APPROVAL_MODES = ("auto", "ask_destructive", "ask_all")
_ALIASES = {"ask": "ask_destructive", "destructive": "ask_destructive", "all": "ask_all", "always": "ask_all",
            "every": "ask_all", "never": "auto", "none": "auto"}


def normalize_mode(mode: str) -> str:
    m = _ALIASES.get(mode.strip().lower(), mode.strip().lower())
    if m not in APPROVAL_MODES:
        raise ValueError(f"unknown approval mode {mode!r}; use auto, ask (destructive calls) or all")
    return m


@dataclass(slots=True)
class ApprovalPolicy:
    """Decides which calls need the user. ``always_allowed`` is sticky for one chat."""

    mode: str = "auto"
    always_allowed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.mode = normalize_mode(self.mode)

    def reason(self, tool: Tool, args: ToolArgs, project: Project, diff: StateDiff | None = None) -> str | None:
        """Why this call needs approval, or None to run it straight away.

        A "destructive" call whose dry run (``diff``) removes or changes nothing is not asked about.
        """
        if tool.kind == "read" or self.mode == "auto" or tool.name in self.always_allowed:
            return None
        destructive = tool.destructive(args, project) if tool.destructive else None
        if destructive and diff is not None and tool.name != "create_segments_batch":
            counts = diff.counts()
            if not counts["removed"] and not counts["changed"]:
                destructive = None
        if destructive:
            return f"{tool.name} {destructive}"
        if self.mode == "ask_all":
            return f"{tool.name} changes the {'player' if tool.kind == 'player' else 'project'}"
        return None
