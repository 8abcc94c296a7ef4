"""Shared helpers for provider tests: run a stream to completion the way a UI would."""

from __future__ import annotations

from dataclasses import dataclass, field

from sequence_maker.assistant.providers.base import ChatRequest
from sequence_maker.assistant.providers.events import (
    ChatMessage,
    Finish,
    ProviderEvent,
    Reset,
    StreamError,
    TextDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolSpec,
    Usage,
)

WEATHER_TOOL = ToolSpec(
    name="get_weather",
    description="Weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def simple_request(text: str = "hi", tools: list[ToolSpec] | None = None, **kwargs) -> ChatRequest:
    return ChatRequest(
        messages=[
            ChatMessage(role="system", content="You are terse."),
            ChatMessage(role="user", content=text),
        ],
        tools=tools if tools is not None else [WEATHER_TOOL],
        **kwargs,
    )


@dataclass
class Collected:
    """What a consumer ends up with after applying Reset events."""

    events: list[ProviderEvent] = field(default_factory=list)
    text: str = ""
    starts: list[ToolCallStart] = field(default_factory=list)
    calls: list[ToolCallEnd] = field(default_factory=list)
    usage: Usage | None = None
    finish: Finish | None = None
    error: StreamError | None = None
    resets: int = 0
    shown_text: list[str] = field(default_factory=list)  # every text delta ever displayed


async def collect(provider, request: ChatRequest) -> Collected:
    out = Collected()
    async for event in provider.stream(request):
        out.events.append(event)
        if isinstance(event, Reset):
            out.resets += 1
            out.text, out.starts, out.calls, out.usage, out.finish = "", [], [], None, None
        elif isinstance(event, TextDelta):
            out.text += event.text
            out.shown_text.append(event.text)
        elif isinstance(event, ToolCallStart):
            out.starts.append(event)
        elif isinstance(event, ToolCallEnd):
            out.calls.append(event)
        elif isinstance(event, Usage):
            out.usage = event
        elif isinstance(event, Finish):
            out.finish = event
        elif isinstance(event, StreamError):
            out.error = event
    return out
