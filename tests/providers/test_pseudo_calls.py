"""Tool syntax streamed as text by local servers is turned into calls, whatever the chunking."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_maker.assistant.providers.pseudo_calls import PseudoCallFilter, parse_block

TEXT = (
    'Okay. <tool_call>{"name": "set_color", "arguments": {"ball": 2, "color": "<blue>"}}</tool_call> done <3'
)


def run(pieces: list[str]):
    f = PseudoCallFilter()
    shown, calls = [], []
    for piece in pieces:
        visible, found = f.feed(piece)
        shown.append(visible)
        calls += found
    held, cut = f.finish()
    return "".join(shown) + held, calls, cut


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, len(TEXT)), max_size=15))
def test_any_chunking_gives_the_same_text_and_calls(cuts):
    points = sorted(set(cuts))
    pieces = [TEXT[a:b] for a, b in zip([0, *points], [*points, len(TEXT)], strict=True)]
    text, calls, cut = run(pieces)
    assert text == "Okay.  done <3" and cut is None
    assert [(c.name, json.loads(c.raw_arguments)) for c in calls] == [
        ("set_color", {"ball": 2, "color": "<blue>"})
    ]


def test_plain_text_is_never_delayed():
    f = PseudoCallFilter()
    assert f.feed("no angle brackets here") == ("no angle brackets here", [])
    assert f.feed("a <b> tag") == ("a <b> tag", [])
    assert f.feed("ends with <to") == ("ends with ", [])  # only the possible prefix waits
    assert f.feed("p>") == ("<top>", [])


def test_xml_syntax_and_bad_blocks():
    call = parse_block(
        "<function=set_bpm>\n<parameter=bpm>\n120\n</parameter>\n<parameter=name>\nintro\n</parameter>\n</function>"
    )
    assert call.name == "set_bpm" and json.loads(call.raw_arguments) == {"bpm": 120, "name": "intro"}
    assert parse_block('{"name": "f", "arguments": "{\\"a\\": 1}"}').raw_arguments == '{"a": 1}'
    assert parse_block("not json").error
    text, calls, cut = run(['<tool_call>{"name": "f", "arguments": {"x": "unfini'])
    assert text == "" and calls == [] and cut is not None and cut.name == "f" and cut.error
