"""Timed lyrics: words and lines in integer milliseconds (a snap grid and assistant context)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from .errors import ModelError


@dataclass(frozen=True, slots=True)
class LyricWord:
    text: str
    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ModelError(f"lyric word {self.text!r}: bad timing {self.start_ms}–{self.end_ms} ms")


@dataclass(frozen=True, slots=True)
class LyricLine:
    text: str
    start_ms: int
    end_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Lyrics:
    """Words (sorted by start) and optional lines; ``text`` keeps the raw lyrics as imported."""

    words: tuple[LyricWord, ...] = ()
    lines: tuple[LyricLine, ...] = ()
    text: str = ""
    title: str = ""
    artist: str = ""
    extras: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        starts = [w.start_ms for w in self.words]
        if starts != sorted(starts):
            raise ModelError("lyric words must be sorted by start time")

    def words_in(self, start_ms: int, end_ms: int) -> tuple[LyricWord, ...]:
        starts = [w.start_ms for w in self.words]
        return self.words[bisect_left(starts, start_ms) : bisect_left(starts, end_ms)]

    def find(self, word: str) -> tuple[LyricWord, ...]:
        """Every occurrence of a word (case- and punctuation-insensitive)."""
        key = _norm(word)
        return tuple(w for w in self.words if _norm(w.text) == key)


def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum() or ch == "'")
