"""Few-shot examples for small models, shown only for tools the request really offers.

Each example is checked against the offered tool's schema before use, so a renamed argument
silently drops the example instead of teaching the model a wrong call. Arguments are written in the
schema's property order, the order the grammar makes the model produce them.
"""

from __future__ import annotations

from typing import Any

from ..providers.events import ToolSpec
from .schema import arguments_schema, validate

Calls = list[tuple[str, dict[str, Any]]]

# (what the user says, calls[, what the model says after them]).
BUILTIN: list[tuple[str, Calls] | tuple[str, Calls, str]] = [
    ("make ball 2 red for 2.5 seconds starting at 0:30",
     [("create_segment", {"when": "2.5 seconds starting at 0:30", "balls": 2, "color": "red"})]),
    ("make ball 2 red for 2.5 seconds starting at 0:30",  # the same for a schema that offers start + duration
     [("create_segment", {"start": "0:30", "duration": 2.5, "balls": 2, "color": "red"})]),
    ("all balls blue for the last 10 seconds",
     [("create_segment", {"when": "last 10 seconds", "balls": "all", "color": "blue"})]),
    ("flash balls 1 and 3 white on every beat of the chorus",
     [("beat_pattern", {"when": "chorus", "balls": [1, 3], "colors": ["white"], "every": "beat", "style": "flash"})]),
    ("balls 1 and 2 alternate green and blue on every bar of verse 2, ball 2 one beat later",
     [("beat_pattern", {"when": "verse 2", "balls": [1, 2], "colors": ["green", "blue"], "every": "bar",
                        "style": "alternate", "stagger_beats": 1})]),
    ("fade ball 2 from red to blue over bars 5-8",
     [("fade_range", {"when": "bars 5-8", "balls": 2, "from_color": "red", "to_color": "blue"})]),
    ("ball 1 green for the first 8 beats and ball 3 purple at 0:45 for 4 seconds",
     [("create_segment", {"when": "first 8 beats", "balls": 1, "color": "green"}),
      ("create_segment", {"when": "at 0:45 for 4 seconds", "balls": 3, "color": "purple"})]),
    ("strobe ball 3 yellow in the bridge",
     [("add_effect", {"when": "bridge", "balls": 3, "effect": "strobe", "color": "yellow"})]),
    ("blink ball 2 green on the last 4 beats",
     [("beat_pattern", {"when": "last 4 beats", "balls": 2, "colors": ["green"], "every": "beat", "style": "flash"})]),
    ("give the sections the colours pink and lime in turn",
     [("section_theme", {"palette": ["pink", "lime"]})]),
    ("clear the intro", [("clear_timeline", {"when": "intro"})]),
    ("how long is the song? and make ball 1 red for the last 5 seconds",
     [("create_segment", {"when": "last 5 seconds", "balls": 1, "color": "red"})], "The song is 1:30 long."),
    ("play from the second verse", [("play_audio", {"position": "second verse"})]),
]


# Which tool a request's wording points to; shown only for offered tools.
GUIDE: list[tuple[str, str]] = [
    ("flash, blink, alternate, chase", "beat_pattern"),
    ("strobe, pulse, rainbow", "add_effect"),
    ("fade", "fade_range"),
    ("make, turn or colour balls a colour for a time or section", "create_segment"),
    ("colours across the sections", "section_theme"),
]


def tool_guide(tools: list[ToolSpec]) -> list[tuple[str, str]]:
    offered = {t.name for t in tools}
    return [(words, name) for words, name in GUIDE if name in offered]


def _ordered(args: dict[str, Any], tool: ToolSpec) -> dict[str, Any]:
    order = list((tool.parameters.get("properties") or {}).keys())
    return {k: args[k] for k in sorted(args, key=lambda k: order.index(k) if k in order else len(order))}


def applicable_examples(tools: list[ToolSpec]) -> list[tuple[str, Calls, str | None]]:
    """(request, calls, reply or None) of the built-in examples whose every call is valid for the offered tools."""
    by_name = {t.name: t for t in tools}
    usable: list[tuple[str, Calls, str | None]] = []
    for say, calls, *reply in BUILTIN:
        if all(name in by_name and not validate(args, arguments_schema(by_name[name])) for name, args in calls):
            usable.append((say, [(name, _ordered(args, by_name[name])) for name, args in calls], reply[0] if reply else None))
    return usable
