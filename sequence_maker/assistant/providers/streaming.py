"""The streaming engine every SDK adapter shares: retries, resets, stall timeouts, metrics.

An adapter supplies three things: how to open the SDK stream, a translator from SDK chunks to
:mod:`events`, and the request's pricing identity. Everything about *when* to retry lives here:
- retries (tenacity) only until the first visible delta: 408/409/429/5xx, connection errors,
  timeouts, stalls and error events such as Anthropic's mid-stream ``overloaded_error``;
  Retry-After honoured up to a cap, all within a total time budget; SDK retries are off;
- after visible output, a retryable fault either emits :class:`Reset` and starts over
  (``mid_stream_restarts`` > 0) or ends with a clear :class:`StreamError`;
- cancellation closes the HTTP stream at once (finally-block ``close``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from .base import ChatRequest, MetricsSink, RequestMetrics
from .errors import ProviderRequestError, StallTimeout
from .estimate import estimate_usage
from .events import (
    Finish,
    ProviderEvent,
    Reset,
    StreamError,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from .watchdog import StallWatchdog

log = logging.getLogger(__name__)

VISIBLE_TYPES = (TextDelta, ToolCallStart, ToolCallDelta)


@dataclass(slots=True)
class StreamPolicy:
    """Timing and retry knobs of one provider (from its profile)."""

    max_attempts: int = 4  # attempts before the first visible delta (1 = no retry)
    total_budget_s: float = 90.0  # wall-clock cap on waiting + retrying, whole request
    retry_after_cap_s: float = 20.0  # never sleep longer than this for one Retry-After
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    first_chunk_timeout_s: float | None = 60.0  # from request start to the first chunk
    stall_timeout_s: float | None = 30.0  # between chunks (keep-alive pings do not count)
    mid_stream_restarts: int = 1  # retries after visible output, each announced by Reset


class StreamTranslator(Protocol):
    """Turns one SDK stream's chunks into provider events."""

    usage: Usage | None
    request_id: str | None

    def feed(self, chunk: Any) -> list[ProviderEvent]: ...

    def finish(self) -> list[ProviderEvent]:
        """Events after a clean end of stream (tool-call ends, finish); may raise ProviderRequestError."""
        ...


class _Attempt:
    """One open SDK stream plus its translator and events read ahead before the first visible one."""

    __slots__ = ("stream", "translator", "pending", "ended", "final")

    def __init__(self, stream: Any, translator: StreamTranslator) -> None:
        self.stream = stream
        self.translator = translator
        self.pending: list[ProviderEvent] = []
        self.ended = False
        self.final: list[ProviderEvent] | None = None  # translator.finish() output, when it ran in phase 1


class StreamTally:
    """Per-request counters feeding RequestMetrics; reset with each Reset."""

    __slots__ = ("text_chars", "tool_chars", "text", "tool_calls", "usage", "finish")

    def __init__(self) -> None:
        self.text_chars = 0
        self.tool_chars = 0
        self.text: list[str] = []
        self.tool_calls = 0
        self.usage: Usage | None = None
        self.finish: Finish | None = None


