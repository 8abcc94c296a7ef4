"""On-disk cache of analyses, keyed by audio content hash + analysis version.

Re-opening a song (even renamed or moved) costs one sha256 pass and a JSON read. The directory
is the platform user cache dir (``platformdirs``) unless ``SEQMAKER_CACHE_DIR`` overrides it
(tests point it at a tmp dir). Files are written to a temp file, fsynced and renamed, so a
crash never leaves a half-written entry; a corrupt entry is ignored and recomputed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .peaks import PeakPyramid

#: Bump when the analysis output changes meaning: old entries are then recomputed, not reused.
ANALYSIS_VERSION = 2


def cache_dir() -> Path:
    """Where analyses live: ``$SEQMAKER_CACHE_DIR/audio`` or the user cache dir."""
    env = os.environ.get("SEQMAKER_CACHE_DIR")
    if env:
        return Path(env) / "audio"
    import platformdirs

    return Path(platformdirs.user_cache_dir("sequence-maker", appauthor=False)) / "audio"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via temp file + fsync + rename (all or nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AnalysisCache:
    """Analysis JSON and peak pyramids by content hash."""

    def __init__(self, root: Path | None = None, version: int = ANALYSIS_VERSION) -> None:
        self.root = root or cache_dir()
        self.version = version

    def _json_path(self, key: str, backend: str = "dsp") -> Path:
        suffix = (
            "" if backend == "dsp" else "." + "".join(c if c.isalnum() or c in "-_" else "_" for c in backend)
        )
        return self.root / f"{key}.v{self.version}{suffix}.json"

    def _peaks_path(self, key: str) -> Path:
        return self.root / f"{key}.peaks.npz"

    def load(self, key: str, backend: str = "dsp") -> dict | None:
        p = self._json_path(key, backend)
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, key: str, data: dict, backend: str = "dsp") -> None:
        atomic_write_bytes(
            self._json_path(key, backend), json.dumps(data, separators=(",", ":")).encode("utf-8")
        )

    def load_peaks(self, key: str) -> PeakPyramid | None:
        from .peaks import PeakPyramid

        p = self._peaks_path(key)
        if not p.exists():
            return None
        try:
            return PeakPyramid.load(p)
        except (OSError, ValueError, KeyError):
            return None

    def save_peaks(self, key: str, pyramid: PeakPyramid) -> None:
        pyramid.save(self._peaks_path(key))
