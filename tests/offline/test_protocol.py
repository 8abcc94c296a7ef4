"""The constrained JSON contract: schema built from tools, strict parsing, validation, streaming text."""

from __future__ import annotations

import json

import pytest

from sequence_maker.assistant.offline.answer import AnswerInvalid, ReplyStreamer, parse_answer
from sequence_maker.assistant.offline.prompt import build_messages, system_prefix
from sequence_maker.assistant.offline.schema import answer_schema, validate
from sequence_maker.assistant.providers.events import ChatMessage

from .tools_fixture import STATE, TOOLS


def test_schema_offers_calls_or_reply_and_only_real_tools():
    schema = answer_schema(TOOLS, None)
    calls, reply = schema["anyOf"]
    names = [item["properties"]["tool"]["const"] for item in calls["properties"]["calls"]["items"]["anyOf"]]
    assert names == ["create_segment", "clear_range"]
    assert reply["required"] == ["reply"]
    assert schema["x-guidance"]["whitespace_flexible"] is False
    args = calls["properties"]["calls"]["items"]["anyOf"][0]["properties"]["arguments"]
    assert "description" not in json.dumps(args) and "x-examples" not in args
    assert args["additionalProperties"] is False


def test_tool_choice_restricts_the_schema():
    assert "reply" in answer_schema(TOOLS, "none")["properties"]
    assert "calls" in answer_schema(TOOLS, "required")["properties"]
    only = answer_schema(TOOLS, "clear_range")["properties"]["calls"]["items"]
    assert only["properties"]["tool"]["const"] == "clear_range"
    assert "reply" in answer_schema([], None)["properties"]
    with pytest.raises(ValueError, match="not among the offered tools"):
        answer_schema(TOOLS, "delete_everything")


def test_schema_compiles_to_a_grammar():
    xlc = pytest.importorskip("xllamacpp")
    grammar = xlc.json_schema_to_grammar(answer_schema(TOOLS, None))
    assert "create_segment" in grammar