class StreamingProvider:
    """Base class of SDK-backed providers; subclasses implement the ``_open``/``_translator`` hooks."""

    name: str
    model: str

    def __init__(
        self,
        *,
        name: str,
        model: str,
        policy: StreamPolicy | None = None,
        metrics_sink: MetricsSink | None = None,
        price_provider_id: str | None = None,
        price_model: str | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.policy = policy or StreamPolicy()
        self.metrics_sink = metrics_sink
        self.price_provider_id = price_provider_id
        self.price_model = price_model or model
        # price by the model the server reports (Azure deployments are named freely) unless told otherwise
        self.price_from_response_model = False

    # hooks -----------------------------------------------------------------------------------
    async def _open(self, request: ChatRequest) -> Any:
        """Send the request; return the SDK's async stream (has ``__anext__`` and ``close``)."""
        raise NotImplementedError

    def _translator(self, request: ChatRequest) -> StreamTranslator:
        raise NotImplementedError

    def _prepare(self) -> None:
        """Build the SDK client (importing the SDK) before any time limit starts."""

    def _classify(self, exc: BaseException) -> ProviderRequestError:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release SDK clients (subclasses override)."""

    # engine ----------------------------------------------------------------------------------
    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        """Stream normalised events for one request (see module docstring for the guarantees)."""
        policy = self.policy
        started = time.monotonic()
        metrics = RequestMetrics(provider=self.name, model=self.model)
        tally = StreamTally()
        attempt: _Attempt | None = None
        watchdog = StallWatchdog()
        restarts = 0
        visible = False  # has this request shown anything? (decides retry vs Reset)
        price_model = self.price_model
        try:
            while True:
                try:
                    attempt = await self._first_visible(request, started, metrics, watchdog)
                    metrics.request_id = attempt.translator.request_id
                    metrics.model = self.model  # a local server's model is discovered on the first request
                    if self.price_from_response_model:
                        price_model = getattr(attempt.translator, "response_model", None) or price_model
                    visible = any(isinstance(e, VISIBLE_TYPES) for e in attempt.pending)
                    for event in attempt.pending:
                        self._count(event, tally, metrics, started)
                        yield event
                    attempt.pending = []
                    stream, translator = attempt.stream, attempt.translator
                    progress = True
                    while not attempt.ended:
                        if progress:
                            watchdog.begin(policy.stall_timeout_s)
                        else:
                            watchdog.resume()  # empty keep-alive chunks do not postpone the stall limit
                        try:
                            chunk = await stream.__anext__()
                        except StopAsyncIteration:
                            attempt.ended = True
                            break
                        except asyncio.CancelledError:
                            if watchdog.claim():
                                raise StallTimeout(
                                    f"{self.name}: no content for {policy.stall_timeout_s:g} s mid-stream (stalled)"
                                ) from None
                            raise
                        except ProviderRequestError:
                            raise
                        except Exception as exc:
                            raise self._classify(exc) from exc
                        finally:
                            watchdog.end()
                        try:
                            events = translator.feed(chunk)
                        except Exception as exc:  # a chunk shape we do not understand: fail clearly
                            raise self._classify(exc) from exc
                        progress = bool(events) or getattr(translator, "progress", True)
                        for event in events:
                            self._count(event, tally, metrics, started)
                            yield event
                    try:
                        closing = self._closing_events(translator, request, tally, attempt.final)
                    except ProviderRequestError:
                        raise
                    except Exception as exc:
                        raise self._classify(exc) from exc
                    for event in closing:
                        self._count(event, tally, metrics, started)
                        yield event
                    return
                except ProviderRequestError as err:
                    if attempt is not None:
                        await self._close_quietly(attempt.stream)
                        _keep_partial_usage(attempt.translator, tally, request)
                        attempt = None
                    time_left = policy.total_budget_s - (time.monotonic() - started)
                    if visible and err.retryable and restarts < policy.mid_stream_restarts and time_left > 0:
                        restarts += 1
                        metrics.retries += 1
                        log.info("%s: restarting after visible output: %s", self.name, err.message)
                        yield Reset(reason=err.message)
                        tally = StreamTally()
                        metrics.ttft_s = None
                        visible = False
                        continue
                    metrics.error = err.message
                    tally.finish = Finish(reason="error", raw_reason=err.kind)
                    yield StreamError(
                        message=err.message,
                        kind=err.kind,
                        retryable=err.retryable,
                        status_code=err.status_code,
                    )
                    return
        except asyncio.CancelledError:
            tally.finish = Finish(reason="cancelled")
            raise
        except GeneratorExit:
            tally.finish = tally.finish or Finish(reason="cancelled")
            raise
        finally:
            watchdog.close()
            if attempt is not None:
                await self._close_quietly(attempt.stream)
                _keep_partial_usage(attempt.translator, tally, request)
            self._record(metrics, tally, request, started, price_model)

    async def _first_visible(
        self, request: ChatRequest, started: float, metrics: RequestMetrics, watchdog: StallWatchdog
    ) -> _Attempt:
        """Open the stream and read ahead to the first visible event, retrying faults (tenacity)."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_before_delay

        policy = self.policy
        remaining = max(0.0, policy.total_budget_s - (time.monotonic() - started))

        def before_sleep(state: Any) -> None:
            metrics.retries += 1
            exc = state.outcome.exception() if state.outcome else None
            log.info("%s: retrying after %s", self.name, getattr(exc, "message", exc))

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, policy.max_attempts)) | stop_before_delay(remaining),
            wait=self._wait_seconds,
            retry=retry_if_exception(lambda e: isinstance(e, ProviderRequestError) and e.retryable),
            before_sleep=before_sleep,
            reraise=True,
            sleep=asyncio.sleep,
        )
        return await retrying(self._attempt_once, request, watchdog)

    def _wait_seconds(self, state: Any) -> float:
        policy = self.policy
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after_s", None)
        if retry_after is not None:
            return min(retry_after, policy.retry_after_cap_s)
        from tenacity import wait_random_exponential

        return wait_random_exponential(multiplier=policy.backoff_initial_s, max=policy.backoff_max_s)(state)

    async def _attempt_once(self, request: ChatRequest, watchdog: StallWatchdog) -> _Attempt:
        policy = self.policy
        stream = None
        translator = self._translator(request)
        self._prepare()
        watchdog.begin(policy.first_chunk_timeout_s)
        waiting_first = True
        try:
            try:
                stream = await self._open(request)
                attempt = _Attempt(stream, translator)
                while True:
                    try:
                        chunk = await stream.__anext__()
                    except StopAsyncIteration:
                        attempt.ended = True
                        attempt.final = translator.finish()  # may raise (e.g. cut stream): retried here
                        return attempt
                    watchdog.end()
                    events = translator.feed(chunk)
                    attempt.pending.extend(events)
                    if any(isinstance(e, VISIBLE_TYPES) for e in events):
                        return attempt
                    if events or getattr(translator, "progress", True):
                        waiting_first = False
                        watchdog.begin(policy.stall_timeout_s)
                    else:
                        watchdog.resume()  # a keep-alive or role-only chunk: the first-content limit still runs
            except asyncio.CancelledError:
                if watchdog.claim():
                    if waiting_first:
                        message = f"no answer within {policy.first_chunk_timeout_s:g} s (first-content limit)"
                    else:
                        message = f"no content for {policy.stall_timeout_s:g} s (stalled)"
                    raise StallTimeout(f"{self.name}: {message}") from None
                raise
            except ProviderRequestError:
                raise
            except Exception as exc:
                raise self._classify(exc) from exc
            finally:
                watchdog.end()
        except BaseException:
            if stream is not None:
                await self._close_quietly(stream)
            raise

    def _closing_events(
        self,
        translator: StreamTranslator,
        request: ChatRequest,
        tally: StreamTally,
        final: list[ProviderEvent] | None,
    ) -> list[ProviderEvent]:
        events = final if final is not None else translator.finish()
        if translator.usage is None and not any(isinstance(e, Usage) for e in events):
            estimated = estimate_usage(request, "".join(tally.text), tally.tool_chars)
            # keep Finish last
            if events and isinstance(events[-1], Finish):
                events.insert(len(events) - 1, estimated)
            else:
                events.append(estimated)
        return events

    @staticmethod
    def _count(event: ProviderEvent, tally: StreamTally, metrics: RequestMetrics, started: float) -> None:
        count_event(event, tally, metrics, started)

    @staticmethod
    async def _close_quietly(stream: Any) -> None:
        try:
            await stream.close()
        except Exception as exc:  # closing must never mask the real outcome
            log.debug("closing stream failed: %r", exc)

    def _record(
        self,
        metrics: RequestMetrics,
        tally: StreamTally,
        request: ChatRequest,
        started: float,
        price_model: str,
    ) -> None:
        if self.metrics_sink is None:
            return
        try:
            fill_metrics(metrics, tally, request, started, self.price_provider_id, price_model)
            self.metrics_sink.record(metrics)
        except Exception:  # a broken sink must not break the stream
            log.exception("%s: metrics sink failed", self.name)


