"""Tool calls that local servers send as *text* instead of structured ``tool_calls``.

LM Studio with ``tool_choice: "required"`` (lmstudio-bug-tracker #2115), and Ollama for models without a
registered parser, stream the model's raw tool syntax as content. Two syntaxes are recognised:

- Hermes/Qwen JSON: ``<tool_call>{"name": "f", "arguments": {...}}</tool_call>``
- Qwen3-coder XML: ``<tool_call><function=f><parameter=x>1</parameter></function></tool_call>``

:class:`PseudoCallFilter` sits on the text stream: ordinary text passes through at once, except a
possible ``<tool_call>`` prefix at the end of a delta, which is held back until it is decided. A block
cut off by the end of the stream becomes a failed (truncated) call, never a guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

OPEN, CLOSE = "<tool_call>", "</tool_call>"
_FUNCTION = re.compile(r"<function=([^>\s]+)>(.*?)(?:</function>|$)", re.S)
_PARAMETER = re.compile(r"<parameter=([^>\s]+)>(.*?)</parameter>", re.S)
_NAME = re.compile(r'"name"\s*:\s*"([^"]+)"')


@dataclass(slots=True)
class PseudoCall:
    """One call found in text: name and raw JSON arguments ('' when unparseable), or an error."""

    name: str
    raw_arguments: str
    error: str | None = None


def parse_block(body: str) -> PseudoCall:
    """Parse the inside of one ``<tool_call>`` block."""
    body = body.strip()
    match = _FUNCTION.search(body)
    if match:
        args: dict[str, Any] = {}
        for key, value in _PARAMETER.findall(match.group(2)):
            value = value.strip()
            try:
                args[key] = json.loads(value)
            except ValueError:
                args[key] = value
        return PseudoCall(match.group(1), json.dumps(args))
    try:
        data = json.loads(body)
    except ValueError:
        return PseudoCall("", body, "tool call text is not valid JSON or <function=…> syntax")
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return PseudoCall("", body, 'tool call text has no "name"')
    arguments = data.get("arguments", data.get("parameters", {}))
    if isinstance(arguments, str):
        return PseudoCall(data["name"], arguments)
    return PseudoCall(data["name"], json.dumps(arguments))


class PseudoCallFilter:
    """Splits streamed text into visible text and tool-call blocks."""

    __slots__ = ("_held", "_inside", "_block")

    def __init__(self) -> None:
        self._held = ""  # visible text withheld because it may start "<tool_call>"
        self._inside = False
        self._block: list[str] = []

    def feed(self, text: str) -> tuple[str, list[PseudoCall]]:
        """Returns (text to show now, calls completed by this delta)."""
        if not self._inside and "<" not in text and not self._held:
            return text, []  # fast path: nothing that could open a block
        visible: list[str] = []
        calls: list[PseudoCall] = []
        buffer = self._held + text
        self._held = ""
        while buffer:
            if self._inside:
                self._block.append(buffer)
                joined = "".join(self._block)
                end = joined.find(CLOSE)
                if end < 0:
                    self._block = [joined]
                    return "".join(visible), calls
                calls.append(parse_block(joined[:end]))
                self._inside, self._block = False, []
                buffer = joined[end + len(CLOSE) :]
                continue
            start = buffer.find(OPEN)
            if start >= 0:
                visible.append(buffer[:start])
                self._inside = True
                buffer = buffer[start + len(OPEN) :]
                continue
            keep = _partial_open_suffix(buffer)
            visible.append(buffer[: len(buffer) - keep])
            self._held = buffer[len(buffer) - keep :]
            break
        return "".join(visible), calls

    def finish(self) -> tuple[str, PseudoCall | None]:
        """End of stream: withheld text, and a truncated call if a block never closed."""
        held, self._held = self._held, ""
        if self._inside:
            body = "".join(self._block)
            self._inside, self._block = False, []
            return held, PseudoCall(
                _name_in(body), body, "the tool call text was cut off before </tool_call>"
            )
        return held, None


def _name_in(body: str) -> str:
    """The tool name of a cut-off block, for the error report (the call still fails)."""
    match = _FUNCTION.search(body) or _NAME.search(body)
    return match.group(1) if match else ""


def _partial_open_suffix(text: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``<tool_call>``."""
    for size in range(min(len(OPEN) - 1, len(text)), 0, -1):
        if OPEN.startswith(text[-size:]):
            return size
    return 0
