"""Argument shapes shared by the tools: times, balls and colours as users say them."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from .registry import ToolArgs

TimeValue = Annotated[
    float | str,
    Field(description="seconds, 'm:ss', 'bar 5' or section"),
]
DurationValue = Annotated[float | str, Field(description="seconds, '4 beats' or '2 bars'")]
BallsValue = Annotated[
    int | str | list[int],
    Field(description="ball number from 1, a list [1, 3] or 'all'"),
]
BallValue = Annotated[int, Field(description="one ball number (1 = first ball)")]
ColorValue = Annotated[
    str | Annotated[list[int], Field(min_length=3, max_length=3)],
    Field(description="name, '#RRGGBB' or [r, g, b]"),
]
WHEN_HELP = ("e.g. 'chorus', 'verse 2', 'bar 5', 'beats 1-8', 'last 10 seconds', '0:30-0:45', "
             "'2.5 seconds starting at 0:30', 'all'")
#: Marks an argument that only re-says what another one can say; small models get the schema
#: without it (see registry.schema_views), big models keep both spellings.
ADVANCED = {"x-advanced": True}


class SpanArgs(ToolArgs):
    """A time range, either as ``when`` text or as start + end/duration.

    ``when`` alone can say every range ("2.5 seconds starting at 0:30", "between 0:20 and 0:25"),
    so the small-model view keeps only ``when`` (required where a range is required).
    """

    model_config = ConfigDict(json_schema_extra={"x-small-model-required": ["when"]})

    when: str | None = Field(None, description=WHEN_HELP)
    start: TimeValue | None = Field(None, json_schema_extra=ADVANCED)
    duration: DurationValue | None = Field(None, json_schema_extra=ADVANCED)
    end: TimeValue | None = Field(None, json_schema_extra=ADVANCED)

    def span_kwargs(self) -> dict[str, object]:
        return {"when": self.when, "start": self.start, "end": self.end, "duration": self.duration}


class OptionalSpanArgs(SpanArgs):
    """Like :class:`SpanArgs`, but no time given means the whole song."""

    model_config = ConfigDict(json_schema_extra={"x-small-model-required": []})

    def span_kwargs(self) -> dict[str, object]:
        if self.when is None and self.start is None and self.end is None and self.duration is None:
            return {"when": "all"}
        return super().span_kwargs()
