"""The provider's contract under trouble, with a scripted engine: nothing raises, nothing unchecked runs."""

from __future__ import annotations

import asyncio

from sequence_maker.assistant.providers.base import ChatRequest
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.offline import OfflineProvider, is_available

from .fake_engine import ScriptedEngine
from .tools_fixture import TOOLS

GOOD_CALL = 'create_segment(ball="2", start="0:30", duration="2.5 s", color="red")'


def _provider(scripts, **kw) -> tuple[OfflineProvider, ScriptedEngine]:
    engine = ScriptedEngine(scripts)
    return OfflineProvider(model_path="/nonexistent/unused.gguf", engine=engine, **kw), engine


def _request(text="make ball 2 red at 0:30 for 2.5 s", **kw) -> ChatRequest:
    return ChatRequest(messages=[ChatMessage("user", text)], tools=TOOLS, **kw)


async def _collect(provider, request):
    return [event async for event in provider.stream(request)]


class Sink:
    def __init__(self):
        self.records = []

    def record(self, metrics):
        self.records.append(metrics)


async def test_valid_call_becomes_start_delta_end_and_finish():
    sink = Sink()
    provider, engine = _provider([GOOD_CALL], metrics_sink=sink)
    events = await _collect(provider, _request())
    kinds = [e.type for e in events]
    assert kinds == ["usage", "tool_call_start", "tool_call_delta", "tool_call_end", "finish"]
    end = events[3]
    assert end.ok and end.name == "create_segment" and end.arguments["color"] == "red" and end.index == 0
    assert events[-1].reason == "tool_calls"
    assert "grammar" in engine.bodies[0] and engine.bodies[0]["temperature"] == 0.0
    assert sink.records[0].tool_calls == 1 and sink.records[0].cached_input_tokens == 100


async def test_reply_streams_as_text_deltas():
    provider, _ = _provider(['reply("Ball 2 is red from 0:30.")'])
    events = await _collect(provider, _request("what did you do?"))
    text = "".join(e.text for e in events if e.type == "text_delta")
    assert text == "Ball 2 is red from 0:30."
    assert sum(e.type == "text_delta" for e in events) > 1  # really streamed, not one blob
    assert events[-1].type == "finish" and events[-1].reason == "stop"


async def test_invalid_answer_is_reasked_once_with_the_reason():
    bad = 'create_segment(ball="9", start="0:30", duration="1 s", color="red")'
    provider, engine = _provider([bad, GOOD_CALL])
    events = await _collect(provider, _request())
    assert [e.type for e in events if e.type.startswith("tool_call_end")] == ["tool_call_end"]
    retry_prompt = engine.bodies[1]["messages"][-1]["content"]
    assert "invalid" in retry_prompt and "'9' is not one of" in retry_prompt


async def test_invalid_answer_twice_is_an_error_and_nothing_runs():
    bad = 'create_segment(ball="9")'
    provider, engine = _provider([bad, bad], max_reasks=1)
    events = await _collect(provider, _request())
    assert not any(e.type.startswith("tool_call") for e in events)
    assert events[-1].type == "error" and events[-1].kind == "invalid_answer"
    assert len(engine.bodies) == 2


async def test_reask_after_streamed_text_sends_reset():
    provider, _ = _provider(['reply("half', GOOD_CALL])
    events = await _collect(provider, _request())
    kinds = [e.type for e in events]
    assert "text_delta" in kinds and "reset" in kinds
    assert kinds.index("reset") > kinds.index("text_delta") and kinds[-1] == "finish"


async def test_timeout_stops_the_worker_and_reports_a_retryable_error():
    provider, engine = _provider([("slow", GOOD_CALL, 0.2), GOOD_CALL], timeout_s=0.5)
    events = await _collect(provider, _request())
    assert events[-1].type == "error" and events[-1].kind == "timeout" and events[-1].retryable
    assert "longer than" in events[-1].message
    assert not any(e.type == "tool_call_end" for e in events)
    await asyncio.to_thread(engine.stopped_early.wait, 2.0)
    assert engine.stopped_early.is_set()
    # the provider is usable again afterwards
    events = await _collect(provider, _request())
    assert events[-1].type == "finish"


