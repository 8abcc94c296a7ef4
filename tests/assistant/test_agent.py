"""The agent loop with a scripted provider: multi-step turns, barriers, validation, approvals,
cancellation, undo, budgets."""

from __future__ import annotations

import asyncio
import json

import pytest

from sequence_maker.assistant.agent import CANCELLED_RESULT, Assistant, repair_history
from sequence_maker.assistant.player import RecordingPlayer
from sequence_maker.assistant.providers.events import ChatMessage, TextDelta
from sequence_maker.assistant.providers.scripted import ScriptedProvider
from sequence_maker.assistant.tools import ALL_TOOLS, Tool, ToolRegistry
from sequence_maker.assistant.tools.reads import NoArgs
from sequence_maker.assistant.turn_events import ApprovalDecision
from sequence_maker.model import Color
from sequence_maker.model.segment import Segment, Solid

from .helpers import collect, make_editor, of_type, text_turn, tool_turn

RED, BLUE, BLACK = Color(255, 0, 0), Color(0, 0, 255), Color(0, 0, 0)


def paint(cid: str, ball, color: str, when: str) -> tuple[str, str, dict]:
    return (cid, "create_segment", {"balls": ball, "color": color, "when": when})


def assert_history_valid(history: list[ChatMessage]) -> None:
    """Every assistant tool call is followed by exactly its results; no orphan results."""
    i = 0
    while i < len(history):
        m = history[i]
        assert m.role != "tool", f"orphan tool result at {i}"
        i += 1
        if m.role == "assistant" and m.tool_calls:
            ids = [c["id"] for c in m.tool_calls]
            got = []
            while i < len(history) and history[i].role == "tool":
                got.append(history[i].tool_call_id)
                i += 1
            assert sorted(got) == sorted(ids)


async def test_multi_tool_turn_feeds_results_back_and_is_one_undo_step() -> None:
    editor = make_editor()
    provider = ScriptedProvider([
        tool_turn(("c1", "get_sections", {}), paint("c2", 1, "red", "chorus"), paint("c3", 2, "blue", "intro")),
        text_turn("Chorus red on ball 1, intro blue on ball 2."),
    ])
    history: list[ChatMessage] = []
    events = await collect(Assistant(provider).run_turn(editor, history, "chorus red on ball 1, intro blue on 2"))
    results = of_type(events, "tool_result")
    assert [r.ok for r in results] == [True, True, True]
    assert results[0].result["sections"][2]["label"] == "chorus"
    assert results[1].result["changes"] == {"ball 1": {"added": 2}}
    p = editor.project
    assert p.color_at(0, 31_000) == RED and p.color_at(1, 5_000) == BLUE
    # the second request carried the three results, paired with their calls
    second = provider.requests[1].messages
    assert [m.role for m in second[-4:]] == ["assistant", "tool", "tool", "tool"]
    assert_history_valid(history)
    end = events[-1]
    assert end.type == "turn_end" and end.llm_requests == 2 and end.undo_label.startswith("Assistant:")
    assert end.checkpoint_before and end.checkpoint_after
    editor.undo()
    assert p.segment_count() == 0


async def test_tool_specs_are_identical_objects_in_every_request() -> None:
    provider = ScriptedProvider([tool_turn(("c1", "get_sections", {})), text_turn()])
    await collect(Assistant(provider).run_turn(make_editor(), [], "sections?"))
    a, b = provider.requests
    assert a.tools is b.tools
    assert [t.name for t in a.tools][:3] == ["get_project_summary", "get_segments", "get_beats"]


def _probe_registry(log: list[str], state: dict) -> ToolRegistry:
    async def slow(ctx, args, name: str):
        state["active"] += 1
        state["peak"] = max(state["peak"], state["active"])
        log.append(f"start {name}")
        await asyncio.sleep(0.05)
        log.append(f"end {name}")
        state["active"] -= 1
        return {"name": name}

    def reader(name: str) -> Tool:
        async def handler(ctx, args):
            return await slow(ctx, args, name)
        return Tool(name, "probe", NoArgs, handler, "read")

    def writer(ctx, args):
        log.append("write")
        return {"done": "wrote"}

    return ToolRegistry([reader("r1"), reader("r2"), reader("r3"), Tool("w1", "probe", NoArgs, writer, "write"),
                         *ALL_TOOLS])


