"""Fixtures for the browser end-to-end tests: one studio server, one fake OpenAI-compatible LLM
server scripted per test, one headless Debian Chromium page. Screenshots go to
``tests/e2e/_artifacts/`` (and the ones the docs use to ``docs/screenshots/`` with SEQMAKER_SHOTS=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import CHROMIUM, chromium, studio

ARTIFACTS = Path(__file__).parent / "_artifacts"
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: The main screens the docs show (the other screenshots stay test artifacts).
DOC_NAMES = {"studio-lyrics", "assistant-approval", "assistant-done", "diagnostics", "export", "settings"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} missing: apt-get install -y chromium")
        for item in items:
            if "e2e" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="package")
def fake_llm() -> Iterator[Any]:
    from tests.fakes.openai_server import FakeOpenAIServer

    server = FakeOpenAIServer([])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, fake_llm: Any) -> Iterator[Any]:
    with studio(tmp_path_factory.mktemp("studio")) as srv:
        c = httpx.Client(base_url=srv.url, timeout=30)
        c.put("/api/profiles/fake", json={"provider": "openai_compatible", "model": "fake-model",
                                          "base_url": f"{fake_llm.base_url}/v1"}).raise_for_status()
        c.post("/api/profiles/fake/activate").raise_for_status()
        srv.client = c
        yield srv


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser: Any, server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    p = context.new_page()
    p.errors = []  # uncaught page errors fail the tests that check them
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.set_default_timeout(15_000)
    yield p
    context.close()


def shot(page: Any, name: str) -> Path:
    """Save a screenshot as a test artifact (and into docs/screenshots when SEQMAKER_SHOTS=1)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("SEQMAKER_SHOTS") == "1" and name in DOC_NAMES:
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        _small_copy(path, DOC_SHOTS / f"{name}.png")
    return path


def _small_copy(src: Path, dst: Path) -> None:
    """A 256-colour copy for the docs (the UI is flat colours: ~4x smaller, no visible loss)."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib; without it keep the full PNG
        shutil.copy(src, dst)
        return
    with Image.open(src) as im:
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)
