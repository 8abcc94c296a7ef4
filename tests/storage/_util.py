"""Helpers shared by storage tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file (incl. hidden ones) in a folder with its bytes: proves nothing was written."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
