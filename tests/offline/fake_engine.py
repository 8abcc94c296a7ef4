"""A scripted stand-in for LlamaEngine: same chunk shapes as xllamacpp, no model."""

from __future__ import annotations

import threading
import time
from typing import Any


class ScriptedEngine:
    """Each ``chat`` plays the next script: a string answer, ``("slow", answer, seconds_per_piece)``
    or ``("error", message)``. Records every request body it received."""

    loaded = True

    def __init__(self, scripts: list[Any]) -> None:
        self.scripts = list(scripts)
        self.bodies: list[dict[str, Any]] = []
        self.warm_bodies: list[dict[str, Any]] = []
        self.stopped_early = threading.Event()
        self.closed = False

    def chat_once(self, body: dict[str, Any]) -> dict[str, Any]:
        self.warm_bodies.append(body)
        return {"choices": [{"message": {"content": "ok"}}]}

    def chat(self, body: dict[str, Any], on_chunk) -> None:
        self.bodies.append(body)
        script = self.scripts.pop(0)
        delay = 0.0
        if isinstance(script, tuple) and script[0] == "error":
            on_chunk({"error": {"code": 400, "message": script[1]}})
            return
        if isinstance(script, tuple) and script[0] == "slow":
            _, script, delay = script
        pieces = [script[i : i + 4] for i in range(0, len(script), 4)]
        for piece in pieces:
            if delay:
                time.sleep(delay)
            if on_chunk({"choices": [{"index": 0, "finish_reason": None, "delta": {"content": piece}}]}):
                self.stopped_early.set()
                return
        on_chunk(
            {
                "choices": [{"index": 0, "finish_reason": "stop", "delta": {}}],
                "timings": {"cache_n": 100, "prompt_n": 20, "predicted_n": len(pieces)},
            }
        )

    def close(self) -> None:
        self.closed = True