async def test_reads_run_in_parallel_and_writes_are_barriers() -> None:
    log: list[str] = []
    state = {"active": 0, "peak": 0}
    provider = ScriptedProvider([
        tool_turn(("a", "r1", {}), ("b", "r2", {}), ("c", "w1", {}), ("d", "r3", {})), text_turn()])
    events = await collect(Assistant(provider, registry=_probe_registry(log, state)).run_turn(make_editor(), [], "go"))
    assert state["peak"] == 2  # r1 and r2 together, r3 alone after the write
    assert log.index("write") > max(log.index("end r1"), log.index("end r2"))
    assert log.index("start r3") > log.index("write")
    assert [r.call_id for r in of_type(events, "tool_result")] == ["a", "b", "c", "d"]


async def test_writes_apply_in_call_order() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("1", 1, "red", "intro"), paint("2", 1, "blue", "first 5 seconds")),
                                 text_turn()])
    await collect(Assistant(provider).run_turn(editor, [], "x"))
    assert editor.project.color_at(0, 2_000) == BLUE and editor.project.color_at(0, 7_000) == RED


async def test_invalid_call_gets_fixable_error_and_is_repaired_by_reask() -> None:
    editor = make_editor()
    provider = ScriptedProvider([
        tool_turn(("c1", "create_segment", {"balls": 7, "color": "red", "when": "chorus"}),
                  ("c2", "create_segment", {"ball": 1, "colour": "red"})),
        tool_turn(paint("c3", 1, "red", "chorus")),
        text_turn(),
    ])
    history: list[ChatMessage] = []
    events = await collect(Assistant(provider).run_turn(editor, history, "chorus red"))
    bad = of_type(events, "tool_result")[:2]
    assert not bad[0].ok and "ball 7 does not exist; this project has 3 ball(s)" in bad[0].error
    assert not bad[1].ok and "colour: unknown argument (did you mean 'color')" in bad[1].error
    assert "required argument is missing" in bad[1].error
    # the model saw the errors, then fixed the call
    sent = [m for m in provider.requests[1].messages if m.role == "tool"]
    assert all(m.is_error and "error" in json.loads(m.content) for m in sent)
    assert editor.project.color_at(0, 31_000) == RED
    assert events[-1].finish_reason == "stop"
    assert_history_valid(history)


async def test_at_most_two_reasks_per_turn() -> None:
    bad = ("x", "create_segment", {"balls": 9, "color": "red", "when": "all"})
    provider = ScriptedProvider([tool_turn(bad), tool_turn(bad), tool_turn(bad), text_turn()])
    events = await collect(Assistant(provider).run_turn(make_editor(), [], "x"))
    assert events[-1].finish_reason == "invalid_tool_calls" and events[-1].llm_requests == 3
    assert provider.remaining == 1


async def test_truncated_call_is_never_executed() -> None:
    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    provider = ScriptedProvider([tool_turn(("t", "clear_timeline", {"balls": "all"}), ok=False), text_turn()])
    events = await collect(Assistant(provider).run_turn(editor, [], "clear"))
    res = of_type(events, "tool_result")[0]
    assert not res.ok and "cut off" in res.error
    assert not of_type(events, "tool_call")  # never presented as a validated call
    assert editor.project.color_at(0, 5_000) == RED


async def test_failed_write_leaves_project_untouched() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(("b", "create_segments_batch", {"segments": [
        {"balls": 1, "color": "red", "when": "intro"}, {"balls": 2, "color": "red", "when": "bar 999"}]})),
        text_turn()])
    events = await collect(Assistant(provider).run_turn(editor, [], "x"))
    assert "segments[2]" in of_type(events, "tool_result")[0].error
    assert editor.project.segment_count() == 0 and events[-1].undo_label is None


async def test_a_turn_whose_calls_all_failed_never_reads_as_done() -> None:
    editor = make_editor()
    history: list[ChatMessage] = []
    provider = ScriptedProvider([tool_turn(paint("a", 1, "red", "bar 999")), text_turn("Done: ball 1 is red.")])
    events = await collect(Assistant(provider).run_turn(editor, history, "ball 1 red in bar 999"))
    text = "".join(e.text for e in of_type(events, "text_delta"))
    assert text.startswith("Done: ball 1 is red.\n\n(Nothing was changed: create_segment failed: ")
    assert "bar 999" in text and history[-1].content == text  # the model reads the note next turn too
    # a failure the model then fixed, or a call the user rejected, needs no note
    fixed = ScriptedProvider([tool_turn(paint("a", 1, "red", "bar 999")), tool_turn(paint("b", 1, "red", "bar 2")),
                              text_turn("Done.")])
    events = await collect(Assistant(fixed, wrap_up="model").run_turn(make_editor(), [], "x"))
    assert "".join(e.text for e in of_type(events, "text_delta")) == "Done."

    async def reject(req):
        return ApprovalDecision("reject")

    rejected = ScriptedProvider([tool_turn(paint("a", 1, "red", "bar 2")), text_turn("OK.")])
    events = await collect(Assistant(rejected, approval_mode="ask_all").run_turn(make_editor(), [], "x", approver=reject))
    assert "".join(e.text for e in of_type(events, "text_delta")) == "OK."


