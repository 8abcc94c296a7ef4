"""Fake OpenAI Chat Completions server (also Azure v1, LM Studio, Ollama shapes).

from tests.fakes.openai_server import fake_openai_server, openai_fixture, openai_text_reply
with fake_openai_server([openai_fixture("single_call"), openai_text_reply("Done.")]) as server:
    provider = create_provider(server.profile())
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .sse_server import FIXTURES, FakeSSEServer, Reply, Script, load_sse, serve

OPENAI_FIXTURES = FIXTURES / "openai"


def openai_fixture(name: str, **kwargs: Any) -> Reply:
    """A reply replaying ``fixtures/openai/<name>.sse`` byte for byte."""
    return Reply(events=load_sse(OPENAI_FIXTURES / f"{name}.sse"), **kwargs)


def _chunk(
    delta: dict[str, Any] | None,
    finish: str | None = None,
    *,
    usage: dict | None = None,
    choices: bool = True,
) -> bytes:
    data: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "fake-model",
    }
    data["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if choices else []
    data["usage"] = usage
    return f"data: {json.dumps(data)}\n\n".encode()


def openai_text_reply(text: str, *, pieces: int = 4, usage: dict | None = None, **kwargs: Any) -> Reply:
    """A plain text answer split into ``pieces`` deltas, then stop + usage chunk + [DONE]."""
    step = max(1, -(-len(text) // pieces))
    parts = [text[i : i + step] for i in range(0, len(text), step)] or [""]
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": p}) for p in parts]
    events.append(_chunk({}, "stop"))
    events.append(
        _chunk(
            None,
            usage=usage
            or {"prompt_tokens": 10, "completion_tokens": len(parts), "total_tokens": 10 + len(parts)},
            choices=False,
        )
    )
    events.append(b"data: [DONE]\n\n")
    return Reply(events=events, **kwargs)


def openai_tool_reply(calls: list[tuple[str, str, dict]], *, fragment_size: int = 16, **kwargs: Any) -> Reply:
    """Tool calls ``(id, name, arguments)`` streamed the OpenAI way (id/name first, then fragments)."""
    events = [_chunk({"role": "assistant", "content": None})]
    for index, (call_id, name, arguments) in enumerate(calls):
        raw = json.dumps(arguments)
        events.append(
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        for i in range(0, len(raw), fragment_size):
            events.append(
                _chunk(
                    {"tool_calls": [{"index": index, "function": {"arguments": raw[i : i + fragment_size]}}]}
                )
            )
    events.append(_chunk({}, "tool_calls"))
    events.append(
        _chunk(None, usage={"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}, choices=False)
    )
    events.append(b"data: [DONE]\n\n")
    return Reply(events=events, **kwargs)


class FakeOpenAIServer(FakeSSEServer):
    def profile(self, name: str = "fake-openai", provider: str = "openai_compatible", **fields: Any):
        """A ProviderProfile pointing at this server (fast timeouts suited to tests)."""
        from sequence_maker.assistant.config import ProviderProfile

        values: dict[str, Any] = {
            "model": "fake-model",
            "base_url": f"{self.base_url}/v1",
            "total_budget_s": 10.0,
        }
        values.update(fields)
        return ProviderProfile(name=name, provider=provider, **values)


@contextmanager
def fake_openai_server(script: Script, **kwargs: Any) -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer(script, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = [
    "FakeOpenAIServer",
    "Reply",
    "fake_openai_server",
    "openai_fixture",
    "openai_text_reply",
    "openai_tool_reply",
    "serve",
]
