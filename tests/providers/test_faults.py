"""Fault injection through the real SDKs against loopback servers: retries only before the first
visible delta, Reset after it, stalls, budgets, key scrubbing, and no duplicated visible text."""

from __future__ import annotations

import json
import time

from sequence_maker.assistant.providers.events import Reset, StreamError
from sequence_maker.assistant.providers.metrics import ListMetricsSink
from sequence_maker.assistant.providers.registry import create_provider
from tests.fakes.anthropic_server import (
    anthropic_error_event,
    anthropic_text_reply,
    fake_anthropic_server,
)
from tests.fakes.openai_server import Reply, fake_openai_server, openai_text_reply

from .helpers import collect, simple_request

TEXT = "Ball one turns red on the downbeat."


async def run(server, **profile_fields):
    sink = ListMetricsSink()
    provider = create_provider(server.profile(**profile_fields), metrics_sink=sink)
    try:
        result = await collect(provider, simple_request())
    finally:
        await provider.aclose()
    return result, sink.records[-1]


async def test_429_honours_retry_after_then_succeeds():
    with fake_openai_server(
        [
            Reply.error(429, "slow down", error_type="rate_limit_error", headers={"retry-after": "0.3"}),
            openai_text_reply(TEXT),
        ]
    ) as server:
        started = time.monotonic()
        result, metrics = await run(server)
        elapsed = time.monotonic() - started
    assert result.text == TEXT and result.error is None and result.resets == 0
    assert metrics.retries == 1 and len(server.requests) == 2
    assert elapsed >= 0.3


async def test_retry_after_is_capped():
    with fake_openai_server(
        [Reply.error(429, headers={"retry-after": "3600"}), openai_text_reply(TEXT)]
    ) as server:
        provider = create_provider(server.profile(), metrics_sink=None)
        provider.policy.retry_after_cap_s = 0.1
        started = time.monotonic()
        result = await collect(provider, simple_request())
        await provider.aclose()
    assert result.text == TEXT and time.monotonic() - started < 10.0  # uncapped it would wait an hour


async def test_500s_are_retried_with_backoff():
    with fake_openai_server([Reply.error(500), Reply.error(503), openai_text_reply(TEXT)]) as server:
        result, metrics = await run(server)
    assert result.text == TEXT and metrics.retries == 2 and len(server.requests) == 3


async def test_400_is_not_retried_and_names_the_problem():
    with fake_openai_server(
        [Reply.error(400, "Invalid 'messages': empty", error_type="invalid_request_error")]
    ) as server:
        result, metrics = await run(server)
    assert result.error is not None and result.error.status_code == 400 and not result.error.retryable
    assert "Invalid 'messages'" in result.error.message
    assert len(server.requests) == 1 and metrics.error


async def test_api_key_never_appears_in_errors(monkeypatch):
    key = "sk-proj-SECRETSECRET1234567890"
    monkeypatch.setenv("FAKE_KEY", key)
    with fake_openai_server(
        [Reply.error(401, f"Incorrect API key provided: {key}", error_type="invalid_api_key")]
    ) as server:
        result, metrics = await run(server, api_key_env="FAKE_KEY")
        assert server.requests[0].headers["authorization"] == f"Bearer {key}"  # the key was really used
    assert (
        result.error is not None
        and key not in result.error.message
        and "SECRETSECRET" not in (metrics.error or "")
    )
    assert "API key" in result.error.message  # the hint says what to fix


async def test_reset_before_first_delta_is_retried_silently():
    # role-only chunk, then TCP reset: nothing visible yet → transparent retry, no Reset event
    with fake_openai_server([openai_text_reply(TEXT, cut_after=1), openai_text_reply(TEXT)]) as server:
        result, metrics = await run(server)
    assert result.text == TEXT and result.resets == 0 and metrics.retries == 1
    assert result.shown_text == [e for e in result.shown_text]  # consumed once
    assert "".join(result.shown_text) == TEXT


