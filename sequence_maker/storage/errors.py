"""Errors of the storage layer: a bad or unreadable project file."""

from __future__ import annotations

from pathlib import Path


class ProjectFileError(Exception):
    """A project file cannot be read or written.

    ``path`` is the file, ``json_path`` where inside the JSON the problem is ("" = the whole file),
    ``problem`` what is wrong. The message names all three so a user can fix the file by hand.
    """

    def __init__(self, path: str | Path | None, json_path: str, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        self.json_path = json_path
        self.problem = problem
        where = f" at {json_path}" if json_path else ""
        super().__init__(f"{self.path if self.path is not None else '<project>'}{where}: {problem}")


class WorkspaceError(ValueError):
    """A workspace operation was refused (bad name, name taken, project missing)."""
