"""Small endpoints the web studio needs beyond docs/api.md: the prompt-template list for the
picker, liked/disliked feedback on answers, and multi-segment edits as ONE undo step (moving,
deleting or pasting a selection). Thin adapters: templates come from ``assistant/prompts.py``;
feedback is kept in the settings store (``assistant_feedback``, newest last, capped) in the shape
of ``prompts.Feedback``; selection edits compose the editor's own operations inside
``editor.group`` (which rolls everything back if one part is invalid).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ...model import codec
from ._common import edit

router = APIRouter(prefix="/api/ui", tags=["ui"])

FEEDBACK_KEY = "assistant_feedback"
FEEDBACK_LIMIT = 200


class FeedbackIn(BaseModel):
    """A verdict on one assistant answer."""

    rating: Literal["liked", "disliked"]
    session_id: str | None = Field(default=None, max_length=64)
    turn: str | int | None = None
    project: str | None = Field(default=None, max_length=255)
    request: str = Field(default="", max_length=2000)  # the user's message the answer replied to
    note: str = Field(default="", max_length=2000)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


@router.get("/templates")
def list_templates() -> dict[str, Any]:
    """Prompt templates for the picker: name, title and the text the user's words are put into."""
    from ...assistant.prompts import TEMPLATES

    return {"templates": [{"name": n, "title": _title(n), "description": t.replace("{text}", "…")}
                          for n, t in TEMPLATES.items()]}


@router.post("/feedback", status_code=201)
def add_feedback(body: FeedbackIn, request: Request) -> dict[str, Any]:
    """Record liked/disliked on an answer (kept in the settings store, oldest dropped past the cap)."""
    settings = request.app.state.services.store.settings
    items = list(settings.get(FEEDBACK_KEY, []) or [])
    item = {"liked": body.rating == "liked", "request": body.request, "note": body.note,
            "session_id": body.session_id, "turn": body.turn, "project": body.project, "at": time.time()}
    items = [*items, item][-FEEDBACK_LIMIT:]
    settings.update({FEEDBACK_KEY: items})
    return {"saved": True, "count": len(items)}


class SegmentRef(BaseModel):
    """A segment of a ball, named by its start (0-based ball, like the rest of the API)."""

    ball: int = Field(ge=0)
    start_ms: int = Field(ge=0)


class MoveSegmentsIn(BaseModel):
    items: list[SegmentRef] = Field(min_length=1, max_length=10_000)
    delta_ms: int = 0
    ball_delta: int = 0


class DeleteSegmentsIn(BaseModel):
    items: list[SegmentRef] = Field(min_length=1, max_length=10_000)


class PaintItem(BaseModel):
    ball: int = Field(ge=0)
    segments: list[dict[str, Any]] = Field(min_length=1)


class PaintSegmentsIn(BaseModel):
    items: list[PaintItem] = Field(min_length=1, max_length=256)
    label: str = Field(default="Paste", max_length=80)


@router.post("/projects/{name}/move-segments")
async def move_segments(name: str, body: MoveSegmentsIn, request: Request) -> dict[str, Any]:
    """Move a selection by the same time (and ball) offset: lift every segment first, then put
    each down with the editor's paint, so moved segments never cut each other."""
    def run(h: Any) -> dict[str, Any]:
        ed = h.editor
        with ed.group("Move selection"):
            lifted = [(ref.ball, ed.delete_segment(ref.ball, ref.start_ms, "Move selection")) for ref in body.items]
            for ball, seg in lifted:
                ed.paint(ball + body.ball_delta, seg.moved(seg.start_ms + body.delta_ms), "Move selection")
        return {"moved": len(lifted)}
    return await edit(request, name, run, "Move selection")


@router.post("/projects/{name}/delete-segments")
async def delete_segments(name: str, body: DeleteSegmentsIn, request: Request) -> dict[str, Any]:
    """Delete a selection (any balls) as one undo step."""
    def run(h: Any) -> dict[str, Any]:
        with h.editor.group("Delete selection"):
            for ref in body.items:
                h.editor.delete_segment(ref.ball, ref.start_ms, "Delete selection")
        return {"deleted": len(body.items)}
    return await edit(request, name, run, "Delete selection")


@router.post("/projects/{name}/paint-segments")
async def paint_segments(name: str, body: PaintSegmentsIn, request: Request) -> dict[str, Any]:
    """Paint segments on several balls (a paste) as one undo step."""
    items = [(it.ball, [codec.segment_from_dict(d, f"items[{i}].segments[{k}]") for k, d in enumerate(it.segments)])
             for i, it in enumerate(body.items)]

    def run(h: Any) -> dict[str, Any]:
        with h.editor.group(body.label):
            for ball, segs in items:
                h.editor.paint(ball, segs, body.label)
        return {"painted": sum(len(s) for _, s in items)}
    return await edit(request, name, run, body.label)
