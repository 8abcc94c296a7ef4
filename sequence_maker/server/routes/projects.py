"""Projects in the workspace: list, create, open, change, save, rename, delete."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Request

from ...model.project import Project
from ...storage.errors import WorkspaceError
from ...storage.workspace import validate_project_name
from ..errors import ApiError
from ._common import body_dict, edit, handle, services

router = APIRouter(prefix="/api/projects", tags=["projects"])


def _valid_new_name(name: str) -> str:
    try:
        return validate_project_name(name)
    except WorkspaceError as e:
        raise ApiError(400, str(e)) from None


@router.get("")
async def list_projects(request: Request) -> dict[str, Any]:
    entries = await asyncio.to_thread(services(request).projects.workspace.list)
    return {"projects": [{"name": e.name, "modified": e.modified, "size": e.size, "has_recovery": e.has_recovery}
                         for e in entries]}


@router.post("", status_code=201)
async def create_project(request: Request, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    name = b.get("name")
    if not isinstance(name, str):
        raise ApiError(400, "missing required field 'name' (string)")
    _valid_new_name(name)
    kwargs = {k: b[k] for k in ("balls", "duration_ms", "refresh_rate", "default_pixels") if k in b}
    for k, v in kwargs.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise ApiError(400, f"{k} must be an integer, got {v!r}")
    Project.new("check", **{k: v for k, v in kwargs.items() if k != "default_pixels"})  # validate before touching disk
    h = await asyncio.to_thread(services(request).projects.create, name, **kwargs)
    return h.view()


@router.get("/{name}")
async def get_project(request: Request, name: str) -> dict[str, Any]:
    return (await handle(request, name)).view()


@router.patch("/{name}")
async def patch_project(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    unknown = set(b) - {"title", "duration_ms", "refresh_rate"}
    if unknown:
        raise ApiError(400, f"unknown field(s) {sorted(unknown)}; allowed: title, duration_ms, refresh_rate")
    await edit(request, name, lambda h: h.editor.set_project_props(
        name=b.get("title"), duration_ms=b.get("duration_ms"), refresh_rate=b.get("refresh_rate")), "Project settings")
    return (await handle(request, name)).view()


@router.post("/{name}/save")
async def save_project(request: Request, name: str) -> dict[str, Any]:
    s = services(request)
    h = await handle(request, name)
    await asyncio.to_thread(s.projects.save, h)
    return {"saved": True, "name": h.name, "version": h.editor.version}


@router.post("/{name}/rename")
async def rename_project(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    new = body_dict(body).get("new_name")
    if not isinstance(new, str):
        raise ApiError(400, "missing required field 'new_name' (string)")
    _valid_new_name(new)
    s = services(request)
    h = await handle(request, name)
    s.require_idle(h)
    new_name = await asyncio.to_thread(s.projects.rename, h.name, new)
    await asyncio.to_thread(s.store.chat.rename_project, h.name, new_name)
    return {"name": new_name}


@router.delete("/{name}")
async def delete_project(request: Request, name: str, confirm: str | None = None) -> dict[str, Any]:
    s = services(request)
    key = s.projects.key(name)
    if not s.projects.workspace.exists(key):
        raise ApiError(404, f"no project named {key!r}")
    if confirm is None or confirm.strip() != key:
        raise ApiError(409, f"deleting needs confirmation: repeat the project name as ?confirm={key}", "confirm")
    h = await handle(request, key)
    s.require_idle(h)
    await asyncio.to_thread(s.projects.delete, key)
    return {"deleted": key}
