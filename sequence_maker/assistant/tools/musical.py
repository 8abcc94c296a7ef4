"""Musical tools: one call makes a musical edit, timing comes from the beat grid.

The model says "flash red and white on every beat of the chorus, ball 2 half a beat later"; these
tools find the beats, compute every segment and paint them — no arithmetic by the model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...model.segment import Segment
from .args import BallsValue, ColorValue, OptionalSpanArgs, SpanArgs
from .common import ball_list, seg, spans_of, where
from .registry import Tool, ToolContext
from .resolve import ResolveError, Span

MIN_SEGMENT_MS = 1


class BeatPatternArgs(SpanArgs):
    balls: BallsValue = "all"
    colors: list[ColorValue] = Field(min_length=1, description="colours used in turn, e.g. ['red', 'white']")
    every: Literal["beat", "half_beat", "downbeat", "bar"] = "beat"
    style: Literal["flash", "alternate", "chase"] = Field(
        "flash", description="flash: short flash per step; alternate: colours take turns with no gap; "
        "chase: one ball at a time across the balls")
    length: float | None = Field(None, gt=0, le=1, description="lit part of each step (flash default 0.5)")
    offset_beats: float = Field(0.0, ge=-4, le=4, description="delay every ball by this many beats")
    stagger_beats: float = Field(0.0, ge=-4, le=4,
                                 description="each next ball in 'balls' starts this many beats later (0.5 = half a beat)")
    background: ColorValue | None = Field(None, description="colour between flashes (default dark)")


def _steps(ctx: ToolContext, span: Span, every: str) -> list[float]:
    """Beat positions (fractional beat indices) of the pattern steps inside the span."""
    r = ctx.resolve
    lo, hi = span.start_ms, span.end_ms
    if every in ("downbeat", "bar"):
        return [r.beat_pos(t) for t in r.downbeats() if lo <= t < hi]
    beats = [r.beat_pos(t) for t in r.beats() if lo <= t < hi]
    if every == "beat":
        return beats
    out: list[float] = []
    for p in beats:
        out.append(p)
        if r.beat_time(p + 0.5) < hi:
            out.append(p + 0.5)
    first = r.beat_pos(lo)
    if beats and beats[0] - 0.5 >= first - 1e-9:
        out.insert(0, beats[0] - 0.5)
    return out


def beat_pattern(ctx: ToolContext, a: BeatPatternArgs) -> dict:
    r = ctx.resolve
    balls = r.balls(a.balls)
    colors = [r.color(c) for c in a.colors]
    bg = r.color(a.background) if a.background is not None else None
    spans = spans_of(ctx, a)
    step_beats = {"beat": 1.0, "half_beat": 0.5, "downbeat": float(r._bpb()), "bar": float(r._bpb())}[a.every]
    length = a.length if a.length is not None else (0.5 if a.style == "flash" else 1.0)
    assert ctx.editor is not None
    total = 0
    for span in spans:
        steps = _steps(ctx, span, a.every)
        if not steps:
            raise ResolveError(f"no {a.every.replace('_', ' ')}s inside {span.describe()}; pick a longer range")
        for j, b in enumerate(balls):
            shift = a.offset_beats + j * a.stagger_beats
            pixels = ctx.project.balls[b].default_pixels
            new: list[Segment] = []
            for k, p in enumerate(steps):
                if a.style == "chase" and k % len(balls) != j:
                    continue
                color = colors[(k + (j if a.style == "alternate" else 0)) % len(colors)]
                if a.style == "chase":
                    color = colors[(k // len(balls)) % len(colors)]
                start = r.beat_time(p + shift)
                end = r.beat_time(p + shift + step_beats * length)
                start, end = max(start, span.start_ms), min(end, span.end_ms)
                if end - start >= MIN_SEGMENT_MS:
                    new.append(seg(start, end, color, pixels=pixels))
            ctx.editor.erase(b, span.start_ms, span.end_ms, label="beat_pattern")
            if bg is not None:
                ctx.editor.paint(b, seg(span.start_ms, span.end_ms, bg, pixels=pixels), label="beat_pattern")
            if new:
                ctx.editor.paint(b, new, label="beat_pattern")
            total += len(new)
    return {"done": f"{a.style} on every {a.every.replace('_', ' ')}: {total} segment(s) on ball(s) "
                    f"{ball_list(balls)} at {where(spans)}"}


class SectionColor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    section: str = Field(description="section name, e.g. 'chorus' or 'verse 2'")
    color: ColorValue


class SectionThemeArgs(OptionalSpanArgs):
    balls: BallsValue = "all"
    sections: list[SectionColor] | None = Field(None, description="colour per section")
    palette: list[ColorValue] | None = Field(None, description="or: colours given to the sections in order")
    energy_brightness: bool = Field(False, description="louder sections brighter, quieter ones dimmer")


def _energy(ctx: ToolContext, start_ms: int, end_ms: int) -> float | None:
    grid = ctx.project.grid
    e = grid.extras.get("energy") if grid is not None else None
    if not isinstance(e, dict) or not e.get("values") or not e.get("hop_s"):
        return None
    hop_ms = float(e["hop_s"]) * 1000.0
    vals = e["values"]
    i0, i1 = int(start_ms / hop_ms), max(int(start_ms / hop_ms) + 1, int(end_ms / hop_ms))
    window = [float(v) for v in vals[i0:i1]]
    return sum(window) / len(window) if window else None


def section_theme(ctx: ToolContext, a: SectionThemeArgs) -> dict:
    r = ctx.resolve
    secs = r.sections()
    if not secs:
        raise ResolveError("this song has no sections yet; use create_segment with times instead")
    balls = r.balls(a.balls)
    plan: list[tuple[Span, object]] = []
    if a.sections:
        for item in a.sections:
            found = r.find_sections(item.section)
            if not found:
                raise ResolveError(f"no section {item.section!r}; {r.section_names()}")
            plan += [(Span(s.start_ms, s.end_ms), r.color(item.color)) for s in found]
    elif a.palette:
        labels: dict[str, object] = {}
        for s in secs:
            if s.label not in labels:
                labels[s.label] = r.color(a.palette[len(labels) % len(a.palette)])
            plan.append((Span(s.start_ms, s.end_ms), labels[s.label]))
    else:
        raise ResolveError("give 'sections' (section + colour) or a 'palette' of colours")
    limit = spans_of(ctx, a)
    clipped = [(Span(max(sp.start_ms, lim.start_ms), min(sp.end_ms, lim.end_ms)), c)
               for sp, c in plan for lim in limit if min(sp.end_ms, lim.end_ms) > max(sp.start_ms, lim.start_ms)]
    note = ""
    if a.energy_brightness:
        levels = [_energy(ctx, sp.start_ms, sp.end_ms) for sp, _ in clipped]
        if any(v is None for v in levels):
            note = " (energy unknown for this song: full brightness used)"
        else:
            top = max(levels) or 1.0  # type: ignore[type-var]
            clipped = [(sp, c.scaled(0.35 + 0.65 * (lv / top))) for (sp, c), lv in zip(clipped, levels, strict=True)]  # type: ignore[union-attr,operator]
    assert ctx.editor is not None
    for b in balls:
        px = ctx.project.balls[b].default_pixels
        ctx.editor.paint(b, [seg(sp.start_ms, sp.end_ms, c, pixels=px) for sp, c in clipped], label="section_theme")  # type: ignore[arg-type]
    return {"done": f"coloured {len(clipped)} section span(s) on ball(s) {ball_list(balls)}{note}"}


class FadeRangeArgs(SpanArgs):
    balls: BallsValue = "all"
    from_color: ColorValue
    to_color: ColorValue


def fade_range(ctx: ToolContext, a: FadeRangeArgs) -> dict:
    r = ctx.resolve
    balls, c0, c1 = r.balls(a.balls), r.color(a.from_color), r.color(a.to_color)
    spans = spans_of(ctx, a)
    assert ctx.editor is not None
    for b in balls:
        px = ctx.project.balls[b].default_pixels
        ctx.editor.paint(b, [seg(s.start_ms, s.end_ms, c0, c1, px) for s in spans], label="fade_range")
    return {"done": f"fade on ball(s) {ball_list(balls)} at {where(spans)}"}


class HighlightLyricsArgs(OptionalSpanArgs):
    balls: BallsValue = "all"
    color: ColorValue
    word: str | None = Field(None, description="only this word (every time it is sung)")
    background: ColorValue | None = Field(None, description="colour between the words (default: leave as is)")


def highlight_lyrics(ctx: ToolContext, a: HighlightLyricsArgs) -> dict:
    r = ctx.resolve
    lyrics = ctx.project.lyrics
    if lyrics is None or not lyrics.words:
        raise ResolveError("this project has no timed lyrics; import lyrics first or use times instead")
    balls, c = r.balls(a.balls), r.color(a.color)
    bg = r.color(a.background) if a.background is not None else None
    spans = spans_of(ctx, a)
    words = [w for s in spans for w in lyrics.words_in(s.start_ms, s.end_ms)]
    if a.word:
        wanted = {id(w) for w in lyrics.find(a.word)}
        words = [w for w in words if id(w) in wanted]
    words = [w for w in words if w.end_ms > w.start_ms]
    if not words:
        raise ResolveError(f"no lyric word{' ' + repr(a.word) if a.word else 's'} at {where(spans)}")
    assert ctx.editor is not None
    for b in balls:
        px = ctx.project.balls[b].default_pixels
        if bg is not None:
            ctx.editor.paint(b, [seg(s.start_ms, s.end_ms, bg, pixels=px) for s in spans], label="highlight_lyrics")
        ctx.editor.paint(b, [seg(w.start_ms, w.end_ms, c, pixels=px) for w in words], label="highlight_lyrics")
    return {"done": f"highlighted {len(words)} word(s) on ball(s) {ball_list(balls)}"}


MUSICAL_TOOLS = [
    Tool("beat_pattern", "Anything that flashes, blinks, alternates or chases on beats, half beats, downbeats or "
         "bars of a range (timing from the beat grid); stagger_beats delays each next ball.",
         BeatPatternArgs, beat_pattern, "write"),
    Tool("section_theme", "Colour whole sections: a colour per section, or a palette of colours given to the "
         "sections in turn; optionally brighter when louder.",
         SectionThemeArgs, section_theme, "write"),
    Tool("fade_range", "Fade balls from one colour to another over a range.", FadeRangeArgs, fade_range, "write"),
    Tool("highlight_lyrics", "Light balls while lyric words are sung (all words in a range, or one word).",
         HighlightLyricsArgs, highlight_lyrics, "write"),
]
