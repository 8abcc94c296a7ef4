"""Receiving uploaded files safely: size limit while streaming, type check, content-addressed storage."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import UploadFile

from .errors import ApiError

CHUNK = 1 << 20


async def receive_to_temp(upload: UploadFile, folder: Path, max_bytes: int, suffix: str = "") -> tuple[Path, str, int]:
    """Stream an upload into a temp file in ``folder``; returns (path, sha256, size). 413 past the limit."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=suffix, dir=folder)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as f:
            while True:
                chunk = await upload.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise ApiError(413, f"file is larger than the {max_bytes // (1024 * 1024)} MB upload limit")
                digest.update(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if size == 0:
        Path(tmp).unlink(missing_ok=True)
        raise ApiError(400, "the uploaded file is empty")
    return Path(tmp), digest.hexdigest(), size


def safe_suffix(filename: str | None, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    """The lower-case extension of ``filename`` if allowed, else 415 naming the allowed ones."""
    name = (filename or "").lower()
    for ext in sorted(allowed, key=len, reverse=True):
        if name.endswith(ext):
            return ext
    raise ApiError(415, f"{what} must be one of: {', '.join(sorted(allowed))} (got {filename!r})")


def inside(path: Path, *roots: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies inside one of ``roots``."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    for root in roots:
        try:
            real.relative_to(root.resolve())
            return True
        except ValueError:
            continue
    return False
