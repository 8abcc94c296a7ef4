"""Read any supported project file (ours or the earlier app's) with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import legacy, smproj
from .errors import ProjectFileError

SOURCE_OURS = "sequence-maker"
SOURCE_EARLIER = "earlier-app"


def read_json(path: Path) -> Any:
    """Parse a file as JSON; errors say whether it is missing, binary, truncated or malformed."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ProjectFileError(path, "", "is a folder, not a project file") from None
    except OSError as e:
        raise ProjectFileError(path, "", f"cannot read the file ({e.strerror or e})") from None
    return parse_json(raw, path)


def parse_json(raw: bytes, path: Path | None) -> Any:
    if not raw.strip():
        raise ProjectFileError(path, "", "the file is empty (not a project file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFileError(path, "", "not a text file (binary data); not a .smproj project") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        runs_to_end = e.msg.startswith("Unterminated string") and '"' not in text[e.pos + 1:]
        if e.pos >= len(text.rstrip()) or runs_to_end:
            problem = f"the file ends unexpectedly (truncated?) at line {e.lineno}, column {e.colno}"
        else:
            problem = f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        raise ProjectFileError(path, "", problem) from None
    except RecursionError:
        raise ProjectFileError(path, "", "JSON nested too deeply") from None


def decode_any(data: Any, path: Path | None, drop_bad_history: bool = False) -> tuple[smproj.Loaded, str]:
    """(loaded, source format) for a parsed document of either format."""
    if smproj.is_ours(data):
        return smproj.decode(data, path, drop_bad_history), SOURCE_OURS
    if legacy.is_earlier_app(data):
        project, warnings = legacy.load_earlier(data, path)
        from ..history import History

        return smproj.Loaded(project, History(), {}, warnings), SOURCE_EARLIER
    if isinstance(data, dict) and "format" in data:
        raise ProjectFileError(path, "format", f"{data['format']!r} is not a Sequence Maker project format")
    raise ProjectFileError(path, "", "not a Sequence Maker project (no \"format\" marker and no \"timelines\")")
