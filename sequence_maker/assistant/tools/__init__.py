"""The assistant's tools: timeline edits, musical patterns, context reads and player control."""

from __future__ import annotations

from functools import lru_cache

from .musical import MUSICAL_TOOLS
from .player_tools import PLAYER_TOOLS
from .reads import READ_TOOLS
from .registry import Tool, ToolArgs, ToolContext, ToolInputError, ToolRegistry
from .resolve import ResolveError, Resolver, Span
from .timeline import TIMELINE_TOOLS

__all__ = ["Tool", "ToolArgs", "ToolContext", "ToolInputError", "ToolRegistry", "Resolver", "ResolveError",
           "Span", "default_registry", "ALL_TOOLS"]

#: Fixed order (reads first, then edits, then player) — part of the prompt-cache prefix; do not shuffle.
ALL_TOOLS: list[Tool] = [*READ_TOOLS, *TIMELINE_TOOLS, *MUSICAL_TOOLS, *PLAYER_TOOLS]


@lru_cache(maxsize=1)
def default_registry() -> ToolRegistry:
    """The shared registry: schemas computed once per process."""
    return ToolRegistry(ALL_TOOLS)
