"""Studio warm-up: an offline-style provider (``load`` takes ``warmup_tools``) is loaded in the
background at start-up with the studio's tool specs, so the first question does not pay for the tool
prefix; start-up never waits for it, shutdown cancels it, failures are logged and reported."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from fastapi.testclient import TestClient

from sequence_maker.assistant.tools import default_registry
from sequence_maker.server.app import create_app
from tests.server.conftest import BASE
from tests.server.helpers import wait_for


@dataclass
class _Progress:
    stage: str
    fraction: float | None
    message: str


class FakeOffline:
    """Records its ``load`` calls; ``release`` lets the load finish, ``fail`` makes it raise."""

    name = "offline"
    model = "fake-gguf"

    def __init__(self, fail: bool = False) -> None:
        self.loaded = False
        self.fail = fail
        self.release = threading.Event()
        self.calls: list[list[str]] = []
        self.cancelled = False
        self.closed = False

    async def load(self, on_progress=None, warmup_tools=None, warmup_system=None) -> None:
        self.calls.append([t.name for t in warmup_tools or []])
        self.system = warmup_system
        if on_progress is not None:
            on_progress(_Progress("warmup", None, "Warming up the offline model"))
        try:
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        if self.fail:
            raise RuntimeError("weights are missing")
        self.loaded = True

    async def stream(self, request):  # pragma: no cover - not used here
        yield None

    async def aclose(self) -> None:
        self.closed = True


def _install(monkeypatch, fake: FakeOffline) -> None:
    from sequence_maker.assistant.providers import registry

    monkeypatch.setitem(registry._FACTORIES, "offline", lambda profile, key, sink: fake)


def _status(client: TestClient) -> dict:
    return client.get("/api/status").json()["assistant"]


def test_startup_warms_the_tool_prefix_once_without_blocking(settings, monkeypatch) -> None:
    fake = FakeOffline()
    _install(monkeypatch, fake)
    settings.assistant_profile = "offline"
    with TestClient(create_app(settings), base_url=BASE) as client:
        # start-up returned while the load is still running; the status shows the warm-up
        wait_for(lambda: fake.calls, what="load scheduled")
        status = wait_for(lambda: (s := _status(client))["state"] == "loading" and "Warming" in s["message"] and s,
                          what="warm-up progress")
        assert status["profile"] == "offline"
        fake.release.set()
        wait_for(lambda: _status(client)["state"] == "ready", what="ready")
        assert fake.calls == [default_registry().names()]  # once, with the tools the studio's turns send
        from sequence_maker.assistant.prompts import BASE_PROMPT

        assert fake.system.startswith(BASE_PROMPT)  # and the assistant's fixed rules that follow them
        assert fake.loaded and not fake.cancelled


def test_shutdown_cancels_a_running_warm_up(settings, monkeypatch) -> None:
    fake = FakeOffline()
    _install(monkeypatch, fake)
    settings.assistant_profile = "offline"
    with TestClient(create_app(settings), base_url=BASE) as client:
        wait_for(lambda: fake.calls, what="load scheduled")
        assert _status(client)["state"] == "loading"
    assert fake.cancelled and fake.closed and not fake.loaded
    assert len(fake.calls) == 1


def test_failed_warm_up_is_logged_and_reported_not_raised(settings, monkeypatch, caplog) -> None:
    fake = FakeOffline(fail=True)
    fake.release.set()
    _install(monkeypatch, fake)
    settings.assistant_profile = "offline"
    with caplog.at_level(logging.WARNING, logger="sequence_maker.server.assistant_service"):
        with TestClient(create_app(settings), base_url=BASE) as client:
            status = wait_for(lambda: (s := _status(client))["state"] != "loading" and s, what="selection over")
            assert status["state"] == "error" and "weights are missing" in status["message"]
            assert client.post("/api/projects", json={"name": "Still works"}).status_code == 201
    assert any("weights are missing" in r.getMessage() for r in caplog.records)
    assert fake.closed and len(fake.calls) == 1


def test_a_load_without_warmup_tools_is_called_as_before() -> None:
    from sequence_maker.assistant.preload import warmup_arguments
    from sequence_maker.assistant.prompts import fixed_system_text

    async def plain(on_progress=None) -> None:
        return None

    assert warmup_arguments(plain) == {}
    args = warmup_arguments(FakeOffline().load, custom_instructions="Always use pastel colours.")
    assert [t.name for t in args["warmup_tools"]] == default_registry().names()
    assert args["warmup_system"] == fixed_system_text("Always use pastel colours.")


class FakePrewarming(FakeOffline):
    """Also records ``prewarm`` (what the embedded model does when a tab opens a project)."""

    def __init__(self) -> None:
        super().__init__()
        self.release.set()
        self.prewarmed: list[tuple[list[str], str]] = []

    async def prewarm(self, tools, system) -> bool:
        self.prewarmed.append(([t.name for t in tools], system))
        return True


def test_opening_a_project_prewarms_exactly_the_system_prompt_a_new_chat_sends(settings, monkeypatch) -> None:
    from sequence_maker.assistant.agent import Assistant
    from tests.server.helpers import ws

    fake = FakePrewarming()
    _install(monkeypatch, fake)
    settings.assistant_profile = "offline"
    with TestClient(create_app(settings), base_url=BASE) as client:
        wait_for(lambda: _status(client)["state"] == "ready", what="ready")
        assert client.patch("/api/settings", json={"custom_instructions": "Always use pastel colours."}).status_code == 200
        assert client.post("/api/projects", json={"name": "Song", "balls": 2, "duration_ms": 30_000}).status_code == 201
        with ws(client, "project=Song") as sock:
            sock.receive_json()
            wait_for(lambda: fake.prewarmed, what="prewarm")
        tools, system = fake.prewarmed[0]
        assert tools == default_registry().names()
        editor = client.app.state.services.projects.get("Song").editor
        agent = Assistant(fake, custom_instructions="Always use pastel colours.")
        assert system == agent.system_message(editor).content  # the first turn's system, byte for byte
        assert '"project":{"name":"Song"}' in system