async def test_reset_after_first_delta_emits_reset_and_no_duplicate_text():
    with fake_openai_server([openai_text_reply(TEXT, cut_after=3), openai_text_reply(TEXT)]) as server:
        result, metrics = await run(server)
    assert result.resets == 1 and result.error is None
    assert result.text == TEXT  # after applying Reset: exactly once
    reset_at = next(i for i, e in enumerate(result.events) if isinstance(e, Reset))
    assert reset_at > 0 and metrics.retries == 1


async def test_reset_after_first_delta_fails_clearly_when_restarts_disabled():
    with fake_openai_server([openai_text_reply(TEXT, cut_after=3), openai_text_reply(TEXT)]) as server:
        result, _ = await run(server, mid_stream_restarts=0)
        assert len(server.requests) == 1
    assert result.resets == 0 and result.error is not None and result.error.kind == "connection"
    assert result.finish is None and TEXT.startswith(result.text) and result.text != TEXT


async def test_first_chunk_stall_is_retried():
    with fake_openai_server([openai_text_reply(TEXT, first_delay_s=30.0), openai_text_reply(TEXT)]) as server:
        started = time.monotonic()
        result, metrics = await run(server, first_chunk_timeout_s=0.3)
        elapsed = time.monotonic() - started
        gone = server.wait_disconnect(1.0)
    assert result.text == TEXT and metrics.retries == 1 and elapsed < 10.0  # not the 30 s the server stalls
    assert gone is not None and gone.request_index == 0  # the stalled stream was closed


async def test_mid_stream_stall_ends_with_stall_error_and_closes_upstream():
    with fake_openai_server([openai_text_reply(TEXT, stall_after=3, max_hold_s=5)]) as server:
        result, metrics = await run(server, stall_timeout_s=0.3, mid_stream_restarts=0)
        gone = server.wait_disconnect(1.0)
    assert result.error is not None and result.error.kind == "stall_timeout" and result.error.retryable
    assert gone is not None
    assert metrics.finish_reason == "error"


async def test_total_budget_bounds_retries():
    with fake_openai_server(lambda n, req: Reply.error(503, "overloaded")) as server:
        started = time.monotonic()
        result, metrics = await run(server, total_budget_s=0.8, max_attempts=50)
        elapsed = time.monotonic() - started
    assert result.error is not None and result.error.status_code == 503
    assert elapsed < 6.0 and metrics.retries >= 1  # 50 attempts with backoff would take far longer