async def test_consumer_cancel_stops_generation():
    provider, engine = _provider([("slow", 'reply("' + "word " * 200 + '")', 0.02)])
    agen = provider.stream(_request("tell me a story"))
    async for event in agen:
        if event.type == "text_delta":
            break
    await agen.aclose()
    await asyncio.to_thread(engine.stopped_early.wait, 2.0)
    assert engine.stopped_early.is_set()


async def test_engine_error_becomes_stream_error():
    provider, _ = _provider([("error", "context size exceeded")])
    events = await _collect(provider, _request())
    assert events[-1].type == "error" and "context size exceeded" in events[-1].message


async def test_grammar_failure_retries_with_loose_argument_schemas():
    provider, engine = _provider([("error", "failed to parse grammar"), GOOD_CALL])
    events = await _collect(provider, _request())
    assert events[-1].type == "finish" and len(engine.bodies) == 2
    assert engine.bodies[0]["grammar"] != engine.bodies[1]["grammar"]


async def test_grammar_failing_again_is_an_error_not_a_loop():
    provider, engine = _provider([("error", "failed to parse grammar")] * 3)
    events = await _collect(provider, _request())
    assert events[-1].type == "error" and "grammar" in events[-1].message
    assert len(engine.bodies) == 2  # original + one loose retry, then stop


async def test_free_text_answer_means_the_grammar_was_dropped_so_the_reask_loosens_it():
    provider, engine = _provider(["```json\n{\"action\": \"make ball\"}\n```", GOOD_CALL])
    events = await _collect(provider, _request())
    assert events[-1].type == "finish" and events[-1].reason == "tool_calls"
    assert engine.bodies[0]["grammar"] != engine.bodies[1]["grammar"]


async def test_unknown_tool_choice_is_a_clear_error():
    provider, _ = _provider([GOOD_CALL])
    events = await _collect(provider, _request(tool_choice="explode"))
    assert events[-1].type == "error" and "explode" in events[-1].message


async def test_missing_weights_is_an_error_event_saying_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQMAKER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SEQMAKER_MODEL_PATH", raising=False)
    import sequence_maker.assistant.offline.locate as locate

    monkeypatch.setattr(locate, "parts_installed", lambda spec: False)
    provider = OfflineProvider()
    events = await _collect(provider, _request())
    assert len(events) == 1 and events[0].type == "error"
    assert "pip install 'sequence-maker[offline]'" in events[0].message
    assert is_available() is False


