"""Provider profiles and their (write-only) API keys."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Request

from ..errors import ApiError
from ._common import body_dict, services

router = APIRouter(prefix="/api/profiles", tags=["assistant"])


def _public(s, profile) -> dict[str, Any]:
    d = profile.to_dict()
    return {**d, "name": profile.name, "provider": profile.provider, "model": profile.model,
            "base_url": profile.base_url, "options": profile.options, "needs_key": profile.needs_key,
            "is_local": profile.is_local, "key": s.keys.info(profile.name)}


@router.get("")
async def list_profiles(request: Request) -> dict[str, Any]:
    s = services(request)
    profiles = await asyncio.to_thread(s.assistant.profiles)
    items = await asyncio.to_thread(lambda: [_public(s, p) for p in profiles.values()])
    return {"profiles": items, "active": s.assistant.profile_name}


@router.put("/{name}")
async def put_profile(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    from ...assistant.config import ProviderProfile
    from ...assistant.providers.errors import InvalidProfile
    from ...store.keys import KeyStoreError
    from ...store.profiles import ProfileError, validate_profile_name

    s = services(request)
    b = dict(body_dict(body))
    api_key = b.pop("api_key", None)
    b.pop("key", None)
    b.pop("name", None)
    try:
        validate_profile_name(name)
        profile = ProviderProfile.from_dict({**b, "name": name})
        await asyncio.to_thread(s.store.profiles.put, name, profile.to_dict())
        if api_key is not None:
            await asyncio.to_thread(s.keys.set, name, api_key)
    except (InvalidProfile, ProfileError, KeyStoreError) as e:
        raise ApiError(400, str(e)) from None
    await s.assistant.forget(name)
    return _public(s, profile)


@router.delete("/{name}")
async def delete_profile(request: Request, name: str) -> dict[str, Any]:
    s = services(request)
    if not await asyncio.to_thread(s.store.profiles.delete, name):
        raise ApiError(404, f"no saved profile named {name!r}")
    await asyncio.to_thread(s.keys.delete, name)
    await s.assistant.forget(name)
    if s.store.settings.get("active_profile") == name:  # fall back to the best available one
        await asyncio.to_thread(s.store.settings.update, {"active_profile": None})
        s.assistant.start()
    return {"deleted": name}


@router.put("/{name}/key")
async def put_key(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    from ...store.keys import KeyStoreError

    s = services(request)
    key = body_dict(body).get("api_key")
    if name not in await asyncio.to_thread(s.assistant.profiles):
        raise ApiError(404, f"no profile named {name!r}")
    try:
        info = await asyncio.to_thread(s.keys.set, name, key)
    except KeyStoreError as e:
        raise ApiError(400, str(e)) from None
    await s.assistant.forget(name)
    return info


@router.delete("/{name}/key")
async def delete_key(request: Request, name: str) -> dict[str, Any]:
    s = services(request)
    out = await asyncio.to_thread(s.keys.delete, name)
    await s.assistant.forget(name)
    return out


@router.post("/{name}/activate")
async def activate(request: Request, name: str) -> dict[str, Any]:
    s = services(request)
    if name not in await asyncio.to_thread(s.assistant.profiles):
        raise ApiError(404, f"no profile named {name!r}")
    await asyncio.to_thread(s.store.settings.update, {"active_profile": name})
    s.assistant.start(name)
    return dict(s.assistant.status)
