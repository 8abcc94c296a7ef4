"""Streaming tool-call assembly shared by every adapter.

Rules (see docs/providers.md and the pitfalls reference):
- a fragment is routed by call id, then by index, then to the latest call;
- an index already bound to a *different* id opens a new call (Ollama reuses index 0);
- a late id replaces a generated one (the call keeps its slot and ordinal);
- a name is set once and never concatenated (LM Studio sends "" on later parts);
- argument fragments are kept as a list and joined once, at finalisation;
- finalisation happens only at the end of the call/stream, never because a prefix parses;
- a truncated call (cut by max_tokens, unterminated string/object) fails and must never run;
- complete-but-malformed JSON is repaired with json-repair and flagged ``repaired``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .events import ToolCallDelta, ToolCallEnd, ToolCallStart

TRUNCATED_BY_LENGTH = (
    "the response was cut at the token limit before this call was complete; it was not executed"
)


def new_call_id() -> str:
    """A stable, unique id for a call whose provider sent none."""
    return "call_" + uuid.uuid4().hex[:24]


class _Call:
    __slots__ = ("call_id", "id_generated", "name", "ordinal", "fragments", "closed", "error")

    def __init__(self, call_id: str | None, name: str, ordinal: int) -> None:
        self.id_generated = not call_id
        self.call_id = call_id or new_call_id()
        self.name = name
        self.ordinal = ordinal
        self.fragments: list[str] = []
        self.closed = False
        self.error: str | None = None  # known bad already (e.g. unparseable tool-call text)


class ToolCallAssembler:
    """Accumulates tool-call deltas of one response and finalises them into :class:`ToolCallEnd`."""

    __slots__ = ("_by_id", "_by_index", "_calls", "_latest")

    def __init__(self) -> None:
        self._by_id: dict[str, _Call] = {}
        self._by_index: dict[Any, _Call] = {}
        self._calls: list[_Call] = []
        self._latest: _Call | None = None

    @property
    def count(self) -> int:
        return len(self._calls)

    def _open(self, call_id: str | None, name: str, index: Any, out: list) -> _Call:
        call = _Call(call_id, name, len(self._calls))
        self._calls.append(call)
        self._by_id[call.call_id] = call
        if index is not None:
            self._by_index[index] = call
        self._latest = call
        out.append(ToolCallStart(call_id=call.call_id, name=name, index=call.ordinal))
        return call

    def feed(
        self, index: Any, call_id: str | None, name: str | None, fragment: str | None, out: list
    ) -> None:
        """Route one delta; appends ToolCallStart/ToolCallDelta events to ``out``."""
        call: _Call | None
        if call_id:
            call = self._by_id.get(call_id)
            if call is None:
                bound = self._by_index.get(index) if index is not None else None
                if bound is not None and bound.id_generated and not bound.closed:
                    # late id: the provider named the call after its first delta
                    del self._by_id[bound.call_id]
                    bound.call_id = call_id
                    bound.id_generated = False
                    self._by_id[call_id] = bound
                    call = bound
                else:
                    call = self._open(call_id, name or "", index, out)
                    name = None
        elif index is not None:
            call = self._by_index.get(index)
            if call is None:
                call = self._open(None, name or "", index, out)
                name = None
        else:
            call = self._latest
            if call is None:
                call = self._open(None, name or "", None, out)
                name = None
        if name and not call.name:
            call.name = name
        if fragment:
            call.fragments.append(fragment)
            out.append(ToolCallDelta(call_id=call.call_id, fragment=fragment, index=call.ordinal))
        self._latest = call

    def open_block(self, key: Any, call_id: str | None, name: str, out: list) -> None:
        """Open a call explicitly (Anthropic ``content_block_start``), keyed by block index."""
        self._open(call_id, name, key, out)

    def append_block(self, key: Any, fragment: str, out: list) -> None:
        """Append an argument fragment to an explicitly opened call (Anthropic ``input_json_delta``)."""
        call = self._by_index.get(key)
        if call is None or not fragment:
            return
        call.fragments.append(fragment)
        out.append(ToolCallDelta(call_id=call.call_id, fragment=fragment, index=call.ordinal))

    def close_block(self, key: Any) -> None:
        """Mark a call complete (its block ended); it is still finalised only by :meth:`finish`."""
        call = self._by_index.get(key)
        if call is not None:
            call.closed = True

    def add_complete(self, name: str, raw_arguments: str, out: list, error: str | None = None) -> None:
        """Add a call that arrived whole outside the tool-call channel (tool syntax in text)."""
        call = self._open(None, name, None, out)
        call.closed = True
        call.error = error
        if raw_arguments:
            call.fragments.append(raw_arguments)
            out.append(ToolCallDelta(call_id=call.call_id, fragment=raw_arguments, index=call.ordinal))

    def finish(self, truncated: bool) -> list[ToolCallEnd]:
        """Finalise every call, in the order they opened. ``truncated``: the response hit its token limit."""
        return [
            _failed(c.call_id, c.name, "".join(c.fragments), c.ordinal, c.error)
            if c.error
            else finalise_call(c.call_id, c.name, "".join(c.fragments), c.ordinal, truncated)
            for c in self._calls
        ]


def finalise_call(call_id: str, name: str, raw: str, ordinal: int, truncated: bool) -> ToolCallEnd:
    """Strictly parse the complete argument string of one call."""
    if truncated:
        return _failed(call_id, name, raw, ordinal, TRUNCATED_BY_LENGTH)
    if not name:
        return _failed(call_id, name, raw, ordinal, "the tool call has no name")
    if not raw.strip():
        return ToolCallEnd(call_id=call_id, name=name, arguments={}, raw_arguments=raw, index=ordinal)
    try:
        value = json.loads(raw)
    except ValueError:
        reason = truncation_reason(raw)
        if reason is not None:
            return _failed(call_id, name, raw, ordinal, f"arguments are truncated ({reason}); not executed")
        return _repair(call_id, name, raw, ordinal)
    if not isinstance(value, dict):
        return _failed(
            call_id, name, raw, ordinal, f"arguments must be a JSON object, got {type(value).__name__}"
        )
    return ToolCallEnd(call_id=call_id, name=name, arguments=value, raw_arguments=raw, index=ordinal)


def _repair(call_id: str, name: str, raw: str, ordinal: int) -> ToolCallEnd:
    import json_repair

    try:
        value = json_repair.loads(raw)
    except Exception as exc:  # json-repair gives up with assorted errors
        return _failed(
            call_id, name, raw, ordinal, f"arguments are not valid JSON and could not be repaired: {exc}"
        )
    if not isinstance(value, dict) or (not value and raw.strip() not in ("{}", "")):
        return _failed(call_id, name, raw, ordinal, "arguments are not valid JSON and could not be repaired")
    return ToolCallEnd(
        call_id=call_id, name=name, arguments=value, raw_arguments=raw, repaired=True, index=ordinal
    )


def _failed(call_id: str, name: str, raw: str, ordinal: int, error: str) -> ToolCallEnd:
    return ToolCallEnd(
        call_id=call_id, name=name, arguments={}, raw_arguments=raw, ok=False, error=error, index=ordinal
    )


def truncation_reason(raw: str) -> str | None:
    """Why ``raw`` looks like a cut-off prefix (unterminated string, unclosed bracket), or None."""
    depth = 0
    in_string = False
    escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    if in_string:
        return "unterminated string"
    if depth > 0:
        return "unclosed object or array"
    stripped = raw.rstrip()
    if stripped.endswith((",", ":")):
        return "ends mid-value"
    return None
