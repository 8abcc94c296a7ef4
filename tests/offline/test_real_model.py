"""The real embedded model, loaded once per session, turning requests into applied edits.

Not skipped in CI: the ``offline`` extra (xllamacpp + pinned weights) is part of the project's
install. Kept to a handful of requests so the whole file stays around a minute on 2 cores.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from sequence_maker.assistant.eval import load_suite, run_case
from sequence_maker.assistant.offline.engine import EngineConfig, LlamaEngine
from sequence_maker.assistant.offline.locate import choose, prepare
from sequence_maker.assistant.offline.pool import EngineSlot
from sequence_maker.assistant.providers.base import ChatRequest
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.offline import OfflineProvider
from sequence_maker.assistant.tools import default_registry

pytestmark = pytest.mark.slow

SUITE = {c["id"]: c for c in load_suite(__file__.rsplit("/", 1)[0] + "/data/mini_suite.jsonl")}


@pytest.fixture(scope="session")
def engine():
    path = prepare(choose(None))  # assembles from the installed parts on a fresh machine
    eng = LlamaEngine(EngineConfig(path, n_ctx=8192))
    eng.load()
    slot = EngineSlot(eng)  # shared by every provider below, like the process-wide pool
    asyncio.run(OfflineProvider(engine=slot).load(warmup_tools=default_registry().specs()))  # cached once
    yield slot
    eng.close()


def _provider(engine, **kw) -> OfflineProvider:
    return OfflineProvider(engine=engine, **kw)


async def _events(provider, request):
    return [e async for e in provider.stream(request)]


# Generous deadlines: these tests check behaviour, not speed (bench/offline_eval.py measures speed),
# and a shared 2-core CI box can be slow to evaluate the first, uncached prompt.
DEADLINE_S = 900


@pytest.mark.parametrize("case_id", ["start-duration", "last-seconds", "clear-section"])
async def test_agent_turn_with_the_real_model_applies_the_edit(engine, case_id):
    sink = Sink()
    result = await run_case(SUITE[case_id], _provider(engine, timeout_s=DEADLINE_S, metrics_sink=sink))
    assert result.passed, result.failed_checks
    # one model request: the edit succeeded, so the agent closed the turn from the tool results
    assert result.llm_requests == 1 and result.calls
    assert sink.records[-1].finish_reason == "tool_calls"
    assert sink.records[-1].cached_input_tokens > 0  # the fixed prefix came from the prompt cache


async def test_after_a_tool_error_that_names_the_meant_call_the_model_makes_it(engine):
    tools = default_registry().specs()
    wrong = {"ball": 1, "at": "last 10 seconds", "color": "blue"}
    error = ("modify_segment: 'last 10 seconds' is a time range, but modify_segment changes ONE existing segment "
             "found by a moment inside it; for the range call create_segment(when=\"last 10 seconds\", balls=1, "
             "color=\"blue\"). Nothing was changed; fix the arguments.")
    history = [ChatMessage("user", "turn all balls blue for the last 10 seconds"),
               ChatMessage("assistant", "", tool_calls=[{"id": "c1", "name": "modify_segment", "arguments": wrong}]),
               ChatMessage("tool", error, tool_call_id="c1", name="modify_segment", is_error=True)]
    events = await _events(_provider(engine, timeout_s=DEADLINE_S), ChatRequest(messages=history, tools=tools))
    calls = [(e.name, e.arguments) for e in events if e.type == "tool_call_end"]
    assert [name for name, _ in calls] == ["create_segment"], events[-1]
    assert calls[0][1]["when"] == "last 10 seconds" and calls[0][1]["color"] == "blue"


async def test_a_request_over_its_deadline_times_out_and_the_model_recovers(engine):
    tools = default_registry().specs()
    long_ask = ChatRequest(messages=[ChatMessage("user", "Write a long poem about juggling balls.")], tools=tools,
                           tool_choice="none", max_tokens=300)
    started = time.monotonic()
    events = await _events(_provider(engine, timeout_s=0.5), long_ask)
    assert events[-1].type == "error" and events[-1].kind == "timeout" and events[-1].retryable
    assert time.monotonic() - started < 5  # the caller gets control back at the deadline
    hello = ChatRequest(messages=[ChatMessage("user", "Say hi.")], tools=tools, tool_choice="none", max_tokens=20)
    ok = await _events(_provider(engine, timeout_s=DEADLINE_S), hello)
    assert ok[-1].type == "finish", ok[-1]
    assert "".join(e.text for e in ok if e.type == "text_delta").strip()


class Sink:
    def __init__(self):
        self.records = []

    def record(self, metrics):
        self.records.append(metrics)


def test_embedded_http_listener_refuses_requests_without_the_secret(engine):
    engine = engine.engine
    base = engine.listening_address
    assert base and base.startswith("http://127.0.0.1:")
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
    evil = {"Origin": "https://evil.example"}
    for path in ("/v1/chat/completions", "/completion", "/v1/models", "/props", "/slots"):
        response = httpx.post(base + path, json=body, headers=evil, timeout=30) if "compl" in path else httpx.get(base + path, headers=evil, timeout=30)
        assert response.status_code in (401, 404, 501), (path, response.status_code, response.text[:200])
    guessed = httpx.post(base + "/v1/chat/completions", json=body, headers={**evil, "Authorization": "Bearer sk-guess"}, timeout=30)
    assert guessed.status_code == 401
    assert engine._api_key not in repr(engine)
    # the owner (this process) can still use it, proving the 401s come from the key check
    ok = httpx.post(base + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {engine._api_key}"}, timeout=60)
    assert ok.status_code == 200 and json.loads(ok.text)["choices"]


async def test_a_prewarmed_project_and_a_follow_up_edit_read_only_their_new_words(engine):
    """The studio's path: prewarm when the project opens, then two edits in one chat. Neither
    request may re-read the project block or the earlier turn (that made follow-ups take ~36 s)."""
    from sequence_maker.assistant.agent import Assistant
    from sequence_maker.assistant.eval import build_project
    from sequence_maker.assistant.preload import prewarm_project
    from sequence_maker.history.editor import ProjectEditor

    sink = Sink()
    provider = _provider(engine, timeout_s=DEADLINE_S, metrics_sink=sink)
    editor = ProjectEditor(build_project(SUITE["start-duration"]["setup"], "prewarmed"))
    assert await prewarm_project(provider, editor.project) is True
    assistant, history = Assistant(provider), []
    firsts = []  # the first model request of each turn
    for text in ("make ball 1 red for 2 seconds starting at 0:10", "turn ball 3 blue for the last 5 seconds"):
        before = len(sink.records)
        async for _ in assistant.run_turn(editor, history, text):
            pass
        firsts.append(sink.records[before])
    first, second = firsts
    assert first.input_tokens - first.cached_input_tokens < 60, first  # the user's words + the chat template
    assert second.input_tokens - second.cached_input_tokens < 160, second  # + the first turn's brief results
    assert second.cached_input_tokens >= first.input_tokens
    red, blue = (255, 0, 0), (0, 0, 255)
    assert editor.project.color_at(0, 11_000) == red and editor.project.color_at(2, 57_000) == blue
