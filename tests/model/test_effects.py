"""Effects: rendering into plain segments agrees with the analytic colour at tick centres."""

import pytest

from sequence_maker.model import Color, Pulse, Rainbow, Strobe, fade, solid
from sequence_maker.model.effects import color_at, rainbow_color, render

TICK = 10


def piece_at(pieces, t):
    return next(p for p in pieces if p.start_ms <= t < p.end_ms)


def check_cover(seg, pieces):
    assert pieces[0].start_ms == seg.start_ms and pieces[-1].end_ms == seg.end_ms
    for a, b in zip(pieces, pieces[1:], strict=False):
        assert a.end_ms == b.start_ms
    assert all(p.effect is None and p.pixels == seg.pixels for p in pieces)
    assert all(p.start_ms % TICK == 0 for p in pieces)


def max_channel_error(seg, pieces):
    worst = 0
    for t0 in range(seg.start_ms, seg.end_ms, TICK):
        t = t0 + TICK / 2
        rendered = piece_at(pieces, t).base_color_at(t)
        worst = max(worst, *(abs(a - b) for a, b in zip(rendered, color_at(seg, t), strict=True)))
    return worst


@pytest.mark.parametrize("seg", [
    solid(0, 3000, "red", 3, Strobe(2.0)),
    solid(120, 2120, "white", 4, Strobe(4.0, 0.25, Color(0, 0, 40))),
    fade(0, 2000, "red", "blue", 4, Strobe(5.0)),
    solid(1130, 2990, "green", 4, Strobe(2.0, 0.5, Color(0, 0, 0), phase_ms=370)),
])
def test_strobe_render_matches_color_at_exactly_at_tick_centres(seg):
    pieces = render(seg, TICK)
    check_cover(seg, pieces)
    assert max_channel_error(seg, pieces) <= 1  # fades: rounding of cut colours only


@pytest.mark.parametrize("seg", [
    solid(0, 4000, "red", 4, Pulse(1.0, 0.2)),
    fade(500, 3500, "white", "blue", 2, Pulse(2.0, 0.0, phase_ms=130)),
])
def test_pulse_render_is_a_close_piecewise_linear_approximation(seg):
    pieces = render(seg, TICK)
    check_cover(seg, pieces)
    # 6 linear pieces per half cycle: within ~2 % of the swing (one piece per half was 11 %)
    assert max_channel_error(seg, pieces) <= 0.03 * 255
    for p in pieces[1:]:  # boundaries land on extremes, where they agree closely
        assert max(abs(a - b) for a, b in zip(p.base_color_at(p.start_ms), color_at(seg, p.start_ms),
                                              strict=True)) <= 6


@pytest.mark.parametrize("seg", [solid(0, 5000, "red", 4, Rainbow(0.5)), solid(300, 2300, "red", 1, Rainbow(2.0, 250))])
def test_rainbow_render_matches_within_one_tick_of_hue(seg):
    pieces = render(seg, TICK)
    check_cover(seg, pieces)
    slope_per_tick = 255 * 6 * seg.effect.cycles_per_s * TICK / 1000
    assert max_channel_error(seg, pieces) <= slope_per_tick + 1


def test_plain_segment_renders_as_itself_and_rainbow_wheel_is_periodic():
    s = solid(0, 100, "red")
    assert render(s, TICK) == [s]
    assert rainbow_color(0.0) == rainbow_color(1.0) == Color(255, 0, 0)
    assert rainbow_color(1 / 3) == Color(0, 255, 0)


def test_trimmed_effect_keeps_its_phase():
    s = solid(0, 2000, "red", effect=Strobe(2.0))
    right = s.trimmed(1100, 2000)
    assert right.effect.phase_ms == 1100
    for t in range(1100, 2000, 5):
        assert color_at(right, t) == color_at(s, t)
    assert render(right, TICK)[0].start_ms == 1100
