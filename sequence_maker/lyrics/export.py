"""Writers: .lrc (line timing, enhanced word tags when words are timed) and xLights .xtiming."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model.lyrics import Lyrics
from .errors import LyricsError


def _clock(ms: int) -> str:
    m, rem = divmod(ms, 60000)
    return f"{m:02d}:{rem // 1000:02d}.{(rem % 1000) // 10:02d}"


def to_lrc(lyrics: Lyrics, word_tags: bool = False) -> str:
    """Lines as ``[mm:ss.xx] text``; if there are no lines, one line per word."""
    out = []
    if lyrics.title:
        out.append(f"[ti:{lyrics.title}]")
    if lyrics.artist:
        out.append(f"[ar:{lyrics.artist}]")
    if lyrics.lines:
        for ln in lyrics.lines:
            body = ln.text
            if word_tags:
                end = ln.end_ms if ln.end_ms is not None else 1 << 62
                ws = [w for w in lyrics.words if ln.start_ms <= w.start_ms < end]
                if ws:
                    body = " ".join(f"<{_clock(w.start_ms)}>{w.text}" for w in ws)
            out.append(f"[{_clock(ln.start_ms)}]{body}")
    elif lyrics.words:
        out.extend(f"[{_clock(w.start_ms)}]{w.text}" for w in lyrics.words)
    else:
        raise LyricsError("these lyrics have no timing to export (import timed lyrics or time them first)")
    return "\n".join(out) + "\n"


def to_xtiming(lyrics: Lyrics, name: str = "Lyrics") -> str:
    """xLights timing track: layer 1 phrases (lines, or one phrase per word), layer 2 words."""
    if not lyrics.lines and not lyrics.words:
        raise LyricsError("these lyrics have no timing to export")
    root = ET.Element("timings")
    timing = ET.SubElement(root, "timing", name=name or "Lyrics", SourceVersion="sequence-maker")
    phrases = ET.SubElement(timing, "EffectLayer")
    for i, ln in enumerate(lyrics.lines):
        end = ln.end_ms
        if end is None:
            if i + 1 < len(lyrics.lines):
                end = lyrics.lines[i + 1].start_ms
            else:
                end = max((w.end_ms for w in lyrics.words if w.start_ms >= ln.start_ms), default=ln.start_ms + 2000)
        ET.SubElement(phrases, "Effect", label=ln.text, starttime=str(ln.start_ms), endtime=str(end))
    if not lyrics.lines:
        for w in lyrics.words:
            ET.SubElement(phrases, "Effect", label=w.text, starttime=str(w.start_ms), endtime=str(w.end_ms))
    words = ET.SubElement(timing, "EffectLayer")
    for w in lyrics.words:
        ET.SubElement(words, "Effect", label=w.text, starttime=str(w.start_ms), endtime=str(w.end_ms))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
