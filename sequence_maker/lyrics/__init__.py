"""Timed lyrics: import (plain, LRC, synced JSON, xLights .xtiming), export (LRC, .xtiming) and
pure word-timing edits. Results are model ``Lyrics`` values; the editor makes them undoable."""

from .errors import LyricsError
from .export import to_lrc, to_xtiming
from .parse import load_lyrics, parse_lrc, parse_plain, parse_synced_json, parse_xtiming

__all__ = ["LyricsError", "to_lrc", "to_xtiming", "load_lyrics", "parse_lrc", "parse_plain",
           "parse_synced_json", "parse_xtiming"]
