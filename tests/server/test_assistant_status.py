"""Slow providers load in the background; every tab sees the progress and then "ready"."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tests.server.helpers import recv_until, wait_for, ws


@dataclass
class _Progress:
    stage: str
    fraction: float | None
    message: str


class SlowLoadingProvider:
    name = "slow"
    model = "slow-model"

    def __init__(self) -> None:
        self.loaded = False

    async def load(self, on_progress=None) -> None:
        loop = asyncio.get_running_loop()
        for i in range(1, 5):
            await asyncio.sleep(0.05)
            on_progress(_Progress("load", i / 4, f"Loading {i}/4"))
        self.loaded = True
        loop.call_soon(on_progress, _Progress("ready", 1.0, "ready"))  # delivered late, like the real one

    async def stream(self, request):  # pragma: no cover - not used here
        yield None

    async def aclose(self) -> None:
        pass


def test_background_load_reports_progress_then_ready(client, project, monkeypatch):
    from sequence_maker.assistant.providers import registry

    monkeypatch.setitem(registry._FACTORIES, "scripted", lambda profile, key, sink: SlowLoadingProvider())
    assert client.put("/api/profiles/slow", json={"provider": "scripted"}).status_code == 200
    wait_for(lambda: client.get("/api/status").json()["assistant"]["state"] != "loading", what="first selection")
    with ws(client, f"project={project}") as sock:
        sock.receive_json()
        assert client.post("/api/profiles/slow/activate").status_code == 200
        frames = recv_until(sock, lambda f: f["type"] == "status" and f["data"]["assistant"]["state"] == "ready")
    loading = [f["data"]["assistant"] for f in frames if f["data"]["assistant"]["state"] == "loading"]
    fractions = [a["progress"] for a in loading if a["progress"] is not None]
    assert fractions and fractions == sorted(fractions)
    final = frames[-1]["data"]["assistant"]
    assert final["profile"] == "slow" and final["model"] == "slow-model"
    import time

    time.sleep(0.2)  # the late "ready" progress event must not flip the state back
    assert client.get("/api/status").json()["assistant"]["state"] == "ready"
    assert client.get("/api/profiles").json()["active"] == "slow"


def test_switching_profile_mid_load_supersedes_and_closes_the_first(client, project, monkeypatch):
    from sequence_maker.assistant.providers import registry

    made: list[SlowLoadingProvider] = []

    def factory(profile, key, sink):
        p = SlowLoadingProvider()
        p.closed = False
        p.model = profile.name

        async def aclose() -> None:
            p.closed = True
        p.aclose = aclose
        made.append(p)
        return p

    monkeypatch.setitem(registry._FACTORIES, "scripted", factory)
    client.put("/api/profiles/first", json={"provider": "scripted"})
    client.put("/api/profiles/second", json={"provider": "scripted"})
    wait_for(lambda: client.get("/api/status").json()["assistant"]["state"] != "loading", what="first selection")
    client.post("/api/profiles/first/activate")
    wait_for(lambda: made, what="first provider created")
    client.post("/api/profiles/second/activate")  # while "first" is still loading
    wait_for(lambda: client.get("/api/status").json()["assistant"]["state"] == "ready", what="ready")
    wait_for(lambda: made[0].closed, what="superseded provider closed")
    status = client.get("/api/status").json()["assistant"]
    assert status["profile"] == "second" and status["model"] == "second" and not made[-1].closed
