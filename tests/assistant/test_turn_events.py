"""The event contract the studio relies on: types, fields, JSON-ability."""

from __future__ import annotations

import json

import pytest

from sequence_maker.assistant.agent import Assistant
from sequence_maker.assistant.providers.events import Usage
from sequence_maker.assistant.providers.metrics import ListMetricsSink
from sequence_maker.assistant.providers.scripted import ScriptedProvider
from sequence_maker.assistant.turn_events import ApprovalDecision

from .helpers import collect, make_editor, text_turn, tool_turn

EXPECTED_FIELDS = {
    "text_delta": {"text"}, "tool_call_start": {"call_id", "name"}, "tool_call_delta": {"call_id", "fragment"},
    "tool_call": {"call_id", "name", "arguments"}, "tool_result": {"call_id", "name", "ok", "result", "error"},
    "usage": {"input_tokens", "output_tokens", "cached_input_tokens", "cost_usd", "estimated"},
    "player_command": {"action"},
    "turn_end": {"finish_reason", "steps", "llm_requests", "undo_label", "checkpoint_before", "checkpoint_after",
                 "cancelled"},
}


async def test_every_event_is_json_with_the_contract_fields() -> None:
    sink = ListMetricsSink()
    provider = ScriptedProvider([[*tool_turn(("a", "create_segment", {"balls": 1, "color": "red", "when": "intro"}),
                                             ("p", "play_audio", {}))[:-1], Usage(10, 5), *tool_turn()[-1:]],
                                 text_turn("ok")])
    events = await collect(Assistant(provider, metrics_sink=sink).run_turn(make_editor(), [], "x"))
    seen = set()
    for ev in events:
        d = json.loads(json.dumps(ev.to_dict()))
        assert d["type"] == ev.type
        assert EXPECTED_FIELDS.get(ev.type, set()) <= set(d)
        seen.add(ev.type)
    assert set(EXPECTED_FIELDS) <= seen
    assert len(sink.records) == 2  # the adapter measured both requests into the assistant's sink


def test_approval_decision_validates() -> None:
    with pytest.raises(ValueError, match="approve, edit or reject"):
        ApprovalDecision("maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="edited arguments"):
        ApprovalDecision("edit")
