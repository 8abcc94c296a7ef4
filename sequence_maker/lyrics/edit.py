"""Pure word-timing edits (drag a word's start/end, split, merge). Each returns new ``Lyrics``;
``ProjectEditor.set_lyrics`` makes the change undoable. Words may touch but never overlap."""

from __future__ import annotations

from dataclasses import replace

from ..model.lyrics import Lyrics, LyricWord
from .errors import LyricsError


def _check_index(lyrics: Lyrics, index: int) -> LyricWord:
    if not 0 <= index < len(lyrics.words):
        raise LyricsError(f"no word #{index + 1}; the lyrics have {len(lyrics.words)} timed words")
    return lyrics.words[index]


def _with_words(lyrics: Lyrics, words: list[LyricWord]) -> Lyrics:
    for a, b in zip(words, words[1:], strict=False):
        if b.start_ms < a.end_ms:
            raise LyricsError(f"word {b.text!r} at {b.start_ms} ms would overlap {a.text!r} (ends {a.end_ms} ms)")
    return replace(lyrics, words=tuple(words))


def set_word_timing(lyrics: Lyrics, index: int, start_ms: int | None = None, end_ms: int | None = None) -> Lyrics:
    """Move a word's start and/or end (neighbours are not pushed: overlaps are refused)."""
    w = _check_index(lyrics, index)
    s = w.start_ms if start_ms is None else start_ms
    e = w.end_ms if end_ms is None else end_ms
    if s < 0 or e <= s:
        raise LyricsError(f"word {w.text!r}: end ({e} ms) must be after start ({s} ms) and start ≥ 0")
    words = list(lyrics.words)
    words[index] = LyricWord(w.text, s, e)
    words.sort(key=lambda x: x.start_ms)
    return _with_words(lyrics, words)


def split_word(lyrics: Lyrics, index: int, at_ms: int, texts: tuple[str, str] | None = None) -> Lyrics:
    """Split a word at ``at_ms`` into two (texts default: split the text at its middle)."""
    w = _check_index(lyrics, index)
    if not w.start_ms < at_ms < w.end_ms:
        raise LyricsError(f"split point {at_ms} ms must be inside the word {w.text!r} ({w.start_ms}–{w.end_ms} ms)")
    if texts is None:
        mid = max(1, len(w.text) // 2)
        texts = (w.text[:mid], w.text[mid:] or w.text)
    if not all(t.strip() for t in texts):
        raise LyricsError("both parts of a split word need text")
    words = list(lyrics.words)
    words[index: index + 1] = [LyricWord(texts[0], w.start_ms, at_ms), LyricWord(texts[1], at_ms, w.end_ms)]
    return _with_words(lyrics, words)


def merge_words(lyrics: Lyrics, index: int) -> Lyrics:
    """Merge word ``index`` with the next one (text joined with a space, span covers both)."""
    a = _check_index(lyrics, index)
    if index + 1 >= len(lyrics.words):
        raise LyricsError(f"word {a.text!r} is the last word; there is nothing to merge it with")
    b = lyrics.words[index + 1]
    words = list(lyrics.words)
    words[index: index + 2] = [LyricWord(f"{a.text} {b.text}", a.start_ms, max(a.end_ms, b.end_ms))]
    return _with_words(lyrics, words)
