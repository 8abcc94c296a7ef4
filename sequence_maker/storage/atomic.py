"""Crash-safe file writing: temp file in the same folder, fsync, rename, fsync the folder.

A reader (or a crash at any instant) sees either the old file or the complete new one, never a
mix; the previous version can be kept as a backup.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import shutil
import tempfile
import time
from pathlib import Path

#: A temp file this old next to its target was left by a killed writer (no real write takes this long).
STALE_TEMP_AGE_S = 600.0


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes, backup: str | Path | None = None) -> None:
    """Write ``data`` to ``path`` atomically; if ``backup`` is given and ``path`` exists, the
    previous content is first copied there (also atomically).

    On any failure the original file is untouched and the temp file is removed.
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            with contextlib.suppress(OSError):  # keep the file's permissions
                shutil.copymode(path, tmp)
            if backup is not None:
                _copy_atomic(path, Path(backup))
        else:  # mkstemp makes 0600 files; a new project gets the usual umask-based mode
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(folder)
    remove_stale_temps(path)


def remove_stale_temps(path: Path, max_age_s: float = STALE_TEMP_AGE_S) -> int:
    """Delete the temp files a killed writer left next to ``path`` (and its backup); only old ones,
    so a write still in progress in another process is never touched. Returns how many went."""
    cutoff = time.time() - max_age_s
    removed = 0
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
    return removed


@functools.cache
def _umask() -> int:
    """The process umask, read once (reading it means setting it, which is not thread-safe)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy_atomic(src: Path, dst: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
