"""Chat sessions of a project and their messages (what the chat panel shows after a reload)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Request

from ..errors import ApiError
from ._common import body_dict, services

router = APIRouter(prefix="/api", tags=["chat"])


@router.get("/projects/{name}/sessions")
async def list_sessions(request: Request, name: str) -> dict[str, Any]:
    s = services(request)
    return {"sessions": await asyncio.to_thread(s.store.chat.list_sessions, s.projects.key(name))}


@router.post("/projects/{name}/sessions", status_code=201)
async def create_session(request: Request, name: str, body: Any = Body(default={})) -> dict[str, Any]:
    s = services(request)
    key = s.projects.key(name)
    if not s.projects.workspace.exists(key):
        raise ApiError(404, f"no project named {key!r}")
    title = body_dict(body).get("title") or ""
    if not isinstance(title, str):
        raise ApiError(400, "title must be text")
    return await asyncio.to_thread(s.store.chat.create_session, key, title)


def _public(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "native"} for m in messages]


@router.get("/sessions/{session_id}")
async def get_session(request: Request, session_id: str) -> dict[str, Any]:
    s = services(request)
    sess = await asyncio.to_thread(s.store.chat.get_session, session_id)
    if sess is None:
        raise ApiError(404, f"chat session {session_id!r} not found")
    return {"session": sess, "messages": _public(await asyncio.to_thread(s.store.chat.messages, session_id))}


@router.patch("/sessions/{session_id}")
async def rename_session(request: Request, session_id: str, body: Any = Body(...)) -> dict[str, Any]:
    title = body_dict(body).get("title")
    if not isinstance(title, str):
        raise ApiError(400, "missing required field 'title' (string)")
    out = await asyncio.to_thread(services(request).store.chat.rename_session, session_id, title)
    if out is None:
        raise ApiError(404, f"chat session {session_id!r} not found")
    return out


@router.delete("/sessions/{session_id}")
async def delete_session(request: Request, session_id: str) -> dict[str, Any]:
    s = services(request)
    if any(t.session_id == session_id for t in s.turns.turns.values()):
        raise ApiError(409, "this chat has a turn running; cancel it first", "busy")
    if not await asyncio.to_thread(s.store.chat.delete_session, session_id):
        raise ApiError(404, f"chat session {session_id!r} not found")
    return {"deleted": session_id}
