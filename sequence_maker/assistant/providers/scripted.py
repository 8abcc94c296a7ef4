"""Deterministic providers for record/replay and evals.

:class:`ScriptedProvider` replays one recorded list of events per request (turn), from a Python list
or a JSONL file written by :class:`RecordingProvider`, which wraps any provider and records its
events. JSONL format: one event dict per line plus ``"turn": n``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import ChatRequest, MetricsSink, Provider, RequestMetrics
from .events import ProviderEvent, StreamError
from .serialize import EventFormatError, event_from_dict, event_to_dict, write_text_atomic
from .streaming import StreamTally, count_event, fill_metrics

if TYPE_CHECKING:
    from ..config import ProviderProfile
    from .secret import Secret


def load_turns(path: Path | str) -> list[list[ProviderEvent]]:
    """Read a recording: lines ``{"turn": n, ...event}`` grouped by turn, in turn order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"recording not found: {path}") from None
    turns: dict[int, list[ProviderEvent]] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            turn = data.pop("turn", 0) if isinstance(data, dict) else 0
            if not isinstance(turn, int):
                raise EventFormatError(f"'turn' must be an integer, got {turn!r}")
            turns.setdefault(turn, []).append(event_from_dict(data))
        except (json.JSONDecodeError, EventFormatError) as exc:
            raise EventFormatError(f"{path}:{lineno}: {exc}") from None
    return [turns[k] for k in sorted(turns)]


def dump_turns(turns: Iterable[list[ProviderEvent]]) -> str:
    lines = []
    for n, events in enumerate(turns):
        for event in events:
            lines.append(json.dumps({"turn": n, **event_to_dict(event)}, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


class ScriptedProvider:
    """Replays recorded turns in order; records the requests it received in ``requests``."""

    def __init__(
        self,
        turns: list[list[ProviderEvent]],
        *,
        name: str = "scripted",
        model: str = "scripted",
        delay_s: float = 0.0,
        metrics_sink: MetricsSink | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.turns = [list(t) for t in turns]
        self.delay_s = delay_s
        self.metrics_sink = metrics_sink
        self.requests: list[ChatRequest] = []
        self._next = 0

    @classmethod
    def from_file(cls, path: Path | str, **kwargs: Any) -> ScriptedProvider:
        return cls(load_turns(path), **kwargs)

    @property
    def remaining(self) -> int:
        return len(self.turns) - self._next

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        self.requests.append(request)
        started = time.monotonic()
        metrics = RequestMetrics(provider=self.name, model=self.model)
        tally = StreamTally()
        try:
            if self._next >= len(self.turns):
                yield StreamError(
                    message=f"{self.name}: no recorded turn left (replayed {len(self.turns)})",
                    kind="script_exhausted",
                )
                return
            events = self.turns[self._next]
            self._next += 1
            for event in events:
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                count_event(event, tally, metrics, started)
                yield event
        finally:
            if self.metrics_sink is not None:
                fill_metrics(metrics, tally, request, started, None, self.model)
                self.metrics_sink.record(metrics)

    async def aclose(self) -> None:
        return None


class RecordingProvider:
    """Wraps a provider and appends each request's events (as one turn) to a JSONL file."""

    def __init__(self, inner: Provider, path: Path | str) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.path = Path(path)
        self.turns: list[list[ProviderEvent]] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        events: list[ProviderEvent] = []
        try:
            async for event in self.inner.stream(request):
                events.append(event)
                yield event
        finally:
            self.turns.append(events)
            write_text_atomic(self.path, dump_turns(self.turns))

    async def aclose(self) -> None:
        await self.inner.aclose()


def create(
    profile: ProviderProfile, api_key: Secret | None, metrics_sink: MetricsSink | None
) -> ScriptedProvider:
    """Factory for ``provider = "scripted"`` profiles: ``options.path`` names the recording."""
    path = profile.options.get("path")
    if not path:
        raise ValueError(
            f"profile {profile.name!r}: a scripted profile needs options.path (a JSONL recording)"
        )
    return ScriptedProvider.from_file(
        path,
        name=profile.name,
        model=profile.model or "scripted",
        delay_s=float(profile.options.get("delay_s", 0.0)),
        metrics_sink=metrics_sink,
    )
