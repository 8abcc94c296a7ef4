"""Fuzzing the assistant's tools with the arguments a confused model might send.

Every call goes through the agent's own validation (``ToolRegistry.parse``) and then the tool runs
the way the loop runs it (a dry run on a copy). The outcome is a valid project or one of the
errors the loop turns into a "fix the arguments" result (``ToolInputError``, ``ResolveError``,
``ModelError`` — all ``ValueError``). A ``TypeError``/``KeyError``/``IndexError``… would be a tool
bug: the loop would only say "failed unexpectedly". A second test drives whole turns through
``Assistant.run_turn`` and checks the results the model sees and the history it gets back.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.assistant.agent import Assistant
from sequence_maker.assistant.executor import clone_project, run_tool
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.scripted import ScriptedProvider
from sequence_maker.assistant.tools import ToolInputError, default_registry
from sequence_maker.history.editor import ProjectEditor
from sequence_maker.model import LyricLine, Lyrics, LyricWord
from tests.assistant.helpers import SETUP, collect, make_editor, text_turn, tool_turn

from ._checks import assert_project_valid, examples, json_value

REGISTRY = default_registry()
TOOLS = REGISTRY.names()

times = st.one_of(
    st.floats(-100, 1e7, allow_nan=False), st.integers(-10, 10**9),
    st.sampled_from([0, 0.0005, 89.999, 90, 90.001, 1e300, -0.0, math.inf, "0:30", "1:75", "-0:05", "bar 5",
                     "bar 0", "bar -1", "bar 99999", "beat 9", "beat 0", "beat 1e9", "chorus", "chorus 9",
                     "last verse", "intro", "outro", "bridge", "", " ", "1:00:00:00", "nan", "inf", "10s"]),
    st.text(max_size=12))
good_times = st.one_of(st.floats(0, 90), st.sampled_from(["0:30", "bar 5", "beat 9", "chorus", "intro", "1:20"]))
good_durations = st.one_of(st.floats(0.01, 30), st.sampled_from(["4 beats", "2 bars", "0.5 beats"]))
SPAN = ("when", "start", "end", "duration")
durations = st.one_of(times, st.sampled_from(["4 beats", "2 bars", "0 beats", "-2 bars", "1e9 bars", "0.5 beats"]))
whens = st.one_of(st.sampled_from([
    "all", "chorus", "chorus 2", "chorus 0", "last verse", "bar 5", "bars 5-8", "bars 8-5", "bars 0-0",
    "beats 1-8", "beats 1-99999", "first 8 beats", "first 0 beats", "last 10 seconds", "last 1000 seconds",
    "0:30-0:45", "0:45-0:30", "0:00-9:99", "first 4 bars of chorus", "first 4 bars of bridge", "", "   "]),
    st.text(max_size=20))
good_balls = st.one_of(st.integers(1, 3), st.just("all"), st.lists(st.integers(1, 3), min_size=1, max_size=3))
balls = st.one_of(good_balls, good_balls, good_balls, st.integers(-2, 70),
                  st.sampled_from(["1", "ball 2", "x", "", True]), st.lists(st.integers(-1, 6), max_size=5))
colors = st.one_of(st.sampled_from(["red", "warm white", "#FF0000", "#ff000", "#GGGGGG", "blurple", "", "black",
                                    "rgb(1,2,3)"]),
                   st.lists(st.integers(-300, 300), min_size=3, max_size=3),
                   st.lists(st.integers(0, 255), min_size=3, max_size=3), st.text(max_size=8))
numbers = st.one_of(st.floats(allow_nan=False), st.integers(-(2**40), 2**40), st.sampled_from([0, -1, 1e-9]))


def value_for(field: str, hostile: bool) -> st.SearchStrategy:
    """A plausible (or, when ``hostile``, possibly any JSON) value for an argument, chosen by its
    name so that most calls pass validation and reach the handlers."""
    if field in ("start", "end", "at", "position"):
        pool = times
    elif field == "duration":
        pool = durations
    elif field == "when":
        pool = whens
    elif field in ("ball", "balls"):
        pool = balls
    elif field in ("colors", "palette"):
        pool = st.lists(colors, max_size=5)
    elif "color" in field or field == "background":
        pool = colors
    elif field == "segments":
        pool = st.lists(st.fixed_dictionaries({}, optional={
            "balls": balls, "color": colors, "when": whens, "start": times, "end": times, "duration": durations,
            "end_color": colors}), max_size=6)
    elif field == "sections":
        pool = st.lists(st.fixed_dictionaries({"section": st.one_of(whens, st.text(max_size=6)),
                                               "color": colors}), max_size=4)
    elif field in ("every", "style", "which", "effect"):
        pool = st.sampled_from(["beat", "half_beat", "downbeat", "bar", "flash", "alternate", "chase", "beats",
                                "bars", "strobe", "pulse", "rainbow", "none", "sparkle"])
    elif field == "word":
        pool = st.one_of(st.sampled_from(["hello", "world", "", "HELLO", "zzz"]), st.text(max_size=6))
    elif field == "energy_brightness":
        pool = st.booleans()
    elif field == "points":
        pool = st.integers(-5, 10**6)
    elif field == "percent":
        pool = st.floats(0, 100)
    else:  # hz, length, offset_beats, stagger_beats
        pool = numbers
    return st.one_of(pool, pool, pool, json_value) if hostile else pool


@st.composite
def tool_call(draw: st.DrawFn) -> tuple[str, dict]:
    name = draw(st.sampled_from([*TOOLS, "no_such_tool"]))
    tool = REGISTRY.get(name)
    fields = tool.args.model_fields if tool else {}
    hostile = draw(st.integers(0, 3)) == 0
    args = {}
    for f, info in fields.items():
        if (info.is_required() and not hostile) or draw(st.booleans()):
            args[f] = draw(value_for(f, hostile))
    if not hostile and "when" in fields:  # one of the span forms the prompt documents
        for k in SPAN:
            args.pop(k, None)
        form = draw(st.sampled_from([(), ("when",), ("start", "end"), ("start", "duration"), ("end", "duration")]))
        args.update({k: draw(good_times if k in ("start", "end") else good_durations if k == "duration"
                             else value_for(k, False)) for k in form})
    if hostile and draw(st.booleans()):
        args[draw(st.text(min_size=1, max_size=8))] = draw(json_value)
    return name, args


def _base_project():
    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]},
                                   {"ball": 2, "start_s": 30, "end_s": 50, "color": [0, 0, 255]}])
    editor.set_lyrics(Lyrics(words=tuple(LyricWord(w, 1000 * i + 500, 1000 * i + 900)
                                         for i, w in enumerate(["hello", "world", "hello", "again"] * 5)),
                             lines=(LyricLine("hello world hello again", 500, 4900),)))
    return editor.project


BASE = _base_project()


@settings(max_examples=examples(600), deadline=None, suppress_health_check=list(HealthCheck))
@given(tool_call())
def test_every_tool_returns_a_result_or_a_clear_error(call):
    name, arguments = call
    try:
        tool, args = REGISTRY.parse(name, arguments)
    except ToolInputError as e:
        assert name in str(e) and len(str(e)) > 20
        return
    before = BASE.snapshot()
    try:
        outcome = run_tool(tool, args, BASE)
    except ValueError as e:  # ToolInputError, ResolveError, ModelError: the loop says "fix the arguments"
        assert str(e).strip(), f"{name}: an empty error message for {arguments}"
    else:
        if outcome.commands:  # replaying the dry run on a fresh editor must fit and keep the invariants
            editor = ProjectEditor(clone_project(BASE))
            for cmd in outcome.commands:
                editor.execute(cmd, name)
            assert_project_valid(editor.project)
            while editor.history.can_undo():
                editor.undo()
            assert editor.project.snapshot() == before
    assert BASE.snapshot() == before, f"{name} changed the live project during a dry run"


@settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(tool_call(), min_size=1, max_size=4))
async def test_agent_turn_with_fuzzed_calls_keeps_history_valid_and_edits_whole(calls):
    editor = make_editor(**{**SETUP, "segments": [{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}]})
    start = editor.project.snapshot()
    ids = [(f"c{i}", name, args) for i, (name, args) in enumerate(calls)]
    provider = ScriptedProvider([tool_turn(*ids), text_turn("ok")])
    history: list[ChatMessage] = []
    events = await collect(Assistant(provider, max_reasks=5).run_turn(editor, history, "do things"))
    results = [e for e in events if e.type == "tool_result"]
    assert sorted(r.call_id for r in results) == sorted(c[0] for c in ids)  # every call answered once
    for r in results:
        assert r.ok or (r.error and "failed unexpectedly" not in r.error), r.error
    assert events[-1].type == "turn_end" and events[-1].finish_reason == "stop"
    answered = [m.tool_call_id for m in history if m.role == "tool"]
    assert answered == [c[0] for c in ids]  # the next request pairs every call with its result, in call order
    assert_project_valid(editor.project)
    if events[-1].undo_label:  # all of the turn's edits are one undo step
        editor.undo()
    assert editor.project.snapshot() == start
