"""The call-syntax contract: grammar built from tools, strict parsing, validation, streaming text."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.offline.grammar import (
    MAX_REPLY_CHARS,
    MAX_WRAP_UP_CHARS,
    answer_grammar,
    rule_references,
)
from sequence_maker.assistant.offline.prompt import FIX_HINT, WRAP_UP_HINT, build_messages, system_prefix
from sequence_maker.assistant.offline.schema import small_model_tools, validate
from sequence_maker.assistant.offline.syntax import (
    AnswerInvalid,
    ReplyStreamer,
    parse_answer,
    render_calls,
    render_reply,
    render_value,
)
from sequence_maker.assistant.providers.events import ChatMessage, ToolSpec

from .tools_fixture import STATE, TOOLS


def _closed(grammar: str) -> bool:
    defined, used = rule_references(grammar)
    return "root" in defined and used <= defined


def test_grammar_offers_only_the_offered_tools_and_reply():
    grammar = answer_grammar(TOOLS, None)
    assert _closed(grammar)
    assert '"create_segment("' in grammar and '"clear_range("' in grammar and '"reply(\\""' in grammar
    assert '"ball="' in grammar and '"\\"3\\""' in grammar  # enum values are literals in the grammar
    assert "delete" not in grammar


def test_tool_choice_restricts_the_grammar():
    root = lambda g: g.splitlines()[0]  # noqa: E731
    assert "reply" in root(answer_grammar(TOOLS, "none")) and "call" not in root(answer_grammar(TOOLS, "none"))
    assert "reply" not in root(answer_grammar(TOOLS, "required"))
    only = answer_grammar(TOOLS, "clear_range")
    assert '"clear_range("' in only and '"create_segment("' not in only
    assert "reply" in root(answer_grammar([], None))
    with pytest.raises(ValueError, match="not among the offered tools"):
        answer_grammar(TOOLS, "delete_everything")


def test_reply_after_tool_results_is_capped_short():
    assert f"char{{1,{MAX_REPLY_CHARS}}}" in answer_grammar(TOOLS, None)
    assert f"char{{1,{MAX_WRAP_UP_CHARS}}}" in answer_grammar(TOOLS, None, wrap_up=True)
    assert MAX_WRAP_UP_CHARS < MAX_REPLY_CHARS


def test_loose_grammar_accepts_any_keyword_arguments():
    loose = answer_grammar(TOOLS, None, loose=True)
    assert _closed(loose) and '"ball="' not in loose and "ident" in loose


def test_grammar_follows_refs_and_survives_recursion():
    batch = ToolSpec("batch", "Many.", {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 1}},
        "required": ["items"],
        "$defs": {"Item": {"type": "object", "properties": {"at": {"type": "string"}, "next": {"$ref": "#/$defs/Item"}},
                           "required": ["at"]}},
    })
    grammar = answer_grammar([batch], None)
    assert _closed(grammar) and '"\\"at\\": "' in grammar  # nested object keys are quoted like JSON


def test_the_assistants_real_tools_give_a_closed_grammar():
    from sequence_maker.assistant.tools import default_registry

    grammar = answer_grammar(small_model_tools(default_registry().specs()), None)
    assert _closed(grammar)
    assert '"create_segment("' in grammar and '"start="' not in grammar.split('"create_segment("')[1].split("\n")[0]


def test_parse_valid_calls_and_reply():
    raw = 'create_segment(ball="2", start="0:30", duration="2.5 s", color="red")\nclear_range(ball="1", start="0:00", end="0:05")'
    answer = parse_answer(raw, TOOLS)
    assert answer.calls == [("create_segment", {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"}),
                            ("clear_range", {"ball": "1", "start": "0:00", "end": "0:05"})]
    assert parse_answer('reply(" Done. ")', TOOLS).reply == "Done."
    both = parse_answer('clear_range(ball="1", start="0:00", end="0:05")\nreply("Cleared; the song is 60 s long.")', TOOLS)
    assert both.calls == [("clear_range", {"ball": "1", "start": "0:00", "end": "0:05"})]
    assert both.reply == "Cleared; the song is 60 s long."
    assert parse_answer('reply("smile \\ud83d\\ude00")', TOOLS).reply == "smile \U0001f600"  # JSON surrogate pair


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ('create_segment(ball="2", start="0:30"', "not complete calls"),
        ('explode(ball="1")', "unknown tool 'explode'"),
        ('clear_range(ball="7", start="0:01", end="0:02")', "'7' is not one of"),
        ('clear_range(ball="1", start="0:01")', "missing required 'end'"),
        ('clear_range("1", start="0:01", end="0:02")', "name=value"),
        ('clear_range(ball=open("x"), start="0:01", end="0:02")', "only literal values"),
        ('reply("")', "non-empty"),
        ('reply("hi")\nclear_range(ball="1", start="0:01", end="0:02")', "comes last"),
        ("[1, 2]", "tool calls"),
        ("", "empty"),
    ],
)
def test_invalid_answers_name_the_problem(raw, needle):
    with pytest.raises(AnswerInvalid) as err:
        parse_answer(raw, TOOLS)
    assert needle in str(err.value)


def test_rendering_matches_what_the_model_writes_and_parses_back():
    calls = [{"name": "create_segment", "arguments": {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"}}]
    text = render_calls(calls)
    assert text == 'create_segment(ball="2", start="0:30", duration="2.5 s", color="red")'
    assert parse_answer(text, TOOLS).calls == [("create_segment", calls[0]["arguments"])]
    assert render_value({"a": [1, 2.5, True, None], "b": "é\""}) == '{"a": [1, 2.5, True, None], "b": "é\\""}'
    assert render_reply('say "hi"') == 'reply("say \\"hi\\"")'


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
    raw = render_reply('Ball 2 is "red" now \u00e9 \U0001f600 ok').replace("\U0001f600", "\\ud83d\\ude00")
    streamer = ReplyStreamer()
    pieces = [streamer.feed(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    assert streamer.is_reply
    assert "".join(pieces) == 'Ball 2 is "red" now \u00e9 \U0001f600 ok'
    calls = ReplyStreamer()
    assert calls.feed("create_segment(") == "" and not calls.is_reply
    undecided = ReplyStreamer()
    assert undecided.feed("rep") == "" and not undecided.is_reply


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
    assert msgs[2]["content"].splitlines()[1] == 'clear_range(ball="2", start="0:00", end="0:05")'
    assert "[create_segment ok] ok" in msgs[3]["content"] and "[clear_range ERROR] no such time" in msgs[3]["content"]
    # one failed call in the round: the hint asks for the corrected call, not a summary
    assert FIX_HINT in msgs[3]["content"] and WRAP_UP_HINT not in msgs[3]["content"]
    ok_only = build_messages(history[:3], TOOLS)
    assert WRAP_UP_HINT in ok_only[-1]["content"] and FIX_HINT not in ok_only[-1]["content"]


def test_results_the_agent_closed_itself_are_rendered_briefly_on_later_turns():
    call = {"id": "a", "name": "create_segment", "arguments": {"ball": "1", "start": "0:10", "color": "red"}}
    result = '{"done":"segment on ball(s) 1 at 0:10-0:12","changes":{"ball 1":{"added":1}}}'
    earlier = [ChatMessage("user", "ball 1 red at 0:10"), ChatMessage("assistant", tool_calls=[call]),
               ChatMessage("tool", result, tool_call_id="a")]
    # the model read these results itself (it wrote the closing sentence): full results and the hint
    read = build_messages([*earlier, ChatMessage("assistant", "Ball 1 is red."), ChatMessage("user", "next")], TOOLS)
    assert result in read[3]["content"] and WRAP_UP_HINT in read[3]["content"]
    # the agent closed the round from the results (no model request saw them): the "done" line only
    composed = ChatMessage("assistant", "Done: segment on ball(s) 1 at 0:10-0:12.", meta={"composed": True})
    brief = build_messages([*earlier, composed, ChatMessage("user", "next")], TOOLS)
    assert brief[3]["content"] == "Tool results:\n[create_segment ok] segment on ball(s) 1 at 0:10-0:12"
    assert brief[4] == {"role": "assistant", "content": 'reply("Done.")'}  # the result line above says what
    # a failed call is never shortened
    failed = ChatMessage("tool", "no such time", tool_call_id="a", is_error=True)
    kept = build_messages([*earlier[:2], failed, composed, ChatMessage("user", "next")], TOOLS)
    assert FIX_HINT in kept[3]["content"]


def test_offline_provider_counts_its_compact_tool_lines_for_the_context_budget():
    from sequence_maker.assistant.context import conversation_tokens
    from sequence_maker.assistant.providers.offline import OfflineProvider
    from sequence_maker.assistant.tools import default_registry

    specs = default_registry().specs()
    own = OfflineProvider().tool_prompt_tokens(specs)
    as_json = conversation_tokens([], specs)
    assert 0.25 * as_json < own < 0.6 * as_json  # one line per tool, not JSON schemas


def test_prefix_shows_fixing_a_call_from_an_error_that_names_it():
    from sequence_maker.assistant.tools import default_registry

    tools = small_model_tools(default_registry().specs())
    prefix = system_prefix(tools)
    shown = 'clear_timeline(when="verse 2", balls=3)'
    assert "[delete_segment ERROR] 'verse 2' is a time range" in prefix
    assert prefix.count(shown) == 2  # named in the error, then made as the answer
    assert "[delete_segment ERROR]" not in system_prefix([t for t in tools if t.name != "delete_segment"])


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
    assert examples == [("play from the second verse", [("play_audio", {"position": "second verse"})], None)]
    renamed = ToolSpec("play_audio", "Play.", {"type": "object", "properties": {"pos": {"type": "string"}}})
    assert applicable_examples([renamed]) == []  # an example that no longer validates is dropped


def test_small_models_get_the_reduced_schema_where_a_tool_offers_one():
    full = {"type": "object", "properties": {"when": {"type": "string"}, "start": {"type": "string"}}}
    small = {"type": "object", "properties": {"when": {"type": "string"}}, "required": ["when"]}
    tools = small_model_tools([ToolSpec("a", "A.", full, small_model_parameters=small), ToolSpec("b", "B.", full)])
    assert tools[0].parameters is small and tools[1].parameters is full
