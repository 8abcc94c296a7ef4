"""Upgrades of our .smproj JSON between format versions.

``MIGRATIONS[n]`` turns a version-n document into a version n+1 document (pure dict → dict).
Only version 1 exists today; the registry is here so that the next schema change is one function
plus one test, and old files keep opening.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ProjectFileError

FORMAT_VERSION = 1
Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[int, Migration] = {}


def migrate(data: dict[str, Any], file: Path | None, registry: dict[int, Migration] | None = None,
            current: int = FORMAT_VERSION) -> dict[str, Any]:
    """Bring ``data`` up to ``current``; refuse versions newer than we know or with no migration."""
    registry = MIGRATIONS if registry is None else registry
    version = data.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectFileError(file, "format_version", f"expected an integer version, got {version!r}")
    if version > current:
        raise ProjectFileError(
            file, "format_version",
            f"written by a newer Sequence Maker (format_version {version}; this version reads up to "
            f"{current}); update seqmaker to open it",
        )
    while version < current:
        step = registry.get(version)
        if step is None:
            raise ProjectFileError(file, "format_version",
                                   f"format_version {version} is not supported (no upgrade path to {current})")
        data = step(dict(data))
        version += 1
        data["format_version"] = version
    return data