async def test_approval_reject_is_a_result_the_model_sees() -> None:
    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    provider = ScriptedProvider([tool_turn(("c", "clear_timeline", {"balls": "all"})), text_turn("OK, kept it.")])
    seen = []

    async def approver(req):
        seen.append(req)
        return ApprovalDecision("reject", message="keep the intro")

    events = await collect(Assistant(provider, approval_mode="ask").run_turn(editor, [], "clear", approver=approver))
    req = of_type(events, "approval_request")[0]
    assert req.preview[0]["ball"] == 1 and req.preview[0]["counts"]["removed"] == 1
    assert seen[0].reason.startswith("clear_timeline")
    res = of_type(events, "tool_result")[0]
    assert not res.ok and "rejected" in res.error and "keep the intro" in res.error
    assert editor.project.color_at(0, 5_000) == RED
    assert "rejected" in [m for m in provider.requests[1].messages if m.role == "tool"][0].content


async def test_approval_edit_runs_the_edited_arguments_and_always_allow_sticks() -> None:
    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]},
                                   {"ball": 2, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    provider = ScriptedProvider([tool_turn(("c", "clear_timeline", {"balls": "all"})), text_turn(),
                                 tool_turn(("d", "clear_timeline", {"balls": 1})), text_turn()])
    asked = []

    async def approver(req):
        asked.append(req.call_id)
        return ApprovalDecision("edit", arguments={"balls": 2}, always_allow=True)

    assistant = Assistant(provider, approval_mode="ask")
    events = await collect(assistant.run_turn(editor, [], "clear", approver=approver))
    assert of_type(events, "tool_result")[0].ok
    assert of_type(events, "tool_result")[0].result["user_edited_arguments"] == {"balls": 2}
    assert editor.project.color_at(0, 5_000) == RED and editor.project.color_at(1, 5_000) == BLACK
    await collect(assistant.run_turn(editor, [], "clear ball 1", approver=approver))
    assert asked == ["c"]  # sticky: the second clear ran without asking
    assert editor.project.color_at(0, 5_000) == BLACK


async def test_ask_all_mode_and_missing_approver() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("c", 1, "red", "intro"), ("r", "get_sections", {})), text_turn()])
    events = await collect(Assistant(provider, approval_mode="all").run_turn(editor, [], "x"))
    assert len(of_type(events, "approval_request")) == 1  # reads never ask
    res = {r.call_id: r for r in of_type(events, "tool_result")}
    assert not res["c"].ok and res["r"].ok
    assert editor.project.segment_count() == 0


async def test_player_tools_reach_the_sink() -> None:
    player = RecordingPlayer()
    provider = ScriptedProvider([tool_turn(("p", "play_audio", {"position": "chorus 2"}),
                                           ("v", "set_volume", {"percent": 30})), text_turn()])
    events = await collect(Assistant(provider, player=player).run_turn(make_editor(), [], "play"))
    cmds = of_type(events, "player_command")
    assert [c.to_dict() for c in cmds] == [{"type": "player_command", "action": "play", "position_s": 70.0},
                                           {"type": "player_command", "action": "volume", "volume": 0.3}]
    assert player.state().playing and player.state().position_s == 70.0


async def test_step_limit_and_tool_timeout() -> None:
    async def sleepy(ctx, args):
        await asyncio.sleep(1)

    reg = ToolRegistry([Tool("sleepy", "slow", NoArgs, sleepy, "read")])
    provider = ScriptedProvider([tool_turn((f"s{i}", "sleepy", {})) for i in range(3)])
    assistant = Assistant(provider, registry=reg, max_steps=2, tool_timeout_s=0.05, max_reasks=5)
    events = await collect(assistant.run_turn(make_editor(), [], "x"))
    assert "timed out after 0.05 s" in of_type(events, "tool_result")[0].error
    assert events[-1].finish_reason == "max_steps" and events[-1].llm_requests == 2


