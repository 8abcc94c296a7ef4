"""Crash-safe writing of one or several files: temp file + fsync + rename, all or nothing.

A multi-file export first writes every file to a temp name, then renames them in place; if any
step fails, the files already replaced are put back, so a reader sees the old set or the new set.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..storage.atomic import fsync_dir


def _stage(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; exported files are meant to be shared
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def write_files_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every ``(path, data)`` or none of them (previous contents restored on failure)."""
    staged: list[tuple[Path, Path]] = []
    replaced: list[tuple[Path, Path | None]] = []  # (target, backup of its old content or None)
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((path, _stage(path, data)))
        for path, tmp in staged:
            backup = None
            if path.exists():
                fd, bname = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
                os.close(fd)
                backup = Path(bname)
                os.replace(path, backup)
            replaced.append((path, backup))
            os.replace(tmp, path)
    except BaseException:
        for path, backup in reversed(replaced):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, path)
                elif path.exists():
                    path.unlink()
        for _path, tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    for _path, backup in replaced:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()
    for folder in {p.parent for p, _ in files}:
        fsync_dir(folder)


def write_file_atomically(path: str | Path, data: bytes) -> None:
    write_files_atomically([(Path(path), data)])
