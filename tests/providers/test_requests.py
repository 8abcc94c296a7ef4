"""What each adapter actually sends (as received by the loopback server): messages with tool calls and
results, tools, tool_choice, usage options, Azure routing, local-server model discovery."""

from __future__ import annotations

from sequence_maker.assistant.providers.base import ChatRequest
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.registry import create_provider
from tests.fakes.anthropic_server import anthropic_text_reply, fake_anthropic_server
from tests.fakes.openai_server import fake_openai_server, openai_text_reply

from .helpers import WEATHER_TOOL, collect

CONVERSATION = [
    ChatMessage(role="system", content="You edit light programs."),
    ChatMessage(role="user", content="Weather in Paris and Rome?"),
    ChatMessage(
        role="assistant",
        content="Checking.",
        tool_calls=[
            {"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
            {"id": "call_2", "name": "get_weather", "arguments": {"city": "Rome"}},
        ],
    ),
    ChatMessage(role="tool", content="18C", tool_call_id="call_1"),
    ChatMessage(role="tool", content="city not found", tool_call_id="call_2", is_error=True),
]


def _request(**kwargs) -> ChatRequest:
    return ChatRequest(messages=list(CONVERSATION), tools=[WEATHER_TOOL], **kwargs)


async def _send(server, profile, request):
    provider = create_provider(profile)
    result = await collect(provider, request)
    await provider.aclose()
    assert result.error is None, result.error
    return server.requests[-1]


async def test_openai_wire_request():
    with fake_openai_server([openai_text_reply("ok")]) as server:
        sent = await _send(
            server, server.profile(temperature=0.3), _request(tool_choice="get_weather", max_tokens=99)
        )
    body = sent.json
    assert sent.path == "/v1/chat/completions" and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.3 and body["max_tokens"] == 99
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["tools"][0]["function"]["name"] == "get_weather"
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool", "tool"]
    assert msgs[2]["tool_calls"][1] == {
        "id": "call_2",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
    }
    assert msgs[3] == {"role": "tool", "tool_call_id": "call_1", "content": "18C"}


async def test_openai_first_party_options(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000000000")
    with fake_openai_server([openai_text_reply("ok")]) as server:
        sent = await _send(
            server, server.profile(provider="openai"), _request(max_tokens=50, parallel_tool_calls=False)
        )
    assert sent.json["max_completion_tokens"] == 50 and "max_tokens" not in sent.json
    assert sent.json["parallel_tool_calls"] is False
    assert sent.headers["authorization"] == "Bearer sk-test-000000000000"


async def test_ollama_gets_no_tool_choice_and_local_model_is_discovered():
    from sequence_maker.assistant.providers.metrics import ListMetricsSink

    sink = ListMetricsSink()
    with fake_openai_server([openai_text_reply("ok")], models=["llama3.2:3b", "qwen2.5:7b"]) as server:
        provider = create_provider(server.profile(provider="ollama", model=""), metrics_sink=sink)
        await collect(provider, _request(tool_choice="required"))
        await provider.aclose()
        body = server.requests[-1].json
    assert "tool_choice" not in body and body["model"] == "llama3.2:3b" and provider.model == "llama3.2:3b"
    assert sink.records[0].model == "llama3.2:3b"


async def test_azure_dated_deployment_routing(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-000000")
    with fake_openai_server([openai_text_reply("ok")]) as server:
        profile = server.profile(
            provider="azure",
            base_url=server.base_url,
            model="",
            deployment="my-4o",
            api_version="2024-10-21",
            price_model="gpt-4o",
        )
        sent = await _send(server, profile, _request())
    assert sent.path == "/openai/deployments/my-4o/chat/completions?api-version=2024-10-21"
    assert sent.headers["api-key"] == "azure-key-000000"


async def test_azure_old_dated_version_skips_stream_options(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-000000")
    with fake_openai_server([openai_text_reply("ok")]) as server:
        profile = server.profile(
            provider="azure", base_url=server.base_url, model="", deployment="d", api_version="2024-06-01"
        )
        sent = await _send(server, profile, _request())
    assert "stream_options" not in sent.json


async def test_anthropic_wire_request(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    with fake_anthropic_server([anthropic_text_reply("ok")]) as server:
        sent = await _send(
            server,
            server.profile(max_tokens=321),
            _request(tool_choice="required", parallel_tool_calls=False),
        )
    body = sent.json
    assert sent.path == "/v1/messages" and body["stream"] is True and body["max_tokens"] == 321
    assert body["system"] == "You edit light programs."
    assert body["tools"][0]["input_schema"]["required"] == ["city"]
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert msgs[1]["content"][1] == {
        "type": "tool_use",
        "id": "call_1",
        "name": "get_weather",
        "input": {"city": "Paris"},
    }
    results = msgs[2]["content"]  # every result of the turn in ONE user message
    assert [(r["tool_use_id"], r["is_error"]) for r in results] == [("call_1", False), ("call_2", True)]
    auth = sent.headers.get("x-api-key") or sent.headers.get("authorization", "")
    assert auth.endswith("sk-ant-test-0000000000")  # header name depends on the SDK version
