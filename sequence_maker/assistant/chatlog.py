"""Chat history ↔ JSON, so a conversation can continue across ``seqmaker ask`` runs.

Plain data (role, content, tool_calls, tool_call_id, name, is_error, meta); loading validates every
field and names the bad message, and the history is repaired (tool calls paired) before use.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .providers.events import ChatMessage

ROLES = ("system", "user", "assistant", "tool")
FORMAT = "sequence-maker-chat/1"


class ChatLogError(ValueError):
    """A chat file that cannot be read; the message names the file and the message index."""


def dumps_history(history: list[ChatMessage]) -> str:
    return json.dumps({"format": FORMAT, "messages": [asdict(m) for m in history]}, ensure_ascii=False, indent=1)


def loads_history(text: str, where: str = "chat") -> list[ChatMessage]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChatLogError(f"{where}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("messages"), list):
        raise ChatLogError(f"{where}: not a chat file (expected format {FORMAT!r} with a 'messages' list)")
    out = []
    for i, m in enumerate(data["messages"]):
        out.append(_message(m, f"{where}: message {i + 1}"))
    return out


def _message(m: Any, where: str) -> ChatMessage:
    if not isinstance(m, dict):
        raise ChatLogError(f"{where} must be an object")
    role = m.get("role")
    if role not in ROLES:
        raise ChatLogError(f"{where}: role must be one of {', '.join(ROLES)}, got {role!r}")
    calls = m.get("tool_calls") or []
    if not isinstance(calls, list) or not all(isinstance(c, dict) and isinstance(c.get("id"), str)
                                              and isinstance(c.get("name"), str) for c in calls):
        raise ChatLogError(f"{where}: tool_calls must be a list of {{id, name, arguments}}")
    if not isinstance(m.get("content", ""), str):
        raise ChatLogError(f"{where}: content must be a string")
    meta = m.get("meta") or {}
    if not isinstance(meta, dict):
        raise ChatLogError(f"{where}: meta must be an object")
    return ChatMessage(role, m.get("content", ""), [dict(c) for c in calls], m.get("tool_call_id"), m.get("name"),
                       bool(m.get("is_error", False)), dict(meta))


def load_history(path: Path) -> list[ChatMessage]:
    """A saved chat, or an empty one when the file does not exist yet."""
    if not path.exists():
        return []
    return loads_history(path.read_text(encoding="utf-8"), str(path))


def save_history(path: Path, history: list[ChatMessage]) -> None:
    from .providers.serialize import write_text_atomic

    write_text_atomic(path, dumps_history(history))