async def test_graceful_cancel_after_first_result() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("a", 1, "red", "intro")), tool_turn(paint("b", 2, "red", "intro")),
                                 text_turn()])
    assistant = Assistant(provider)
    history: list[ChatMessage] = []
    events = []
    async for ev in assistant.run_turn(editor, history, "x"):
        events.append(ev)
        if ev.type == "tool_result":
            assistant.cancel()
    end = events[-1]
    assert end.cancelled and end.finish_reason == "cancelled" and end.undo_label
    assert editor.project.color_at(0, 1_000) == RED and editor.project.color_at(1, 1_000) == BLACK
    assert_history_valid(history)
    editor.undo()
    assert editor.project.segment_count() == 0


class SlowTextProvider:
    """Streams text slowly; records whether its stream was closed."""

    name, model = "slow", "slow"

    def __init__(self) -> None:
        self.closed = False

    async def stream(self, request):
        try:
            for word in ["one ", "two ", "three ", "four "]:
                yield TextDelta(word)
                await asyncio.sleep(0.05)
        finally:
            self.closed = True

    async def aclose(self) -> None:
        return None


async def test_hard_cancel_mid_stream_closes_stream_and_repairs_history() -> None:
    editor = make_editor()
    provider = SlowTextProvider()
    history: list[ChatMessage] = [ChatMessage("user", "earlier"), ChatMessage("assistant", "", tool_calls=[
        {"id": "old", "name": "get_sections", "arguments": {}}])]  # an orphaned call from a crashed turn
    got = []

    async def consume():
        async for ev in Assistant(provider).run_turn(editor, history, "tell me a story"):
            got.append(ev)

    task = asyncio.create_task(consume())
    while not got:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert provider.closed
    assert_history_valid(history)
    assert history[2].role == "tool" and CANCELLED_RESULT in history[2].content
    assert history[-1].role == "assistant" and history[-1].content.startswith("one")


