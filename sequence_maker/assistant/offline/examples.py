"""Few-shot examples for small models, shown only for tools the request really offers.

Each example is checked against the offered tool's schema before use, so a renamed argument
silently drops the example instead of teaching the model a wrong call. Arguments are written in the
schema's property order, the order the grammar makes the model produce them.
"""

from __future__ import annotations

from typing import Any

from ..providers.events import ToolSpec
from .schema import arguments_schema, validate

# (what the user says, [(tool, arguments), ...]) — times and colours copied verbatim, never computed.
BUILTIN: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
    ("make ball 2 red for 2.5 seconds starting at 0:30",
     [("create_segment", {"start": "0:30", "duration": 2.5, "balls": 2, "color": "red"})]),
    ("all balls blue for the last 10 seconds",
     [("create_segment", {"when": "last 10 seconds", "balls": "all", "color": "blue"})]),
    ("flash balls 1 and 3 white on every beat of the chorus",
     [("beat_pattern", {"when": "chorus", "balls": [1, 3], "colors": ["white"], "every": "beat", "style": "flash"})]),
    ("fade ball 2 from red to blue over bars 5-8",
     [("fade_range", {"when": "bars 5-8", "balls": 2, "from_color": "red", "to_color": "blue"})]),
    ("ball 1 green for the first 8 beats and ball 3 purple at 0:45 for 4 seconds",
     [("create_segment", {"when": "first 8 beats", "balls": 1, "color": "green"}),
      ("create_segment", {"start": "0:45", "duration": 4, "balls": 3, "color": "purple"})]),
    ("clear the intro", [("clear_timeline", {"when": "intro"})]),
    ("play from the chorus", [("play_audio", {"position": "chorus"})]),
]


def _ordered(args: dict[str, Any], tool: ToolSpec) -> dict[str, Any]:
    order = list((tool.parameters.get("properties") or {}).keys())
    return {k: args[k] for k in sorted(args, key=lambda k: order.index(k) if k in order else len(order))}


def applicable_examples(tools: list[ToolSpec]) -> list[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """The built-in examples whose every call is valid for the offered tools."""
    by_name = {t.name: t for t in tools}
    usable = []
    for say, calls in BUILTIN:
        if all(name in by_name and not validate(args, arguments_schema(by_name[name])) for name, args in calls):
            usable.append((say, [(name, _ordered(args, by_name[name])) for name, args in calls]))
    return usable
