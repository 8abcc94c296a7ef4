"""End to end through the real provider adapters against loopback fake servers (OpenAI Chat
Completions and Anthropic Messages wire formats)."""

from __future__ import annotations

import asyncio
import json

import pytest

from sequence_maker.assistant.agent import Assistant
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.registry import create_provider
from sequence_maker.assistant.turn_events import ApprovalDecision
from sequence_maker.model import Color
from tests.fakes.anthropic_server import anthropic_text_reply, fake_anthropic_server
from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.fakes.sse_server import Reply

from .helpers import anthropic_tool_reply, collect, make_editor, of_type

RED, WHITE, BLACK = Color(255, 0, 0), Color(255, 255, 255), Color(0, 0, 0)
FLASH = {"balls": [1, 2], "colors": ["red", "white"], "when": "chorus", "stagger_beats": 0.5}


def tool_reply(wire: str, calls: list[tuple[str, str, dict]]) -> Reply:
    return openai_tool_reply(calls) if wire == "openai" else anthropic_tool_reply(calls)


def text_reply(wire: str, text: str) -> Reply:
    return openai_text_reply(text) if wire == "openai" else anthropic_text_reply(text)


def server_for(wire: str, script):
    return fake_openai_server(script) if wire == "openai" else fake_anthropic_server(script)


def sent_messages(server, index: int, wire: str) -> list[dict]:
    return server.requests[index].json["messages"]


def tool_results_in(body_messages: list[dict], wire: str) -> list[str]:
    """Contents of the tool results in a request body, whatever the wire format."""
    if wire == "openai":
        return [m["content"] for m in body_messages if m["role"] == "tool"]
    out = []
    for m in body_messages:
        if isinstance(m.get("content"), list):
            out += [b["content"] if isinstance(b["content"], str) else json.dumps(b["content"])
                    for b in m["content"] if b.get("type") == "tool_result"]
    return out


WIRES = ["openai", "anthropic"]


@pytest.fixture(autouse=True)
def _fake_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-0000")


@pytest.mark.parametrize("wire", WIRES)
async def test_multi_tool_turn_with_parallel_reads_and_ordered_writes(wire: str) -> None:
    editor = make_editor()
    script = [
        tool_reply(wire, [("r1", "get_sections", {}), ("r2", "get_beats", {"when": "bar 1"}),
                          ("w1", "create_segment", {"balls": 1, "color": "blue", "when": "chorus"}),
                          ("w2", "beat_pattern", FLASH)]),
        text_reply(wire, "The chorus flashes red and white; ball 2 is half a beat later."),
    ]
    with server_for(wire, script) as server:
        provider = create_provider(server.profile())
        history: list[ChatMessage] = []
        events = await collect(Assistant(provider).run_turn(editor, history, "flash the chorus"))
        await provider.aclose()
        second = sent_messages(server, 1, wire)
    results = of_type(events, "tool_result")
    assert [r.call_id for r in results] == ["r1", "r2", "w1", "w2"] and all(r.ok for r in results)
    assert results[1].result["beats"][0] == {"beat": 1, "t": 0.5}
    p = editor.project
    assert p.color_at(0, 30_100) == RED and p.color_at(0, 30_600) == WHITE  # the pattern painted over the blue
    assert p.color_at(1, 30_100) == BLACK and p.color_at(1, 30_300) == RED
    assert len(tool_results_in(second, wire)) == 4
    assert events[-1].llm_requests == 2 and of_type(events, "usage")
    editor.undo()  # the whole turn is one undo step
    assert p.segment_count() == 0


@pytest.mark.parametrize("wire", WIRES)
async def test_invalid_call_repaired_by_reask(wire: str) -> None:
    editor = make_editor()
    script = [tool_reply(wire, [("bad", "create_segment", {"balls": 1, "color": "red", "when": "bridge"})]),
              tool_reply(wire, [("good", "create_segment", {"balls": 1, "color": "red", "when": "chorus"})]),
              text_reply(wire, "Done.")]
    with server_for(wire, script) as server:
        provider = create_provider(server.profile())
        events = await collect(Assistant(provider).run_turn(editor, [], "chorus red"))
        await provider.aclose()
        fed_back = tool_results_in(sent_messages(server, 1, wire), wire)
    assert "cannot read range 'bridge'" in fed_back[0] and "chorus" in fed_back[0]
    assert editor.project.color_at(0, 31_000) == RED and events[-1].llm_requests == 3


