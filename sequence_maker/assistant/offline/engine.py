"""A thin, blocking wrapper around one in-process llama.cpp server (xllamacpp).

Why a wrapper: xllamacpp's ``Server`` also opens an HTTP listener on a random loopback port that
answers any web origin (CORS ``*``), so any web page the user visits could drive the model. We give
it a random API key that never leaves this object, disable the web UI and the props/slots/metrics
endpoints, and keep llama.cpp's logs quiet. Calls here block; the provider runs them in a worker
thread (xllamacpp releases the GIL while it decodes).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelLoadFailed, RuntimeMissing

ChunkCallback = Callable[[dict[str, Any]], bool]  # returns True to stop generation


def runtime_importable() -> bool:
    """Cheap check that xllamacpp is installed (no import of the 100 MB extension)."""
    import importlib.util

    return importlib.util.find_spec("xllamacpp") is not None


def default_threads() -> int:
    """One decoding thread per core (hyper-threads do not help matrix-vector work)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    model_path: Path
    n_ctx: int = 4096
    threads: int = 0  # 0 = one per core
    repack_weights: bool = True  # faster CPU kernels at the cost of ~0.5 GB more RSS for the 1.5B
    # llama.cpp's CPU flash-attention kernel decoded ~25 % slower here with a 2,600-token prompt
    # (6.5-8.7 vs 9.5-10 tokens/s for the 1.5B on 2 cores); None leaves llama.cpp's "auto".
    flash_attention: bool | None = False
    # llama.cpp keeps KV states of earlier prompts in RAM to restore them (a chat or project the
    # user switches back to). Its default cap is 8 GiB; one state of our ~3,000-token prompts is
    # ~85 MB for the 1.5B, so 512 MiB keeps the last ~6 without letting a long studio session grow.
    cache_ram_mib: int = 512


class LlamaEngine:
    """One loaded GGUF model behind an authenticated, UI-less in-process llama.cpp server."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._server: Any = None
        self._api_key = secrets.token_urlsafe(32)
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._server is not None

    @property
    def listening_address(self) -> str | None:
        """The loopback URL of the embedded HTTP listener (it requires the secret key)."""
        return getattr(self._server, "listening_address", None) if self._server is not None else None

    def load(self) -> None:
        """Blocking model load (seconds); raises :class:`ModelLoadFailed` with llama.cpp's reason."""
        if self._server is not None:
            return
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise RuntimeMissing(
                "the offline assistant needs xllamacpp; install it with: pip install 'sequence-maker[offline]'"
            ) from exc
        threads = self.config.threads or default_threads()
        params = xlc.CommonParams()
        params.model.path = str(self.config.model_path)
        params.n_ctx = self.config.n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.api_keys = [self._api_key]
        params.hostnames = ["127.0.0.1"]
        params.ui = False
        params.endpoint_props = False
        params.endpoint_slots = False
        params.endpoint_metrics = False
        params.cors_origins = ""
        params.verbosity = 0
        params.warmup = True
        params.cache_prompt = True
        params.cache_ram_mib = self.config.cache_ram_mib
        params.no_extra_bufts = not self.config.repack_weights
        if self.config.flash_attention is not None:
            fa = xlc.llama_flash_attn_type
            params.flash_attn_type = fa.LLAMA_FLASH_ATTN_TYPE_ENABLED if self.config.flash_attention else fa.LLAMA_FLASH_ATTN_TYPE_DISABLED
        started = time.monotonic()
        try:
            server = xlc.Server(params)
        except Exception as exc:  # llama.cpp reports load failures as RuntimeError
            raise ModelLoadFailed(f"llama.cpp could not load {self.config.model_path}: {exc}") from exc
        self.load_seconds = time.monotonic() - started
        self._server = server

    def chat(self, body: dict[str, Any], on_chunk: ChunkCallback) -> None:
        """Stream one chat completion; ``on_chunk`` gets every chunk (including error chunks)."""
        if self._server is None:
            raise ModelLoadFailed("the offline model is not loaded")
        self._server.handle_chat_completions({**body, "stream": True}, on_chunk)

    def chat_once(self, body: dict[str, Any]) -> dict[str, Any]:
        """Non-streaming completion (used for warm-up)."""
        if self._server is None:
            raise ModelLoadFailed("the offline model is not loaded")
        return self._server.handle_chat_completions({**body, "stream": False})

    def close(self) -> None:
        """Free the model (the server's destructor joins its loop)."""
        server, self._server = self._server, None
        del server

    def __repr__(self) -> str:  # never show the key
        return f"LlamaEngine(model={self.config.model_path.name!r}, loaded={self.loaded})"