def count_event(event: ProviderEvent, tally: StreamTally, metrics: RequestMetrics, started: float) -> None:
    """Update the per-request tally and TTFT from one emitted event."""
    if isinstance(event, TextDelta):
        if metrics.ttft_s is None:
            metrics.ttft_s = time.monotonic() - started
        tally.text_chars += len(event.text)
        tally.text.append(event.text)
    elif isinstance(event, ToolCallDelta):
        tally.tool_chars += len(event.fragment)
    elif isinstance(event, ToolCallStart):
        if metrics.ttft_s is None:
            metrics.ttft_s = time.monotonic() - started
    elif isinstance(event, ToolCallEnd):
        tally.tool_calls += 1
    elif isinstance(event, Usage):
        tally.usage = event
    elif isinstance(event, Finish):
        tally.finish = event


def _keep_partial_usage(translator: StreamTranslator, tally: StreamTally, request: ChatRequest) -> None:
    """A stream that did not finish: keep the provider's partial counts (Anthropic reports input tokens
    up front) and estimate the rest; the result is always flagged estimated."""
    partial = translator.usage
    if tally.usage is not None or partial is None:
        return
    guess = estimate_usage(request, "".join(tally.text), tally.tool_chars)
    tally.usage = Usage(
        input_tokens=partial.input_tokens or guess.input_tokens,
        output_tokens=max(partial.output_tokens, guess.output_tokens),
        cached_input_tokens=partial.cached_input_tokens,
        cache_write_tokens=partial.cache_write_tokens,
        reasoning_tokens=partial.reasoning_tokens,
        estimated=True,
    )


