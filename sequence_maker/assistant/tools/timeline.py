"""Timeline tools (the names the design documents use): create/modify/delete segments, clear,
batches, default colour and effects. Handlers edit ``ctx.editor`` (a scratch copy during the
dry run), so an invalid call never touches the real project."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Literal

from pydantic import Field

from ...model.project import Project
from ...model.segment import Pulse, Rainbow, Segment, Strobe
from .args import (
    ADVANCED,
    BallsValue,
    BallValue,
    ColorValue,
    DurationValue,
    OptionalSpanArgs,
    SpanArgs,
    TimeValue,
)
from .common import ball_list, seg, spans_of, where
from .registry import Tool, ToolArgs, ToolContext
from .resolve import ResolveError, Span

BATCH_CONFIRM_OVER = 20  # batches creating more segments than this ask for confirmation (ask mode)


class CreateSegmentArgs(SpanArgs):
    balls: BallsValue
    color: ColorValue
    end_color: ColorValue | None = Field(None, description="set to fade from color to end_color")


def create_segment(ctx: ToolContext, a: CreateSegmentArgs) -> dict:
    r = ctx.resolve
    balls = r.balls(a.balls)
    c0 = r.color(a.color)
    c1 = r.color(a.end_color) if a.end_color is not None else None
    spans = spans_of(ctx, a)
    assert ctx.editor is not None
    for b in balls:
        ctx.editor.paint(b, [seg(s.start_ms, s.end_ms, c0, c1, ctx.project.balls[b].default_pixels) for s in spans],
                         label="create_segment")
    return {"done": f"{'fade' if c1 else 'segment'} on ball(s) {ball_list(balls)} at {where(spans)}"}


class ModifySegmentArgs(ToolArgs):
    ball: BallValue
    at: TimeValue = Field(description="any time inside the segment to change")
    color: ColorValue | None = None
    end_color: ColorValue | None = Field(None, description="makes it a fade to this colour")
    # retiming is rare; small models that see these tend to use modify_segment to colour ranges
    start: TimeValue | None = Field(None, description="new start", json_schema_extra=ADVANCED)
    end: TimeValue | None = Field(None, description="new end", json_schema_extra=ADVANCED)
    duration: DurationValue | None = Field(None, description="new length (instead of end)", json_schema_extra=ADVANCED)


def _call_text(name: str, **arguments: object) -> str:
    """A tool call written out for an error message (the model copies it more reliably than prose)."""
    return f"{name}(" + ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in arguments.items()) + ")"


def _segment_time(ctx: ToolContext, value: object, tool: str, instead: str) -> int:
    """The moment that finds ONE existing segment. A range phrase ("last 10 seconds", "the chorus
    bars 1-4") is the commonest small-model mistake here: its error names the call that was meant."""
    try:
        return ctx.resolve.point(value)
    except ResolveError as exc:
        if isinstance(value, str):
            try:
                ctx.resolve.spans(when=value)
            except ResolveError:
                raise exc from None
            raise ResolveError(f"{value!r} is a time range, but {tool} changes ONE existing segment found by a "
                               f"moment inside it; for the range call {instead}") from None
        raise


def modify_segment(ctx: ToolContext, a: ModifySegmentArgs) -> dict:
    r = ctx.resolve
    b = r.ball(a.ball)
    colors = {"color": a.color} if a.color is not None else {}
    t = _segment_time(ctx, a.at, "modify_segment", _call_text("create_segment", when=a.at, balls=a.ball,
                                                               **(colors or {"color": "<colour>"})))
    assert ctx.editor is not None
    old = ctx.project.balls[b].segment_at(t)
    if old is None:
        raise ResolveError(_no_segment(ctx, b, t) + "; to colour a time range use create_segment (when, balls, color) "
                           "instead")
    start = r.point(a.start) if a.start is not None else old.start_ms
    if a.duration is not None:
        end = start + r.duration(a.duration, start)
    elif a.end is not None:
        end = r.point(a.end, as_end=True)
    else:
        end = old.end_ms if a.start is None else start + old.duration_ms
    r.check_span(Span(start, end))
    kw: dict = {"start_ms": start, "end_ms": end}
    if a.color is not None:
        kw["color"] = r.color(a.color)
    if a.end_color is not None:
        kw["end_color"] = r.color(a.end_color)
    new = ctx.editor.modify_segment(b, t, label="modify_segment", **kw)
    return {"done": f"ball {b + 1} segment now {new.start_ms / 1000:g}–{new.end_ms / 1000:g} s"}


def _no_segment(ctx: ToolContext, b: int, t: int, show: int = 6) -> str:
    """Error text naming the ball's segments, so the model can retry with a time inside one."""
    segs = ctx.project.balls[b].segment_list()
    listed = ", ".join(f"{s.start_ms / 1000:g}–{s.end_ms / 1000:g} s" for s in segs[:show])
    more = f" and {len(segs) - show} more (get_segments)" if len(segs) > show else ""
    where = f"its segments: {listed}{more}" if segs else "it has no segments at all"
    return f"ball {b + 1} has no segment at {t / 1000:g} s ({where})"


class DeleteSegmentArgs(ToolArgs):
    ball: BallValue
    at: TimeValue = Field(description="any time inside the segment to delete")


def delete_segment(ctx: ToolContext, a: DeleteSegmentArgs) -> dict:
    b = ctx.resolve.ball(a.ball)
    t = _segment_time(ctx, a.at, "delete_segment", _call_text("clear_timeline", when=a.at, balls=a.ball))
    if ctx.project.balls[b].segment_at(t) is None:
        raise ResolveError(_no_segment(ctx, b, t))
    assert ctx.editor is not None
    s = ctx.editor.delete_segment(b, t, label="delete_segment")
    return {"done": f"deleted ball {b + 1} segment {s.start_ms / 1000:g}–{s.end_ms / 1000:g} s"}


class ClearTimelineArgs(OptionalSpanArgs):
    balls: BallsValue = "all"


def clear_timeline(ctx: ToolContext, a: ClearTimelineArgs) -> dict:
    balls = ctx.resolve.balls(a.balls)
    spans = spans_of(ctx, a)
    assert ctx.editor is not None
    for b in balls:
        for s in spans:
            ctx.editor.erase(b, s.start_ms, s.end_ms, label="clear_timeline")
    return {"done": f"cleared ball(s) {ball_list(balls)} at {where(spans)}"}


def _clear_reason(a: ClearTimelineArgs, project: Project) -> str | None:
    return "clears segments from the timeline"


class BatchItem(SpanArgs):
    balls: BallsValue
    color: ColorValue
    end_color: ColorValue | None = None


class CreateSegmentsBatchArgs(ToolArgs):
    segments: list[BatchItem] = Field(min_length=1, description="segments to create, applied in order")


def create_segments_batch(ctx: ToolContext, a: CreateSegmentsBatchArgs) -> dict:
    made = 0
    for i, item in enumerate(a.segments, 1):
        try:
            create_segment(ctx, CreateSegmentArgs.model_validate(item.model_dump()))
        except ResolveError as exc:
            raise ResolveError(f"segments[{i}]: {exc} (nothing was applied)") from None
        made += len(ctx.resolve.balls(item.balls))
    return {"done": f"created {made} segment(s) from {len(a.segments)} item(s)"}


def _batch_reason(a: CreateSegmentsBatchArgs, project: Project) -> str | None:
    """Big batches ask first: count the segments (items × balls, per matching section)."""
    from .resolve import Resolver

    r = Resolver(project)
    total = 0
    for item in a.segments:
        try:
            total += len(r.balls(item.balls)) * len(r.spans(**item.span_kwargs()))
        except ResolveError:
            total += 1  # the dry run reports the error; count it conservatively
    if total > BATCH_CONFIRM_OVER:
        return f"creates {total} segments (more than {BATCH_CONFIRM_OVER})"
    return None


class SetDefaultColorArgs(OptionalSpanArgs):
    balls: BallsValue = "all"
    color: ColorValue


def set_default_color(ctx: ToolContext, a: SetDefaultColorArgs) -> dict:
    """Fill every gap (time with no segment) of the balls with one colour; existing segments stay."""
    r = ctx.resolve
    balls, c = r.balls(a.balls), r.color(a.color)
    spans = spans_of(ctx, a)
    assert ctx.editor is not None
    filled = 0
    for b in balls:
        ball = ctx.project.balls[b]
        gaps: list[Segment] = []
        for s in spans:
            cur = s.start_ms
            for existing in ball.segments_in(s.start_ms, s.end_ms):
                if existing.start_ms > cur:
                    gaps.append(seg(cur, existing.start_ms, c, pixels=ball.default_pixels))
                cur = max(cur, existing.end_ms)
            if cur < s.end_ms:
                gaps.append(seg(cur, s.end_ms, c, pixels=ball.default_pixels))
        if gaps:
            ctx.editor.paint(b, gaps, label="set_default_color")
            filled += len(gaps)
    return {"done": f"filled {filled} gap(s) on ball(s) {ball_list(balls)} with the default colour"}


class AddEffectArgs(OptionalSpanArgs):
    balls: BallsValue
    effect: Literal["strobe", "pulse", "rainbow", "none"]
    hz: float | None = Field(None, gt=0, le=50, description="speed; default follows the tempo")
    color: ColorValue | None = Field(None, description="paint this colour first (needed where there are no segments)")


def _effect(ctx: ToolContext, a: AddEffectArgs) -> Strobe | Pulse | Rainbow | None:
    beat_hz = 1000.0 / ctx.resolve.beat_period_ms()
    if a.effect == "strobe":
        return Strobe(hz=a.hz or min(50.0, 2 * beat_hz))
    if a.effect == "pulse":
        return Pulse(hz=a.hz or min(50.0, beat_hz))
    if a.effect == "rainbow":
        if a.hz is not None and a.hz > 20:
            raise ResolveError(f"rainbow speed is at most 20 cycles per second, got hz={a.hz:g}")
        return Rainbow(cycles_per_s=a.hz or 0.5)
    return None


def add_effect(ctx: ToolContext, a: AddEffectArgs) -> dict:
    r = ctx.resolve
    balls = r.balls(a.balls)
    spans = spans_of(ctx, a)
    eff = _effect(ctx, a)
    base = r.color(a.color) if a.color is not None else None
    assert ctx.editor is not None
    touched = 0
    for b in balls:
        ball = ctx.project.balls[b]
        for s in spans:
            if base is not None:
                ctx.editor.paint(b, seg(s.start_ms, s.end_ms, base, pixels=ball.default_pixels), label="add_effect")
            parts = [p.trimmed(s.start_ms, s.end_ms) for p in ball.segments_in(s.start_ms, s.end_ms)]
            if not parts and eff is not None and not isinstance(eff, Rainbow):
                raise ResolveError(f"ball {b + 1} has no segments at {s.describe()}; pass 'color' to create one")
            if not parts:
                parts = [seg(s.start_ms, s.end_ms, r.color("white"), pixels=ball.default_pixels)]
            ctx.editor.paint(b, [replace(p, effect=eff) for p in parts], label="add_effect")
            touched += len(parts)
    return {"done": f"{a.effect} on {touched} segment(s) of ball(s) {ball_list(balls)} at {where(spans)}"}


TIMELINE_TOOLS = [
    Tool("create_segment", "One steady colour on balls for a time range (or a fade with end_color); overwrites what "
         "is there. Not for flashing, strobe, pulse or rainbow.",
         CreateSegmentArgs, create_segment, "write"),
    Tool("modify_segment", "Recolour or retime ONE existing segment of one ball, found by a time inside it "
         "(not for colouring a time or section: that is create_segment).",
         ModifySegmentArgs, modify_segment, "write"),
    Tool("delete_segment", "Delete the segment at a given time on one ball.", DeleteSegmentArgs, delete_segment,
         "write", lambda a, p: "deletes a segment"),
    Tool("clear_timeline", "Remove all segments of balls (default all) in a range (default the whole song).",
         ClearTimelineArgs, clear_timeline, "write", _clear_reason),
    Tool("create_segments_batch", "Create many segments in one call (each item: balls, color, time).",
         CreateSegmentsBatchArgs, create_segments_batch, "write", _batch_reason),
    Tool("set_default_color", "Fill only the empty parts of balls' timelines with one colour (keeps existing "
         "segments).",
         SetDefaultColorArgs, set_default_color, "write"),
    Tool("add_effect", "Strobe, pulse or rainbow on balls over a range (color paints first where there is "
         "nothing; 'none' removes effects).",
         AddEffectArgs, add_effect, "write"),
]
