"""The provider interface every LLM adapter implements (one file per provider).

A provider turns a :class:`ChatRequest` into an async stream of :mod:`events`. It knows nothing of
timelines: tools arrive as :class:`ToolSpec` (name, description, JSON schema).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .events import ChatMessage, ProviderEvent, ToolSpec


@dataclass(slots=True)
class ChatRequest:
    """One streaming request: the conversation so far plus the tools the model may call."""

    messages: list[ChatMessage]
    tools: list[ToolSpec] = field(default_factory=list)
    temperature: float | None = None
    max_tokens: int | None = None
    tool_choice: str | None = None  # "auto" | "none" | "required" | a tool name; None = provider default
    parallel_tool_calls: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RequestMetrics:
    """Measured facts about one provider request, handed to a :class:`MetricsSink`."""

    provider: str
    model: str
    started_at: float = field(default_factory=time.time)
    ttft_s: float | None = None  # time to first visible delta (text or tool call)
    duration_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    usage_estimated: bool = False
    output_chars: int = 0
    tokens_per_s: float | None = None
    chars_per_s: float | None = None
    tool_calls: int = 0
    retries: int = 0
    cost_usd: float | None = None
    cost_estimated: bool = False
    finish_reason: str | None = None
    error: str | None = None
    request_id: str | None = None


@runtime_checkable
class MetricsSink(Protocol):
    """Receives one :class:`RequestMetrics` per finished (or failed/cancelled) request."""

    def record(self, metrics: RequestMetrics) -> None: ...


@runtime_checkable
class Provider(Protocol):
    """A configured LLM endpoint that streams normalised events."""

    name: str  # profile/provider name, e.g. "openai", "anthropic", "lmstudio", "offline"
    model: str

    def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        """Stream events for one request.

        Cancellation: the consumer cancels the task (or closes the async generator); the adapter
        must close the underlying HTTP stream promptly. Retries happen inside, only before the
        first visible delta, or are announced with a ``Reset`` event.
        """
        ...

    async def aclose(self) -> None:
        """Release clients/models."""
        ...
