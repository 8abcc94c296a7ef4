"""Model ⇄ plain JSON-compatible dicts (no I/O): used by project files, history persistence,
the server's JSON and the assistant's tool results. Errors name the path of the bad value."""

from __future__ import annotations

from typing import Any

from .ball import Ball
from .color import Color
from .errors import ModelError
from .grid import BeatGrid, Section
from .lyrics import LyricLine, Lyrics, LyricWord
from .project import AudioRef, BallState, ProjectState
from .segment import Fade, Pulse, Rainbow, Segment, Solid, Strobe


class CodecError(ModelError):
    """A dict does not describe a valid model value; ``path`` says where (e.g. balls[1].segments[3])."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


def _req(d: Any, key: str, path: str) -> Any:
    if not isinstance(d, dict):
        raise CodecError(path, f"expected an object, got {type(d).__name__}")
    if key not in d:
        raise CodecError(path, f"missing required field {key!r}")
    return d[key]


def _int(v: Any, path: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise CodecError(path, f"expected an integer, got {v!r}")
    return v


def _wrap(path: str, fn, *args):
    try:
        return fn(*args)
    except CodecError:
        raise
    except (ModelError, TypeError, ValueError) as e:
        raise CodecError(path, str(e)) from None


# --- effects & segments ------------------------------------------------------------------------
def effect_to_dict(e: Strobe | Pulse | Rainbow | None) -> dict[str, Any] | None:
    if e is None:
        return None
    if isinstance(e, Strobe):
        d: dict[str, Any] = {"type": "strobe", "hz": e.hz, "duty": e.duty, "off_color": list(e.off_color)}
    elif isinstance(e, Pulse):
        d = {"type": "pulse", "hz": e.hz, "min_brightness": e.min_brightness}
    else:
        d = {"type": "rainbow", "cycles_per_s": e.cycles_per_s}
    if e.phase_ms:
        d["phase_ms"] = e.phase_ms
    return d


def effect_from_dict(d: Any, path: str = "effect") -> Strobe | Pulse | Rainbow | None:
    if d is None:
        return None
    t = _req(d, "type", path)
    phase = _wrap(f"{path}.phase_ms", float, d.get("phase_ms", 0.0))
    if t == "strobe":
        return _wrap(path, lambda: Strobe(float(_req(d, "hz", path)), float(d.get("duty", 0.5)),
                                          Color.of(d.get("off_color", [0, 0, 0])), phase))
    if t == "pulse":
        return _wrap(path, lambda: Pulse(float(_req(d, "hz", path)), float(d.get("min_brightness", 0.2)), phase))
    if t == "rainbow":
        return _wrap(path, lambda: Rainbow(float(_req(d, "cycles_per_s", path)), phase))
    raise CodecError(f"{path}.type", f"unknown effect {t!r} (strobe, pulse or rainbow)")


def segment_to_dict(s: Segment) -> dict[str, Any]:
    d: dict[str, Any] = {"start_ms": s.start_ms, "end_ms": s.end_ms, "pixels": s.pixels}
    if isinstance(s.kind, Solid):
        d["kind"] = "solid"
        d["color"] = list(s.kind.color)
    else:
        d["kind"] = "fade"
        d["start_color"] = list(s.kind.start)
        d["end_color"] = list(s.kind.end)
    if s.effect is not None:
        d["effect"] = effect_to_dict(s.effect)
    return d


def segment_from_dict(d: Any, path: str = "segment") -> Segment:
    kind_name = _req(d, "kind", path)
    start = _int(_req(d, "start_ms", path), f"{path}.start_ms")
    end = _int(_req(d, "end_ms", path), f"{path}.end_ms")
    if kind_name == "solid":
        kind: Solid | Fade = Solid(_wrap(f"{path}.color", Color.of, _req(d, "color", path)))
    elif kind_name == "fade":
        kind = Fade(_wrap(f"{path}.start_color", Color.of, _req(d, "start_color", path)),
                    _wrap(f"{path}.end_color", Color.of, _req(d, "end_color", path)))
    else:
        raise CodecError(f"{path}.kind", f"unknown segment kind {kind_name!r} (solid or fade)")
    eff = effect_from_dict(d.get("effect"), f"{path}.effect")
    return _wrap(path, Segment, start, end, kind, _int(d.get("pixels", 4), f"{path}.pixels"), eff)


# --- grid, lyrics, audio ----------------------------------------------------------------------
def grid_to_dict(g: BeatGrid | None) -> dict[str, Any] | None:
    if g is None:
        return None
    return {
        "beats_ms": list(g.beats_ms), "downbeats_ms": list(g.downbeats_ms), "beats_per_bar": g.beats_per_bar,
        "tempo_bpm": g.tempo_bpm, "confidence": g.confidence,
        "sections": [{"label": s.label, "start_ms": s.start_ms, "end_ms": s.end_ms, "kind": s.kind}
                     for s in g.sections],
        **({"extras": g.extras} if g.extras else {}),
    }


def grid_from_dict(d: Any, path: str = "grid") -> BeatGrid | None:
    if d is None:
        return None
    def build() -> BeatGrid:
        secs = tuple(
            Section(str(_req(s, "label", f"{path}.sections[{i}]")),
                    _int(_req(s, "start_ms", f"{path}.sections[{i}]"), f"{path}.sections[{i}].start_ms"),
                    _int(_req(s, "end_ms", f"{path}.sections[{i}]"), f"{path}.sections[{i}].end_ms"),
                    str(s.get("kind", "")))
            for i, s in enumerate(d.get("sections", []))
        )
        return BeatGrid(tuple(_int(x, f"{path}.beats_ms") for x in d.get("beats_ms", [])),
                        tuple(_int(x, f"{path}.downbeats_ms") for x in d.get("downbeats_ms", [])),
                        _int(d.get("beats_per_bar", 4), f"{path}.beats_per_bar"),
                        float(d.get("tempo_bpm", 0.0)), secs, float(d.get("confidence", 0.0)),
                        dict(d.get("extras", {})))
    if not isinstance(d, dict):
        raise CodecError(path, "expected an object")
    return _wrap(path, build)


def lyrics_to_dict(ly: Lyrics | None) -> dict[str, Any] | None:
    if ly is None:
        return None
    return {
        "text": ly.text, "title": ly.title, "artist": ly.artist,
        "words": [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in ly.words],
        "lines": [{"text": ln.text, "start_ms": ln.start_ms, "end_ms": ln.end_ms} for ln in ly.lines],
        **({"extras": ly.extras} if ly.extras else {}),
    }


def lyrics_from_dict(d: Any, path: str = "lyrics") -> Lyrics | None:
    if d is None:
        return None
    if not isinstance(d, dict):
        raise CodecError(path, "expected an object")
    def build() -> Lyrics:
        words = tuple(LyricWord(str(_req(w, "text", f"{path}.words[{i}]")),
                                _int(_req(w, "start_ms", f"{path}.words[{i}]"), f"{path}.words[{i}].start_ms"),
                                _int(_req(w, "end_ms", f"{path}.words[{i}]"), f"{path}.words[{i}].end_ms"))
                      for i, w in enumerate(d.get("words", [])))
        lines = tuple(LyricLine(str(_req(ln, "text", f"{path}.lines[{i}]")),
                                _int(_req(ln, "start_ms", f"{path}.lines[{i}]"), f"{path}.lines[{i}].start_ms"),
                                ln.get("end_ms"))
                      for i, ln in enumerate(d.get("lines", [])))
        return Lyrics(words, lines, str(d.get("text", "")), str(d.get("title", "")), str(d.get("artist", "")),
                      dict(d.get("extras", {})))
    return _wrap(path, build)


def audio_to_dict(a: AudioRef | None) -> dict[str, Any] | None:
    return None if a is None else {"path": a.path, "sha256": a.sha256, "duration_ms": a.duration_ms}


def audio_from_dict(d: Any, path: str = "audio") -> AudioRef | None:
    if d is None:
        return None
    p = _req(d, "path", path)
    if not isinstance(p, str):
        raise CodecError(f"{path}.path", "expected a string")
    return AudioRef(p, d.get("sha256"), d.get("duration_ms"))


# --- balls and whole states --------------------------------------------------------------------
def ball_to_dict(b: Ball | BallState) -> dict[str, Any]:
    segs = b.segments
    return {"name": b.name, "default_pixels": b.default_pixels, "segments": [segment_to_dict(s) for s in segs]}


def ball_from_dict(d: Any, path: str = "ball") -> Ball:
    segs_raw = _req(d, "segments", path)
    if not isinstance(segs_raw, list):
        raise CodecError(f"{path}.segments", "expected a list")
    segs = [segment_from_dict(s, f"{path}.segments[{i}]") for i, s in enumerate(segs_raw)]
    return _wrap(path, Ball, _req(d, "name", path), d.get("default_pixels", 4), segs)


def state_to_dict(s: ProjectState) -> dict[str, Any]:
    return {
        "name": s.name, "duration_ms": s.duration_ms, "refresh_rate": s.refresh_rate,
        "audio": audio_to_dict(s.audio), "balls": [ball_to_dict(b) for b in s.balls],
        "grid": grid_to_dict(s.grid), "lyrics": lyrics_to_dict(s.lyrics),
    }


def state_from_dict(d: Any, path: str = "state") -> ProjectState:
    balls = _req(d, "balls", path)
    if not isinstance(balls, list):
        raise CodecError(f"{path}.balls", "expected a list")
    bs = []
    for i, b in enumerate(balls):
        ball = ball_from_dict(b, f"{path}.balls[{i}]")
        bs.append(BallState(ball.name, ball.default_pixels, tuple(ball.segment_list())))
    return ProjectState(
        _req(d, "name", path), _int(_req(d, "duration_ms", path), f"{path}.duration_ms"),
        _int(d.get("refresh_rate", 100), f"{path}.refresh_rate"), audio_from_dict(d.get("audio"), f"{path}.audio"),
        tuple(bs), grid_from_dict(d.get("grid"), f"{path}.grid"), lyrics_from_dict(d.get("lyrics"), f"{path}.lyrics"),
    )
