"""Reading the earlier Sequence Maker app's .smproj (seconds, ``timelines``, camelCase).

Everything we map becomes model data (times → integer ms); everything we do not use is kept
verbatim in ``project.extras["earlier_app"]`` (and the chat in ``project.extras["chat_history"]``)
so it is written back into our file. Overlapping or out-of-range segments are errors that name
the timeline and segment index: nothing is silently dropped or clamped.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..model import Ball, Color, Lyrics, LyricWord, Project, seconds_to_ms
from ..model.errors import ModelError
from ..model.project import VALID_REFRESH_RATES, AudioRef
from ..model.segment import Effect, Fade, Pulse, Rainbow, Segment, Solid, Strobe
from .errors import ProjectFileError

_SEGMENT_KEYS = {"startTime", "endTime", "color", "endColor", "pixels", "segment_type", "effects"}
_TIMELINE_KEYS = {"name", "defaultPixels", "segments"}
_MAPPED_TOP = {"timelines", "lyrics", "notes", "chat_history"}
DEFAULT_DURATION_MS = 60_000


def is_earlier_app(data: Any) -> bool:
    """Earlier-app files have ``timelines`` and no ``format`` marker."""
    return isinstance(data, dict) and "format" not in data and isinstance(data.get("timelines"), list)


def load_earlier(data: dict[str, Any], file: Path | None) -> tuple[Project, list[str]]:
    """Convert an earlier-app project dict; returns (project, warnings for the user)."""
    return _Reader(data, file).read()


class _Reader:
    def __init__(self, data: dict[str, Any], file: Path | None) -> None:
        self.data = data
        self.file = file
        self.warnings: list[str] = []
        self.kept: dict[str, Any] = {k: v for k, v in data.items() if k not in _MAPPED_TOP}
        self.kept_segments: list[dict[str, Any]] = []
        self.kept_timelines: list[dict[str, Any]] = []

    def fail(self, json_path: str, problem: str) -> ProjectFileError:
        return ProjectFileError(self.file, json_path, problem)

    def read(self) -> tuple[Project, list[str]]:
        meta = self.data.get("metadata") if isinstance(self.data.get("metadata"), dict) else {}
        settings = self.data.get("settings") if isinstance(self.data.get("settings"), dict) else {}
        name = meta.get("name")
        if not isinstance(name, str) or not name.strip():
            fallback = self.file.stem if self.file else "Untitled"
            self.warnings.append(f"project name was {name!r} (earlier-app bug); using {fallback!r}")
            name = fallback
        default_pixels = self.pixels(settings.get("defaultPixels", 4), "settings.defaultPixels")
        rate = settings.get("refreshRate", 100)
        if rate not in VALID_REFRESH_RATES:
            self.warnings.append(f"refresh rate {rate!r} is not a divisor of 1000; using 100 ticks/s")
            rate = 100
        balls_raw = self.data["timelines"]
        timelines = [self.timeline(t, i, default_pixels) for i, t in enumerate(balls_raw)]
        audio = self.audio()
        duration_ms = self.duration(settings, timelines, audio)
        balls = []
        for i, (tname, pixels, segs) in enumerate(timelines):
            for j, s in segs:
                if s.end_ms > duration_ms:
                    raise self.fail(f"timelines[{i}].segments[{j}]",
                                    f"segment ends at {s.end_ms / 1000:g} s, after the project end "
                                    f"({duration_ms / 1000:g} s, settings.totalDuration)")
            balls.append(Ball(tname, pixels, [s for _, s in segs]))
        if self.kept_segments:
            self.kept["segment_extras"] = self.kept_segments
        if self.kept_timelines:
            self.kept["timeline_extras"] = self.kept_timelines
        extras: dict[str, Any] = {"earlier_app": self.kept}
        if "chat_history" in self.data:
            extras["chat_history"] = self.data["chat_history"]
        try:
            project = Project(name, duration_ms, balls, refresh_rate=rate, audio=audio,
                              lyrics=self.lyrics(), notes=self.notes(), extras=extras)
        except ModelError as e:
            raise self.fail("", str(e)) from None
        return project, self.warnings

    # --- pieces ---------------------------------------------------------------------------------
    def pixels(self, v: Any, path: str) -> int:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 4:
            raise self.fail(path, f"pixels must be an integer 1–4, got {v!r}")
        return v

    def seconds(self, v: Any, path: str) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.fail(path, f"expected a time in seconds, got {v!r}")
        if v < 0:
            raise self.fail(path, f"negative time {v!r} s")
        return seconds_to_ms(v)

    def color(self, v: Any, path: str) -> Color:
        try:
            return Color.of(v)
        except ModelError as e:
            raise self.fail(path, str(e)) from None

    def timeline(self, t: Any, i: int, default_pixels: int) -> tuple[str, int, list[tuple[int, Segment]]]:
        path = f"timelines[{i}]"
        if not isinstance(t, dict):
            raise self.fail(path, "expected an object")
        name = t.get("name")
        if not isinstance(name, str) or not name.strip():
            name = f"Ball {i + 1}"
            self.warnings.append(f"{path}: name was {t.get('name')!r} (earlier-app bug); using {name!r}")
        pixels = self.pixels(t.get("defaultPixels", default_pixels), f"{path}.defaultPixels")
        raw = t.get("segments", [])
        if not isinstance(raw, list):
            raise self.fail(f"{path}.segments", "expected a list")
        rest = {k: v for k, v in t.items() if k not in _TIMELINE_KEYS}
        if rest:
            self.kept_timelines.append({"timeline": i, "fields": rest})
        segs: list[tuple[int, Segment]] = []
        for j, s in enumerate(raw):
            seg = self.segment(s, i, j, pixels)
            if seg is not None:
                segs.append((j, seg))
        order = sorted(segs, key=lambda js: js[1].start_ms)
        for (ja, a), (jb, b) in zip(order, order[1:], strict=False):
            if b.start_ms < a.end_ms:
                raise self.fail(f"{path}.segments[{jb}]",
                                f"segment {b.start_ms / 1000:g}–{b.end_ms / 1000:g} s overlaps segments[{ja}] "
                                f"({a.start_ms / 1000:g}–{a.end_ms / 1000:g} s)")
        return name, pixels, order

    def segment(self, s: Any, i: int, j: int, default_pixels: int) -> Segment | None:
        path = f"timelines[{i}].segments[{j}]"
        if not isinstance(s, dict):
            raise self.fail(path, "expected an object")
        for key in ("startTime", "endTime", "color"):
            if key not in s:
                raise self.fail(path, f"missing required field {key!r}")
        start = self.seconds(s["startTime"], f"{path}.startTime")
        end = self.seconds(s["endTime"], f"{path}.endTime")
        color = self.color(s["color"], f"{path}.color")
        pixels = self.pixels(s.get("pixels", default_pixels), f"{path}.pixels")
        stype = s.get("segment_type", "fade" if "endColor" in s else "solid")
        if stype == "fade":
            if "endColor" not in s:
                raise self.fail(path, "fade segment without 'endColor'")
            kind: Solid | Fade = Fade(color, self.color(s["endColor"], f"{path}.endColor"))
        elif stype == "solid":
            kind = Solid(color)
        else:
            raise self.fail(f"{path}.segment_type", f"unknown segment type {stype!r} (solid or fade)")
        keep = {k: v for k, v in s.items() if k not in _SEGMENT_KEYS}
        if stype == "solid" and "endColor" in s:
            keep["endColor"] = s["endColor"]
        effect, unmapped = self.effects(s.get("effects", []), path)
        if unmapped:
            keep["effects"] = unmapped
        if end < start:
            raise self.fail(path, f"endTime {s['endTime']!r} s is before startTime {s['startTime']!r} s")
        if end == start:
            self.warnings.append(f"{path}: zero-length segment at {start / 1000:g} s kept aside (not shown)")
            self.kept_segments.append({"timeline": i, "segment": j, "start_ms": start, "end_ms": end,
                                       "original": s})
            return None
        if keep:
            self.kept_segments.append({"timeline": i, "segment": j, "start_ms": start, "end_ms": end,
                                       "fields": keep})
        return Segment(start, end, kind, pixels, effect)

    def effects(self, raw: Any, path: str) -> tuple[Effect | None, list[Any]]:
        """First effect we can represent, and the rest kept as they were."""
        if not isinstance(raw, list):
            raise self.fail(f"{path}.effects", "expected a list")
        chosen: Effect | None = None
        unmapped: list[Any] = []
        for k, e in enumerate(raw):
            mapped = None if chosen is not None else map_effect(e)
            if mapped is None:
                unmapped.append(e)
                self.warnings.append(f"{path}.effects[{k}]: effect {e!r} not representable; kept in extras")
            else:
                chosen = mapped
        return chosen, unmapped

    def duration(self, settings: dict[str, Any], timelines: list, audio: AudioRef | None) -> int:
        total = settings.get("totalDuration")
        if isinstance(total, (int, float)) and not isinstance(total, bool) and math.isfinite(total) and total > 0:
            return seconds_to_ms(total)
        ends = [s.end_ms for _, _, segs in timelines for _, s in segs]
        fallback = max([*ends, audio.duration_ms if audio and audio.duration_ms else 0]) or DEFAULT_DURATION_MS
        self.warnings.append(f"settings.totalDuration is {total!r}; using {fallback / 1000:g} s")
        return fallback

    def audio(self) -> AudioRef | None:
        a = self.data.get("audio")
        if not isinstance(a, dict):
            return None
        path = a.get("filepath") or a.get("filename")
        if not isinstance(path, str) or not path:
            return None
        dur = a.get("duration")
        dur_ms = self.seconds(dur, "audio.duration") if isinstance(dur, (int, float)) and not isinstance(dur, bool) else None
        return AudioRef(path, None, dur_ms)

    def lyrics(self) -> Lyrics | None:
        ly = self.data.get("lyrics")
        if ly is None:
            return None
        if not isinstance(ly, dict):
            raise self.fail("lyrics", "expected an object")
        raw = ly.get("word_timestamps") or []
        if not isinstance(raw, list):
            raise self.fail("lyrics.word_timestamps", "expected a list")
        words: list[LyricWord] = []
        untimed: list[Any] = []
        for k, w in enumerate(raw):
            p = f"lyrics.word_timestamps[{k}]"
            if not isinstance(w, dict) or not isinstance(w.get("word"), str):
                raise self.fail(p, "expected {\"word\", \"start\", \"end\"}")
            if w.get("start") is None or w.get("end") is None:
                untimed.append(w)
                continue
            start, end = self.seconds(w["start"], f"{p}.start"), self.seconds(w["end"], f"{p}.end")
            if end < start:
                raise self.fail(p, f"word {w['word']!r} ends ({w['end']} s) before it starts ({w['start']} s)")
            words.append(LyricWord(w["word"], start, end))
        words.sort(key=lambda w: w.start_ms)
        extras = {k: v for k, v in ly.items()
                  if k not in {"song_name", "artist_name", "lyrics_text", "word_timestamps"}}
        if untimed:
            extras["untimed_words"] = untimed
        text, title, artist = ly.get("lyrics_text") or "", ly.get("song_name") or "", ly.get("artist_name") or ""
        if not (words or text or title or artist or extras):
            return None
        return Lyrics(tuple(words), (), str(text), str(title), str(artist), extras)

    def notes(self) -> list[dict[str, Any]]:
        raw = self.data.get("notes") or []
        if not isinstance(raw, list):
            raise self.fail("notes", "expected a list")
        out = []
        for k, n in enumerate(raw):
            if not isinstance(n, dict):
                raise self.fail(f"notes[{k}]", "expected an object")
            note = {key: v for key, v in n.items() if key != "time"}
            note["time_ms"] = self.seconds(n.get("time", 0), f"notes[{k}].time")
            note.setdefault("text", "")
            out.append(note)
        return out


_HZ_KEYS = ("hz", "frequency", "rate", "speed")


def _num(params: dict[str, Any], keys: tuple[str, ...], default: float | None = None) -> float | None:
    for k in keys:
        v = params.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return default


def map_effect(e: Any) -> Effect | None:
    """An earlier-app effect ``{"type", "parameters"}`` as our effect, or None if its parameters
    do not describe one we can render faithfully."""
    if not isinstance(e, dict):
        return None
    params = e.get("parameters") if isinstance(e.get("parameters"), dict) else {}
    kind = str(e.get("type", "")).lower()
    try:
        if kind == "strobe":
            hz = _num(params, _HZ_KEYS)
            duty = _num(params, ("duty", "duty_cycle"), 0.5)
            off = params.get("off_color", params.get("offColor", [0, 0, 0]))
            return None if hz is None else Strobe(hz, duty, Color.of(off))  # type: ignore[arg-type]
        if kind == "pulse":
            hz = _num(params, _HZ_KEYS)
            low = _num(params, ("min_brightness", "minBrightness", "min"), 0.2)
            return None if hz is None else Pulse(hz, low)  # type: ignore[arg-type]
        if kind == "rainbow":
            cps = _num(params, ("cycles_per_s", "cycles_per_second", *_HZ_KEYS))
            return None if cps is None else Rainbow(cps)
    except ModelError:
        return None
    return None
