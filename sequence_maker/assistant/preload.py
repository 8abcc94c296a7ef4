"""Get a provider that loads something (the embedded model) ready before the user's first turn.

Why: the offline model spends tens of seconds on 2 cores loading and evaluating the fixed part of
every prompt (tool schemas + the assistant's rules); llama.cpp then reuses that prefix from its
cache. The studio does this behind its "loading" status and the CLI behind a progress line, so
the first question is not the slow one. The prefix only matches what turns really send when it is
built from the same tool registry and system text the :class:`~.agent.Assistant` uses, hence one
place that builds it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from .context import context_text
from .prompts import Feedback, fixed_system_text, system_prompt
from .tools import ToolRegistry, default_registry


def warmup_arguments(load: Callable[..., Any], registry: ToolRegistry | None = None,
                     custom_instructions: str = "") -> dict[str, Any]:
    """Keyword arguments that make ``load`` pre-evaluate the prompt prefix, if it can (else {})."""
    try:
        params = inspect.signature(load).parameters
    except (TypeError, ValueError):
        return {}
    if "warmup_tools" not in params:
        return {}
    out: dict[str, Any] = {"warmup_tools": list((registry or default_registry()).specs())}
    if "warmup_system" in params:
        out["warmup_system"] = fixed_system_text(custom_instructions)
    return out


def needs_load(provider: Any) -> bool:
    """True for providers with a ``load`` step that has not run (cloud and server providers have none)."""
    return callable(getattr(provider, "load", None)) and not getattr(provider, "loaded", True)


async def preload(provider: Any, on_progress: Callable[[Any], None] | None = None, *,
                  registry: ToolRegistry | None = None, custom_instructions: str = "") -> None:
    """Load ``provider`` and warm its prompt cache; a no-op for providers without ``load``.

    Errors propagate (the caller shows them); a provider's own ``stream`` would report the same
    failure as a ``StreamError`` on the first request."""
    load = getattr(provider, "load", None)
    if not callable(load):
        return
    await load(on_progress=on_progress, **warmup_arguments(load, registry, custom_instructions))


async def prewarm_project(provider: Any, project: Any, *, registry: ToolRegistry | None = None,
                          custom_instructions: str = "", feedback: Sequence[Feedback] = ()) -> bool:
    """Let a provider that can (``prewarm``) evaluate the system prompt a new chat on ``project``
    will send, before the user asks; False when it cannot or did nothing.

    The text is built exactly as :meth:`~.agent.Assistant.system_message` builds it for a chat's
    first turn (same rules, instructions, feedback, project context), or it would never be reused."""
    prewarm = getattr(provider, "prewarm", None)
    if not callable(prewarm):
        return False
    system = system_prompt(context_text(project), custom_instructions, feedback)
    return bool(await prewarm(list((registry or default_registry()).specs()), system))
