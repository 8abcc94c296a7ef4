"""Storage tests never touch the real user data dir."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("seqmaker-home")
    monkeypatch.setenv("SEQMAKER_HOME", str(home))
    return home
