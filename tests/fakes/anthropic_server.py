"""Fake Anthropic Messages server (``event:``/``data:`` SSE, pings, mid-stream error events).

from tests.fakes.anthropic_server import fake_anthropic_server, anthropic_fixture
with fake_anthropic_server([anthropic_fixture("text_and_tool")]) as server:
    provider = create_provider(server.profile())
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .sse_server import FIXTURES, FakeSSEServer, Reply, Script, load_sse

ANTHROPIC_FIXTURES = FIXTURES / "anthropic"


def anthropic_fixture(name: str, **kwargs: Any) -> Reply:
    return Reply(events=load_sse(ANTHROPIC_FIXTURES / f"{name}.sse"), **kwargs)


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def anthropic_text_reply(text: str, *, pieces: int = 4, **kwargs: Any) -> Reply:
    step = max(1, -(-len(text) // pieces))
    parts = [text[i : i + step] for i in range(0, len(text), step)] or [""]
    usage = {
        "input_tokens": 12,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
    }
    events = [
        _event(
            "message_start",
            {
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-5",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                }
            },
        ),
        _event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        b'event: ping\ndata: {"type": "ping"}\n\n',
    ]
    events += [
        _event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": p}}) for p in parts
    ]
    events += [
        _event("content_block_stop", {"index": 0}),
        _event(
            "message_delta",
            {
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": len(parts)},
            },
        ),
        _event("message_stop", {}),
    ]
    return Reply(events=events, **kwargs)


def anthropic_error_event(error_type: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    return _event("error", {"error": {"type": error_type, "message": message}})


class FakeAnthropicServer(FakeSSEServer):
    def profile(self, name: str = "fake-anthropic", **fields: Any):
        from sequence_maker.assistant.config import ProviderProfile

        values: dict[str, Any] = {
            "model": "claude-sonnet-4-6",
            "base_url": self.base_url,
            "total_budget_s": 10.0,
        }
        values.update(fields)
        return ProviderProfile(name=name, provider="anthropic", **values)


@contextmanager
def fake_anthropic_server(script: Script, **kwargs: Any) -> Iterator[FakeAnthropicServer]:
    server = FakeAnthropicServer(script, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = [
    "FakeAnthropicServer",
    "Reply",
    "anthropic_error_event",
    "anthropic_fixture",
    "anthropic_text_reply",
    "fake_anthropic_server",
]