async def test_corrupt_user_model_is_an_error_event(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model at all")
    events = await _collect(OfflineProvider(model_path=bad), _request())
    assert events[-1].type == "error" and "not a GGUF" in events[-1].message


async def test_aclose_detaches_but_never_closes_an_injected_engine():
    provider, engine = _provider([GOOD_CALL])
    await provider.aclose()
    assert not provider.loaded and not engine.closed


async def test_providers_share_one_pooled_engine_loaded_once(tmp_path, monkeypatch):
    from sequence_maker.assistant.offline import pool

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    loads = []

    def fake_acquire_load(key, load):
        return original(key, lambda: loads.append(key) or ScriptedEngine([GOOD_CALL, GOOD_CALL]))

    original = pool.acquire
    monkeypatch.setattr(pool, "acquire", fake_acquire_load)
    first, second = OfflineProvider(model_path=model, warmup=False), OfflineProvider(model_path=model, warmup=False)
    assert (await _collect(first, _request()))[-1].type == "finish"
    await first.aclose()
    assert (await _collect(second, _request()))[-1].type == "finish"
    assert len(loads) == 1  # the second provider reused the loaded engine
    assert pool.unload_all() >= 1 and pool.get_loaded(first._pool_key) is None


async def test_repeating_a_call_that_already_succeeded_is_turned_into_a_reply():
    args = {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"}
    history = [
        ChatMessage("user", "make ball 2 red at 0:30 for 2.5 s"),
        ChatMessage("assistant", tool_calls=[{"id": "c1", "name": "create_segment", "arguments": args}]),
        ChatMessage("tool", "ok", tool_call_id="c1", name="create_segment"),
    ]
    provider, engine = _provider([GOOD_CALL, 'reply("Ball 2 is red from 0:30.")'])
    events = await _collect(provider, ChatRequest(messages=history, tools=TOOLS))
    assert not any(e.type == "tool_call_end" for e in events)  # the duplicate never runs
    assert "".join(e.text for e in events if e.type == "text_delta") == "Ball 2 is red from 0:30."
    assert "already succeeded" in engine.bodies[1]["messages"][-1]["content"]
    assert "create_segment" not in engine.bodies[1]["grammar"]  # the re-ask only allows a reply


async def test_a_call_that_failed_may_be_retried():
    args = {"ball": "2", "start": "0:30", "duration": "2.5 s", "color": "red"}
    history = [
        ChatMessage("user", "make ball 2 red at 0:30 for 2.5 s"),
        ChatMessage("assistant", tool_calls=[{"id": "c1", "name": "create_segment", "arguments": args}]),
        ChatMessage("tool", "busy, try again", tool_call_id="c1", name="create_segment", is_error=True),
    ]
    provider, _ = _provider([GOOD_CALL])
    events = await _collect(provider, ChatRequest(messages=history, tools=TOOLS))
    assert [e.type for e in events if e.type == "tool_call_end"] == ["tool_call_end"]


async def test_reply_after_calls_is_sent_as_text_with_the_calls():
    provider, _ = _provider([GOOD_CALL + '\nreply("The song is 60 s long.")'])
    events = await _collect(provider, _request("how long is the song? and ball 2 red at 0:30 for 2.5 s"))
    kinds = [e.type for e in events]
    assert kinds.index("text_delta") < kinds.index("tool_call_end") and kinds[-1] == "finish"
    assert "".join(e.text for e in events if e.type == "text_delta") == "The song is 60 s long."
    assert events[-1].reason == "tool_calls"


async def test_warm_up_evaluates_the_tool_prefix_and_the_callers_fixed_system_text_once():
    provider, engine = _provider([GOOD_CALL])
    await provider.load(warmup_tools=TOOLS, warmup_system="House rules: be brief.")
    await provider.load(warmup_tools=TOOLS, warmup_system="House rules: be brief.")
    assert len(engine.warm_bodies) == 1
    system = engine.warm_bodies[0]["messages"][0]["content"]
    assert "create_segment(" in system and system.endswith("House rules: be brief.")
    # the real request then shares that prefix (the engine's prompt cache reuses it)
    await _collect(provider, ChatRequest(messages=[ChatMessage("system", "House rules: be brief."),
                                                   ChatMessage("user", "hi")], tools=TOOLS))
    assert engine.bodies[0]["messages"][0]["content"].startswith(system)


async def test_prewarm_reads_a_projects_system_prompt_once_and_never_while_a_request_runs():
    provider, engine = _provider([("slow", GOOD_CALL, 0.05), GOOD_CALL])
    unloaded = OfflineProvider(model_path="/nonexistent/unused.gguf")
    assert await unloaded.prewarm(TOOLS, "Project A") is False  # never loads a model by itself
    await provider.load(warmup_tools=TOOLS)
    assert await provider.prewarm(TOOLS, "Project A") is True
    assert engine.warm_bodies[-1]["messages"][0]["content"].endswith("Project A")
    assert not provider._needs_warmup(TOOLS)  # the tool prefix was read with it: no second warm-up
    assert await provider.prewarm(TOOLS, "Project A") is False  # already what the cache holds
    warmed = len(engine.warm_bodies)
    running = asyncio.create_task(_collect(provider, ChatRequest(
        messages=[ChatMessage("system", "Project B"), ChatMessage("user", "hi")], tools=TOOLS)))
    await asyncio.sleep(0.02)
    assert await provider.prewarm(TOOLS, "Project A") is False  # busy: the user's request goes first
    await running
    assert len(engine.warm_bodies) == warmed
    # the request on B replaced A in the cache, so A is worth warming again; B is not
    assert await provider.prewarm(TOOLS, "Project B") is False
    assert await provider.prewarm(TOOLS, "Project A") is True