def test_parse_valid_calls_and_reply():
    raw = json.dumps({"calls": [{"tool": "create_segment", "arguments": {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"}}]})
    answer = parse_answer(raw, TOOLS)
    assert answer.calls == [("create_segment", {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"})]
    assert parse_answer('{"reply": " Done. "}', TOOLS).reply == "Done."


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ('{"calls": [{"tool": "create_segment", "arguments": {"ball": "2"', "not complete JSON"),
        ('{"calls": [{"tool": "explode", "arguments": {}}]}', "unknown tool 'explode'"),
        ('{"calls": [{"tool": "clear_range", "arguments": {"ball": "7", "start": "0:01", "end": "0:02"}}]}', "'7' is not one of"),
        ('{"calls": [{"tool": "clear_range", "arguments": {"ball": "1", "start": "0:01"}}]}', "missing required 'end'"),
        ('{"calls": []}', "non-empty list"),
        ('{"reply": ""}', "non-empty"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_invalid_answers_name_the_problem(raw, needle):
    with pytest.raises(AnswerInvalid, match=None) as err:
        parse_answer(raw, TOOLS)
    assert needle in str(err.value)


def test_validate_covers_numbers_nested_and_alternatives():
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 3},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "when": {"anyOf": [{"type": "string"}, {"type": "number"}]},
        },
        "additionalProperties": False,
    }
    assert validate({"n": 2, "tags": ["a"], "when": 1.5}, schema) == []
    errors = validate({"n": 4, "tags": ["a", 1, "c"], "when": None, "x": 1}, schema)
    text = "; ".join(errors)
    for needle in ("above the maximum", "at most 2", "arguments.tags[1]", "matches none", "unknown key 'x'"):
        assert needle in text
    assert validate(True, {"type": "integer"})  # booleans are not integers


def test_reply_streamer_emits_text_incrementally_and_never_half_escapes():
    raw = json.dumps({"reply": 'Ball 2 is "red" now \u00e9 \U0001f600 ok'})
    streamer = ReplyStreamer()
    pieces = [streamer.feed(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    assert streamer.is_reply
    assert "".join(pieces) == 'Ball 2 is "red" now \u00e9 \U0001f600 ok'
    calls = ReplyStreamer()
    assert calls.feed('{"calls": [') == "" and not calls.is_reply


def test_prompt_puts_fixed_prefix_first_and_state_last():
    msgs = build_messages(
        [ChatMessage("system", "Be brief."), ChatMessage("user", "make ball 1 red at 0:10 for 2 s")],
        TOOLS,
        project_state=STATE,
    )
    system = msgs[0]["content"]
    assert system.startswith(system_prefix(TOOLS))
    assert system.endswith(STATE)
    assert "turn ball 3 blue at 1:05" in system  # the tool's own x-examples are shown
    assert msgs[-1] == {"role": "user", "content": "make ball 1 red at 0:10 for 2 s"}


def test_prompt_renders_tool_round_trip_as_alternating_turns():
    history = [
        ChatMessage("user", "ball 1 red at 0:10 for 2 s and clear ball 2 from 0:00 to 0:05"),
        ChatMessage(
            "assistant",
            tool_calls=[
                {"id": "a", "name": "create_segment", "arguments": {"ball": "1", "start": "0:10", "duration": "2 s", "color": "red"}},
                {"id": "b", "name": "clear_range", "arguments": {"ball": "2", "start": "0:00", "end": "0:05"}},
            ],
        ),
        ChatMessage("tool", "ok", tool_call_id="a"),
        ChatMessage("tool", "no such time", tool_call_id="b", is_error=True),
    ]
    msgs = build_messages(history, TOOLS)
    roles = [m["role"] for m in msgs]
    assert roles == ["system", "user", "assistant", "user"]
    assert json.loads(msgs[2]["content"])["calls"][1]["tool"] == "clear_range"
    assert "[create_segment ok] ok" in msgs[3]["content"] and "[clear_range ERROR] no such time" in msgs[3]["content"]


def test_argument_named_like_a_doc_keyword_survives_stripping():
    from sequence_maker.assistant.offline.schema import arguments_schema
    from sequence_maker.assistant.providers.events import ToolSpec

    tool = ToolSpec("rename", "Rename.", {"type": "object", "properties": {"title": {"type": "string", "description": "x"}}, "required": ["title"]})
    schema = arguments_schema(tool)
    assert schema["properties"] == {"title": {"type": "string"}}
    assert schema["required"] == ["title"]


def test_builtin_examples_only_for_offered_tools_and_in_schema_order():
    from sequence_maker.assistant.offline.examples import applicable_examples
    from sequence_maker.assistant.providers.events import ToolSpec

    play = ToolSpec("play_audio", "Play.", {"type": "object", "properties": {"position": {"type": "string"}}})
    examples = applicable_examples([play])
    assert examples == [("play from the chorus", [("play_audio", {"position": "chorus"})])]
    renamed = ToolSpec("play_audio", "Play.", {"type": "object", "properties": {"pos": {"type": "string"}}})
    assert applicable_examples([renamed]) == []  # an example that no longer validates is dropped


def test_reply_after_tool_results_is_capped_short():
    from sequence_maker.assistant.offline.schema import MAX_REPLY_CHARS, MAX_WRAP_UP_CHARS

    normal = answer_schema(TOOLS, None)["anyOf"][1]["properties"]["reply"]["maxLength"]
    wrap = answer_schema(TOOLS, None, wrap_up=True)["anyOf"][1]["properties"]["reply"]["maxLength"]
    assert (normal, wrap) == (MAX_REPLY_CHARS, MAX_WRAP_UP_CHARS) and wrap < normal


def _refs(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.append(node["$ref"])
        for v in node.values():
            _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)
    return found


def test_nested_definitions_are_hoisted_so_every_ref_resolves_from_the_root():
    """Regression: a dangling $ref made llama.cpp drop the grammar silently (free text, no JSON)."""
    from sequence_maker.assistant.providers.events import ToolSpec

    batch = ToolSpec("batch", "Many.", {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}}},
        "required": ["items"],
        "$defs": {"Item": {"type": "object", "properties": {"at": {"$ref": "#/$defs/When"}}}, "When": {"type": "string"}},
    })
    other = ToolSpec("other", "Other.", {"type": "object", "properties": {"x": {"$ref": "#/$defs/Item"}},
                                         "$defs": {"Item": {"type": "integer"}}})
    schema = answer_schema([batch, other], None)
    refs = _refs(schema, [])
    assert refs and all(r.startswith("#/$defs/") and r.split("/")[-1] in schema["$defs"] for r in refs)
    assert schema["$defs"]["other__Item"] == {"type": "integer"}  # same name in two tools, no clash


def test_the_assistants_real_tools_give_a_self_contained_schema():
    from sequence_maker.assistant.tools import default_registry

    schema = answer_schema(default_registry().specs(), None)
    assert all(r.split("/")[-1] in schema.get("$defs", {}) for r in _refs(schema, []))
