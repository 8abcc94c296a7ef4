"""Anthropic Messages streaming: request building and event translation.

Rules: calls keyed by content-block index; id/name only in ``content_block_start`` (its ``input``
is ``{}`` and ignored); ``partial_json`` joined once, empty → ``{}``; ``message_delta.usage`` is
cumulative; ``input_tokens`` *excludes* cache reads/writes (we add them back to match our Usage
convention); ``stop_reason: max_tokens`` fails every call of the response; a stream that ends
without ``message_stop`` is an error (a mid-stream ``error`` event is raised by the SDK).
"""

from __future__ import annotations

from typing import Any

from .base import ChatRequest
from .errors import ProviderRequestError
from .events import ChatMessage, Finish, FinishReason, ProviderEvent, TextDelta, ToolSpec, Usage
from .toolcalls import ToolCallAssembler

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
}
DEFAULT_MAX_TOKENS = 4096


def anthropic_messages(messages: list[ChatMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """Neutral messages → (system prompt, Messages API ``messages``); tool results grouped per turn."""
    system_parts: list[str] = []
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system":
            system_parts.append(m.content)
        elif m.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": m.tool_call_id or "",
                "content": m.content,
                "is_error": bool(m.is_error),
            }
            if (
                out
                and out[-1]["role"] == "user"
                and isinstance(out[-1]["content"], list)
                and all(b.get("type") == "tool_result" for b in out[-1]["content"])
            ):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif m.role == "assistant" and m.tool_calls:
            content: list[dict[str, Any]] = []
            if m.content:
                content.append({"type": "text", "text": m.content})
            for c in m.tool_calls:
                content.append(
                    {"type": "tool_use", "id": c["id"], "name": c["name"], "input": c.get("arguments") or {}}
                )
            out.append({"role": "assistant", "content": content})
        else:
            out.append({"role": m.role, "content": m.content})
    return ("\n\n".join(system_parts) if system_parts else None), out


def anthropic_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    return [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools]


def anthropic_tool_choice(choice: str | None, parallel: bool) -> dict[str, Any] | None:
    if choice is None and parallel:
        return None
    if choice in (None, "auto"):
        result: dict[str, Any] = {"type": "auto"}
    elif choice == "none":
        return {"type": "none"}
    elif choice == "required":
        result = {"type": "any"}
    else:
        result = {"type": "tool", "name": choice}
    if not parallel:
        result["disable_parallel_tool_use"] = True
    return result


def build_messages_kwargs(
    request: ChatRequest, *, model: str, default_temperature: float | None, default_max_tokens: int | None
) -> dict[str, Any]:
    system, messages = anthropic_messages(request.messages)
    max_tokens = request.max_tokens or default_max_tokens or DEFAULT_MAX_TOKENS
    kwargs: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": max_tokens, "stream": True}
    if system:
        kwargs["system"] = system
    temperature = request.temperature if request.temperature is not None else default_temperature
    if temperature is not None:
        kwargs["temperature"] = temperature
    if request.tools:
        kwargs["tools"] = anthropic_tools(request.tools)
        choice = anthropic_tool_choice(request.tool_choice, request.parallel_tool_calls)
        if choice is not None:
            kwargs["tool_choice"] = choice
    return kwargs


class AnthropicTranslator:
    """Raw Messages stream events → provider events (one instance per response)."""

    __slots__ = ("calls", "usage", "request_id", "stop_reason", "stopped", "_raw_usage")

    def __init__(self) -> None:
        self.calls = ToolCallAssembler()
        self.usage: Usage | None = None
        self.request_id: str | None = None
        self.stop_reason: str | None = None
        self.stopped = False
        self._raw_usage: dict[str, int] = {}

    def _merge_usage(self, raw: Any) -> None:
        if raw is None:
            return
        for key in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ):
            value = getattr(raw, key, None)
            if value is not None:
                self._raw_usage[key] = value  # cumulative: latest wins
        u = self._raw_usage
        cache_read = u.get("cache_read_input_tokens", 0)
        cache_write = u.get("cache_creation_input_tokens", 0)
        self.usage = Usage(
            input_tokens=u.get("input_tokens", 0) + cache_read + cache_write,
            output_tokens=u.get("output_tokens", 0),
            cached_input_tokens=cache_read,
            cache_write_tokens=cache_write,
        )

    def feed(self, event: Any) -> list[ProviderEvent]:
        out: list[ProviderEvent] = []
        kind = event.type
        if kind == "content_block_delta":
            delta = event.delta
            dtype = delta.type
            if dtype == "text_delta":
                if delta.text:
                    out.append(TextDelta(delta.text))
            elif dtype == "input_json_delta":
                self.calls.append_block(event.index, delta.partial_json, out)
        elif kind == "content_block_start":
            block = event.content_block
            btype = block.type
            if btype == "tool_use":
                self.calls.open_block(event.index, block.id, block.name, out)
            elif btype == "text" and getattr(block, "text", ""):
                out.append(TextDelta(block.text))
        elif kind == "content_block_stop":
            self.calls.close_block(event.index)
        elif kind == "message_start":
            message = event.message
            self.request_id = getattr(message, "id", None)
            self._merge_usage(getattr(message, "usage", None))
        elif kind == "message_delta":
            reason = getattr(event.delta, "stop_reason", None)
            if reason:
                self.stop_reason = reason
            self._merge_usage(getattr(event, "usage", None))
        elif kind == "message_stop":
            self.stopped = True
        return out

    def finish(self) -> list[ProviderEvent]:
        if not self.stopped:
            raise ProviderRequestError(
                "anthropic: the stream ended before message_stop (connection cut?)",
                kind="incomplete_stream",
                retryable=True,
            )
        raw = self.stop_reason
        reason: FinishReason = STOP_REASONS.get(raw, "other") if raw else "stop"
        out: list[ProviderEvent] = list(self.calls.finish(truncated=reason == "length"))
        if self.usage is not None:
            out.append(self.usage)
        out.append(Finish(reason=reason, raw_reason=raw))
        return out
