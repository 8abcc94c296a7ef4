"""The ``offline`` provider: a real local LLM, in-process, for machines with no key and no server.

It loads a GGUF with xllamacpp (llama.cpp inside), and gets tool calls by *grammar-constrained
decoding*: the model can only write calls like ``create_segment(start="0:30", balls=2, …)``, one
per line, or ``reply("…")``, shaped by the request's tool schemas (see :mod:`..offline.grammar`).
We parse and validate that ourselves (:mod:`..offline.syntax`) rather than relying on the
runtime's native tool-call parser, which small models defeat.

Guarantees to the agent loop: one request at a time (one KV cache, so the prompt prefix stays
cached between requests); a hard deadline per request (``StreamError(kind="timeout")``); a
malformed or invalid answer is re-asked at most ``max_reasks`` times, then reported as an error;
tool calls are emitted only once validated, so a ``Reset`` is needed only when reply text was
already streamed. Nothing here raises into the consumer: failures become ``StreamError`` events.

Import is light: xllamacpp is imported inside :meth:`OfflineProvider.load`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..offline import pool
from ..offline.errors import OfflineModelError
from ..offline.grammar import answer_grammar
from ..offline.locate import choose, prepare
from ..offline.locate import is_available as _is_available
from ..offline.pool import EngineSlot, unload_all
from ..offline.prompt import build_messages, system_prefix
from ..offline.schema import small_model_tools
from ..offline.syntax import AnswerInvalid, ReplyStreamer, parse_answer
from .base import ChatRequest, MetricsSink, RequestMetrics
from .estimate import estimate_text_tokens
from .events import (
    ChatMessage,
    Finish,
    ProviderEvent,
    Reset,
    StreamError,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolSpec,
    Usage,
)
from .toolcalls import new_call_id

__all__ = ["LoadProgress", "OfflineProvider", "is_available", "unload_all"]

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MAX_TOKENS = 400

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """One step of the first load, for a CLI bar or a studio toast.

    ``stage``: assemble | verify | load | warmup | ready. ``fraction`` is None when the stage
    cannot measure its progress (llama.cpp's load), else 0..1.
    """

    stage: str
    fraction: float | None
    message: str


ProgressCallback = Callable[[LoadProgress], None]

_STAGE_TEXT = {
    "assemble": "Assembling the offline model from its installed parts",
    "verify": "Checking the offline model's sha256",
    "load": "Loading the offline model",
    "warmup": "Warming up the offline model",
    "ready": "Offline model ready",
}


def is_available(model: str | None = None) -> bool:
    """True when xllamacpp is importable and weights are installed or assembled (no load, no hashing)."""
    try:
        return _is_available(model or None)
    except Exception:  # availability probing must never break default-provider resolution
        return False


class OfflineProvider:
    """Embedded llama.cpp model behind the common :class:`Provider` interface."""

    #: Each generated token costs ~80 ms on a 2-core CPU: after tool calls that all succeeded, the
    #: agent writes the closing sentence from the tools' own results instead of asking the model.
    wrap_up_from_tools = True

    def __init__(
        self,
        model: str | None = None,
        *,
        model_path: str | Path | None = None,
        name: str = "offline",
        n_ctx: int = 8192,
        threads: int = 0,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_reasks: int = 1,
        full_verify: bool = False,
        warmup: bool = True,
        repack_weights: bool = True,
        flash_attention: bool | None = False,
        on_progress: ProgressCallback | None = None,
        metrics_sink: MetricsSink | None = None,
        engine: Any = None,
    ) -> None:
        self.name = name
        self._choice = choose(model or None, model_path)
        self.model = self._choice.spec.key if self._choice.spec else self._choice.path.name
        self.n_ctx = n_ctx
        self.threads = threads
        self.timeout_s = timeout_s
        self.max_reasks = max(0, max_reasks)
        self.full_verify = full_verify
        self.warmup = warmup
        self.repack_weights = repack_weights
        self.flash_attention = flash_attention
        self.on_progress = on_progress
        self.metrics_sink = metrics_sink
        # an injected engine (tests, embedding apps) is used as is and never closed by us
        if engine is not None and not isinstance(engine, EngineSlot):
            engine = EngineSlot(engine)
        self._slot: EngineSlot | None = engine
        self._loaded = self._slot is not None
        self.load_seconds: float | None = None
        self.context_window = n_ctx  # read by the agent loop to budget its context

    # loading -------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded

    @property
    def model_path(self) -> Path:
        return self._choice.path

    @property
    def _pool_key(self) -> tuple[object, ...]:
        return (str(self._choice.path), self.n_ctx, self.threads, self.repack_weights, self.flash_attention)

    async def load(self, on_progress: ProgressCallback | None = None, warmup_tools: list[ToolSpec] | None = None,
                   warmup_system: str | None = None) -> None:
        """Assemble/verify/load the model (once per process; shared) with progress to ``on_progress``.

        Runs the blocking work in a thread. ``warmup_tools`` pre-fills the prompt cache with the
        fixed prefix for that tool set, so the first real request is as fast as later ones;
        ``warmup_system`` (the caller's system text that comes before anything per-request, e.g.
        the assistant's rules) is evaluated with it, since it follows the prefix in every prompt.
        """
        notify = self._notifier(on_progress or self.on_progress)
        started = time.monotonic()

        def work() -> EngineSlot:
            from ..offline.engine import EngineConfig, LlamaEngine

            def load_engine() -> LlamaEngine:
                path = prepare(
                    self._choice,
                    full_verify=self.full_verify,
                    progress=lambda stage, done, total: notify(stage, done / total if total else None),
                )
                notify("load", None)
                engine = LlamaEngine(EngineConfig(path, n_ctx=self.n_ctx, threads=self.threads, repack_weights=self.repack_weights,
                                                  flash_attention=self.flash_attention))
                engine.load()
                return engine

            slot = self._slot or pool.acquire(self._pool_key, load_engine)
            if self.warmup:
                tools = small_model_tools(list(warmup_tools or []))
                prefix = system_prefix(tools)
                if hash(prefix) not in slot.warmed:
                    notify("warmup", None)
                    slot.idle.wait()
                    slot.idle.clear()  # requests arriving now wait instead of evicting the prefix
                    try:
                        if hash(prefix) not in slot.warmed:  # another load may have warmed it meanwhile
                            self._warm(slot.engine, tools, warmup_system)
                            slot.warmed.add(hash(prefix))
                    finally:
                        slot.idle.set()
            return slot

        self._slot = await asyncio.to_thread(work)
        self._loaded = True
        self.load_seconds = time.monotonic() - started
        notify("ready", 1.0)

    async def prewarm(self, tools: list[ToolSpec], system: str) -> bool:
        """Evaluate one project's system prompt into the cache while nobody is asking.

        Why: a request on a project the model has not seen re-reads its ~250-token project block
        first (~10 s on 2 cores). The studio calls this when a project is opened, so the user's
        first question there is as fast as the next. Returns False (did nothing) when the model is
        not loaded, a request is running or waiting, or that exact system prompt is already the
        one in the cache; an engine failure is logged, never raised (the request would report it).
        """
        slot = self._slot
        if slot is None or not self._loaded or not self.warmup:
            return False
        small = small_model_tools(list(tools))
        key = hash(build_messages([ChatMessage("system", system)], small)[0]["content"])
        lock = slot.lock()
        if key == slot.last_system or lock.locked() or not slot.idle.is_set():
            return False
        async with lock:
            if not slot.idle.is_set():
                return False
            slot.idle.clear()
            try:
                await asyncio.to_thread(self._warm, slot.engine, small, system)
            except Exception as exc:
                log.warning("offline model: warming a project prompt failed: %s", exc)
                return False
            finally:
                slot.idle.set()
            slot.last_system = key
            slot.warmed.add(hash(system_prefix(small)))  # the tool prefix came with it
        return True

    def tool_prompt_tokens(self, tools: list[ToolSpec]) -> int:
        """What the tools cost in this provider's prompt (one compact line each, not JSON schemas),
        so the agent folds the chat when the real context fills, not ~2x too early."""
        return estimate_text_tokens(system_prefix(small_model_tools(list(tools))))

    def _needs_warmup(self, tools: list[ToolSpec]) -> bool:
        slot = self._slot
        if slot is None or not self.warmup:
            return False
        return hash(system_prefix(small_model_tools(list(tools)))) not in slot.warmed

    def _notifier(self, callback: ProgressCallback | None) -> Callable[[str, float | None], None]:
        """Thread-safe, throttled progress: delivered on the event loop thread, ≤ ~100 per stage."""
        if callback is None:
            return lambda stage, fraction: None
        loop = asyncio.get_running_loop()
        last: dict[str, float] = {}

        def notify(stage: str, fraction: float | None) -> None:
            if fraction is not None and fraction < 1.0 and fraction - last.get(stage, -1.0) < 0.01:
                return
            last[stage] = fraction if fraction is not None else 0.0
            event = LoadProgress(stage, fraction, _STAGE_TEXT.get(stage, stage))
            loop.call_soon_threadsafe(_safe_call, callback, event)

        return notify

    @staticmethod
    def _warm(engine: Any, tools: list[ToolSpec], system: str | None = None) -> None:
        context = [ChatMessage(role="system", content=system)] if system else []
        messages = build_messages([*context, ChatMessage(role="user", content="Hello")], tools)
        body = {"messages": messages, "max_tokens": 1, "temperature": 0.0, "cache_prompt": True}
        engine.chat_once(body)

    async def aclose(self) -> None:
        """Detach from the model. The process-wide engine stays loaded and warm for the next
        provider (eval cases, studio chats); free it with :func:`unload_all` at shutdown."""
        self._slot = None
        self._loaded = False

    # streaming -----------------------------------------------------------------------------------
    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        """Stream events for one request; never raises for model/runtime trouble (yields StreamError)."""
        started = time.monotonic()
        metrics = RequestMetrics(provider=self.name, model=self.model)
        try:
            if not self._loaded or self._needs_warmup(request.tools):
                # Loading and evaluating a new tool prefix (tens of seconds on 2 cores, once per
                # process and tool set) are setup, not this request's generation: not under its deadline.
                try:
                    await self.load(warmup_tools=list(request.tools))
                except OfflineModelError as exc:
                    yield self._fail(metrics, StreamError(str(exc), kind="offline_unavailable"))
                    return
                except Exception as exc:
                    yield self._fail(metrics, StreamError(f"offline model failed to load: {exc}", kind="offline_unavailable"))
                    return
            deadline = time.monotonic() + self.timeout_s
            slot = self._slot
            assert slot is not None
            lock = slot.lock()
            try:
                await asyncio.wait_for(lock.acquire(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                yield self._fail(metrics, _timeout_error(self.timeout_s, "waiting for the previous request"))
                return
            try:
                async for event in self._run(slot, request, deadline, metrics, started):
                    yield event
            finally:
                lock.release()
        finally:
            metrics.duration_s = time.monotonic() - started
            if self.metrics_sink is not None:
                _safe_call(self.metrics_sink.record, metrics)

    def _fail(self, metrics: RequestMetrics, error: StreamError) -> StreamError:
        metrics.error = error.message
        metrics.finish_reason = "error"
        return error

    async def _run(
        self, slot: EngineSlot, request: ChatRequest, deadline: float, metrics: RequestMetrics, started: float
    ) -> AsyncIterator[ProviderEvent]:
        tools = small_model_tools(list(request.tools))
        project_state = request.metadata.get("project_state") if request.metadata else None
        messages = build_messages(request.messages, tools, project_state=project_state)
        slot.last_system = hash(messages[0]["content"])
        wrap_up = bool(request.messages) and request.messages[-1].role == "tool"
        try:
            grammar = answer_grammar(tools, request.tool_choice, wrap_up=wrap_up)
        except ValueError as exc:
            yield self._fail(metrics, StreamError(str(exc), kind="invalid_request"))
            return
        max_tokens = request.max_tokens or DEFAULT_MAX_TOKENS
        temperature = 0.0 if request.temperature is None else request.temperature
        totals = {"in": 0, "cached": 0, "out": 0}
        loose_used = False
        reply_forced = False
        done_calls = _succeeded_calls_this_turn(request.messages)

        def loose_grammar() -> str:
            return answer_grammar(tools, request.tool_choice, loose=True, wrap_up=wrap_up)

        emitted_text = False
        attempt = 0
        while True:
            body = {
                "messages": messages,
                "grammar": grammar,
                "max_tokens": max_tokens,
                "temperature": temperature,
                "cache_prompt": True,
                "t_max_predict_ms": int(max(1.0, deadline - time.monotonic()) * 1000),
            }
            streamer = ReplyStreamer()
            gen = _Generation()
            async for item in self._generate(slot, body, deadline, gen):
                text = streamer.feed(item)
                if text:
                    if metrics.ttft_s is None:
                        metrics.ttft_s = time.monotonic() - started
                    emitted_text = True
                    metrics.output_chars += len(text)
                    yield TextDelta(text)
            totals["in"] += gen.prompt_tokens
            totals["cached"] += gen.cached_tokens
            totals["out"] += gen.output_tokens
            if gen.error is not None:
                if gen.error_kind == "grammar" and not loose_used:
                    grammar, loose_used = loose_grammar(), True
                    continue
                yield self._usage(totals, metrics)
                yield self._fail(metrics, StreamError(gen.error, kind=gen.error_kind, retryable=gen.error_kind == "timeout"))
                return
            try:
                answer = parse_answer(streamer.raw, tools)
            except AnswerInvalid as exc:
                if streamer.is_reply and gen.finish_reason == "length":
                    yield self._usage(totals, metrics)
                    metrics.finish_reason = "length"
                    yield Finish("length", raw_reason="length")
                    return
                if attempt >= self.max_reasks or time.monotonic() >= deadline:
                    yield self._usage(totals, metrics)
                    yield self._fail(
                        metrics,
                        StreamError(f"the offline model gave no valid answer after {attempt + 1} tries: {exc}", kind="invalid_answer"),
                    )
                    return
                attempt += 1
                metrics.retries += 1
                if not _looks_like_calls(streamer.raw, tools) and not loose_used:
                    # free text means llama.cpp dropped the grammar (it only logs why): simplify it
                    grammar, loose_used = loose_grammar(), True
                if emitted_text:
                    yield Reset(f"re-asking after an invalid answer: {exc}")
                    emitted_text = False
                    metrics.ttft_s = None
                messages = messages + [
                    {"role": "assistant", "content": streamer.raw},
                    {"role": "user", "content": f"That answer was invalid: {exc}. Answer again with valid calls."},
                ]
                continue
            if answer.calls and not reply_forced and _all_repeats(answer.calls, done_calls):
                # Small models tend to repeat a call that just succeeded instead of wrapping up.
                # Never run it twice: ask once more, with a grammar that only allows a reply.
                # (A call that failed may be repeated: the failure can be transient, e.g. a timeout.)
                reply_forced = True
                metrics.retries += 1
                grammar = answer_grammar(tools, "none", wrap_up=True)
                messages = messages + [
                    {"role": "assistant", "content": streamer.raw},
                    {"role": "user", "content": "Those calls already succeeded above. Tell the user in one short sentence what changed."},
                ]
                continue
            yield self._usage(totals, metrics)
            if not answer.calls:  # a reply alone: its text was streamed as it came
                metrics.finish_reason = "stop"
                yield Finish("stop", raw_reason=gen.finish_reason)
                return
            if metrics.ttft_s is None:
                metrics.ttft_s = time.monotonic() - started
            if answer.reply is not None:  # said along with the calls (it comes last, so it is not streamed)
                metrics.output_chars += len(answer.reply)
                yield TextDelta(answer.reply)
            for index, (name, arguments) in enumerate(answer.calls):
                call_id = new_call_id()
                raw_args = json.dumps(arguments, ensure_ascii=False)
                yield ToolCallStart(call_id=call_id, name=name, index=index)
                yield ToolCallDelta(call_id=call_id, fragment=raw_args, index=index)
                yield ToolCallEnd(call_id=call_id, name=name, arguments=arguments, raw_arguments=raw_args, index=index)
            metrics.tool_calls = len(answer.calls)
            metrics.finish_reason = "tool_calls"
            yield Finish("tool_calls", raw_reason=gen.finish_reason)
            return

    def _usage(self, totals: dict[str, int], metrics: RequestMetrics) -> Usage:
        metrics.input_tokens = totals["in"]
        metrics.cached_input_tokens = totals["cached"]
        metrics.output_tokens = totals["out"]
        metrics.cost_usd = 0.0
        return Usage(input_tokens=totals["in"], output_tokens=totals["out"], cached_input_tokens=totals["cached"])

    async def _generate(self, slot: EngineSlot, body: dict[str, Any], deadline: float, gen: _Generation) -> AsyncIterator[str]:
        """Run one blocking completion in a worker thread, yielding content fragments as they come.

        On timeout or consumer cancellation the worker is told to stop at its next token and left
        to finish on its own; the next request waits (within its own deadline) for it to let go.
        """
        if not slot.idle.is_set():
            free = await asyncio.to_thread(slot.idle.wait, max(0.0, deadline - time.monotonic()))
            if not free:
                gen.fail(_timeout_error(self.timeout_s, "waiting for the previous request to stop").message, "timeout")
                return
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()
        engine = slot.engine

        def on_chunk(chunk: dict[str, Any]) -> bool:
            loop.call_soon_threadsafe(queue.put_nowait, ("chunk", chunk))
            return stop.is_set() or time.monotonic() > deadline

        def work() -> None:
            try:
                engine.chat(body, on_chunk)
            except BaseException as exc:  # reported to the consumer, never lost
                loop.call_soon_threadsafe(queue.put_nowait, ("exc", exc))
            finally:
                slot.idle.set()
                loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        slot.idle.clear()
        loop.run_in_executor(None, work)
        try:
            while True:
                try:
                    kind, payload = await asyncio.wait_for(queue.get(), timeout=max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    gen.fail(_timeout_error(self.timeout_s, "generating").message, "timeout")
                    return
                if kind == "done":
                    if gen.error is None and gen.finish_reason is None and time.monotonic() > deadline:
                        gen.fail(_timeout_error(self.timeout_s, "generating").message, "timeout")
                    return
                if kind == "exc":
                    gen.fail(f"the offline model failed: {payload}", "engine")
                    continue
                fragment = gen.absorb(payload)
                if fragment:
                    yield fragment
        finally:
            stop.set()  # no-op once the worker is done; otherwise it stops at its next token

    # misc ----------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"OfflineProvider(model={self.model!r}, loaded={self._loaded})"


class _Generation:
    """Accumulates one completion's chunks: finish reason, token counts, errors."""

    __slots__ = ("finish_reason", "prompt_tokens", "cached_tokens", "output_tokens", "error", "error_kind")

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.prompt_tokens = 0
        self.cached_tokens = 0
        self.output_tokens = 0
        self.error: str | None = None
        self.error_kind = "engine"

    def fail(self, message: str, kind: str) -> None:
        if self.error is None:
            self.error, self.error_kind = message, kind

    def absorb(self, chunk: dict[str, Any]) -> str:
        if "error" in chunk:
            err = chunk["error"]
            message = err.get("message", str(err)) if isinstance(err, dict) else str(err)
            self.fail(f"the offline model rejected the request: {message}", "grammar" if "grammar" in message else "engine")
            return ""
        timings = chunk.get("timings")
        if isinstance(timings, dict):
            cached = int(timings.get("cache_n", 0) or 0)
            self.cached_tokens = cached
            self.prompt_tokens = cached + int(timings.get("prompt_n", 0) or 0)
            self.output_tokens = int(timings.get("predicted_n", 0) or 0)
        choices = chunk.get("choices") or []
        if not choices:
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        return (choice.get("delta") or {}).get("content") or ""


def _call_key(name: str, arguments: Any) -> str:
    return name + json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def _succeeded_calls_this_turn(messages: list[ChatMessage]) -> set[str]:
    """Calls made since the last user message whose tool results were not errors."""
    start = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    failed = {m.tool_call_id for m in messages[start + 1 :] if m.role == "tool" and m.is_error}
    answered = {m.tool_call_id for m in messages[start + 1 :] if m.role == "tool"}
    done: set[str] = set()
    for m in messages[start + 1 :]:
        for call in m.tool_calls if m.role == "assistant" else []:
            cid = call.get("id")
            if cid in answered and cid not in failed:
                done.add(_call_key(str(call.get("name")), call.get("arguments") or {}))
    return done


def _all_repeats(calls: list[tuple[str, dict[str, Any]]], done: set[str]) -> bool:
    return bool(done) and all(_call_key(n, a) in done for n, a in calls)


def _looks_like_calls(raw: str, tools: list[ToolSpec]) -> bool:
    """True when the text starts like our syntax (a tool name or reply, then "(")."""
    head = raw.lstrip().split("(", 1)[0]
    return "(" in raw and head in {t.name for t in tools} | {"reply"}


def _timeout_error(limit: float, what: str) -> StreamError:
    return StreamError(
        f"the offline model took longer than {limit:.0f} s ({what}); try a shorter request or a smaller model",
        kind="timeout",
        retryable=True,
    )


def _safe_call(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception:  # a broken progress/metrics consumer must not break generation
        pass
