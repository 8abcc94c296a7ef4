"""Locate the shared LTX conformance vectors: ``$SEQMAKER_LTX_VECTORS`` or ``<repo>/../shared/ltx_vectors``."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def vectors_dir() -> Path:
    env = os.environ.get("SEQMAKER_LTX_VECTORS")
    return Path(env) if env else REPO.parent / "shared" / "ltx_vectors"


def load_cases() -> list[dict]:
    """Manifest cases (empty list if the vectors are missing; the tests then fail loudly)."""
    manifest = vectors_dir() / "manifest.json"
    if not manifest.is_file():
        return []
    return json.loads(manifest.read_text(encoding="utf-8"))["cases"]
