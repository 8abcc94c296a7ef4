"""Small helpers the tool handlers share: span resolution, segment building, result text."""

from __future__ import annotations

from ...model.color import Color
from ...model.segment import Fade, Segment, Solid
from ...model.timeutil import format_ms
from .args import SpanArgs
from .registry import ToolContext
from .resolve import Span


def spans_of(ctx: ToolContext, args: SpanArgs) -> list[Span]:
    return ctx.resolve.spans(**args.span_kwargs())


def seg(start_ms: int, end_ms: int, color: Color, end_color: Color | None = None, pixels: int = 4) -> Segment:
    kind = Solid(color) if end_color is None or end_color == color else Fade(color, end_color)
    return Segment(start_ms, end_ms, kind, pixels)


def where(spans: list[Span]) -> str:
    return ", ".join(s.describe() for s in spans)


def seconds(ms: int) -> float:
    return round(ms / 1000.0, 3)


def ball_list(indices: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indices)


def segment_dict(s: Segment) -> dict[str, object]:
    d: dict[str, object] = {"start": seconds(s.start_ms), "end": seconds(s.end_ms)}
    if isinstance(s.kind, Solid):
        d["color"] = list(s.kind.color)
    else:
        d["from_color"] = list(s.kind.start)
        d["to_color"] = list(s.kind.end)
    if s.pixels != 4:
        d["pixels"] = s.pixels
    if s.effect is not None:
        d["effect"] = type(s.effect).__name__.lower()
    return d


def clock(ms: int) -> str:
    return format_ms(ms)
