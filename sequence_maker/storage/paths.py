"""Where Sequence Maker keeps its per-user files (``SEQMAKER_HOME`` overrides the default)."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "SEQMAKER_HOME"


def app_home() -> Path:
    """The per-user data folder: ``$SEQMAKER_HOME`` or the platform's user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sequence-maker", appauthor=False))


def default_workspace_dir() -> Path:
    """The studio's default project folder."""
    return app_home() / "projects"


def orphan_recovery_dir() -> Path:
    """Recovery files of projects that were never saved (no folder of their own yet)."""
    return app_home() / "recovery"
