"""Realistic tool schemas in the style of the assistant's tools, plus a tiny timeline to apply them to.

The resolver here is a test double of the real tools: it turns "times as the user says them" into
milliseconds against a 60 s, 120 BPM, 3-ball project, so tests can check that model output becomes
the intended edit without the model doing any arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sequence_maker.assistant.providers.events import ToolSpec

COLORS = ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "white", "black"]
BALLS = ["1", "2", "3", "all"]

TOOLS = [
    ToolSpec(
        "create_segment",
        "Colour a ball for a stretch of time.",
        {
            "type": "object",
            "properties": {
                "ball": {"enum": BALLS},
                "start": {"type": "string", "description": "when it starts, exactly as the user said it"},
                "duration": {"type": "string", "description": "how long, exactly as the user said it"},
                "color": {"enum": COLORS},
            },
            "required": ["ball", "start", "duration", "color"],
            "x-examples": [
                {
                    "say": "turn ball 3 blue at 1:05 for 4 seconds",
                    "arguments": {"ball": "3", "start": "1:05", "duration": "4 s", "color": "blue"},
                }
            ],
        },
    ),
    ToolSpec(
        "clear_range",
        "Remove colours from a ball between two times.",
        {
            "type": "object",
            "properties": {
                "ball": {"enum": BALLS},
                "start": {"type": "string", "description": "exactly as the user said it"},
                "end": {"type": "string", "description": "exactly as the user said it"},
            },
            "required": ["ball", "start", "end"],
        },
    ),
]

STATE = "Song 60 s, 120 BPM, 3 balls. Sections: intro 0:00-0:15, verse 0:15-0:30, chorus 0:30-0:45, outro 0:45-1:00."
SECTIONS = {"intro": (0, 15000), "verse": (15000, 30000), "chorus": (30000, 45000), "outro": (45000, 60000)}
BEAT_MS = 500
SONG_MS = 60000


def resolve_time(text: str) -> int:
    t = text.strip().lower()
    if m := re.fullmatch(r"(\d+):(\d{1,2}(?:\.\d+)?)", t):
        return int(int(m[1]) * 60000 + float(m[2]) * 1000)
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?)?", t):
        return int(float(m[1]) * 1000)
    if m := re.fullmatch(r"beat (\d+)", t):
        return (int(m[1]) - 1) * BEAT_MS
    if m := re.fullmatch(r"bar (\d+)", t):
        return (int(m[1]) - 1) * 4 * BEAT_MS
    for name, (start, _end) in SECTIONS.items():
        if name in t:
            return start
    raise ValueError(f"cannot read time {text!r}")


def resolve_duration(text: str) -> int:
    t = text.strip().lower()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?)", t):
        return int(float(m[1]) * 1000)
    if m := re.fullmatch(r"(\d+)\s*beats?", t):
        return int(m[1]) * BEAT_MS
    if m := re.fullmatch(r"(\d+)\s*bars?", t):
        return int(m[1]) * 4 * BEAT_MS
    return resolve_time(t)


@dataclass
class Timeline:
    """segments[ball] = list of (start_ms, end_ms, color)."""

    segments: dict[int, list[tuple[int, int, str]]] = field(default_factory=lambda: {1: [], 2: [], 3: []})

    def _balls(self, ball: str) -> list[int]:
        return [1, 2, 3] if ball == "all" else [int(ball)]

    def apply(self, name: str, args: dict) -> str:
        if name == "create_segment":
            start = resolve_time(args["start"])
            end = min(SONG_MS, start + resolve_duration(args["duration"]))
            for b in self._balls(args["ball"]):
                self.segments[b].append((start, end, args["color"]))
            return f"ok: ball {args['ball']} {args['color']} {start}-{end} ms"
        if name == "clear_range":
            start, end = resolve_time(args["start"]), resolve_time(args["end"])
            for b in self._balls(args["ball"]):
                self.segments[b] = [s for s in self.segments[b] if s[1] <= start or s[0] >= end]
            return f"ok: cleared ball {args['ball']} {start}-{end} ms"
        raise ValueError(f"unknown tool {name}")
