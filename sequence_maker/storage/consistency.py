"""Checking a loaded history against the loaded project.

Files are hand-editable; after a hand edit, the newest undo steps may no longer match the
project (undo would then fail every time). We replay the history on a scratch copy at load and
keep only the steps that apply, telling the user what was dropped instead of failing later.
"""

from __future__ import annotations

from ..history import History, Step
from ..model import Project


def _scratch(project: Project) -> Project:
    p = Project(project.name, project.duration_ms, [], refresh_rate=project.refresh_rate)
    p.restore(project.snapshot())  # shares immutable segments: cheap
    return p


def reconcile_history(project: Project, history: History) -> list[str]:
    """Drop undo/redo steps that do not apply to ``project``; returns warnings (empty if all fit)."""
    warnings: list[str] = []
    scratch = _scratch(project)
    kept_undo: list[Step] = []
    for step in reversed(history.undo_stack):
        try:
            step.revert(scratch)
        except Exception:
            break
        kept_undo.append(step)
    dropped = len(history.undo_stack) - len(kept_undo)
    if dropped:
        history.undo_stack[:] = list(reversed(kept_undo))
        warnings.append(f"the project no longer matches its undo history (edited outside Sequence Maker?); "
                        f"the {dropped} oldest undo step(s) that no longer apply were dropped")
    scratch = _scratch(project)
    kept_redo: list[Step] = []
    for step in reversed(history.redo_stack):
        try:
            step.apply(scratch)
        except Exception:
            break
        kept_redo.append(step)
    dropped = len(history.redo_stack) - len(kept_redo)
    if dropped:
        history.redo_stack[:] = list(reversed(kept_redo))
        warnings.append(f"{dropped} redo step(s) no longer apply to the project and were dropped")
    return warnings
