"""Per-project frame stream: numbered frames fanned out to every tab, with a replay buffer for resume.

``publish`` may be called from any thread (REST handlers in the thread pool, analysis jobs); frames get
their ``seq`` under a lock and are handed to each subscriber's asyncio queue on its own loop, so every
subscriber sees every frame exactly once and in order.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from typing import Any

MAX_QUEUE = 20_000  # a tab this far behind is dropped; it reconnects and resumes


class Subscriber:
    """One WebSocket's view of the stream."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.overflowed = False

    def deliver(self, frame: dict[str, Any] | None) -> None:
        if self.queue.qsize() >= MAX_QUEUE:
            self.overflowed = True
            frame = None  # tells the socket loop to close
        try:
            if asyncio.get_running_loop() is self.loop:
                self.queue.put_nowait(frame)
                return
        except RuntimeError:
            pass
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, frame)
        except RuntimeError:  # loop closed: the socket is gone
            pass


class ProjectStream:
    def __init__(self, buffer_size: int = 5000) -> None:
        self.stream_id = uuid.uuid4().hex[:12]
        self.seq = 0
        self._buffer: deque[dict[str, Any]] = deque(maxlen=buffer_size)
        self._subs: set[Subscriber] = set()
        self._lock = threading.Lock()

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def publish(self, type_: str, data: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        with self._lock:
            self.seq += 1
            frame = {"type": type_, "request_id": request_id, "seq": self.seq, "data": data}
            self._buffer.append(frame)
            for sub in list(self._subs):
                sub.deliver(frame)
        return frame

    def subscribe(self, sub: Subscriber, last_seq: int | None = None,
                  stream_id: str | None = None) -> tuple[list[dict[str, Any]] | None, int]:
        """Register ``sub``; returns (frames to replay or None if a resync is needed, current seq).

        Registration and the replay snapshot happen under one lock: nothing published in between
        can be missed or delivered twice.
        """
        with self._lock:
            self._subs.add(sub)
            head = self.seq
            if last_seq is None:
                return [], head
            if stream_id is not None and stream_id != self.stream_id:
                return None, head
            if last_seq > head:
                return None, head
            if last_seq == head:
                return [], head
            oldest = self._buffer[0]["seq"] if self._buffer else head + 1
            if last_seq + 1 < oldest:
                return None, head
            return [f for f in self._buffer if f["seq"] > last_seq], head

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)

    def close_all(self) -> None:
        with self._lock:
            subs = list(self._subs)
        for s in subs:
            s.deliver(None)
