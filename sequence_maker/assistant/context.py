"""Context budget: a compact project context for the prompt, and a summariser for long chats.

The model gets a summary of the project (song, grid, sections, per-ball overview), never every
segment; it reads details with the context tools. Between turns, when the conversation passes
~75 % of the model's context window, older turns are folded into one marked summary message; the
last turns stay verbatim and a tool call is never separated from its result (folding happens only
at user-turn boundaries).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..model.color import NAMED_COLORS, Color
from ..model.grid import Section
from ..model.project import Project
from ..model.segment import Solid
from .providers.estimate import estimate_text_tokens
from .providers.events import ChatMessage, ToolSpec

SUMMARY_MARK = "[Summary of the earlier conversation]"
MAX_SECTIONS = 32
_NAMES = {}
for _name, _c in NAMED_COLORS.items():
    _NAMES.setdefault(_c, _name)


def color_name(c: Color) -> str:
    """A colour's table name when it has one, else '#rrggbb'."""
    return _NAMES.get(c, c.hex())


def _s(ms: int) -> float:
    return round(ms / 1000.0, 3)


def project_context(project: Project) -> dict[str, Any]:
    """Compact, JSON-able description of the project; size independent of the segment count.

    Keys go from most-shared to least-shared: song facts (no name), sections, balls, lyrics, and the
    project name last. llama.cpp (the offline model) reuses its KV cache only up to the first token
    that differs from the previous prompt, so a name at the front would make every new project
    re-evaluate the whole context; at the end it costs a few tokens."""
    grid = project.grid
    song: dict[str, Any] = {"duration_s": _s(project.duration_ms), "balls": len(project.balls)}
    if grid is not None and grid.beats_ms:
        bars = len(grid.downbeats_ms) if grid.downbeats_ms else len(grid.beats_ms) // max(1, grid.beats_per_bar)
        song.update({"tempo_bpm": round(grid.tempo_bpm or 60000.0 / grid.beat_period_ms(), 1),
                     "beats_per_bar": grid.beats_per_bar, "beats": len(grid.beats_ms), "bars": bars,
                     "first_beat_s": _s(grid.beats_ms[0])})
        energy = grid.extras.get("energy") if isinstance(grid.extras, dict) else None
        song["energy"] = "known (get_energy)" if isinstance(energy, dict) and energy.get("values") else "unknown"
    else:
        song["beat_grid"] = "none (use seconds)"
    out: dict[str, Any] = {"song": song}
    if grid is not None and grid.sections:
        names = section_names(grid.sections[:MAX_SECTIONS])
        out["sections"] = [{"label": name, **({"kind": s.kind} if s.kind else {}), "start": _s(s.start_ms),
                            "end": _s(s.end_ms)} for s, name in zip(grid.sections[:MAX_SECTIONS], names, strict=True)]
        if len(grid.sections) > MAX_SECTIONS:
            out["sections_note"] = f"{len(grid.sections) - MAX_SECTIONS} more: use get_sections"
    balls = []
    for i, b in enumerate(project.balls):
        segs = b.segment_list()
        info: dict[str, Any] = {"ball": i + 1, "segments": len(segs)}
        if segs:
            colors = Counter(color_name(s.kind.color) if isinstance(s.kind, Solid) else "fade" for s in segs)
            info.update({"from": _s(segs[0].start_ms), "to": _s(segs[-1].end_ms),
                         "lit_s": _s(sum(s.duration_ms for s in segs)),
                         "main_colors": [c for c, _ in colors.most_common(4)]})
        balls.append(info)
    out["balls"] = balls
    if project.lyrics is not None and project.lyrics.words:
        out["lyrics"] = {"words": len(project.lyrics.words)}
    out["project"] = {"name": project.name}  # last on purpose: see the docstring (prefix caching)
    return out


def section_names(sections: Sequence[Section]) -> list[str]:
    """Labels as the tools accept them, numbered where a label repeats ("chorus 1", "chorus 2").

    A model that sees two sections both called "chorus" tends to say "chorus" for "the second
    chorus"; numbered names give it the exact words the time resolver understands."""
    counts = Counter(s.label for s in sections)
    seen: Counter[str] = Counter()
    names = []
    for s in sections:
        seen[s.label] += 1
        names.append(f"{s.label} {seen[s.label]}" if counts[s.label] > 1 else s.label)
    return names


