"""Server test fixtures: an isolated studio (own data dir, database, workspace, no ambient keys)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sequence_maker.server.app import create_app
from sequence_maker.server.settings import ServerSettings

BASE = "http://127.0.0.1:8765"
KEY_ENVS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
            "AZURE_OPENAI_DEPLOYMENT", "SEQMAKER_PROVIDER", "SEQMAKER_DATABASE_URL")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for k in KEY_ENVS:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("SEQMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SEQMAKER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr("sequence_maker.assistant.config.offline_available", lambda: False)


@pytest.fixture
def settings(tmp_path) -> ServerSettings:
    return ServerSettings(data_dir=tmp_path / "data", workspace=tmp_path / "ws", probe_local_servers=False,
                          use_keyring=False, save_delay_s=0.05, static_dir=tmp_path / "no-static")


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE) as c:
        yield c


@pytest.fixture
def project(client) -> str:
    r = client.post("/api/projects", json={"name": "Song", "balls": 2, "duration_ms": 30_000})
    assert r.status_code == 201, r.text
    return "Song"


def pytest_collection_modifyitems(config, items):
    """A stuck socket must fail its test, not hang the suite."""
    for item in items:
        if "/tests/server/" in str(item.path) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(90))