async def test_hard_cancel_while_tools_run_gives_every_call_a_result() -> None:
    started = asyncio.Event()

    async def slow(ctx, args):
        started.set()
        await asyncio.sleep(5)

    reg = ToolRegistry([Tool("slow", "slow", NoArgs, slow, "read"), *ALL_TOOLS])
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("w", 1, "red", "intro"), ("s1", "slow", {}), ("s2", "slow", {}))])
    history: list[ChatMessage] = []
    gen = Assistant(provider, registry=reg).run_turn(editor, history, "x")
    task = asyncio.create_task(collect(gen))
    await asyncio.wait_for(started.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_history_valid(history)
    tools = {m.tool_call_id: m for m in history if m.role == "tool"}
    assert not tools["w"].is_error and CANCELLED_RESULT in tools["s1"].content
    # the applied write is kept as one undo step
    assert editor.project.color_at(0, 1_000) == RED
    assert editor.history.undo_stack[-1].label.startswith("Assistant:")
    editor.undo()
    assert editor.project.segment_count() == 0


def test_repair_history_drops_orphans_and_fills_missing_results() -> None:
    h = [ChatMessage("tool", "{}", tool_call_id="ghost"), ChatMessage("user", "hi"),
         ChatMessage("assistant", "", tool_calls=[{"id": "a", "name": "x", "arguments": {}},
                                                  {"id": "b", "name": "y", "arguments": {}}]),
         ChatMessage("tool", "{}", tool_call_id="b")]
    repair_history(h)
    assert [m.role for m in h] == ["user", "assistant", "tool", "tool"]
    assert {m.tool_call_id for m in h[2:]} == {"a", "b"}


async def test_custom_instructions_feedback_and_templates_reach_the_prompt() -> None:
    provider = ScriptedProvider([text_turn()])
    assistant = Assistant(provider, custom_instructions="Never use green.")
    assistant.add_feedback(False, "rainbow everywhere", "too busy")
    await collect(assistant.run_turn(make_editor(), [], "chorus", template="suggest_palette"))
    system, user = provider.requests[0].messages[0].content, provider.requests[0].messages[-1].content
    assert "Never use green." in system and "disliked" in system and "too busy" in system
    assert user.startswith("Suggest a colour palette for chorus")
    with pytest.raises(ValueError, match="unknown prompt template"):
        await collect(assistant.run_turn(make_editor(), [], "x", template="nope"))


class RaisingProvider:
    name, model = "boom", "boom"

    async def stream(self, request):
        yield TextDelta("partial ")
        raise ConnectionResetError("peer went away")

    async def aclose(self) -> None:
        return None


async def test_provider_exception_ends_the_turn_with_an_error_not_a_crash() -> None:
    history: list[ChatMessage] = []
    events = await collect(Assistant(RaisingProvider()).run_turn(make_editor(), history, "x"))
    err = of_type(events, "error")[0]
    assert "ConnectionResetError: peer went away" in err.message
    assert events[-1].finish_reason == "error"
    assert history[-1].content == "partial " and history[-1].meta.get("incomplete")


async def test_user_edit_during_approval_is_respected() -> None:
    """The user edits the project while the approval waits: the call is re-planned on the new state."""
    from sequence_maker.model import solid

    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    provider = ScriptedProvider([tool_turn(("c", "clear_timeline", {"balls": 1, "when": "intro"})), text_turn()])

    async def approver(req):
        editor.paint(0, solid(20_000, 25_000, "blue"))  # outside the turn's call, e.g. another tab
        editor.paint(0, solid(2_000, 3_000, "blue"))  # inside the range being cleared
        return ApprovalDecision("approve")

    events = await collect(Assistant(provider, approval_mode="ask").run_turn(editor, [], "clear", approver=approver))
    assert of_type(events, "tool_result")[0].ok
    p = editor.project
    assert p.color_at(0, 2_500) == BLACK and p.color_at(0, 5_000) == BLACK and p.color_at(0, 22_000) == BLUE


async def test_graceful_cancel_between_calls_of_one_response() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("a", 1, "red", "intro"), paint("b", 2, "red", "intro")), text_turn()])
    assistant = Assistant(provider)
    history: list[ChatMessage] = []
    events = []
    async for ev in assistant.run_turn(editor, history, "x"):
        events.append(ev)
        if ev.type == "tool_result" and ev.call_id == "a":
            assistant.cancel()
    results = {r.call_id: r for r in of_type(events, "tool_result")}
    assert results["a"].ok and results["b"].error == CANCELLED_RESULT
    assert editor.project.color_at(1, 1_000) == BLACK and events[-1].cancelled
    assert_history_valid(history)
    assert provider.remaining == 1  # no further request after the cancel


async def test_requests_within_a_turn_extend_each_other_for_prompt_caching() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(paint("a", 1, "red", "intro")), tool_turn(("s", "get_sections", {})),
                                 text_turn(), text_turn()])
    assistant = Assistant(provider)
    history: list[ChatMessage] = []
    await collect(assistant.run_turn(editor, history, "x"))
    r = provider.requests
    for a, b in zip(r, r[1:3], strict=False):
        assert b.messages[:len(a.messages)] == a.messages  # same prefix, even after the edit
    assert r[2].messages[1].content == "x"  # the first turn's timelines are in the system prompt
    assert '"ball":1,"segments":0' in r[0].messages[0].content
    await collect(assistant.run_turn(editor, history, "y"))
    nxt = provider.requests[3].messages
    # everything the previous turn sent reads the same on the next turn (a cache keeps it), and the
    # timelines are not repeated: the model made the only change and saw it in the tool results
    assert nxt[:len(r[2].messages)] == r[2].messages
    assert nxt[-1].content == "y" and nxt[0] == r[0].messages[0]  # the system prompt did not change


async def test_a_change_made_outside_the_assistant_reaches_the_next_turn() -> None:
    editor = make_editor()
    provider = ScriptedProvider([text_turn(), text_turn(), text_turn()])
    assistant = Assistant(provider)
    history: list[ChatMessage] = []
    await collect(assistant.run_turn(editor, history, "x"))
    await collect(assistant.run_turn(editor, history, "nothing changed"))
    assert provider.requests[1].messages[-1].content == "nothing changed"
    editor.paint(1, Segment(0, 1000, Solid(Color(255, 0, 0))))  # a hand edit between turns
    await collect(assistant.run_turn(editor, history, "z"))
    last = provider.requests[2].messages[-1].content
    assert '{"balls":[{"ball":2,"segments":1,' in last and '"empty_balls":[1,3]' in last and last.startswith("z\n")
    before = provider.requests[1].messages
    assert provider.requests[2].messages[:len(before)] == before
