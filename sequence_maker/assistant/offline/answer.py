"""Turning the model's constrained JSON into checked tool calls or text.

The grammar guarantees the shape, but not that the output is complete (a token limit or timeout can
cut it) nor every schema keyword; so the final text is parsed strictly here and each call's
arguments are validated against its tool's own schema. Anything wrong becomes an
:class:`AnswerInvalid` whose message is fed back to the model for a bounded re-ask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..providers.events import ToolSpec
from .schema import validate


class AnswerInvalid(ValueError):
    """The model's answer cannot be used as-is; the message tells the model what to fix."""


@dataclass(slots=True)
class Answer:
    """A parsed answer: either ``reply`` text or one or more ``calls`` (name, arguments)."""

    reply: str | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def parse_answer(raw: str, tools: list[ToolSpec]) -> Answer:
    """Strictly parse and validate one whole answer (no repair: a cut answer must not run)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AnswerInvalid(f"the answer is not complete JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise AnswerInvalid("the answer must be a JSON object")
    if "reply" in data and "calls" not in data:
        text = data["reply"]
        if not isinstance(text, str) or not text.strip():
            raise AnswerInvalid('"reply" must be non-empty text')
        return Answer(reply=text.strip())
    calls = data.get("calls")
    if not isinstance(calls, list) or not calls:
        raise AnswerInvalid('the answer needs "calls" (a non-empty list) or "reply"')
    by_name = {t.name: t for t in tools}
    answer = Answer()
    problems: list[str] = []
    for i, call in enumerate(calls):
        if not isinstance(call, dict):
            problems.append(f"call {i + 1} is not an object")
            continue
        name, args = call.get("tool"), call.get("arguments", {})
        tool = by_name.get(name) if isinstance(name, str) else None
        if tool is None:
            problems.append(f"call {i + 1}: unknown tool {name!r}; tools are {', '.join(by_name) or 'none'}")
            continue
        if not isinstance(args, dict):
            problems.append(f"call {i + 1} ({name}): arguments must be an object")
            continue
        errors = validate(args, tool.parameters)
        if errors:
            problems.append(f"call {i + 1} ({name}): " + "; ".join(errors[:3]))
            continue
        answer.calls.append((name, args))
    if problems:
        raise AnswerInvalid("; ".join(problems))
    return answer


_REPLY_PREFIXES = ('{"reply": "', '{"reply":"')


class ReplyStreamer:
    """Extracts the text of a ``{"reply": "…"}`` answer while it is being generated.

    Feed raw fragments; :meth:`feed` returns newly decoded text (possibly ""). Escapes are only
    decoded once complete, so no half escape or lone surrogate ever reaches the user.
    """

    __slots__ = ("_raw", "_emitted", "_mode")

    def __init__(self) -> None:
        self._raw = ""
        self._emitted = 0  # characters of decoded text already returned
        self._mode: str | None = None  # None = undecided, "reply", "other"

    @property
    def is_reply(self) -> bool:
        return self._mode == "reply"

    @property
    def raw(self) -> str:
        return self._raw

    def feed(self, fragment: str) -> str:
        self._raw += fragment
        if self._mode is None:
            head = self._raw.lstrip()
            if any(head.startswith(p) for p in _REPLY_PREFIXES):
                self._mode = "reply"
            elif len(head) >= 11 or (head and not any(p.startswith(head) for p in _REPLY_PREFIXES)):
                self._mode = "other"
        if self._mode != "reply":
            return ""
        body = self._raw.lstrip()
        body = body[len(next(p for p in _REPLY_PREFIXES if body.startswith(p))) :]
        safe = _decodable_prefix(body)
        text = json.loads('"' + safe + '"') if safe else ""
        new = text[self._emitted :]
        self._emitted = len(text)
        return new


def _decodable_prefix(body: str) -> str:
    """The longest prefix of a JSON string body that decodes on its own (stops at the closing quote)."""
    i, n, end = 0, len(body), 0
    while i < n:
        ch = body[i]
        if ch == '"':
            break
        if ch == "\\":
            if i + 1 >= n:
                break
            if body[i + 1] == "u":
                if i + 6 > n:
                    break
                code = int(body[i + 2 : i + 6], 16) if _is_hex(body[i + 2 : i + 6]) else -1
                if 0xD800 <= code <= 0xDBFF:  # high surrogate: needs its low half too
                    if i + 12 > n:
                        break
                    i += 12
                else:
                    i += 6
            else:
                i += 2
        else:
            i += 1
        end = i
    return body[:end]


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)
