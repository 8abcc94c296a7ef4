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


def test_grid_correction_arithmetic(page: Any, server: Any) -> None:
    """×2, ÷2, half-beat shift and nudge keep beats sorted, inside the song and downbeats on beats."""
    page.goto(server.url + "/")
    grid = {"beats_ms": [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000], "downbeats_ms": [0, 2000, 4000],
            "beats_per_bar": 4, "tempo_bpm": 120.0, "sections": [], "confidence": 1.0}
    out = page.evaluate(
        """async (g) => { const e = await import('/js/edit.js');
             const r = {};
             for (const op of ['double', 'halve', 'half_shift', 'nudge_left', 'nudge_right'])
               r[op] = e.correctedGrid(g, op, 4000);
             return r; }""", grid)
    assert out["double"]["beats_ms"] == list(range(0, 4001, 250)) and out["double"]["tempo_bpm"] == 240
    assert out["double"]["downbeats_ms"] == [0, 1000, 2000, 3000, 4000]
    assert out["halve"]["beats_ms"] == [0, 1000, 2000, 3000, 4000] and out["halve"]["tempo_bpm"] == 60
    assert out["half_shift"]["beats_ms"] == [250, 750, 1250, 1750, 2250, 2750, 3250, 3750]
    assert out["nudge_left"]["beats_ms"][0] == 490 and out["nudge_left"]["downbeats_ms"] == [1990, 3990]
    assert out["nudge_right"]["beats_ms"][-1] == 3510 and out["nudge_right"]["downbeats_ms"] == [10, 2010]
    for g in out.values():
        assert g["beats_ms"] == sorted(g["beats_ms"]) and all(0 <= b <= 4000 for b in g["beats_ms"])
        assert set(g["downbeats_ms"]) <= set(g["beats_ms"])
