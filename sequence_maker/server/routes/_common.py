"""Helpers shared by the routers: services lookup, project handles, safe edits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import Request

from ..errors import ApiError
from ..projects import ProjectHandle
from ..services import Services


def services(request: Request) -> Services:
    return request.app.state.services


async def handle(request: Request, name: str) -> ProjectHandle:
    """The open project ``name`` (opened on first use, off the event loop)."""
    return await asyncio.to_thread(services(request).projects.get, name)


async def edit(request: Request, name: str, fn: Callable[[ProjectHandle], Any], label: str = "",
               **extra: Any) -> dict[str, Any]:
    """Run one edit on the event loop (the same thread as assistant tools, so edits never interleave)."""
    h = await handle(request, name)
    services(request).require_idle(h)
    with h.doc.lock:
        out = fn(h)
    if isinstance(out, dict):
        extra = {**extra, **out}
    label = extra.pop("label", label)
    return h.mutation(label, **extra)


def body_dict(body: Any, what: str = "body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, f"{what} must be a JSON object")
    return body


def need_int(d: dict[str, Any], key: str, default: Any = ...) -> int:
    v = d.get(key, default)
    if v is ...:
        raise ApiError(400, f"missing required field {key!r}")
    if isinstance(v, bool) or not isinstance(v, int):
        raise ApiError(400, f"{key} must be an integer, got {v!r}")
    return v
