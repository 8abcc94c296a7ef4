"""Run the real studio (``create_app`` under uvicorn, in a thread, on a free loopback port) and
drive Debian's Chromium with Playwright. Shared by the e2e tests, ``bench/ui_fps.py`` and the
screenshot step, so they all exercise exactly what ``seqmaker serve`` serves."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StudioServer:
    """The FastAPI app of ``seqmaker serve`` served by uvicorn in a background thread."""

    def __init__(self, root: Path, **settings: Any) -> None:
        self.root = root
        self.port = free_port()
        self.settings_kw = settings
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.app: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    def start(self, timeout_s: float = 20.0) -> StudioServer:
        import uvicorn

        from sequence_maker.server.app import create_app
        from sequence_maker.server.settings import ServerSettings

        kw: dict[str, Any] = {"host": "127.0.0.1", "port": self.port, "data_dir": self.root / "data",
                              "workspace": self.workspace, "use_keyring": False,
                              "probe_local_servers": False, "save_delay_s": 0.2}
        kw.update(self.settings_kw)
        self.app = create_app(ServerSettings(**kw))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="studio-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("studio server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


@contextmanager
def studio(root: Path, **settings: Any) -> Iterator[StudioServer]:
    server = StudioServer(root, **settings).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def chromium(headless: bool = True) -> Iterator[Any]:
    """A Playwright Chromium browser on Debian's binary (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=headless)
        try:
            yield browser
        finally:
            browser.close()
