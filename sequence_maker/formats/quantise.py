"""Project ball (integer ms, effects) → tick timeline at an export rate, reporting every change.

Rule (documented in docs/formats.md): each boundary maps to ``ticks = ms · rate / 1000`` rounded
half up. Off-grid boundaries are a warning. A segment whose start and end round to the same tick
would vanish: that is an error that blocks export, unless ``merge_short`` is set, in which case it
is left out and its neighbours meet at the shared rounded tick (still reported, as a warning).
Effects are rendered with :func:`sequence_maker.model.effects.render` on the export grid.
"""

from __future__ import annotations

from sequence_maker.model.effects import render
from sequence_maker.model.project import VALID_REFRESH_RATES, Project
from sequence_maker.model.segment import Fade, Rainbow, Segment, Strobe
from sequence_maker.model.timeutil import format_ms

from .errors import FormatError
from .lint import LintIssue
from .timeline import TickSegment, TickTimeline, merge_solids, shown_as

EXPORT_RATES = (1, 10, 50, 100, 1000)


def check_rate(rate: int) -> None:
    if isinstance(rate, bool) or not isinstance(rate, int) or rate not in VALID_REFRESH_RATES:
        raise FormatError(f"{rate!r} ticks/s does not give whole-millisecond ticks; use one of "
                          f"{', '.join(map(str, EXPORT_RATES))}", field="rate")


def ms_to_ticks(ms: int, rate: int) -> int:
    """Nearest tick, ties rounded up (exact integer arithmetic)."""
    return (2 * ms * rate + 1000) // 2000


def on_grid(ms: int, rate: int) -> bool:
    return (ms * rate) % 1000 == 0


def _effect_issue(seg: Segment, rate: int, ball: str) -> LintIssue | None:
    eff = seg.effect
    if isinstance(eff, Strobe) and 2 * eff.hz > rate:
        return LintIssue("warning", ball, seg.start_ms,
                         f"strobe at {eff.hz:g} Hz is faster than {rate} ticks/s can show",
                         "flashes are snapped to the tick grid and may merge; export at a higher rate")
    if isinstance(eff, Rainbow) and 6 * eff.cycles_per_s > rate:
        return LintIssue("warning", ball, seg.start_ms,
                         f"rainbow at {eff.cycles_per_s:g} cycles/s is too fast for {rate} ticks/s",
                         "colours are sampled on the tick grid; export at a higher rate")
    return None


def _length_issues(duration_ms: int, rate: int, end: int) -> list[LintIssue]:
    tick_ms = 1000 // rate
    if end < 1:
        return [LintIssue("warning", None, duration_ms, f"project is shorter than one {tick_ms} ms tick",
                          "exported as 1 tick")]
    if not on_grid(duration_ms, rate):
        return [LintIssue("warning", None, duration_ms,
                          f"project length {format_ms(duration_ms)} is not a whole number of {tick_ms} ms ticks",
                          f"exported as {end} ticks ({format_ms(end * tick_ms)})")]
    return []


def ball_to_timeline(project: Project, ball_index: int, rate: int, *,
                     merge_short: bool = False) -> tuple[TickTimeline, list[LintIssue]]:
    """The ball as a gap-free tick timeline at ``rate`` plus the lint issues the conversion found."""
    check_rate(rate)
    ball = project.ball(ball_index)
    name = ball.name
    issues: list[LintIssue] = []
    tick_ms = 1000 // rate
    end = ms_to_ticks(project.duration_ms, rate)
    if ball_index == 0:  # project-wide findings are reported once
        issues.extend(_length_issues(project.duration_ms, rate, end))
    end = max(end, 1)
    out: list[TickSegment] = []
    for seg in ball.segment_list():
        a, b = ms_to_ticks(seg.start_ms, rate), ms_to_ticks(seg.end_ms, rate)
        if a == b:
            what = (f"segment {format_ms(seg.start_ms)}–{format_ms(seg.end_ms)} ({seg.duration_ms} ms) is shorter "
                    f"than the {tick_ms} ms tick and rounds to 0 ticks")
            if merge_short:
                issues.append(LintIssue("warning", name, seg.start_ms, what,
                                        f"left out; its neighbours meet at {format_ms(a * tick_ms)}"))
            else:
                issues.append(LintIssue("error", name, seg.start_ms, what,
                                        "lengthen it, export at a higher rate, or allow merging short segments"))
            continue
        if not (on_grid(seg.start_ms, rate) and on_grid(seg.end_ms, rate)):
            issues.append(LintIssue("warning", name, seg.start_ms,
                                    f"segment {format_ms(seg.start_ms)}–{format_ms(seg.end_ms)} is not on the "
                                    f"{tick_ms} ms tick grid",
                                    f"rounded to {format_ms(a * tick_ms)}–{format_ms(b * tick_ms)}"))
        eff_issue = _effect_issue(seg, rate, name)
        if eff_issue:
            issues.append(eff_issue)
        for piece in render(seg, tick_ms):
            pa, pb = ms_to_ticks(piece.start_ms, rate), ms_to_ticks(piece.end_ms, rate)
            if pb <= pa:
                continue  # an effect flash narrower than a tick inside a longer segment (sampling)
            kind = piece.kind
            if isinstance(kind, Fade):
                out.append(TickSegment(pa, pb, tuple(kind.start), tuple(kind.end), piece.pixels))  # type: ignore[arg-type]
            else:
                out.append(TickSegment(pa, pb, tuple(kind.color), None, piece.pixels))  # type: ignore[arg-type]
    tl = TickTimeline(rate, ball.default_pixels, end, [shown_as(s) for s in out], name)
    tl.segments = merge_solids(tl.filled())  # gaps become black; equal neighbours join
    return tl, issues
