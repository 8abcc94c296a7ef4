"""OpenAI Chat Completions streaming: request building and chunk translation.

Serves every OpenAI-compatible endpoint (OpenAI, Azure v1 and dated deployments, LM Studio, Ollama,
llama.cpp servers). Wire-format rules handled here: usage read from *any* chunk (with or without
empty ``choices``), Azure's first ``choices: []`` chunk, ``finish_reason`` in an empty delta, tool
calls routed by id → index → latest (see :mod:`toolcalls`), Ollama's ``function.index``.
"""

from __future__ import annotations

import json
from typing import Any

from .base import ChatRequest
from .events import ChatMessage, Finish, FinishReason, ProviderEvent, TextDelta, ToolSpec, Usage
from .pseudo_calls import PseudoCallFilter
from .toolcalls import ToolCallAssembler

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
}


def openai_messages(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Provider-neutral messages → Chat Completions ``messages``."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            out.append({"role": "tool", "tool_call_id": m.tool_call_id or "", "content": m.content})
        elif m.role == "assistant" and m.tool_calls:
            out.append(
                {
                    "role": "assistant",
                    "content": m.content or None,
                    "tool_calls": [
                        {
                            "id": c["id"],
                            "type": "function",
                            "function": {
                                "name": c["name"],
                                "arguments": json.dumps(c.get("arguments") or {}),
                            },
                        }
                        for c in m.tool_calls
                    ],
                }
            )
        else:
            entry: dict[str, Any] = {"role": m.role, "content": m.content}
            if m.name and m.role == "user":
                entry["name"] = m.name
            out.append(entry)
    return out


def openai_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]


def openai_tool_choice(choice: str | None) -> Any:
    if choice is None or choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def usage_from_openai(raw: Any) -> Usage:
    """``prompt_tokens`` already includes cached tokens; ``completion_tokens`` includes reasoning."""
    prompt_details = getattr(raw, "prompt_tokens_details", None)
    completion_details = getattr(raw, "completion_tokens_details", None)
    return Usage(
        input_tokens=getattr(raw, "prompt_tokens", 0) or 0,
        output_tokens=getattr(raw, "completion_tokens", 0) or 0,
        cached_input_tokens=(getattr(prompt_details, "cached_tokens", 0) or 0) if prompt_details else 0,
        reasoning_tokens=(getattr(completion_details, "reasoning_tokens", 0) or 0)
        if completion_details
        else 0,
    )


class OpenAIChatTranslator:
    """Chat Completions chunk objects → provider events (one instance per response)."""

    __slots__ = ("calls", "usage", "finish_reason", "request_id", "response_model", "text_calls", "progress")

    def __init__(self, *, text_tool_calls: bool = False) -> None:
        self.calls = ToolCallAssembler()
        # local servers may stream tool syntax as content: parse it into calls (see pseudo_calls)
        self.text_calls = PseudoCallFilter() if text_tool_calls else None
        self.progress = False  # did the last chunk carry anything (keep-alives with empty deltas do not)
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.request_id: str | None = None
        self.response_model: str | None = None  # the model that actually answered (Azure: not the deployment)

    def feed(self, chunk: Any) -> list[ProviderEvent]:
        out: list[ProviderEvent] = []
        self.progress = False
        usage = chunk.usage
        if usage is not None:
            self.usage = usage_from_openai(usage)
            self.progress = True
        if self.request_id is None or self.response_model is None:
            self.request_id = self.request_id or chunk.id or None
            self.response_model = chunk.model or None  # Azure's first chunk has model ""
        choices = chunk.choices
        if not choices:
            return out
        choice = choices[0]
        delta = choice.delta
        if delta is not None:
            content = delta.content
            if content:
                if self.text_calls is None:
                    out.append(TextDelta(content))
                else:
                    self._filter_text(content, out)
            tool_calls = delta.tool_calls
            if content or tool_calls:
                self.progress = True
            else:
                self._quiet_delta(delta, out)
            if tool_calls:
                feed = self.calls.feed
                for tc in tool_calls:
                    fn = tc.function
                    index = getattr(tc, "index", None)
                    if fn is None:
                        feed(index, tc.id, None, None, out)
                        continue
                    if index is None:
                        index = getattr(fn, "index", None)
                    feed(index, tc.id, fn.name, fn.arguments, out)
        reason = choice.finish_reason
        if reason:
            self.finish_reason = reason
            self.progress = True
        return out

    def _quiet_delta(self, delta: Any, out: list[ProviderEvent]) -> None:
        """A delta without content or tool calls: a refusal (shown as text), reasoning (progress, not
        shown), or a keep-alive (neither)."""
        refusal = getattr(delta, "refusal", None)
        if refusal:
            out.append(TextDelta(refusal))
            self.progress = True
        elif getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None):
            self.progress = True  # local reasoning models think for minutes before answering

    def _filter_text(self, content: str, out: list[ProviderEvent]) -> None:
        visible, calls = self.text_calls.feed(content)  # type: ignore[union-attr]
        if visible:
            out.append(TextDelta(visible))
        for call in calls:
            self.calls.add_complete(call.name, call.raw_arguments, out, call.error)

    def finish(self) -> list[ProviderEvent]:
        raw = self.finish_reason
        out: list[ProviderEvent] = []
        if self.text_calls is not None:
            held, cut = self.text_calls.finish()
            if held:
                out.append(TextDelta(held))
            if cut is not None:
                self.calls.add_complete(cut.name, cut.raw_arguments, out, cut.error)
        ends = self.calls.finish(truncated=raw == "length")
        out.extend(ends)
        if self.usage is not None:
            out.append(self.usage)
        reason: FinishReason = FINISH_REASONS.get(raw, "other") if raw else "stop"
        if reason == "stop" and ends:
            reason = "tool_calls"  # Ollama/LM Studio sometimes say "stop" (or nothing) after tool calls
        out.append(Finish(reason=reason, raw_reason=raw))
        return out


def build_chat_kwargs(
    request: ChatRequest,
    *,
    model: str,
    include_usage: bool,
    supports_tool_choice: bool,
    supports_parallel_flag: bool,
    max_tokens_param: str,
    default_temperature: float | None,
    default_max_tokens: int | None,
) -> dict[str, Any]:
    """Keyword arguments for ``client.chat.completions.create(stream=True, …)``."""
    kwargs: dict[str, Any] = {"model": model, "messages": openai_messages(request.messages), "stream": True}
    if include_usage:
        kwargs["stream_options"] = {"include_usage": True}
    temperature = request.temperature if request.temperature is not None else default_temperature
    if temperature is not None:
        kwargs["temperature"] = temperature
    max_tokens = request.max_tokens if request.max_tokens is not None else default_max_tokens
    if max_tokens is not None:
        kwargs[max_tokens_param] = max_tokens
    if request.tools:
        kwargs["tools"] = openai_tools(request.tools)
        if supports_tool_choice and request.tool_choice is not None:
            kwargs["tool_choice"] = openai_tool_choice(request.tool_choice)
        if supports_parallel_flag:
            kwargs["parallel_tool_calls"] = request.parallel_tool_calls
    return kwargs
