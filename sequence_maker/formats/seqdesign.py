"""``.seqdesign.json`` ("Designer JSON") compiler → one-ball project (ltx-formats.md §2.3).

Effects are painted in file order over a base colour with the model's own paint (later effects
trim/split earlier ones). Differences from the earlier compiler, on purpose:

- a partly overwritten fade keeps the colours it had at the cut (no restarting gradient);
- ``pulse_on_beat`` reads beats from the analysis under every key the tools have used
  (``beats``/``beat_times``, ``downbeats``/``downbeat_times``, nested ``analysis_data``) and
  fails loudly when there are none — the earlier compiler looked up a key the analyser never
  wrote and silently produced no pulses;
- times past the end are clamped *with a warning*; negative times, unknown effects, unknown
  colours and pattern templates are errors naming the effect id.
- ``steps_per_second`` is ignored: fades are exported as true per-tick fades.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

from sequence_maker.model.ball import Ball
from sequence_maker.model.color import BLACK, Color, parse_color
from sequence_maker.model.errors import ModelError
from sequence_maker.model.grid import BeatGrid
from sequence_maker.model.project import VALID_REFRESH_RATES, AudioRef, Project
from sequence_maker.model.segment import Fade, Segment, Solid
from sequence_maker.model.timeutil import seconds_to_ms

from .errors import FormatError

EFFECT_TYPES = ("solid_color", "fade", "strobe", "snap_on_flash_off", "pulse_on_beat")


def _num(value: Any, field: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(f"expected a number, got {value!r}", field=field)
    if value < 0 or (positive and value == 0):
        raise FormatError(f"must be {'> 0' if positive else '≥ 0'}, got {value!r}", field=field)
    return float(value)


def _color(params: dict[str, Any], key: str, field: str) -> Color:
    if key not in params:
        raise FormatError(f"missing colour {key!r}", field=field)
    try:
        return parse_color(params[key])
    except (ModelError, TypeError) as e:
        raise FormatError(str(e), field=f"{field}.{key}") from None


def beats_from_analysis(analysis: dict[str, Any] | None, source: str) -> list[float] | None:
    """Beat times (s) for ``'all_beats'``/``'downbeats'`` from any analysis JSON the tools write."""
    if not isinstance(analysis, dict):
        return None
    if isinstance(analysis.get("analysis_data"), dict):
        analysis = analysis["analysis_data"]
    keys = ("beats", "beat_times") if source == "all_beats" else ("downbeats", "downbeat_times")
    for k in keys:
        if isinstance(analysis.get(k), list):
            return [_beat_time(t, f"analysis {k}[{i}]") for i, t in enumerate(analysis[k])]
    return None


def _beat_time(value: Any, field: str) -> float:
    """A beat time in seconds from an analysis file (numbers, or numeric strings some tools write)."""
    try:
        t = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        t = math.nan
    if not math.isfinite(t) or t < 0:
        raise FormatError(f"beat times must be numbers ≥ 0 (seconds), got {value!r}", field=field)
    return t


class _Compiler:
    def __init__(self, doc: Any, analysis: dict[str, Any] | None, base_dir: Path | None,
                 warnings: list[str]) -> None:
        self.doc, self.analysis, self.base_dir, self.warnings = doc, analysis, base_dir, warnings

    def compile(self, name_hint: str) -> Project:
        doc = self.doc
        if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
            raise FormatError("a .seqdesign.json needs a 'metadata' object")
        effects = doc.get("effects_timeline")
        if not isinstance(effects, list):
            raise FormatError("missing or not a list", field="effects_timeline")
        if doc.get("pattern_templates"):
            raise FormatError("pattern templates are not supported; expand them into effects_timeline first",
                              field="pattern_templates")
        meta = doc["metadata"]
        rate = meta.get("target_prg_refresh_rate")
        if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
            raise FormatError(f"must be an integer > 0, got {rate!r}", field="metadata.target_prg_refresh_rate")
        if rate not in VALID_REFRESH_RATES:
            self.warnings.append(f"target_prg_refresh_rate {rate} does not give whole-millisecond ticks; using 100")
            rate = 100
        self.pixels = meta.get("default_pixels")
        if isinstance(self.pixels, bool) or not isinstance(self.pixels, int) or not 1 <= self.pixels <= 4:
            raise FormatError(f"must be an integer 1–4, got {self.pixels!r}", field="metadata.default_pixels")
        timings = [self._timing(e, i) for i, e in enumerate(effects)]
        if meta.get("total_duration_seconds") is not None:
            total = seconds_to_ms(_num(meta["total_duration_seconds"], "metadata.total_duration_seconds", positive=True))
        else:
            total = max((b for _a, b in timings), default=0)
            if total <= 0:
                raise FormatError("no total_duration_seconds and no effect to derive it from",
                                  field="metadata.total_duration_seconds")
        self.total = total
        base = parse_color(meta.get("default_base_color", "black")) if "default_base_color" in meta else BLACK
        ball = Ball("Ball 1", self.pixels)
        if base != BLACK:
            self._paint(ball, [Segment(0, total, Solid(base), self.pixels)])
        for i, (effect, (a, b)) in enumerate(zip(effects, timings, strict=True)):
            eid = effect.get("id", f"#{i}")
            field = f"effects_timeline[{i}] (id {eid!r})"
            if b > total:
                self.warnings.append(f"{field}: ends at {b / 1000:g} s, after the sequence end {total / 1000:g} s; cut")
                b = total
            if b <= a:
                self.warnings.append(f"{field}: nothing left inside the sequence; skipped")
                continue
            self._paint(ball, self._effect(effect, a, b, field))
        title = meta.get("title") if isinstance(meta.get("title"), str) and meta["title"].strip() else name_hint
        merged = Ball(ball.name, ball.default_pixels, _merge_equal(list(ball.segment_list())))
        return Project(title, total, [merged], refresh_rate=rate, audio=self._audio(meta), grid=self._grid())

    def _timing(self, effect: Any, i: int) -> tuple[int, int]:
        field = f"effects_timeline[{i}]"
        if not isinstance(effect, dict):
            raise FormatError("expected an effect object", field=field)
        field = f"{field} (id {effect.get('id', '?')!r})"
        t = effect.get("timing")
        if not isinstance(t, dict) or "start_seconds" not in t:
            raise FormatError("needs timing.start_seconds", field=field)
        a = _num(t["start_seconds"], f"{field}.timing.start_seconds")
        if "end_seconds" in t:
            b = _num(t["end_seconds"], f"{field}.timing.end_seconds")
            if "duration_seconds" in t and not math.isclose(a + _num(t["duration_seconds"], field), b, abs_tol=1e-6):
                self.warnings.append(f"{field}: end_seconds and duration_seconds disagree; using end_seconds")
        elif "duration_seconds" in t:
            b = a + _num(t["duration_seconds"], f"{field}.timing.duration_seconds")
        else:
            raise FormatError("needs timing.end_seconds or timing.duration_seconds", field=field)
        if b < a:
            raise FormatError(f"ends ({b:g} s) before it starts ({a:g} s)", field=f"{field}.timing")
        return seconds_to_ms(a), seconds_to_ms(b)

    def _effect(self, effect: dict[str, Any], a: int, b: int, field: str) -> list[Segment]:
        kind = effect.get("type")
        params = effect.get("params", {})
        if not isinstance(params, dict):
            raise FormatError("params must be an object", field=field)
        px = params.get("pixels", self.pixels)
        if isinstance(px, bool) or not isinstance(px, int) or not 1 <= px <= 4:
            raise FormatError(f"pixels must be 1–4, got {px!r}", field=f"{field}.params.pixels")
        if kind == "solid_color":
            return [Segment(a, b, Solid(_color(params, "color", field)), px)]
        if kind == "fade":
            return [Segment(a, b, Fade(_color(params, "color_start", field), _color(params, "color_end", field)), px)]
        if kind == "strobe":
            return self._strobe(params, a, b, px, field)
        if kind == "snap_on_flash_off":
            _color(params, "pre_base_color", field)  # validated; the flash starts from the target colour
            target, post = _color(params, "target_color", field), _color(params, "post_base_color", field)
            fade_ms = seconds_to_ms(_num(params.get("fade_out_duration"), f"{field}.params.fade_out_duration",
                                         positive=True))
            mid = min(b, a + fade_ms)
            out = [Segment(a, mid, Fade(target, post), px)]
            if mid < b:
                out.append(Segment(mid, b, Solid(post), px))
            return out
        if kind == "pulse_on_beat":
            return self._pulses(params, a, b, px, field)
        raise FormatError(f"unknown effect type {kind!r}; supported: {', '.join(EFFECT_TYPES)}", field=field)

    def _strobe(self, params: dict[str, Any], a: int, b: int, px: int, field: str) -> list[Segment]:
        on, off = _color(params, "color_on", field), _color(params, "color_off", field)
        if "on_duration_seconds" in params or "off_duration_seconds" in params:
            on_s = _num(params.get("on_duration_seconds"), f"{field}.params.on_duration_seconds", positive=True)
            off_s = _num(params.get("off_duration_seconds"), f"{field}.params.off_duration_seconds", positive=True)
        else:
            hz = _num(params.get("frequency_hz"), f"{field}.params.frequency_hz", positive=True)
            on_s = off_s = 0.5 / hz
        if min(on_s, off_s) < 0.001:
            raise FormatError(f"strobe on/off phases of {on_s:g} s / {off_s:g} s are shorter than 1 ms",
                              field=f"{field}.params")
        out: list[Segment] = []
        k = 0
        start_s = a / 1000.0
        while True:
            t_on = seconds_to_ms(start_s + k * (on_s + off_s))
            if t_on >= b:
                break
            t_off = min(b, seconds_to_ms(start_s + k * (on_s + off_s) + on_s))
            t_next = min(b, seconds_to_ms(start_s + (k + 1) * (on_s + off_s)))
            if t_off > t_on:
                out.append(Segment(t_on, t_off, Solid(on), px))
            if t_next > t_off:
                out.append(Segment(t_off, t_next, Solid(off), px))
            k += 1
        return out

    def _pulses(self, params: dict[str, Any], a: int, b: int, px: int, field: str) -> list[Segment]:
        color = _color(params, "color", field)
        dur = seconds_to_ms(_num(params.get("pulse_duration_seconds"), f"{field}.params.pulse_duration_seconds",
                                 positive=True))
        if dur < 1:
            raise FormatError("pulse_duration_seconds is shorter than 1 ms", field=f"{field}.params")
        source = params.get("beat_source", "all_beats")
        if isinstance(source, str) and source.startswith("custom_times:"):
            text = source.removeprefix("custom_times:").strip()
            try:
                raw = ast.literal_eval(text if text.startswith("[") else f"[{text}]")
                beats = [float(x) for x in raw]
            except (ValueError, SyntaxError, TypeError):
                raise FormatError(f"cannot read custom times {text!r}", field=f"{field}.params.beat_source") from None
        elif source in ("all_beats", "downbeats"):
            beats = beats_from_analysis(self.analysis, source)
            if beats is None:
                raise FormatError(f"pulse_on_beat needs {source} from an audio analysis; none was given or it has "
                                  "no beats (pass the analysis JSON, e.g. `seqmaker import … --analysis FILE`)",
                                  field=field)
        else:
            raise FormatError(f"unknown beat_source {source!r}; use all_beats, downbeats or 'custom_times: [...]'",
                              field=f"{field}.params.beat_source")
        out: list[Segment] = []
        for t in sorted(beats):
            s = max(a, seconds_to_ms(t))
            e = min(b, seconds_to_ms(t) + dur)
            if out and s < out[-1].end_ms:  # pulses longer than the beat gap: the next beat wins
                prev = out.pop()
                if s > prev.start_ms:
                    out.append(Segment(prev.start_ms, s, prev.kind, px))
            if e > s:
                out.append(Segment(s, e, Solid(color), px))
        if not out:
            self.warnings.append(f"{field}: no beats fall inside {a / 1000:g}–{b / 1000:g} s; no pulses")
        return out

    def _paint(self, ball: Ball, segs: list[Segment]) -> None:
        if segs:
            removed, added = ball.plan_paint(segs)
            ball.replace(removed, added)

    def _audio(self, meta: dict[str, Any]) -> AudioRef | None:
        path = meta.get("audio_file_path")
        if not isinstance(path, str) or not path:
            return None
        p = Path(path)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir.parent / p  # relative to the parent of the seqdesign's folder (as upstream)
        if not p.exists():
            self.warnings.append(f"audio file {str(p)!r} not found; the project refers to it anyway")
        return AudioRef(str(p))

    def _grid(self) -> BeatGrid | None:
        beats = beats_from_analysis(self.analysis, "all_beats")
        if not beats:
            return None
        downs = beats_from_analysis(self.analysis, "downbeats") or []
        return BeatGrid(tuple(sorted(seconds_to_ms(t) for t in beats)), tuple(sorted(seconds_to_ms(t) for t in downs)))


def _merge_equal(segs: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segs:
        p = out[-1] if out else None
        if (p is not None and p.end_ms == s.start_ms and isinstance(p.kind, Solid) and p.kind == s.kind
                and p.pixels == s.pixels and p.effect is None and s.effect is None):
            out[-1] = Segment(p.start_ms, s.end_ms, p.kind, p.pixels)
        else:
            out.append(s)
    return out


def compile_seqdesign(doc: Any, name_hint: str = "Sequence", *, analysis: dict[str, Any] | None = None,
                      base_dir: Path | None = None, warnings: list[str] | None = None) -> Project:
    """Compile a Designer-JSON document into a one-ball project; ``base_dir`` = the file's folder."""
    try:
        return _Compiler(doc, analysis, base_dir, warnings if warnings is not None else []).compile(name_hint)
    except ModelError as e:
        raise FormatError(str(e)) from None
