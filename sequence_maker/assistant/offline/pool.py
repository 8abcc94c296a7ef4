"""One loaded model per process, shared by every offline provider instance.

Why: loading takes seconds and evaluating the fixed prompt prefix tens of seconds on 2 cores,
while providers are cheap objects created per chat, per studio tab or per eval case and closed
after. Sharing the engine (and so its KV/prompt cache) makes the second provider as fast as the
first. Generation on a shared engine is serialised: llama.cpp runs one slot here, and interleaving
two conversations would evict each other's cached prefix.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any


class EngineSlot:
    """A loaded engine plus what coordinates its users (one request at a time, warm prefixes)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.idle = threading.Event()  # set when no worker thread is generating
        self.idle.set()
        self.warmed: set[int] = set()  # hashes of prompt prefixes already evaluated
        self.last_system: int | None = None  # hash of the system message the KV cache ends in now
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()

    def lock(self) -> asyncio.Lock:
        """The request lock of the running event loop (asyncio locks cannot cross loops)."""
        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._locks.get(loop)
            if found is None:
                found = self._locks[loop] = asyncio.Lock()
            return found


_SLOTS: dict[Hashable, EngineSlot] = {}
_LOADING: dict[Hashable, threading.Lock] = {}
_POOL_GUARD = threading.Lock()


def get_loaded(key: Hashable) -> EngineSlot | None:
    """The shared slot for ``key`` if that model is already loaded in this process."""
    return _SLOTS.get(key)


def acquire(key: Hashable, load: Callable[[], Any]) -> EngineSlot:
    """Return the shared slot for ``key``, calling ``load()`` (blocking) only if nobody has yet.

    Concurrent callers with the same key wait for one load instead of loading twice.
    """
    with _POOL_GUARD:
        slot = _SLOTS.get(key)
        if slot is not None:
            return slot
        loading = _LOADING.setdefault(key, threading.Lock())
    with loading:
        slot = _SLOTS.get(key)
        if slot is None:
            slot = EngineSlot(load())
            with _POOL_GUARD:
                _SLOTS[key] = slot
        return slot


def unload_all() -> int:
    """Free every shared model once its current request ends (server shutdown, tests); returns the count."""
    with _POOL_GUARD:
        slots = list(_SLOTS.values())
        _SLOTS.clear()
    for slot in slots:
        slot.idle.wait(timeout=120)
        slot.engine.close()
    return len(slots)
