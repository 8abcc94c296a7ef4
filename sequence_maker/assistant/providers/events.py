"""One streaming event model shared by every LLM provider adapter.

Adapters translate their wire format into these events; the agent loop, the CLI and the
server consume only these. Nothing here knows about timelines or HTTP frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FinishReason = Literal["stop", "tool_calls", "length", "content_filter", "cancelled", "error", "other"]


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A fragment of visible assistant text."""

    text: str
    type: Literal["text_delta"] = "text_delta"


@dataclass(frozen=True, slots=True)
class ToolCallStart:
    """A tool call has opened; its arguments will follow as deltas.

    ``index`` is the call's ordinal within this response (0, 1, …), stable for the whole call. When a
    provider sends the call id late (or never), ``call_id`` here is a generated one and the final id
    is the one on :class:`ToolCallEnd`; match start/delta/end by ``index``.
    """

    call_id: str
    name: str
    index: int
    type: Literal["tool_call_start"] = "tool_call_start"


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A raw fragment of a tool call's JSON arguments (for live display only)."""

    call_id: str
    fragment: str
    type: Literal["tool_call_delta"] = "tool_call_delta"
    index: int = -1  # ordinal of the call in this response (stable even if the id arrives late)


@dataclass(frozen=True, slots=True)
class ToolCallEnd:
    """A fully assembled tool call.

    ``ok`` is False when the arguments were truncated or unparseable: such a call must never be
    executed. ``repaired`` is True when malformed-but-complete JSON was fixed by json-repair.
    """

    call_id: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str
    ok: bool = True
    repaired: bool = False
    error: str | None = None
    type: Literal["tool_call_end"] = "tool_call_end"
    index: int = -1  # ordinal of the call in this response, matches ToolCallStart.index


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage for one request, normalised across providers.

    ``input_tokens`` counts *all* prompt tokens including cached ones (OpenAI convention);
    ``cached_input_tokens`` and ``cache_write_tokens`` are subsets of it.
    """

    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    estimated: bool = False
    type: Literal["usage"] = "usage"


@dataclass(frozen=True, slots=True)
class Finish:
    """The request has ended normally (or was cut by length/filter)."""

    reason: FinishReason
    raw_reason: str | None = None
    type: Literal["finish"] = "finish"


@dataclass(frozen=True, slots=True)
class StreamError:
    """The request failed; ``retryable`` says whether a retry could have helped."""

    message: str
    kind: str = "error"
    retryable: bool = False
    status_code: int | None = None
    type: Literal["error"] = "error"


@dataclass(frozen=True, slots=True)
class Reset:
    """Discard everything emitted so far for this request: a retry is starting over."""

    reason: str
    type: Literal["reset"] = "reset"


ProviderEvent = TextDelta | ToolCallStart | ToolCallDelta | ToolCallEnd | Usage | Finish | StreamError | Reset


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool offered to the model: name, description and JSON schema of its arguments.

    ``small_model_parameters`` is an optional reduced schema for small local models: the same
    tool with alternative spellings left out (e.g. only ``when`` instead of ``when`` or
    ``start``+``duration``), so a 1.5B model has one obvious way to say each thing.
    """

    name: str
    description: str
    parameters: dict[str, Any]
    small_model_parameters: dict[str, Any] | None = None


@dataclass(slots=True)
class ChatMessage:
    """Provider-neutral chat message.

    role: system | user | assistant | tool. Assistant messages may carry ``tool_calls``
    (list of {"id", "name", "arguments": dict}); tool messages carry ``tool_call_id``.
    """

    role: Literal["system", "user", "assistant", "tool"]
    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
