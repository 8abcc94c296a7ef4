"""Stall detection for streams: cancels the waiting task when the server is silent for too long.

Cheaper than ``asyncio.timeout`` per chunk: starting a wait only stores a deadline; a single timer
handle re-arms itself lazily. It is active only while the stream itself is being awaited, so a slow
consumer never triggers it.
"""

from __future__ import annotations

import asyncio


class StallWatchdog:
    """Fires (cancels the owning task) when one awaited read exceeds its limit."""

    __slots__ = ("_loop", "_task", "_handle", "_handle_at", "_deadline", "_active", "fired", "limit_s")

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._handle: asyncio.TimerHandle | None = None
        self._handle_at = 0.0
        self._deadline = 0.0
        self._active = False
        self.fired = False
        self.limit_s = 0.0

    def begin(self, limit_s: float | None) -> None:
        """A read starts now and may take up to ``limit_s`` (None = unlimited)."""
        if limit_s is None:
            return
        self.limit_s = limit_s
        self._task = (
            asyncio.current_task()
        )  # whoever is reading now (a generator may be driven by several tasks)
        self._deadline = self._loop.time() + limit_s
        self._active = True
        handle = self._handle
        if handle is None or self._deadline < self._handle_at:
            if handle is not None:
                handle.cancel()
            self._handle_at = self._deadline
            self._handle = self._loop.call_at(self._deadline, self._check)

    def resume(self) -> None:
        """Continue waiting against the previous deadline (the last chunk was a keep-alive, not progress)."""
        if self.limit_s:
            self._active = True
            if self._handle is None:
                self._handle_at = self._deadline
                self._handle = self._loop.call_at(self._deadline, self._check)

    def end(self) -> None:
        self._active = False

    def _check(self) -> None:
        self._handle = None
        if not self._active:
            return
        if self._loop.time() >= self._deadline:
            self.fired = True
            self._active = False
            if self._task is not None:
                self._task.cancel("stream stalled")
        else:
            self._handle_at = self._deadline
            self._handle = self._loop.call_at(self._deadline, self._check)

    def claim(self) -> bool:
        """After a CancelledError: True if it was ours alone (turn it into a stall error)."""
        if not self.fired:
            return False
        self.fired = False
        task = self._task
        return task is not None and task.uncancel() == 0

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._active = False
