"""``.ball.json``: one ball's timeline in seconds (ltx-formats.md §2.5).

Format: ``{"metadata": {name, default_pixels, refresh_rate, total_duration, audio_file},
"segments": [{start_time, end_time, color, pixels}]}``. The earlier format has solids only; fades
are written with an extra ``end_color`` (older readers see the start colour, ours reads the fade
back) and effects are rendered into plain segments first, so nothing is silently lost.
"""

from __future__ import annotations

import math
from typing import Any

from sequence_maker.model.ball import Ball
from sequence_maker.model.color import Color, parse_color
from sequence_maker.model.effects import render
from sequence_maker.model.errors import ModelError
from sequence_maker.model.project import VALID_REFRESH_RATES, AudioRef, Project
from sequence_maker.model.segment import Fade, Segment, Solid
from sequence_maker.model.timeutil import ms_to_seconds, seconds_to_ms

from .errors import FormatError


def _seconds(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(f"expected a number of seconds, got {value!r}", field=field)
    if value < 0:
        raise FormatError(f"time {value} s is negative", field=field)
    return seconds_to_ms(float(value))


def _color(value: Any, field: str) -> Color:
    try:
        return parse_color(value)
    except ModelError as e:
        raise FormatError(str(e), field=field) from None


def parse_ball_json(doc: Any, name_hint: str = "Ball", warnings: list[str] | None = None) -> Project:
    """A ``.ball.json`` document → one-ball project (FormatError names the bad field)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict) or not isinstance(doc.get("segments"), list):
        raise FormatError("a .ball.json needs a 'metadata' object and a 'segments' list")
    meta = doc["metadata"]
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name").strip() else name_hint
    px = meta.get("default_pixels", 4)
    if isinstance(px, bool) or not isinstance(px, int) or not 1 <= px <= 4:
        raise FormatError(f"must be an integer 1–4, got {px!r}", field="metadata.default_pixels")
    rate = meta.get("refresh_rate", 100)
    if rate not in VALID_REFRESH_RATES:
        if warnings is not None:
            warnings.append(f"metadata.refresh_rate {rate!r} is not a divisor of 1000; using 100")
        rate = 100
    segs: list[Segment] = []
    for i, s in enumerate(doc["segments"]):
        f = f"segments[{i}]"
        if not isinstance(s, dict):
            raise FormatError("expected an object", field=f)
        for key in ("start_time", "end_time", "color"):
            if key not in s:
                raise FormatError(f"missing {key!r}", field=f)
        a, b = _seconds(s["start_time"], f"{f}.start_time"), _seconds(s["end_time"], f"{f}.end_time")
        if b <= a:
            raise FormatError(f"end_time {s['end_time']} is not after start_time {s['start_time']}", field=f)
        spx = s.get("pixels", px)
        if isinstance(spx, bool) or not isinstance(spx, int) or not 1 <= spx <= 4:
            raise FormatError(f"pixels must be 1–4, got {spx!r}", field=f"{f}.pixels")
        c = _color(s["color"], f"{f}.color")
        kind = Fade(c, _color(s["end_color"], f"{f}.end_color")) if "end_color" in s else Solid(c)
        segs.append(Segment(a, b, kind, spx))
    segs.sort(key=lambda x: x.start_ms)
    end = max([x.end_ms for x in segs], default=0)
    total = meta.get("total_duration")
    duration = _seconds(total, "metadata.total_duration") if total is not None else end
    if duration < end:
        raise FormatError(f"total_duration {total} s is before the last segment end {ms_to_seconds(end)} s",
                          field="metadata.total_duration")
    try:
        ball = Ball(name, px, segs)
        audio = AudioRef(meta["audio_file"]) if isinstance(meta.get("audio_file"), str) and meta["audio_file"] else None
        return Project(name, max(duration, 1), [ball], refresh_rate=rate, audio=audio)
    except ModelError as e:
        raise FormatError(str(e), field="segments") from None


def ball_to_ball_json(project: Project, ball_index: int) -> dict[str, Any]:
    """One ball of a project as a ``.ball.json`` dict (effects rendered at the project's rate)."""
    ball = project.ball(ball_index)
    segments: list[dict[str, Any]] = []
    for seg in ball.segment_list():
        for piece in render(seg, project.tick_ms):
            item: dict[str, Any] = {"start_time": ms_to_seconds(piece.start_ms), "end_time": ms_to_seconds(piece.end_ms)}
            if isinstance(piece.kind, Fade):
                item["color"] = list(piece.kind.start)
                item["end_color"] = list(piece.kind.end)
            else:
                item["color"] = list(piece.kind.color)
            item["pixels"] = piece.pixels
            segments.append(item)
    meta = {"name": ball.name, "default_pixels": ball.default_pixels, "refresh_rate": project.refresh_rate,
            "total_duration": ms_to_seconds(project.duration_ms),
            "audio_file": project.audio.path if project.audio else None}
    return {"metadata": meta, "segments": segments}