def naive_context(project: Project) -> dict[str, Any]:
    """Every segment of every ball (what a naive assistant would send; the bench's baseline)."""
    from .tools.common import segment_dict

    return {"song": project_context(project)["song"],
            "balls": [{"ball": i + 1, "segments": [segment_dict(s) for s in b.segment_list()]}
                      for i, b in enumerate(project.balls)]}


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def context_text(project: Project, balls: list[dict[str, Any]] | None = None) -> str:
    """:func:`project_context` as compact JSON; ``balls`` replaces the per-ball overview in place
    (the assistant keeps the overview as it was when the chat started, see ``Assistant.system_message``)."""
    ctx = project_context(project)
    if balls is not None:
        ctx["balls"] = balls
    return _compact(ctx)


def ball_overview(project: Project) -> list[dict[str, Any]]:
    """The per-ball part of :func:`project_context` (segment count, span, lit seconds, main colours)."""
    return project_context(project)["balls"]


def timelines_text(balls: list[dict[str, Any]]) -> str:
    """A per-ball overview (:func:`ball_overview`) as a user turn carries it.

    Empty balls are only listed by number, and an empty project is one short phrase: the snapshot
    sits right before the request, where a list of every ball pulled a small model towards
    writing ``balls=[1, 2, 3]`` for "all" and towards modifying segments that do not exist
    (measured on the eval suite)."""
    used = [b for b in balls if b.get("segments")]
    if not used:
        return "every ball is empty"
    empty = [b["ball"] for b in balls if not b.get("segments")]
    return _compact({"balls": used, **({"empty_balls": empty} if empty else {})})


def message_tokens(m: ChatMessage) -> int:
    n = 4 + estimate_text_tokens(m.content)
    timelines = m.meta.get("timelines") if m.meta else None
    if isinstance(timelines, str):
        n += estimate_text_tokens(timelines) + 8
    for call in m.tool_calls:
        n += estimate_text_tokens(json.dumps(call, default=str))
    return n


def conversation_tokens(messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = ()) -> int:
    """Estimated prompt tokens of messages + tool schemas (same heuristic as the providers)."""
    total = sum(message_tokens(m) for m in messages)
    for t in tools:
        total += estimate_text_tokens(t.name + t.description + json.dumps(t.parameters))
    return total


def _turn_starts(history: Sequence[ChatMessage]) -> list[int]:
    return [i for i, m in enumerate(history) if m.role == "user"]


def _summarise(messages: Sequence[ChatMessage]) -> str:
    lines: list[str] = []
    for m in messages:
        if m.meta.get("summary"):
            lines.append(m.content.removeprefix(SUMMARY_MARK).strip())
        elif m.role == "user":
            lines.append(f"- User: {m.content.strip()[:200]}")
        elif m.role == "assistant":
            if m.tool_calls:
                calls = Counter(c.get("name", "?") for c in m.tool_calls)
                lines.append("  Tools: " + ", ".join(f"{n}×{k}" if k > 1 else n for n, k in calls.items()))
            if m.content.strip():
                lines.append(f"  Assistant: {m.content.strip()[:240]}")
        elif m.role == "tool" and m.is_error:
            lines.append(f"  ({m.name or 'tool'} failed: {m.content.strip()[:120]})")
    return SUMMARY_MARK + "\n" + "\n".join(x for x in lines if x)


def fold_history(history: list[ChatMessage], *, context_window: int, fixed_tokens: int = 0,
                 threshold: float = 0.75, keep_turns: int = 2) -> bool:
    """Fold older turns into one summary message if the chat passes ``threshold`` of the window.

    ``fixed_tokens`` = system prompt + tool schemas + the coming user message. Mutates ``history``
    in place; returns True when it folded. The summary is a ``system`` message with
    ``meta["summary"] = True`` placed first, so providers keep tool-call/result pairs intact.
    """
    budget = threshold * context_window
    if fixed_tokens + conversation_tokens(history) <= budget:
        return False
    starts = _turn_starts([m for m in history])
    starts = [i for i in starts if not history[i].meta.get("summary")]
    keep = keep_turns
    while keep >= 1:
        if len(starts) > keep:
            cut = starts[-keep]
            folded = ChatMessage("system", _summarise(history[:cut]), meta={"summary": True})
            candidate = [folded, *history[cut:]]
            if fixed_tokens + conversation_tokens(candidate) <= budget or keep == 1:
                history[:] = candidate
                return True
        keep -= 1
    if starts and starts[0] > 0 and not history[0].meta.get("summary"):
        history[:] = [ChatMessage("system", _summarise(history[:starts[-1]]), meta={"summary": True}),
                      *history[starts[-1]:]]
        return True
    return False
