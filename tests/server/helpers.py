"""Helpers for server tests (frames, waiting, fake provider activation)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient


def wait_for(pred: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def recv_until(ws, pred: Callable[[dict], bool], limit: int = 500) -> list[dict]:
    """Frames up to and including the first matching ``pred``."""
    frames = []
    for _ in range(limit):
        f = ws.receive_json()
        frames.append(f)
        if pred(f):
            return frames
    raise AssertionError(f"no matching frame in {limit} frames: {[x['type'] for x in frames][-20:]}")


def is_final(f: dict) -> bool:
    return f["type"] == "llm_chunk" and f["data"]["is_final"]


def activate_fake(client: TestClient, server, name: str = "fake") -> None:
    """Point the studio at a fake provider server and wait until the assistant is ready."""
    profile = server.profile(name).to_dict()
    profile.pop("name", None)
    r = client.put(f"/api/profiles/{name}", json=profile)
    assert r.status_code == 200, r.text
    assert client.post(f"/api/profiles/{name}/activate").status_code == 200
    wait_for(lambda: client.get("/api/status").json()["assistant"]["state"] == "ready", what="assistant ready")


def ws(client: TestClient, query: str, **kwargs: Any):
    """Open the studio WebSocket the way a browser on this server would (right Host)."""
    return client.websocket_connect(f"ws://127.0.0.1:8765/ws?{query}", **kwargs)
