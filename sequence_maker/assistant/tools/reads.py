"""Read-only context tools: the model asks for details instead of receiving every segment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .args import BallValue, OptionalSpanArgs
from .common import seconds, segment_dict, spans_of
from .registry import Tool, ToolArgs, ToolContext

MAX_ITEMS = 64


class NoArgs(ToolArgs):
    pass


def get_project_summary(ctx: ToolContext, a: NoArgs) -> dict:
    from ..context import project_context

    return project_context(ctx.project)


class GetSegmentsArgs(OptionalSpanArgs):
    ball: BallValue


def get_segments(ctx: ToolContext, a: GetSegmentsArgs) -> dict:
    b = ctx.resolve.ball(a.ball)
    ball = ctx.project.balls[b]
    segs = [s for sp in spans_of(ctx, a) for s in ball.segments_in(sp.start_ms, sp.end_ms)]
    out = {"ball": b + 1, "count": len(segs), "segments": [segment_dict(s) for s in segs[:MAX_ITEMS]]}
    if len(segs) > MAX_ITEMS:
        out["note"] = f"showing the first {MAX_ITEMS}; ask for a shorter range to see more"
    return out


class GetBeatsArgs(OptionalSpanArgs):
    which: Literal["beats", "bars"] = "beats"


def get_beats(ctx: ToolContext, a: GetBeatsArgs) -> dict:
    r = ctx.resolve
    marks = r.beats() if a.which == "beats" else r.downbeats()
    numbered = list(enumerate(marks, 1))
    picked = [(n, t) for sp in spans_of(ctx, a) for n, t in numbered if sp.start_ms <= t < sp.end_ms]
    key = "beat" if a.which == "beats" else "bar"
    out = {"count": len(picked), "tempo_bpm": round(r.grid.tempo_bpm, 2) if r.grid else None,
           a.which: [{key: n, "t": seconds(t)} for n, t in picked[:MAX_ITEMS]]}
    if len(picked) > MAX_ITEMS:
        out["note"] = f"showing the first {MAX_ITEMS}; ask for a shorter range to see more"
    return out


def get_sections(ctx: ToolContext, a: NoArgs) -> dict:
    secs = ctx.resolve.sections()
    return {"sections": [{"label": s.label, **({"kind": s.kind} if s.kind else {}), "start": seconds(s.start_ms),
                          "end": seconds(s.end_ms)} for s in secs]}


class GetEnergyArgs(OptionalSpanArgs):
    points: int = Field(16, ge=2, le=64, description="how many values to return")


def get_energy(ctx: ToolContext, a: GetEnergyArgs) -> dict:
    grid = ctx.project.grid
    e = grid.extras.get("energy") if grid is not None else None
    if not isinstance(e, dict) or not e.get("values") or not e.get("hop_s"):
        return {"energy": None, "note": "energy is unknown for this song (no analysis)"}
    hop_ms, vals = float(e["hop_s"]) * 1000.0, [float(v) for v in e["values"]]
    top = max(vals) or 1.0
    out = []
    for sp in spans_of(ctx, a):
        step = (sp.end_ms - sp.start_ms) / a.points
        for k in range(a.points):
            t0 = sp.start_ms + k * step
            i0 = int(t0 / hop_ms)
            window = vals[i0:max(i0 + 1, int((t0 + step) / hop_ms))]
            level = sum(window) / len(window) if window else 0.0
            out.append({"t": seconds(round(t0)), "level": round(level / top, 2)})
    return {"energy": out, "scale": "0 = silent, 1 = loudest part of the song"}


class GetLyricsArgs(OptionalSpanArgs):
    word: str | None = Field(None, description="find every time this word is sung")


def get_lyrics(ctx: ToolContext, a: GetLyricsArgs) -> dict:
    lyrics = ctx.project.lyrics
    if lyrics is None or not lyrics.words:
        return {"words": [], "note": "this project has no timed lyrics"}
    words = [w for sp in spans_of(ctx, a) for w in lyrics.words_in(sp.start_ms, sp.end_ms)]
    if a.word:
        wanted = {id(w) for w in lyrics.find(a.word)}
        words = [w for w in words if id(w) in wanted]
    out = {"count": len(words), "words": [{"text": w.text, "start": seconds(w.start_ms), "end": seconds(w.end_ms)}
                                          for w in words[:MAX_ITEMS]]}
    if len(words) > MAX_ITEMS:
        out["note"] = f"showing the first {MAX_ITEMS}"
    return out


READ_TOOLS = [
    Tool("get_project_summary", "Song length, balls, tempo, sections and what each ball has so far.",
         NoArgs, get_project_summary),
    Tool("get_segments", "List one ball's segments in a range (default whole song).", GetSegmentsArgs, get_segments),
    Tool("get_beats", "Beat or bar numbers and times in a range.", GetBeatsArgs, get_beats),
    Tool("get_sections", "The song's sections with start/end seconds.", NoArgs, get_sections),
    Tool("get_energy", "How loud the song is over a range (0–1), to match brightness to the music.",
         GetEnergyArgs, get_energy),
    Tool("get_lyrics", "Timed lyric words in a range, or every time a given word is sung.", GetLyricsArgs, get_lyrics),
]
