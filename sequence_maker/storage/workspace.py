"""A workspace: the folder of projects the studio shows (``<root>/<name>.smproj``).

Names come from users (and browsers), so every name is checked before it touches the file
system: no separators, no ``..``, no hidden or control characters — a name can never resolve
outside the workspace. Deleting moves the project to ``<root>/.trash`` (nothing is lost).
"""

from __future__ import annotations

import contextlib
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_bytes
from .document import SUFFIX, ProjectDocument, backup_path_for, recovery_path_for
from .errors import WorkspaceError
from .paths import default_workspace_dir

MAX_NAME_LEN = 120
_FORBIDDEN = set('/\\:*?"<>|')


def validate_project_name(name: str) -> str:
    """The cleaned name (trimmed, ``.smproj`` removed) or WorkspaceError saying what is wrong."""
    if not isinstance(name, str):
        raise WorkspaceError(f"project name must be text, got {name!r}")
    clean = name.strip()
    if clean.lower().endswith(SUFFIX):
        clean = clean[: -len(SUFFIX)].strip()
    if not clean:
        raise WorkspaceError("project name is empty")
    if len(clean) > MAX_NAME_LEN:
        raise WorkspaceError(f"project name is longer than {MAX_NAME_LEN} characters")
    bad = sorted({c for c in clean if c in _FORBIDDEN or unicodedata.category(c).startswith("C")})
    if bad:
        raise WorkspaceError(f"project name {name!r} contains characters not allowed in file names: "
                             f"{' '.join(repr(c) for c in bad)}")
    if clean.startswith(".") or ".." in clean:
        raise WorkspaceError(f"project name {name!r} may not start with '.' or contain '..'")
    return clean


@dataclass(frozen=True, slots=True)
class ProjectEntry:
    """One project in a workspace listing."""

    name: str
    path: Path
    modified: float
    size: int
    has_recovery: bool


class Workspace:
    """Projects in one folder, addressed by name."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_workspace_dir()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, name: str) -> Path:
        """The file of project ``name`` (validated; always directly inside the root)."""
        p = self.root / f"{validate_project_name(name)}{SUFFIX}"
        if p.resolve().parent != self.root.resolve():  # belt and braces
            raise WorkspaceError(f"project name {name!r} resolves outside the workspace")
        return p

    def exists(self, name: str) -> bool:
        return self.path_for(name).is_file()

    def list(self) -> list[ProjectEntry]:
        """Projects sorted by name (case-insensitive)."""
        out = []
        for p in self.root.glob(f"*{SUFFIX}"):
            if p.name.startswith(".") or not p.is_file():
                continue
            st = p.stat()
            out.append(ProjectEntry(p.stem, p, st.st_mtime, st.st_size,
                                    ProjectDocument.find_recovery(p) is not None))
        return sorted(out, key=lambda e: e.name.casefold())

    def create(self, name: str, balls: int = 3, duration_ms: int = 60_000, refresh_rate: int = 100,
               default_pixels: int = 4) -> ProjectDocument:
        """Create and save a new project; refuses a name already in use."""
        path = self.path_for(name)
        if path.exists():
            raise WorkspaceError(f"a project named {path.stem!r} already exists")
        doc = ProjectDocument.new(path.stem, balls, duration_ms, refresh_rate, default_pixels, path=path)
        doc.save()
        return doc

    def open(self, name: str) -> ProjectDocument:
        path = self.path_for(name)
        if not path.is_file():
            raise WorkspaceError(f"no project named {path.stem!r} in {self.root}")
        return ProjectDocument.open(path)

    def rename(self, old: str, new: str) -> Path:
        """Rename the file (and its backup/recovery) and the project inside them."""
        src, dst = self.path_for(old), self.path_for(new)
        if not src.is_file():
            raise WorkspaceError(f"no project named {src.stem!r}")
        same_file = src.resolve() == dst.resolve()
        if dst.exists() and not same_file:
            raise WorkspaceError(f"a project named {dst.stem!r} already exists")
        doc = ProjectDocument.open(src)
        if doc.project.name != dst.stem:
            doc.editor.set_project_props(name=dst.stem)
        atomic_write_bytes(dst, doc.to_bytes(), backup=backup_path_for(dst) if same_file else None)
        if recovery_path_for(src).exists():  # unsaved edits follow the project, renamed too
            rec = ProjectDocument.recover(src)
            if rec.project.name != dst.stem:
                rec.editor.set_project_props(name=dst.stem)
            atomic_write_bytes(recovery_path_for(dst), rec.to_bytes())
            if not same_file:
                recovery_path_for(src).unlink()
        if not same_file:
            if backup_path_for(src).exists():
                os.replace(backup_path_for(src), backup_path_for(dst))
            src.unlink()
        return dst

    def delete(self, name: str) -> Path:
        """Move the project (and its backup/recovery files) to ``.trash``; returns where it went."""
        src = self.path_for(name)
        if not src.is_file():
            raise WorkspaceError(f"no project named {src.stem!r}")
        trash = self.root / ".trash"
        trash.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dst = trash / f"{src.stem}-{stamp}{SUFFIX}"
        n = 1
        while dst.exists():
            n += 1
            dst = trash / f"{src.stem}-{stamp}-{n}{SUFFIX}"
        os.replace(src, dst)
        for a, b in ((backup_path_for(src), backup_path_for(dst)), (recovery_path_for(src), recovery_path_for(dst))):
            with contextlib.suppress(OSError):
                os.replace(a, b)
        return dst