async def test_anthropic_overloaded_before_visible_output_is_retried(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    first = anthropic_text_reply(TEXT)
    first.events = first.events[:1] + [anthropic_error_event()]  # message_start, then error after HTTP 200
    with fake_anthropic_server([first, anthropic_text_reply(TEXT)]) as server:
        result, metrics = await run(server)
    assert result.text == TEXT and result.resets == 0 and metrics.retries == 1


async def test_anthropic_overloaded_after_text_resets(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    first = anthropic_text_reply(TEXT)
    first.events = first.events[:4] + [anthropic_error_event()]  # start, block, ping, one text delta, error
    with fake_anthropic_server([first, anthropic_text_reply(TEXT)]) as server:
        result, _ = await run(server)
    assert result.resets == 1 and result.text == TEXT and result.error is None


async def test_anthropic_stream_cut_without_message_stop_is_an_error(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    reply = anthropic_text_reply(TEXT)
    reply.events = reply.events[:-1]  # no message_stop, clean close
    with fake_anthropic_server([reply]) as server:
        result, _ = await run(server, mid_stream_restarts=0)
    assert isinstance(result.events[-1], StreamError) and result.error.kind == "incomplete_stream"


async def test_failure_before_visible_output_never_emits_reset():
    with fake_openai_server(lambda n, req: Reply.error(502, "bad gateway")) as server:
        result, metrics = await run(server, max_attempts=2, mid_stream_restarts=3)
    assert result.resets == 0 and result.error is not None and len(server.requests) == 2


async def test_anthropic_cut_before_visible_output_is_retried(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    cut = anthropic_text_reply(TEXT)
    cut.events = cut.events[:2]  # message_start + block start, then a clean close: no message_stop
    with fake_anthropic_server([cut, anthropic_text_reply(TEXT)]) as server:
        result, metrics = await run(server)
    assert result.text == TEXT and result.resets == 0 and metrics.retries == 1


async def test_keepalive_pings_do_not_count_as_progress(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    reply = anthropic_text_reply(TEXT)
    ping = b'event: ping\ndata: {"type": "ping"}\n\n'
    reply.events = reply.events[:4] + [ping] * 60  # text started, then only pings every 50 ms (3 s)
    reply.delay_s = 0.05
    with fake_anthropic_server([reply]) as server:
        provider = create_provider(server.profile(stall_timeout_s=0.3, mid_stream_restarts=0))
        first_text_at = None
        events = []
        async for event in provider.stream(simple_request()):
            events.append(event)
            if first_text_at is None and event.type == "text_delta":
                first_text_at = time.monotonic()
        elapsed = time.monotonic() - first_text_at
        await provider.aclose()
    assert isinstance(events[-1], StreamError) and events[-1].kind == "stall_timeout"
    assert elapsed < 2.0  # the pings last 3 s: the stall fired while they kept arriving


async def test_garbage_chunk_mid_stream_is_a_clear_error_not_a_crash():
    reply = openai_text_reply(TEXT)
    reply.events.insert(3, b'data: {"id": "x", "choices": [{"index": 0, "delta": 7}]}\n\n')
    with fake_openai_server([reply]) as server:
        result, metrics = await run(server, mid_stream_restarts=0)
    assert result.error is not None and result.error.kind == "internal" and not result.error.retryable
    assert metrics.error


async def test_empty_keepalive_chunks_do_not_count_as_progress():
    reply = openai_text_reply(TEXT)
    empty = b'data: {"id": "k", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": null}]}\n\n'
    reply.events = reply.events[:3] + [empty] * 60  # some text, then 3 s of empty deltas
    reply.delay_s = 0.05
    with fake_openai_server([reply]) as server:
        provider = create_provider(server.profile(stall_timeout_s=0.3, mid_stream_restarts=0))
        first_text_at, events = None, []
        async for event in provider.stream(simple_request()):
            events.append(event)
            if first_text_at is None and event.type == "text_delta":
                first_text_at = time.monotonic()
        elapsed = time.monotonic() - first_text_at
        await provider.aclose()
    assert isinstance(events[-1], StreamError) and events[-1].kind == "stall_timeout"
    assert elapsed < 2.0


async def test_reasoning_chunks_count_as_progress_and_refusals_are_shown():
    def chunk(delta, finish=None):
        data = {
            "id": "r",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(data)}\n\n".encode()

    thinking = [chunk({"role": "assistant", "content": ""})] + [chunk({"reasoning_content": "hmm "})] * 12
    answer = [
        chunk({"content": "Red."}),
        chunk({"refusal": " I won't do the rest."}),
        chunk({}, "stop"),
        b"data: [DONE]\n\n",
    ]
    reply = Reply(events=thinking + answer, delay_s=0.05)  # 0.6 s of thinking, each gap < stall limit
    with fake_openai_server([reply]) as server:
        result, _ = await run(server, stall_timeout_s=0.3, first_chunk_timeout_s=0.3, max_attempts=1)
    assert result.error is None and result.text == "Red. I won't do the rest."


async def test_role_only_chunk_does_not_reset_the_first_content_limit():
    reply = openai_text_reply(TEXT)
    empty = b'data: {"id": "k", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": null}]}\n\n'
    reply.events = reply.events[:1] + [empty] * 40  # role chunk, then 2 s of empty deltas, never content
    reply.delay_s = 0.05
    with fake_openai_server([reply]) as server:
        result, _ = await run(server, first_chunk_timeout_s=0.4, stall_timeout_s=0.3, max_attempts=1)
    assert result.error is not None and result.error.kind == "stall_timeout"
    assert "first-content" in result.error.message
