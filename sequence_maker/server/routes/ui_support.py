"""Small endpoints the web studio needs beyond docs/api.md: the prompt-template list for the
picker and liked/disliked feedback on answers. Thin adapters: templates come from
``assistant/prompts.py``; feedback is kept in the settings store (``assistant_feedback``, newest
last, capped) in the shape of ``prompts.Feedback`` so the turn runner can fold it into prompts.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

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
