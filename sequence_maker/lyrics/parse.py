"""Readers for the lyric formats users bring: plain text, .lrc, the earlier app's synced-lyrics
JSON (``word_timestamps``) and xLights ``.xtiming`` phrase/word tracks."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..model.errors import ModelError
from ..model.lyrics import LyricLine, Lyrics, LyricWord
from ..model.timeutil import seconds_to_ms
from .errors import LyricsError

_LRC_TIME = re.compile(r"\[(\d{1,3}):(\d{1,2}(?:[.:]\d{1,3})?)\]")
_LRC_WORD = re.compile(r"<(\d{1,3}):(\d{1,2}(?:[.:]\d{1,3})?)>")
_LRC_TAG = re.compile(r"^\[(ar|ti|al|by|offset|length|re|ve|au):(.*)\]\s*$", re.I)
MAX_BYTES = 5 * 1024 * 1024


def _clock_ms(mm: str, ss: str) -> int:
    return seconds_to_ms(int(mm) * 60 + float(ss.replace(":", ".")))


def parse_plain(text: str) -> Lyrics:
    """Untimed lyrics: kept as text (lines) so they can be aligned or timed later."""
    lines = tuple(LyricLine(ln.strip(), 0, None) for ln in text.splitlines() if ln.strip())
    return Lyrics(words=(), lines=(), text=text.strip(), extras={"untimed_lines": [ln.text for ln in lines]})


def parse_lrc(text: str, source: str = "lyrics.lrc") -> Lyrics:
    """LRC line timing (``[mm:ss.xx] text``), with optional enhanced word tags ``<mm:ss.xx>``.

    Line ends are the next line's start; words from enhanced tags end at the next word/line.
    """
    timed: list[tuple[int, str]] = []
    offset = 0
    meta: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        tag = _LRC_TAG.match(line)
        if tag:
            key, val = tag.group(1).lower(), tag.group(2).strip()
            if key == "offset":
                try:
                    offset = int(val)
                except ValueError:
                    raise LyricsError(f"{source}:{n}: offset {val!r} is not an integer (ms)") from None
            else:
                meta[key] = val
            continue
        stamps = list(_LRC_TIME.finditer(line))
        if not stamps or stamps[0].start() != 0:
            raise LyricsError(f"{source}:{n}: expected a [mm:ss.xx] time tag at the start of {raw!r}")
        body = line[stamps[-1].end():].strip()
        for m in stamps:
            timed.append((_clock_ms(m.group(1), m.group(2)) - offset, body))
    if not timed:
        raise LyricsError(f"{source}: no timed lines found (is this an .lrc file?)")
    timed.sort(key=lambda x: x[0])
    if timed[0][0] < 0:
        raise LyricsError(f"{source}: the offset makes the first line start before 0")
    lines: list[LyricLine] = []
    words: list[LyricWord] = []
    for i, (start, body) in enumerate(timed):
        end = timed[i + 1][0] if i + 1 < len(timed) else None
        plain = _LRC_WORD.sub("", body).strip()
        lines.append(LyricLine(plain, start, end))
        marks = list(_LRC_WORD.finditer(body))
        for j, m in enumerate(marks):
            w_text = body[m.end(): marks[j + 1].start() if j + 1 < len(marks) else len(body)].strip()
            if not w_text:
                continue
            w_start = _clock_ms(m.group(1), m.group(2)) - offset
            nxt = _clock_ms(marks[j + 1].group(1), marks[j + 1].group(2)) - offset if j + 1 < len(marks) else end
            words.append(LyricWord(w_text, w_start, max(w_start, nxt if nxt is not None else w_start + 500)))
    words.sort(key=lambda w: w.start_ms)
    return Lyrics(tuple(words), tuple(lines), "\n".join(ln.text for ln in lines),
                  title=meta.get("ti", ""), artist=meta.get("ar", ""))


def parse_synced_json(data: Any, source: str = "lyrics.json") -> Lyrics:
    """The earlier app's synced lyrics: ``{"word_timestamps": [{"word", "start", "end"}], …}``
    (seconds). Also accepts Gentle's ``{"words": [{"alignedWord"|"word", "start", "end"}]}``."""
    if not isinstance(data, dict):
        raise LyricsError(f"{source}: expected a JSON object")
    items = data.get("word_timestamps")
    gentle = False
    if items is None and isinstance(data.get("words"), list):
        items, gentle = data["words"], True
    if not isinstance(items, list):
        raise LyricsError(f"{source}: missing 'word_timestamps' list")
    words = []
    for i, w in enumerate(items):
        where = f"{source}: word_timestamps[{i}]"
        if not isinstance(w, dict):
            raise LyricsError(f"{where}: expected an object")
        if gentle and ("start" not in w or "end" not in w):
            continue  # Gentle: word not found in audio
        text = w.get("alignedWord") if gentle and w.get("alignedWord") else w.get("word")
        if not isinstance(text, str):
            raise LyricsError(f"{where}: 'word' must be a string")
        try:
            start, end = seconds_to_ms(w["start"]), seconds_to_ms(w["end"])
        except KeyError as e:
            raise LyricsError(f"{where}: missing {e.args[0]!r}") from None
        except ModelError as e:
            raise LyricsError(f"{where}: {e}") from None
        if start < 0 or end < start:
            raise LyricsError(f"{where}: bad timing start={w['start']} end={w['end']}")
        words.append(LyricWord(text, start, end))
    words.sort(key=lambda w: w.start_ms)
    keep = {k: v for k, v in data.items() if k not in ("word_timestamps", "words", "raw_lyrics", "lyrics_text")}
    return Lyrics(tuple(words), (), str(data.get("raw_lyrics") or data.get("lyrics_text") or ""),
                  title=str(data.get("song_title") or data.get("song_name") or ""),
                  artist=str(data.get("artist_name") or ""), extras=keep)


