"""Word-level alignment of user-provided lyrics to audio: an interface only.

Not implemented in this release. An aligner must run offline from a package (no model downloads
at run time) and be measured on espeak-ng speech at known offsets (median error ≤ 80 ms) before
it ships. Until then, users import timed lyrics (.lrc, synced JSON, .xtiming) or time words by
hand in the studio (drag/split/merge, all undoable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..model.lyrics import Lyrics


class LyricsAligner(Protocol):
    """Times the words of ``text`` against the audio at ``audio_path``."""

    def align(self, audio_path: Path, text: str) -> Lyrics: ...


def available_aligners() -> dict[str, LyricsAligner]:
    """Registered aligners (none ship yet; see the module docstring)."""
    return {}