def fill_metrics(
    metrics: RequestMetrics,
    tally: StreamTally,
    request: ChatRequest,
    started: float,
    price_provider_id: str | None,
    price_model: str,
) -> None:
    """Complete ``metrics`` from what was streamed (estimating usage when the provider sent none)."""
    from .pricing import PriceUnknown, price_usage

    metrics.duration_s = time.monotonic() - started
    usage = tally.usage or estimate_usage(request, "".join(tally.text), tally.tool_chars)
    metrics.input_tokens = usage.input_tokens
    metrics.output_tokens = usage.output_tokens
    metrics.cached_input_tokens = usage.cached_input_tokens
    metrics.cache_write_tokens = usage.cache_write_tokens
    metrics.reasoning_tokens = usage.reasoning_tokens
    metrics.usage_estimated = usage.estimated
    metrics.output_chars = tally.text_chars + tally.tool_chars
    metrics.tool_calls = tally.tool_calls
    if tally.finish is not None:
        metrics.finish_reason = tally.finish.reason
    generation_s = metrics.duration_s - (metrics.ttft_s or 0.0)
    if generation_s > 0:
        metrics.tokens_per_s = usage.output_tokens / generation_s
        metrics.chars_per_s = metrics.output_chars / generation_s
    try:
        metrics.cost_usd = price_usage(usage, provider_id=price_provider_id, model=price_model)
        metrics.cost_estimated = usage.estimated
    except PriceUnknown:
        metrics.cost_usd = None


def policy_from_profile(profile: Any) -> StreamPolicy:
    """A StreamPolicy with the profile's overrides applied (None fields keep the defaults)."""
    policy = StreamPolicy()
    if profile.provider in ("lmstudio", "ollama", "openai_compatible"):
        policy.first_chunk_timeout_s = 300.0  # local servers may load the model on the first request
        if profile.provider != "openai_compatible":
            policy.max_attempts = 2  # a local app that refuses a connection is not coming back in seconds
    for key in (
        "first_chunk_timeout_s",
        "stall_timeout_s",
        "max_attempts",
        "total_budget_s",
        "mid_stream_restarts",
    ):
        value = getattr(profile, key, None)
        if value is not None:
            setattr(policy, key, value)
    return policy