def parse_xtiming(text: str, source: str = "lyrics.xtiming") -> Lyrics:
    """xLights timing track: first EffectLayer = phrases (lines), second = words (ms)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise LyricsError(f"{source}: not valid XML ({e})") from None
    timing = root if root.tag == "timing" else root.find("timing")
    if timing is None:
        raise LyricsError(f"{source}: no <timing> element (is this an xLights .xtiming file?)")
    layers = timing.findall("EffectLayer")
    if not layers:
        raise LyricsError(f"{source}: the timing track has no EffectLayer")

    def effects(layer: ET.Element, li: int) -> list[tuple[str, int, int]]:
        out = []
        for k, e in enumerate(layer.findall("Effect")):
            try:
                s, t = int(e.get("starttime", "")), int(e.get("endtime", ""))
            except ValueError:
                raise LyricsError(f"{source}: layer {li + 1} effect {k + 1}: starttime/endtime must be integers (ms)") from None
            if s < 0 or t < s:
                raise LyricsError(f"{source}: layer {li + 1} effect {k + 1}: bad timing {s}–{t} ms")
            out.append((e.get("label", ""), s, t))
        return sorted(out, key=lambda x: x[1])

    phrases = effects(layers[0], 0)
    word_fx = effects(layers[1], 1) if len(layers) > 1 else []
    lines = tuple(LyricLine(lbl, s, t) for lbl, s, t in phrases)
    words = tuple(LyricWord(lbl, s, t) for lbl, s, t in word_fx if lbl.strip())
    return Lyrics(words, lines, "\n".join(ln.text for ln in lines), title=timing.get("name", ""))


def load_lyrics(path: str | Path) -> Lyrics:
    """Read a lyrics file, choosing the reader by extension (and content for .json/.txt)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise LyricsError(f"{p}: file is larger than {MAX_BYTES // 1024 // 1024} MB; not a lyrics file?")
        raw = p.read_bytes()
    except OSError as e:
        raise LyricsError(f"{p}: cannot read ({e.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LyricsError(f"{p}: not UTF-8 text") from None
    name = p.name.lower()
    if name.endswith(".lrc"):
        return parse_lrc(text, str(p))
    if name.endswith(".xtiming") or name.endswith(".xml"):
        return parse_xtiming(text, str(p))
    if name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise LyricsError(f"{p}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
        return parse_synced_json(data, str(p))
    if _LRC_TIME.match(text.lstrip()):
        return parse_lrc(text, str(p))
    return parse_plain(text)
