"""(De)serialisation of provider events to plain dicts and JSONL, for recording and replay.

Dicts carry the event's ``type`` tag, so a recorded stream can be replayed by the scripted provider
or shipped over a WebSocket unchanged.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .events import (
    Finish,
    ProviderEvent,
    Reset,
    StreamError,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)

EVENT_TYPES: dict[str, type] = {
    "text_delta": TextDelta,
    "tool_call_start": ToolCallStart,
    "tool_call_delta": ToolCallDelta,
    "tool_call_end": ToolCallEnd,
    "usage": Usage,
    "finish": Finish,
    "error": StreamError,
    "reset": Reset,
}


class EventFormatError(ValueError):
    """A recorded event dict is not a valid provider event."""


def event_to_dict(event: ProviderEvent) -> dict[str, Any]:
    """Plain, JSON-safe dict of an event (includes its ``type``)."""
    return asdict(event)


def event_from_dict(data: dict[str, Any]) -> ProviderEvent:
    """Rebuild an event from :func:`event_to_dict` output; unknown types/fields raise EventFormatError."""
    if not isinstance(data, dict):
        raise EventFormatError(f"event must be an object, got {type(data).__name__}")
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise EventFormatError(f"unknown event type {kind!r}; expected one of {sorted(EVENT_TYPES)}")
    fields = {k: v for k, v in data.items() if k != "type"}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise EventFormatError(f"bad fields for {kind!r} event: {exc}") from None


def dumps_events(events: Iterable[ProviderEvent]) -> str:
    """JSONL text, one event per line."""
    return "".join(json.dumps(event_to_dict(e), ensure_ascii=False) + "\n" for e in events)


def loads_events(text: str) -> list[ProviderEvent]:
    """Parse JSONL produced by :func:`dumps_events` (blank lines ignored)."""
    events: list[ProviderEvent] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EventFormatError(f"line {lineno}: invalid JSON ({exc.msg})") from None
        try:
            events.append(event_from_dict(data))
        except EventFormatError as exc:
            raise EventFormatError(f"line {lineno}: {exc}") from None
    return events


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via temp file + fsync + rename: never a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
