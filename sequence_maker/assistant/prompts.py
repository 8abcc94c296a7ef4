"""System prompt, prompt templates, custom instructions and user feedback.

The system prompt is built from a fixed part (identical every request, so prompt caches hit) and
a per-turn tail (project context, custom instructions, feedback). Templates turn a short intent
("describe the song structure") into a well-formed request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model.color import NAMED_COLORS

_COLOR_NAMES = ", ".join(n for n in NAMED_COLORS if n not in ("turqoise", "grey", "off"))

BASE_PROMPT = f"""You design light shows for LED juggling balls, in sync with a song, by calling tools.
Each ball has one timeline of coloured segments. Balls are numbered from 1; "all" means every ball.

How to work:
- Make edits with tools; never just describe an edit. Prefer ONE musical tool call per request:
  beat_pattern for anything on beats/bars (flash, alternate, chase, "ball 2 half a beat later" = stagger_beats 0.5),
  section_theme for colours per section, fade_range for fades, highlight_lyrics for words.
- Say times the way the user said them; the tools do the maths. Use 'when' ("chorus", "bar 5",
  "bars 5-8", "beats 1-8", "first 8 beats", "last 10 seconds", "0:30-0:45", "all"), or start + duration
  ("for 2.5 seconds starting at 0:30" = start "0:30", duration 2.5). Do not compute seconds from beats yourself.
- Colours: a name from this table, '#RRGGBB' or [r, g, b]: {_COLOR_NAMES}.
- If a tool returns an error, read it, fix the arguments and call again.
- Use the read tools (get_segments, get_beats, get_sections, get_energy, get_lyrics) when you need details.
- Player control: play_audio, pause_audio, stop_audio, seek_audio, set_volume.
- When done, answer in one or two short sentences saying what you changed."""


@dataclass(frozen=True, slots=True)
class Feedback:
    """A user's verdict on an earlier result (liked/disliked), folded into later prompts."""

    liked: bool
    request: str
    note: str = ""


def feedback_block(feedback: Sequence[Feedback], limit: int = 6) -> str:
    if not feedback:
        return ""
    lines = []
    for f in list(feedback)[-limit:]:
        verdict = "liked" if f.liked else "disliked"
        lines.append(f"- The user {verdict} the result of: {f.request[:160]!r}" + (f" ({f.note[:160]})" if f.note else ""))
    return "Feedback on earlier results (do more of what was liked, avoid what was disliked):\n" + "\n".join(lines)


def fixed_system_text(custom_instructions: str = "", feedback: Sequence[Feedback] = ()) -> str:
    """The part of the system prompt that precedes the project: the same on every request of a
    user, so a local model can evaluate it once at start-up (see ``OfflineProvider.load``)."""
    parts = [BASE_PROMPT]
    if custom_instructions.strip():
        parts.append("The user's standing instructions (follow them):\n" + custom_instructions.strip())
    fb = feedback_block(feedback)
    if fb:
        parts.append(fb)
    return "\n\n".join(parts)


def system_prompt(context_json: str, custom_instructions: str = "", feedback: Sequence[Feedback] = ()) -> str:
    """The full system prompt: fixed rules first (cacheable prefix), then the project.

    The project's timelines in it are those of the chat's first turn, so the system prompt stays
    byte-identical while the user edits (anything that changes here makes a prompt cache re-read
    the whole conversation after it). Later turns carry the timelines only when someone other
    than the assistant changed them (:func:`turn_content`)."""
    return (fixed_system_text(custom_instructions, feedback)
            + "\n\nProject at the start of this chat (compact; read details with tools):\n" + context_json)


TIMELINES_HEADER = "Timelines at this request:"


def turn_content(text: str, timelines: str | None) -> str:
    """A user turn as the model reads it: the request, then the timelines it was asked on.

    Request first, as in the few-shot examples: with the snapshot in front, the embedded 1.5B
    model misread requests ("bar 5" became the whole song) on the eval suite."""
    if not timelines:
        return text
    return f"{text}\n({TIMELINES_HEADER} {timelines})"


#: Named templates; ``{text}`` is the user's extra words (section name, style …).
TEMPLATES: dict[str, str] = {
    "describe_structure": "Describe the song's structure (sections, tempo, where the energy rises and falls) "
                          "in a few lines. Do not change anything. {text}",
    "suggest_palette": "Suggest a colour palette for {text} that fits its energy, then apply it with section_theme.",
    "beat_sync": "Make a beat-synced pattern: {text}. Use beat_pattern so the timing follows the beat grid.",
    "light_show": "Design a full light show for the whole song: a colour per section (section_theme with "
                  "energy_brightness), then beat flashes in the choruses. {text}",
}


def apply_template(name: str | None, text: str) -> str:
    """Expand a template with the user's text; unknown names raise with the list of valid ones."""
    if not name:
        return text
    if name not in TEMPLATES:
        raise ValueError(f"unknown prompt template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return " ".join(TEMPLATES[name].format(text=text.strip()).split())
