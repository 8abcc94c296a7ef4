"""Coalesces streamed deltas so a fast model does not flood the browser with tiny frames.

Consecutive ``text-delta`` parts, or ``tool-call-delta`` parts of the same call, are merged and sent
at most every ``max_delay_s`` or when ``max_bytes`` have accumulated. Any other part flushes what is
pending first, so order is always preserved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

DELTA_FIELDS = {"text-delta": "text", "tool-call-delta": "fragment"}


class DeltaCoalescer:
    def __init__(self, emit: Callable[[dict[str, Any]], None], max_delay_s: float = 0.025,
                 max_bytes: int = 2048) -> None:
        self._emit = emit
        self.max_delay_s = max_delay_s
        self.max_bytes = max_bytes
        self._pending: dict[str, Any] | None = None
        self._size = 0
        self._timer: asyncio.TimerHandle | None = None
        self.frames_in = 0
        self.frames_out = 0

    def _mergeable(self, part: dict[str, Any]) -> bool:
        p = self._pending
        return (p is not None and p["type"] == part["type"]
                and (part["type"] == "text-delta" or p.get("call_id") == part.get("call_id")))

    def add(self, part: dict[str, Any]) -> None:
        self.frames_in += 1
        field = DELTA_FIELDS.get(part.get("type", ""))
        if field is None:
            self.flush()
            self._send(part)
            return
        if self._pending is not None and not self._mergeable(part):
            self.flush()
        if self._pending is None:
            self._pending = dict(part)
            self._size = len(part.get(field, ""))
            if self.max_delay_s > 0:
                try:
                    self._timer = asyncio.get_running_loop().call_later(self.max_delay_s, self.flush)
                except RuntimeError:
                    self._timer = None
        else:
            self._pending[field] = self._pending.get(field, "") + part.get(field, "")
            self._size += len(part.get(field, ""))
        if self._size >= self.max_bytes or self.max_delay_s <= 0:
            self.flush()

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending is not None:
            part, self._pending, self._size = self._pending, None, 0
            self._send(part)

    def _send(self, part: dict[str, Any]) -> None:
        self.frames_out += 1
        self._emit(part)
