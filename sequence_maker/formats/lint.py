"""Lint issues: what the user must see before export (rounding, hardware fixes, refusals).

``severity``: ``"error"`` blocks export, ``"warning"`` means the exported file differs from the
project (and ``fix`` says how), ``"info"`` is worth knowing but changes nothing audible/visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sequence_maker.model.project import Project

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One finding; ``ball`` is the ball name (None = whole project), ``time_ms`` where it happens."""

    severity: Severity
    ball: str | None
    time_ms: int | None
    message: str
    fix: str | None = None

    def describe(self) -> str:
        from sequence_maker.model.timeutil import format_ms

        where = " ".join(p for p in (self.ball and f"[{self.ball}]",
                                     None if self.time_ms is None else f"at {format_ms(self.time_ms)}") if p)
        text = f"{self.severity}: {where + ': ' if where else ''}{self.message}"
        return f"{text} → {self.fix}" if self.fix else text


def lint_project(project: Project, rate: int | None = None, *, merge_short: bool = False) -> list[LintIssue]:
    """Everything an export of ``project`` at ``rate`` ticks/s (default: the project's) would change
    or refuse, per ball, sorted by severity then time."""
    from .export import build_ball

    rate = project.refresh_rate if rate is None else rate
    issues: list[LintIssue] = []
    for i in range(len(project.balls)):
        issues.extend(build_ball(project, i, rate, merge_short)[2])
    return sort_issues(issues)


def sort_issues(issues: list[LintIssue]) -> list[LintIssue]:
    return sorted(issues, key=lambda x: (SEVERITY_ORDER[x.severity], x.ball or "", x.time_ms or 0))
