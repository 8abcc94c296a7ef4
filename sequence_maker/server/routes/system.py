"""Health, status and settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from ... import __version__
from ..errors import ApiError
from ._common import body_dict, services

router = APIRouter(prefix="/api", tags=["system"])
MAX_INSTRUCTIONS_CHARS = 20_000  # custom_instructions go into every system prompt; keep them bounded


@router.get("/health")
async def health() -> dict[str, Any]:
    return {"ok": True, "version": __version__}


@router.get("/status")
async def status(request: Request) -> dict[str, Any]:
    s = services(request)
    return {"version": __version__, "workspace": str(s.settings.workspace), "assistant": dict(s.assistant.status),
            "busy": any(h.busy_request_id for h in s.projects.open_handles()),
            "database": s.store.dialect, "keys_backend": s.keys.backend}


@router.get("/settings")
async def get_settings(request: Request) -> dict[str, Any]:
    return {"settings": services(request).store.settings.all()}


@router.patch("/settings")
async def patch_settings(request: Request, body: Any = Body(...)) -> dict[str, Any]:
    values = dict(body_dict(body))
    if values.get("approval_mode") is not None:
        from ...assistant.approval import normalize_mode

        try:
            values["approval_mode"] = normalize_mode(str(values["approval_mode"]))
        except ValueError as e:
            raise ApiError(400, str(e)) from None
    instructions = values.get("custom_instructions")
    if instructions is not None and (not isinstance(instructions, str) or len(instructions) > MAX_INSTRUCTIONS_CHARS):
        raise ApiError(400, f"custom_instructions must be text of at most {MAX_INSTRUCTIONS_CHARS} characters")
    if "autosave_s" in values and values["autosave_s"] is not None:
        v = values["autosave_s"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 3600:
            raise ApiError(400, "autosave_s must be a number of seconds between 0 and 3600")
    s = services(request)
    from ...store.profiles import ProfileError

    try:
        out = s.store.settings.update(values)
    except ProfileError as e:
        raise ApiError(400, str(e)) from None
    return {"settings": out}