@pytest.mark.parametrize("wire", WIRES)
async def test_approval_reject_then_edit(wire: str) -> None:
    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]},
                                   {"ball": 2, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    script = [tool_reply(wire, [("c1", "clear_timeline", {"balls": "all"})]),
              tool_reply(wire, [("c2", "clear_timeline", {"balls": "all"})]),
              text_reply(wire, "Cleared ball 2 only.")]
    decisions = [ApprovalDecision("reject", message="not ball 1"), ApprovalDecision("edit", arguments={"balls": 2})]

    async def approver(req):
        return decisions.pop(0)

    with server_for(wire, script) as server:
        provider = create_provider(server.profile())
        events = await collect(Assistant(provider, approval_mode="ask").run_turn(editor, [], "clear", approver=approver))
        await provider.aclose()
        fed_back = tool_results_in(sent_messages(server, 1, wire), wire)
    assert len(of_type(events, "approval_request")) == 2
    assert "rejected" in fed_back[0] and "not ball 1" in fed_back[0]
    assert editor.project.color_at(0, 5_000) == RED and editor.project.color_at(1, 5_000) == BLACK


@pytest.mark.parametrize("wire", WIRES)
async def test_cancel_mid_stream_leaves_valid_history_for_the_next_turn(wire: str) -> None:
    editor = make_editor()
    slow = tool_reply(wire, [("w1", "create_segment", {"balls": 1, "color": "red", "when": "intro"})])
    slow.delay_s = 0.05
    slow.hold_open = True
    script = [tool_reply(wire, [("w0", "create_segment", {"balls": 2, "color": "red", "when": "intro"})]), slow,
              text_reply(wire, "Hello again.")]
    with server_for(wire, script) as server:
        provider = create_provider(server.profile())
        history: list[ChatMessage] = []
        got: list = []

        async def consume():
            async for ev in Assistant(provider).run_turn(editor, history, "x"):
                got.append(ev)

        task = asyncio.create_task(consume())
        while len(server.requests) < 2 or not any(e.type == "tool_call_start" and e.call_id == "w1" for e in got):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert server.wait_disconnect(2.0) is not None  # the HTTP stream was closed
        # the kept edit (first request) is one undo step; the half-streamed call never ran
        assert editor.project.color_at(1, 1_000) == RED and editor.project.color_at(0, 1_000) == BLACK
        events = await collect(Assistant(provider).run_turn(editor, history, "hi"))
        await provider.aclose()
        third = sent_messages(server, 2, wire)
    assert events[-1].finish_reason == "stop"
    assert len(tool_results_in(third, wire)) == 1  # w0's result, correctly paired, accepted by the adapter
    assert events[-1].undo_label is None  # the answer-only turn changed nothing
    editor.undo()  # one step removes the cancelled turn's kept edit
    assert editor.project.segment_count() == 0


@pytest.mark.parametrize("wire", WIRES)
async def test_summariser_folds_old_turns_before_the_request(wire: str) -> None:
    editor = make_editor()
    history: list[ChatMessage] = []
    for i in range(12):
        history += [ChatMessage("user", f"request {i} " + "words " * 200),
                    ChatMessage("assistant", "", tool_calls=[{"id": f"t{i}", "name": "get_sections", "arguments": {}}]),
                    ChatMessage("tool", '{"sections": []}', tool_call_id=f"t{i}", name="get_sections"),
                    ChatMessage("assistant", f"answer {i} " + "text " * 200)]
    with server_for(wire, [text_reply(wire, "ok")]) as server:
        provider = create_provider(server.profile())
        await collect(Assistant(provider, context_window=10_000).run_turn(editor, history, "latest"))
        await provider.aclose()
        body = server.requests[0].json
    assert history[0].meta.get("summary") and "request 0" in history[0].content
    system_text = json.dumps(body.get("system", "")) if wire == "anthropic" else json.dumps(body["messages"][:2])
    assert "Summary of the earlier conversation" in system_text
    assert "request 11" in json.dumps(body["messages"])  # the last turns stay verbatim
    assert len(tool_results_in(body["messages"], wire)) <= 2


async def test_recorded_session_replays_deterministically(tmp_path) -> None:
    from sequence_maker.assistant.providers.scripted import RecordingProvider, ScriptedProvider

    rec = tmp_path / "session.jsonl"
    script = [tool_reply("openai", [("w", "beat_pattern", FLASH)]), text_reply("openai", "Flashing.")]
    live_editor = make_editor()
    with server_for("openai", script) as server:
        provider = RecordingProvider(create_provider(server.profile()), rec)
        live = await collect(Assistant(provider).run_turn(live_editor, [], "flash the chorus"))
        await provider.aclose()
    replay_editor = make_editor()
    replayed = await collect(Assistant(ScriptedProvider.from_file(rec)).run_turn(replay_editor, [], "flash the chorus"))
    strip = {"checkpoint_before", "checkpoint_after"}
    assert [{k: v for k, v in e.to_dict().items() if k not in strip} for e in replayed] == \
           [{k: v for k, v in e.to_dict().items() if k not in strip} for e in live]
    assert replay_editor.project.snapshot().balls == live_editor.project.snapshot().balls
    assert replay_editor.project.segment_count() == 140  # both choruses, 2 balls


@pytest.mark.parametrize("wire", WIRES)
async def test_parallel_reads_overlap_and_a_write_is_a_barrier(wire: str) -> None:
    from sequence_maker.assistant.tools import ALL_TOOLS, Tool, ToolRegistry
    from sequence_maker.assistant.tools.reads import NoArgs

    state = {"active": 0, "peak": 0, "log": []}

    def probe(name: str) -> Tool:
        async def handler(ctx, args):
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
            await asyncio.sleep(0.03)
            state["active"] -= 1
            state["log"].append(name)
            return {"read": name}
        return Tool(name, "a slow read", NoArgs, handler, "read")

    reg = ToolRegistry([probe("read_a"), probe("read_b"), probe("read_c"), *ALL_TOOLS])
    editor = make_editor()
    calls = [("a", "read_a", {}), ("b", "read_b", {}), ("c", "read_c", {}),
             ("w", "create_segment", {"balls": 1, "color": "red", "when": "intro"}), ("d", "get_segments", {"ball": 1})]
    with server_for(wire, [tool_reply(wire, calls), text_reply(wire, "ok")]) as server:
        provider = create_provider(server.profile())
        events = await collect(Assistant(provider, registry=reg).run_turn(editor, [], "read"))
        await provider.aclose()
    assert state["peak"] == 3 and sorted(state["log"]) == ["read_a", "read_b", "read_c"]
    res = {r.call_id: r for r in of_type(events, "tool_result")}
    assert res["d"].result["count"] == 1  # the read after the write saw the write
