"""PRG-JSON (``*.prg.json``), the earlier tools' input to their ``.prg`` generator (ltx-formats.md §2.2).

Reading replicates the earlier generator's semantics (keys rounded with Python's banker's
``round``, sorted; a segment lasts until the next key or ``end_time``; zero-length segments are
dropped), except that the output keeps the file's ``refresh_rate`` — what the conformance vectors
require. Bad input raises :class:`FormatError` naming the key and the problem.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sequence_maker.model.color import hsv_to_color
from sequence_maker.model.errors import ModelError

from .errors import FormatError
from .timeline import BLACK, RGB, TickSegment, TickTimeline

MAX_PIXELS = 4


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(f"expected a finite number, got {value!r}", field=field)
    return float(value)


def _color(value: Any, fmt: str, field: str) -> RGB:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise FormatError(f"colour must be a list of 3 numbers, got {value!r}", field=field)
    if fmt == "rgb":
        out = []
        for ch in value:
            if isinstance(ch, float) and ch.is_integer():
                ch = int(ch)
            if isinstance(ch, bool) or not isinstance(ch, int) or not 0 <= ch <= 255:
                raise FormatError(f"RGB channels must be integers 0–255, got {list(value)!r}", field=field)
            out.append(ch)
        return (out[0], out[1], out[2])
    try:
        c = hsv_to_color(*(_number(v, field) for v in value))
    except ModelError as e:
        raise FormatError(str(e), field=field) from None
    return (c.r, c.g, c.b)


def parse_prg_json(doc: Any, source: str | None = None, warnings: list[str] | None = None) -> TickTimeline:
    """A PRG-JSON document (already ``json.load``-ed) → tick timeline. ``warnings`` collects
    non-fatal fixes (invalid per-segment pixels replaced by the default)."""
    try:
        return _parse(doc, warnings if warnings is not None else [])
    except FormatError as e:
        raise e.with_source(source) if source else e from None


def _parse(doc: Any, warnings: list[str]) -> TickTimeline:
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object, got {type(doc).__name__}")
    pixels = doc.get("default_pixels", 1)
    if isinstance(pixels, bool) or not isinstance(pixels, int) or not 1 <= pixels <= MAX_PIXELS:
        raise FormatError(f"must be an integer 1–{MAX_PIXELS}, got {pixels!r}", field="default_pixels")
    fmt_raw = doc.get("color_format", "rgb")
    fmt = fmt_raw.lower() if isinstance(fmt_raw, str) else fmt_raw
    if fmt not in ("rgb", "hsv"):
        raise FormatError(f"unknown colour format {fmt_raw!r}; use 'rgb' or 'hsv'", field="color_format")
    rate = doc.get("refresh_rate", 1)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 0xFFFF:
        raise FormatError(f"must be an integer 1–65535 ticks per second, got {rate!r}", field="refresh_rate")
    seq = doc.get("sequence")
    if not isinstance(seq, dict):
        raise FormatError("missing or not an object", field="sequence")
    starts: dict[int, tuple[str, Any]] = {}
    for key, entry in seq.items():
        field = f"sequence[{key!r}]"
        try:
            t = float(key)
        except ValueError:
            raise FormatError("key is not a number of time units", field=field) from None
        if not math.isfinite(t) or t < 0:
            raise FormatError(f"start time {key} must be a finite number ≥ 0", field=field)
        tick = round(t)  # banker's rounding, as the earlier generator
        if tick in starts:
            raise FormatError(f"rounds to tick {tick}, the same start as key {starts[tick][0]!r}", field=field)
        starts[tick] = (key, entry)
    order = sorted(starts)
    if "end_time" in doc and doc["end_time"] is not None:
        end_f = _number(doc["end_time"], "end_time")
        if end_f < 0:
            raise FormatError(f"must be ≥ 0, got {doc['end_time']!r}", field="end_time")
        end = round(end_f)
        if order and end < order[-1]:
            raise FormatError(f"end_time {doc['end_time']} is before the last segment start {order[-1]}",
                              field="end_time")
    else:
        end = (order[-1] + rate) if order else 0
    segments: list[TickSegment] = []
    for i, tick in enumerate(order):
        key, entry = starts[tick]
        field = f"sequence[{key!r}]"
        nxt = order[i + 1] if i + 1 < len(order) else end
        seg = _segment(entry, fmt, pixels, tick, nxt, field, warnings)
        if seg is not None:
            segments.append(seg)
    return TickTimeline(rate, pixels, end, segments)


def _segment(entry: Any, fmt: str, default_pixels: int, start: int, end: int, field: str,
             warnings: list[str]) -> TickSegment | None:
    if not isinstance(entry, dict):
        raise FormatError(f"expected an object with 'color' or 'start_color'/'end_color', got {entry!r}",
                          field=field)
    if "color" in entry:
        color, end_color = _color(entry["color"], fmt, f"{field}.color"), None
    elif "start_color" in entry and "end_color" in entry:
        color = _color(entry["start_color"], fmt, f"{field}.start_color")
        end_color = _color(entry["end_color"], fmt, f"{field}.end_color")
    else:
        raise FormatError("needs 'color' (solid) or both 'start_color' and 'end_color' (fade)", field=field)
    px = entry.get("pixels", default_pixels)
    if isinstance(px, bool) or not isinstance(px, int) or not 1 <= px <= MAX_PIXELS:
        warnings.append(f"{field}: pixels {px!r} is not 1–{MAX_PIXELS}; using the default {default_pixels}")
        px = default_pixels
    if end <= start:
        return None  # zero-length (e.g. the trailing black entry at end_time): dropped, as upstream
    return TickSegment(start, end, color, end_color, px)


def read_prg_json(path: str | Path, warnings: list[str] | None = None) -> TickTimeline:
    """Read a ``*.prg.json`` file (FormatError names the file on any problem)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise FormatError(f"cannot read: {e}", source=str(path)) from None
    except json.JSONDecodeError as e:
        raise FormatError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}", source=str(path)) from None
    tl = parse_prg_json(doc, str(path), warnings)
    tl.name = path.name.removesuffix(".json").removesuffix(".prg")
    return tl


def timeline_to_prg_json(tl: TickTimeline) -> dict[str, Any]:
    """Tick timeline → PRG-JSON dict (gaps written as explicit black; keys are ticks at its rate)."""
    seq: dict[str, Any] = {}
    for s in tl.filled():
        if s.end_color is None:
            seq[str(s.start)] = {"color": list(s.color), "pixels": s.pixels}
        else:
            seq[str(s.start)] = {"start_color": list(s.color), "end_color": list(s.end_color), "pixels": s.pixels}
    return {"default_pixels": tl.default_pixels, "color_format": "rgb", "refresh_rate": tl.refresh_rate,
            "end_time": tl.end, "sequence": seq}


__all__ = ["BLACK", "parse_prg_json", "read_prg_json", "timeline_to_prg_json"]
