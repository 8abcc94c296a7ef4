"""The WebSocket endpoint: one socket per tab, bound to one project (see docs/api.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from ..assistant.providers.secret import scrub
from .projects import ProjectHandle
from .services import Services
from .stream import Subscriber
from .turns import TurnError

log = logging.getLogger(__name__)
MAX_FRAME_BYTES = 1_000_000
WS_CLOSE_NOT_FOUND = 4404


def local(type_: str, data: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
    return {"type": type_, "request_id": request_id, "seq": None, "data": data}


class Connection:
    def __init__(self, ws: WebSocket, services: Services, handle: ProjectHandle, sub: Subscriber) -> None:
        self.ws, self.services, self.handle, self.sub = ws, services, handle, sub

    def send_local(self, frame: dict[str, Any]) -> None:
        self.sub.deliver(frame)

    def error(self, code: str, message: str, request_id: str | None = None) -> None:
        self.send_local(local("error", {"code": code, "message": scrub(message)}, request_id))

    async def sender(self) -> None:
        while True:
            frame = await self.sub.queue.get()
            if frame is None:
                await self.ws.close(code=1013 if self.sub.overflowed else 1000)
                return
            await self.ws.send_text(json.dumps(frame, ensure_ascii=False))

    def handle_message(self, raw: str) -> None:
        if len(raw) > MAX_FRAME_BYTES:
            self.error("too_large", f"frame larger than {MAX_FRAME_BYTES} bytes")
            return
        try:
            msg = json.loads(raw)
        except ValueError:
            self.error("bad_request", "frame is not valid JSON")
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            self.error("bad_request", "frame must be an object with a 'type' string")
            return
        rid = msg.get("request_id")
        rid = str(rid) if rid is not None else None
        data = msg.get("data") or {}
        if not isinstance(data, dict):
            self.error("bad_request", "'data' must be an object", rid)
            return
        kind = msg["type"]
        turns = self.services.turns
        try:
            if kind == "ping":
                self.send_local(local("pong", {}, rid))
            elif kind == "llm_request":
                turns.start(self.handle, rid, data)
            elif kind == "llm_cancel":
                if not turns.cancel(rid, data.get("session_id")):
                    raise TurnError("not_found", "no running turn matches this request_id/session_id")
            elif kind == "approval_response":
                call_id = data.get("call_id")
                if not isinstance(call_id, str):
                    raise TurnError("bad_request", "approval_response needs 'call_id'")
                turns.answer(call_id, data)
            else:
                raise TurnError("bad_request", f"unknown message type {kind!r} "
                                               "(llm_request, llm_cancel, approval_response, ping)")
        except TurnError as e:
            self.error(e.code, e.message, rid)


def _int_or_none(v: str | None) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


async def websocket_endpoint(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    await ws.accept()
    q = ws.query_params
    try:
        handle = await asyncio.to_thread(services.projects.get, q.get("project") or "")
    except Exception as e:
        await ws.send_text(json.dumps(local("error", {"code": "not_found", "message": scrub(str(e))})))
        await ws.close(code=WS_CLOSE_NOT_FOUND)
        return
    sub = Subscriber(asyncio.get_running_loop())
    replay, _head = handle.stream.subscribe(sub, _int_or_none(q.get("last_seq")), q.get("stream") or None)
    conn = Connection(ws, services, handle, sub)
    services.connections.add(conn)
    sender: asyncio.Task[None] | None = None
    try:
        await ws.send_text(json.dumps(services.status_frame(handle)))
        if replay is None:
            await ws.send_text(json.dumps(local("resync", {"reason": "missed frames are no longer available; "
                                                                     "reload the project"})))
        else:
            for frame in replay:
                await ws.send_text(json.dumps(frame, ensure_ascii=False))
        sender = asyncio.create_task(conn.sender())
        services.turns.prewarm(handle)  # a tab opened a project: get the assistant ready for it
        while True:
            receive = asyncio.create_task(ws.receive())
            done, _ = await asyncio.wait({receive, sender}, return_when=asyncio.FIRST_COMPLETED)
            if sender in done:
                receive.cancel()
                break
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is not None:
                conn.handle_message(message["text"])
            else:
                conn.error("bad_request", "binary frames are not part of the protocol; send JSON text frames")
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        handle.stream.unsubscribe(sub)
        services.connections.discard(conn)
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender
