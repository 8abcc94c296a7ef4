"""Tool-call assembly rules, independent of any wire format."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_maker.assistant.providers.events import ToolCallDelta, ToolCallStart
from sequence_maker.assistant.providers.toolcalls import ToolCallAssembler, finalise_call, truncation_reason

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
argument_objects = st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=5)


def _split(raw: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(raw[last:p])
        last = p
    pieces.append(raw[last:])
    return pieces


@settings(max_examples=80, deadline=None)
@given(
    a=argument_objects,
    b=argument_objects,
    cuts_a=st.lists(st.integers(0, 10_000), max_size=12),
    cuts_b=st.lists(st.integers(0, 10_000), max_size=12),
    order=st.lists(st.booleans(), max_size=60),
)
def test_interleaved_fragments_reassemble_exactly(a, b, cuts_a, cuts_b, order):
    raw_a, raw_b = json.dumps(a), json.dumps(b)
    frags = {0: _split(raw_a, cuts_a), 1: _split(raw_b, cuts_b)}
    asm = ToolCallAssembler()
    out: list = []
    asm.feed(0, "call_a", "first", None, out)
    asm.feed(1, "call_b", "second", None, out)
    pending = {0: list(frags[0]), 1: list(frags[1])}
    choices = iter(order)
    while pending[0] or pending[1]:
        pick = 0 if not pending[1] else 1 if not pending[0] else int(next(choices, False))
        asm.feed(pick, None, None, pending[pick].pop(0), out)
    ends = asm.finish(truncated=False)
    assert [(e.call_id, e.name, e.arguments, e.ok) for e in ends] == [
        ("call_a", "first", a, True),
        ("call_b", "second", b, True),
    ]
    assert sum(isinstance(e, ToolCallStart) for e in out) == 2


def test_name_is_never_concatenated():
    asm, out = ToolCallAssembler(), []
    asm.feed(0, "c1", "read_file", "", out)
    asm.feed(0, None, "read_file", '{"p": 1}', out)  # some servers repeat the name
    asm.feed(0, None, "", "", out)  # LM Studio: empty name on later parts
    (end,) = asm.finish(False)
    assert end.name == "read_file" and end.arguments == {"p": 1}


def test_same_index_new_id_opens_a_new_call():
    asm, out = ToolCallAssembler(), []
    asm.feed(0, "c1", "f", '{"x": 1}', out)
    asm.feed(0, "c2", "f", '{"x": 2}', out)
    ends = asm.finish(False)
    assert [(e.call_id, e.arguments) for e in ends] == [("c1", {"x": 1}), ("c2", {"x": 2})]


def test_deltas_carry_ordinal_index_for_ui_matching():
    asm, out = ToolCallAssembler(), []
    asm.feed(5, "c1", "f", '{"a"', out)
    asm.feed(5, None, None, ": 1}", out)
    deltas = [e for e in out if isinstance(e, ToolCallDelta)]
    assert [d.index for d in deltas] == [0, 0] and "".join(d.fragment for d in deltas) == '{"a": 1}'


def test_never_finalised_early_even_if_prefix_parses():
    asm, out = ToolCallAssembler(), []
    asm.feed(0, "c1", "f", '{"a": 1}', out)  # parses already…
    assert not any(type(e).__name__ == "ToolCallEnd" for e in out)  # …but no end until the stream ends
    asm.feed(0, None, None, ', "b": 2}', out)
    (end,) = asm.finish(False)
    # '{"a": 1}, "b": 2}' is not one object: it is never executed as {"a": 1}
    assert end.arguments != {"a": 1}


def test_truncation_rules():
    assert truncation_reason('{"a": "unfinished') == "unterminated string"
    assert truncation_reason('{"a": [1, 2') == "unclosed object or array"
    assert truncation_reason('{"a": 1,') is not None
    assert truncation_reason("{'a': 1}") is None  # complete, merely malformed
    end = finalise_call("c", "f", '{"text": "hello wor', 0, truncated=False)
    assert not end.ok and not end.repaired and end.arguments == {}
    end = finalise_call("c", "f", '{"a": 1}', 0, truncated=True)
    assert not end.ok and "token limit" in (end.error or "")


def test_repair_is_flagged_and_non_objects_fail():
    end = finalise_call("c", "f", '{"ball": 1, "color": "red",}', 0, truncated=False)
    assert end.ok and end.repaired and end.arguments == {"ball": 1, "color": "red"}
    end = finalise_call("c", "f", "[1, 2]", 0, truncated=False)
    assert not end.ok and "object" in (end.error or "")
    end = finalise_call("c", "f", "   ", 0, truncated=False)
    assert end.ok and end.arguments == {}
    end = finalise_call("c", "", "{}", 0, truncated=False)
    assert not end.ok
