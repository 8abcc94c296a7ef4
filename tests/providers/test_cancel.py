"""Cancellation at every event index closes the upstream HTTP stream: the loopback server observes the
disconnect promptly, for both ways a consumer can stop (closing the generator, cancelling the task)."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

import pytest

from sequence_maker.assistant.providers.events import Finish, ToolCallEnd, Usage
from sequence_maker.assistant.providers.metrics import ListMetricsSink
from sequence_maker.assistant.providers.registry import create_provider
from tests.fakes.anthropic_server import anthropic_fixture, fake_anthropic_server
from tests.fakes.openai_server import fake_openai_server, openai_fixture

from .helpers import simple_request

DISCONNECT_LIMIT_S = 1.0  # generous for CI; the bench reports the real figure (milliseconds)


async def _streaming_events_of(server_factory, fixture) -> int:
    """Events emitted while the upstream stream is still open (before the end-of-response events)."""
    with server_factory([fixture()]) as server:
        provider = create_provider(server.profile())
        count = 0
        async for event in provider.stream(simple_request()):
            if isinstance(event, ToolCallEnd | Usage | Finish):
                break
            count += 1
        await provider.aclose()
    return count


async def _cancel_after(server, k: int, how: str, sink: ListMetricsSink) -> float:
    """Consume k events, stop the stream, return the server-observed disconnect latency."""
    provider = create_provider(server.profile(), metrics_sink=sink)
    stopped_at = 0.0
    try:
        if how == "aclose":
            async with aclosing(provider.stream(simple_request())) as stream:
                seen = 0
                if k == 0:
                    await stream.__anext__()  # must start the request; the first event is then k=1-ish
                    seen = 1
                async for _ in stream:
                    seen += 1
                    if seen >= k:
                        break
                stopped_at = time.monotonic()
        else:
            seen_events = asyncio.Event()
            count = 0

            async def consume() -> None:
                nonlocal count
                async for _ in provider.stream(simple_request()):
                    count += 1
                    if count >= k:
                        seen_events.set()

            task = asyncio.create_task(consume())
            if k == 0:
                while not server.requests:
                    await asyncio.sleep(0.001)
            else:
                await seen_events.wait()
            stopped_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        await provider.aclose()
    gone = server.wait_disconnect(2.0)
    assert gone is not None, f"server never saw the disconnect after {k} events ({how})"
    return gone.at - stopped_at


@pytest.mark.parametrize("how", ["aclose", "task_cancel"])
async def test_cancel_at_every_event_index_openai(how):
    total = await _streaming_events_of(fake_openai_server, lambda: openai_fixture("parallel_calls"))
    assert total > 10
    latencies = []
    sink = ListMetricsSink()
    for k in range(0, total):  # every index while the stream is open
        with fake_openai_server([openai_fixture("parallel_calls", delay_s=0.002, hold_open=True)]) as server:
            latencies.append(await _cancel_after(server, k, how, sink))
    assert max(latencies) < DISCONNECT_LIMIT_S, latencies
    assert all(m.finish_reason == "cancelled" for m in sink.records)
    assert all(m.usage_estimated for m in sink.records)  # no usage chunk arrived: estimated, flagged


async def test_cancel_at_every_event_index_anthropic(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    total = await _streaming_events_of(fake_anthropic_server, lambda: anthropic_fixture("parallel_tools"))
    latencies = []
    sink = ListMetricsSink()
    for k in range(0, total):
        how = "aclose" if k % 2 else "task_cancel"
        with fake_anthropic_server(
            [anthropic_fixture("parallel_tools", delay_s=0.002, hold_open=True)]
        ) as server:
            latencies.append(await _cancel_after(server, k, how, sink))
    assert max(latencies) < DISCONNECT_LIMIT_S, latencies


async def test_cancelled_anthropic_stream_keeps_exact_input_tokens(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    sink = ListMetricsSink()
    with fake_anthropic_server([anthropic_fixture("text_and_tool", delay_s=0.002, hold_open=True)]) as server:
        provider = create_provider(server.profile(), metrics_sink=sink)
        async with aclosing(provider.stream(simple_request())) as stream:
            async for event in stream:
                if event.type == "text_delta":
                    break
        await provider.aclose()
    (m,) = sink.records
    assert m.finish_reason == "cancelled" and m.usage_estimated
    assert m.input_tokens == 3096 and m.cached_input_tokens == 3072  # from message_start, exact
    assert m.output_tokens >= 2
