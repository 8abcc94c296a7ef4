"""Event serialisation, the scripted (replay) provider and the recording wrapper."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.config import ProviderProfile
from sequence_maker.assistant.providers.events import (
    Finish,
    Reset,
    StreamError,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from sequence_maker.assistant.providers.metrics import ListMetricsSink
from sequence_maker.assistant.providers.registry import create_provider
from sequence_maker.assistant.providers.scripted import RecordingProvider, ScriptedProvider, load_turns
from sequence_maker.assistant.providers.serialize import (
    EventFormatError,
    dumps_events,
    event_from_dict,
    event_to_dict,
    loads_events,
)
from tests.fakes.openai_server import fake_openai_server, openai_fixture, openai_text_reply

from .helpers import collect, simple_request

ALL_EVENTS = [
    TextDelta("hé"),
    ToolCallStart("c1", "f", 0),
    ToolCallDelta("c1", '{"a"', index=0),
    ToolCallEnd("c1", "f", {"a": [1, {"b": None}]}, '{"a": [1, {"b": null}]}', index=0),
    ToolCallEnd("c2", "g", {}, '{"x": "tru', ok=False, error="truncated", index=1),
    Usage(10, 5, cached_input_tokens=2, estimated=True),
    Finish("tool_calls", "tool_calls"),
    StreamError("boom", kind="connection", retryable=True, status_code=None),
    Reset("retry"),
]


def test_every_event_round_trips():
    assert [event_from_dict(event_to_dict(e)) for e in ALL_EVENTS] == ALL_EVENTS
    assert loads_events(dumps_events(ALL_EVENTS)) == ALL_EVENTS


def test_bad_event_dicts_are_named():
    with pytest.raises(EventFormatError, match="unknown event type"):
        event_from_dict({"type": "telepathy"})
    with pytest.raises(EventFormatError, match="line 2"):
        loads_events('{"type": "text_delta", "text": "a"}\n{"type": "text_delta", "txt": "b"}\n')


async def test_scripted_provider_replays_turns_and_reports_exhaustion():
    sink = ListMetricsSink()
    provider = ScriptedProvider(
        [[TextDelta("one"), Finish("stop")], [TextDelta("two"), Finish("stop")]], metrics_sink=sink
    )
    first = await collect(provider, simple_request("a"))
    second = await collect(provider, simple_request("b"))
    third = await collect(provider, simple_request("c"))
    assert (first.text, second.text) == ("one", "two")
    assert third.error is not None and third.error.kind == "script_exhausted"
    assert [r.messages[-1].content for r in provider.requests] == ["a", "b", "c"]
    assert len(sink.records) == 3 and sink.records[0].usage_estimated


async def test_record_then_replay_is_identical(tmp_path):
    path = tmp_path / "rec" / "session.jsonl"
    with fake_openai_server([openai_fixture("parallel_calls"), openai_text_reply("All set.")]) as server:
        inner = create_provider(server.profile())
        recorder = RecordingProvider(inner, path)
        live = [await collect(recorder, simple_request()), await collect(recorder, simple_request())]
        await recorder.aclose()
    assert len(load_turns(path)) == 2
    replay = create_provider(ProviderProfile(name="replay", provider="scripted", options={"path": str(path)}))
    replayed = [await collect(replay, simple_request()), await collect(replay, simple_request())]
    assert [r.events for r in replayed] == [r.events for r in live]
    assert replayed[1].text == "All set." and len(replayed[0].calls) == 2


async def test_recorder_keeps_a_cancelled_turn_and_replay_can_be_cancelled(tmp_path):
    from contextlib import aclosing

    path = tmp_path / "partial.jsonl"
    inner = ScriptedProvider([[TextDelta("a"), TextDelta("b"), TextDelta("c"), Finish("stop")]], delay_s=0.001)
    recorder = RecordingProvider(inner, path)
    async with aclosing(recorder.stream(simple_request())) as stream:
        async for event in stream:
            if event == TextDelta("b"):
                break
    (turn,) = load_turns(path)
    assert turn == [TextDelta("a"), TextDelta("b")]  # what the user saw, nothing invented
