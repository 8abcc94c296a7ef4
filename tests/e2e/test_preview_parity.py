"""The ball preview circles must show what the balls will show: the browser's colour-at-time
(js/colors.js) must agree with the model's (model/effects.py) for fades and every effect."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_maker.model.codec import segment_to_dict
from sequence_maker.model.effects import color_at
from sequence_maker.model.segment import Pulse, Rainbow, Strobe, fade, solid

pytestmark = pytest.mark.e2e

SEGMENTS = [
    solid(0, 1000, [10, 200, 30]),
    fade(1000, 4000, [255, 0, 0], [0, 0, 255]),
    solid(0, 3000, [255, 128, 0], effect=Strobe(hz=7.5, duty=0.3, off_color=(0, 0, 40))),
    fade(500, 5500, [0, 255, 0], [255, 255, 255], effect=Pulse(hz=2.0, min_brightness=0.1)),
    solid(0, 6000, [0, 0, 0], effect=Rainbow(cycles_per_s=0.7)),
]


def test_browser_colour_at_matches_model(page: Any, server: Any) -> None:
    page.goto(server.url + "/")
    cases = []
    for seg in SEGMENTS:
        times = [seg.start_ms + (seg.end_ms - seg.start_ms) * k / 97 for k in range(97)]
        cases.append((segment_to_dict(seg), times, [list(color_at(seg, t)) for t in times]))
    got = page.evaluate(
        """async (cases) => { const c = await import('/js/colors.js');
             return cases.map(([seg, times]) => times.map((t) => c.colorAt(seg, t))); }""",
        [[d, t] for d, t, _ in cases])
    for (d, times, want), have in zip(cases, got, strict=True):
        for t, w, h in zip(times, want, have, strict=True):
            assert max(abs(a - b) for a, b in zip(w, h, strict=True)) <= 1, (d, t, w, h)
