"""Real balls from the studio: listen for balls, upload a ball's .prg, send/mirror live colour.

Only ever sends to the IP address in the request (the user typed or picked it from a scan)."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from typing import Any

from fastapi import APIRouter, Body, Request

from ..errors import ApiError
from ._common import body_dict, handle, need_int

router = APIRouter(prefix="/api", tags=["balls"])
_MIRRORS: dict[str, asyncio.Task] = {}


def _address(b: dict[str, Any]) -> str:
    raw = b.get("address")
    try:
        return str(ipaddress.ip_address(str(raw)))
    except ValueError:
        raise ApiError(400, f"'address' must be the ball's IP address, got {raw!r}") from None


def _port(b: dict[str, Any], key: str, default: int) -> int:
    p = need_int(b, key, default)
    if not 1 <= p <= 65535:
        raise ApiError(400, f"{key} must be 1–65535")
    return p


@router.post("/balls/scan")
async def scan_balls(body: Any = Body(default={})) -> dict[str, Any]:
    from ...balls.client import BallError, scan

    b = body_dict(body)
    seconds = b.get("seconds", 3)
    if not isinstance(seconds, (int, float)) or not 0.2 <= seconds <= 10:
        raise ApiError(400, "seconds must be between 0.2 and 10")
    try:
        found = await scan(float(seconds), bind=str(b.get("bind", "0.0.0.0")), port=_port(b, "port", 41412))
    except BallError as e:
        raise ApiError(409, str(e), "conflict") from None
    return {"balls": [{"address": a.address, "name": a.name} for a in found]}


@router.post("/projects/{name}/balls/{ball}/upload")
async def upload_ball(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    from ...balls.client import BallError, upload
    from ...formats.export import ExportError, ball_file_stem, project_to_prg_bytes

    b = body_dict(body)
    addr = _address(b)
    h = await handle(request, name)
    p = h.doc.project
    if not 0 <= ball < len(p.balls):
        raise ApiError(404, f"no ball {ball} (0-based); the project has {len(p.balls)}")
    rate = b.get("rate")
    try:
        with h.doc.lock:
            data = project_to_prg_bytes(p, ball, rate if isinstance(rate, int) else None)
            filename = f"{ball_file_stem(p.ball(ball).name, ball, set())}.prg"
    except ExportError as e:
        raise ApiError(422, str(e), "export_refused") from None
    try:
        res = await upload(addr, data, filename, port=_port(b, "port", 8888),
                           status_port=_port(b, "status_port", 41412),
                           status_bind=str(b.get("status_bind", "0.0.0.0")),
                           confirm_timeout_s=float(b.get("timeout_s", 10)))
    except BallError as e:
        raise ApiError(502, str(e), "ball_error") from None
    return {"address": res.address, "filename": res.filename, "bytes": res.bytes_sent,
            "confirmed": res.confirmed, "seconds": round(res.seconds, 3), "message": res.message}


@router.post("/balls/live")
async def live_color(body: Any = Body(...)) -> dict[str, Any]:
    """One colour (``color: [r,g,b]``) and/or brightness (0–255) to one ball."""
    from ...balls.client import BallError, LiveSender
    from ...balls.protocol import BallProtocolError
    from ...model import ModelError, parse_color

    b = body_dict(body)
    addr = _address(b)
    try:
        async with LiveSender(addr, _port(b, "port", 41412)) as live:
            if b.get("color") is not None:
                live.send_color(*parse_color(b["color"]))
            if b.get("brightness") is not None:
                live.send_brightness(need_int(b, "brightness"))
            sent = live.sent
    except (ModelError, BallProtocolError) as e:
        raise ApiError(400, str(e)) from None
    except BallError as e:
        raise ApiError(502, str(e), "ball_error") from None
    return {"sent": sent}


@router.post("/projects/{name}/balls/{ball}/mirror")
async def start_mirror(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    """Mirror a ball's timeline on a real ball from ``start_ms`` for ``seconds`` (≤ 1 h)."""
    from ...balls.client import LiveSender

    b = body_dict(body)
    addr, port = _address(b), _port(b, "port", 41412)
    h = await handle(request, name)
    p = h.doc.project
    if not 0 <= ball < len(p.balls):
        raise ApiError(404, f"no ball {ball} (0-based); the project has {len(p.balls)}")
    start_ms = need_int(b, "start_ms", 0)
    seconds = b.get("seconds", 60)
    rate = b.get("rate_hz", 25)
    if not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
        raise ApiError(400, "seconds must be in (0, 3600]")
    if not isinstance(rate, (int, float)) or not 1 <= rate <= 50:
        raise ApiError(400, "rate_hz must be 1–50")
    for key, task in list(_MIRRORS.items()):
        if task.done():
            del _MIRRORS[key]
        elif key.startswith(addr + "|"):
            task.cancel()  # one mirror per ball address
            del _MIRRORS[key]

    async def run() -> None:
        async with LiveSender(addr, port) as live:
            try:
                await live.stream(lambda t: tuple(p.color_at(ball, t * 1000)), float(seconds), float(rate),
                                  start_ms / 1000)
            finally:
                live.send_color(0, 0, 0)

    mirror_id = f"{addr}|{uuid.uuid4().hex[:8]}"
    _MIRRORS[mirror_id] = asyncio.create_task(run())
    return {"mirror_id": mirror_id}


@router.delete("/balls/mirror/{mirror_id}")
async def stop_mirror(mirror_id: str) -> dict[str, Any]:
    task = _MIRRORS.pop(mirror_id, None)
    if task is None:
        raise ApiError(404, "no such live mirror")
    task.cancel()
    return {"stopped": mirror_id}
