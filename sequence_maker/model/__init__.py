"""The domain model: projects, balls, segments, effects, grid and lyrics.

Pure Python, no I/O, no HTTP, no LLM. Every other layer builds on these types.
"""

from .ball import Ball
from .color import BLACK, NAMED_COLORS, Color, parse_color
from .errors import ModelError
from .grid import BeatGrid, Section
from .lyrics import LyricLine, Lyrics, LyricWord
from .project import VALID_REFRESH_RATES, AudioRef, BallState, Project, ProjectState
from .segment import Fade, Pulse, Rainbow, Segment, Solid, Strobe, fade, solid
from .timeutil import format_ms, ms_to_seconds, parse_clock, seconds_to_ms

__all__ = [
    "Ball", "BLACK", "NAMED_COLORS", "Color", "parse_color", "ModelError", "BeatGrid", "Section",
    "LyricLine", "Lyrics", "LyricWord", "VALID_REFRESH_RATES", "AudioRef", "BallState", "Project",
    "ProjectState", "Fade", "Pulse", "Rainbow", "Segment", "Solid", "Strobe", "fade", "solid",
    "format_ms", "ms_to_seconds", "parse_clock", "seconds_to_ms",
]
