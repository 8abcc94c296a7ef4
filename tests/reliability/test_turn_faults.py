"""Provider faults seen through a whole assistant turn (``Assistant.run_turn`` + a real adapter
against the loopback fake servers). tests/providers covers the raw adapter; here we check what the
user and the project see: the documented outcome, no duplicated visible text, a history that is
valid for the next turn (every tool call has a result), and a project that is either unchanged or
changed by whole undo groups only."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sequence_maker.assistant.agent import Assistant
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.registry import create_provider
from sequence_maker.model import Color
from tests.assistant.helpers import anthropic_tool_reply, make_editor
from tests.fakes.anthropic_server import anthropic_error_event, anthropic_text_reply, fake_anthropic_server
from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.fakes.sse_server import Reply

TEXT = "Ball one turns red on the downbeat of every chorus."
PAINT = ("w1", "create_segment", {"balls": 1, "color": "red", "when": "chorus"})
RED, BLACK = Color(255, 0, 0), Color(0, 0, 0)


@pytest.fixture(autouse=True)
def _fake_keys(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-0000")


@dataclass
class Seen:
    """What a chat panel shows after applying resets, plus the raw events."""

    events: list = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # text per model response, after resets
    errors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.shown)

    @property
    def end(self):
        return self.events[-1]

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.type == kind]


async def run_turn(assistant: Assistant, editor, history, prompt: str = "paint the chorus red") -> Seen:
    seen = Seen(shown=[""])
    async for ev in assistant.run_turn(editor, history, prompt):
        seen.events.append(ev)
        if ev.type == "text_delta":
            seen.shown[-1] += ev.text
        elif ev.type == "reset":
            seen.shown[-1] = ""
        elif ev.type == "tool_result":
            seen.shown.append("")
        elif ev.type == "error":
            seen.errors.append(ev.message)
    return seen


def assert_history_valid(history: list[ChatMessage]) -> None:
    """Every assistant tool call is followed by exactly its results, in order; no orphan results."""
    i = 0
    while i < len(history):
        m = history[i]
        assert m.role != "tool", f"orphan tool result at {i}: {m}"
        i += 1
        if m.role == "assistant" and m.tool_calls:
            want = [c["id"] for c in m.tool_calls]
            got = [h.tool_call_id for h in history[i:i + len(want)] if h.role == "tool"]
            assert got == want, f"tool calls {want} answered by {got}"
            i += len(want)


@dataclass
class Fault:
    name: str
    wire: str
    replies: list[Reply]
    profile: dict = field(default_factory=dict)
    outcome: str = "stop"  # finish_reason of the faulty turn
    resets: int = 0
    text: str | None = TEXT  # the visible text at the end (None: only a prefix of TEXT may show)
    painted: bool = False


def _openai_malformed() -> Reply:
    reply = openai_text_reply(TEXT)
    reply.events.insert(2, b"data: {this is not json\n\n")
    return reply


def _anthropic_overloaded_after_text() -> Reply:
    first = anthropic_text_reply(TEXT)
    first.events = first.events[:4] + [anthropic_error_event()]  # start, block, ping, one delta, then error
    return first


def _tool_then(wire: str, cut_after: int) -> Reply:
    reply = openai_tool_reply([PAINT], fragment_size=8) if wire == "openai" else anthropic_tool_reply([PAINT], fragment_size=8)
    reply.cut_after = cut_after
    return reply


def _tool(wire: str) -> Reply:
    return openai_tool_reply([PAINT]) if wire == "openai" else anthropic_tool_reply([PAINT])


def _text(wire: str) -> Reply:
    return openai_text_reply(TEXT) if wire == "openai" else anthropic_text_reply(TEXT)


FAULTS = [
    Fault("429 with Retry-After", "openai",
          [Reply.error(429, "slow down", error_type="rate_limit_error", headers={"retry-after": "0.2"}),
           openai_text_reply(TEXT)]),
    Fault("500 then 503", "openai", [Reply.error(500), Reply.error(503), openai_text_reply(TEXT)]),
    Fault("reset before the first delta", "openai", [openai_text_reply(TEXT, cut_after=1), openai_text_reply(TEXT)]),
    Fault("reset after the first delta", "openai", [openai_text_reply(TEXT, cut_after=3), openai_text_reply(TEXT)],
          resets=1),
    Fault("stall mid-stream", "openai", [openai_text_reply(TEXT, stall_after=3, max_hold_s=5)],
          {"stall_timeout_s": 0.3, "mid_stream_restarts": 0}, outcome="error", text=None),
    Fault("anthropic overloaded_error after HTTP 200", "anthropic",
          [_anthropic_overloaded_after_text(), anthropic_text_reply(TEXT)], resets=1),
    Fault("malformed SSE line", "openai", [_openai_malformed()], outcome="error", text=None),
    Fault("openai closes mid-tool-call, restarted", "openai", [_tool_then("openai", 4), _tool("openai"),
                                                              _text("openai")], resets=1, painted=True),
    Fault("anthropic closes mid-tool-call, restarted", "anthropic",
          [_tool_then("anthropic", 4), _tool("anthropic"), _text("anthropic")], resets=1, painted=True),
    Fault("closes mid-tool-call, no restart", "openai", [_tool_then("openai", 4)], {"mid_stream_restarts": 0},
          outcome="error", text=""),
    Fault("500s after a tool call ran", "openai", [_tool("openai"), Reply.error(500), Reply.error(500)],
          {"max_attempts": 2}, outcome="error", text="", painted=True),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_fault_during_a_turn(fault: Fault):
    editor = make_editor()
    start = editor.project.snapshot()
    serve = fake_openai_server if fault.wire == "openai" else fake_anthropic_server
    followup = openai_text_reply("Still here.") if fault.wire == "openai" else anthropic_text_reply("Still here.")
    with serve([*fault.replies, followup]) as server:
        provider = create_provider(server.profile(**{"total_budget_s": 8.0, **fault.profile}))
        provider.policy.backoff_initial_s = provider.policy.backoff_max_s = 0.02  # keep retries quick
        assistant = Assistant(provider)
        history: list[ChatMessage] = []
        seen = await run_turn(assistant, editor, history)
        # the documented outcome
        assert seen.end.type == "turn_end" and seen.end.finish_reason == fault.outcome, (seen.errors, seen.end)
        assert len(seen.of("reset")) == fault.resets
        if fault.outcome == "error":
            assert seen.errors and all(m.strip() for m in seen.errors)
        else:
            assert not seen.errors
        # no duplicated visible text
        if fault.text is None:
            assert TEXT.startswith(seen.text) and seen.text != TEXT + TEXT
        else:
            assert seen.text == fault.text
        # the project changed by whole undo groups only
        assert (editor.project.color_at(0, 31_000) == RED) == fault.painted
        if seen.end.undo_label:
            editor.undo()
        assert editor.project.snapshot() == start
        if seen.end.undo_label:
            editor.redo()
        # the history is valid and the next turn runs on it
        assert_history_valid(history)
        again = await run_turn(assistant, editor, history, "are you there?")
        await provider.aclose()
        assert again.end.finish_reason == "stop" and again.text == "Still here.", again.errors
        assert_history_valid(history)
        if fault.painted:
            sent = server.requests[-1].json["messages"]
            results = [m for m in sent if m.get("role") == "tool"] if fault.wire == "openai" else [
                b for m in sent if isinstance(m.get("content"), list) for b in m["content"]
                if b.get("type") == "tool_result"]
            assert len(results) == 1  # the tool ran once and its result went back once
