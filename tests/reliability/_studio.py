"""A studio server for reliability tests: isolated dirs, database, no ambient keys, TestClient."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

BASE = "http://127.0.0.1:8765"
KEY_ENVS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
            "AZURE_OPENAI_DEPLOYMENT", "SEQMAKER_PROVIDER", "SEQMAKER_DATABASE_URL")


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in KEY_ENVS:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("SEQMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SEQMAKER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr("sequence_maker.assistant.config.offline_available", lambda: False)
    drop_stale_redaction_filters()


def drop_stale_redaction_filters() -> None:
    """Each app adds its key-redaction filter to the root/uvicorn loggers and their handlers and
    never removes it; pytest's handlers outlive a test, so an earlier app's filter (whose key store
    does not know this test's key) would run first and format the traceback unscrubbed."""
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "sequence_maker"):
        logger = logging.getLogger(name)
        for holder in (logger, *logger.handlers):
            for f in [f for f in holder.filters if type(f).__name__ == "RedactKeysFilter"]:
                holder.removeFilter(f)


def studio_settings(tmp_path: Path, **overrides):
    from sequence_maker.server.settings import ServerSettings

    values = dict(data_dir=tmp_path / "data", workspace=tmp_path / "ws", probe_local_servers=False,
                  use_keyring=False, save_delay_s=0.05, static_dir=tmp_path / "no-static")
    values.update(overrides)
    return ServerSettings(**values)


@contextmanager
def studio(tmp_path: Path, raise_server_exceptions: bool = True, **overrides) -> Iterator[TestClient]:
    from sequence_maker.server.app import create_app

    with TestClient(create_app(studio_settings(tmp_path, **overrides)), base_url=BASE,
                    raise_server_exceptions=raise_server_exceptions) as client:
        yield client


def new_project(client: TestClient, name: str = "Song") -> str:
    r = client.post("/api/projects", json={"name": name, "balls": 2, "duration_ms": 30_000})
    assert r.status_code == 201, r.text
    return name


def activate_fake(client: TestClient, fake, name: str = "fake", **extra) -> None:
    """Save a profile pointing at a fake provider server (``extra`` e.g. ``api_key``), make it the
    active one and wait until the assistant is ready."""
    import time

    profile = fake.profile(name).to_dict()
    profile.pop("name", None)
    r = client.put(f"/api/profiles/{name}", json={**profile, **extra})
    assert r.status_code == 200, r.text
    assert client.post(f"/api/profiles/{name}/activate").status_code == 200
    deadline = time.monotonic() + 20
    while (state := client.get("/api/status").json()["assistant"])["state"] != "ready":
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
