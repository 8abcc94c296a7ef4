"""Accuracy targets on synthetic songs with exact ground truth (mir_eval scoring)."""

from __future__ import annotations

import pytest
from audio_accuracy_suite import TARGETS, Score, run_suite, summary, table


@pytest.fixture(scope="module")
def scores() -> list[Score]:
    result = run_suite()
    print("\n" + table(result))
    return result


def test_suite_covers_the_required_cases(scores: list[Score]) -> None:
    tempi = [s.tempo_true for s in scores]
    assert min(tempi) <= 60.5 and max(tempi) >= 199.5
    assert {s.meter_true for s in scores} == {3, 4}
    assert any("swing" in s.name for s in scores) and any("ramp" in s.name for s in scores)
    assert any("jump" in s.name for s in scores) and any("silent intro" in s.name for s in scores)
    assert any("humanised" in s.name for s in scores) and any("drumless" in s.name for s in scores)


def test_beat_f_measure(scores: list[Score]) -> None:
    summ = summary(scores)
    assert summ["beat_f_mean"] >= TARGETS["beat_f_mean"], table(scores)
    worst = min(scores, key=lambda s: s.beat_f)
    assert worst.beat_f >= TARGETS["beat_f_min"], f"{worst.name}: beat F {worst.beat_f:.3f}"


def test_tempo_within_4_percent(scores: list[Score]) -> None:
    bad = [f"{s.name}: {s.tempo_est:.1f} vs {s.tempo_true:.1f}" for s in scores if not s.tempo_ok]
    assert summary(scores)["tempo_ok_share"] >= TARGETS["tempo_ok_share"], bad


def test_downbeats_and_meter(scores: list[Score]) -> None:
    summ = summary(scores)
    assert summ["downbeat_f_mean"] >= TARGETS["downbeat_f_mean"], table(scores)
    wrong = [s.name for s in scores if s.meter_est != s.meter_true]
    assert summ["meter_ok_share"] >= TARGETS["meter_ok_share"], wrong


def test_sections_hit_rate_and_downbeat_alignment(scores: list[Score]) -> None:
    assert summary(scores)["section_hr3f_mean"] >= TARGETS["section_hr3f_mean"], table(scores)
    off = [s.name for s in scores if not s.boundaries_on_downbeats]
    assert not off, f"section boundaries off the downbeats in {off}"


def test_chorus_guess_is_the_most_repeated_loudest_block(scores: list[Score]) -> None:
    # plan ABABCB: B repeats most and is the loudest style, so B must carry the chorus mark
    abab_cb = [s for s in scores if s.name.endswith("ABABCB")]
    assert abab_cb
    for s in abab_cb:
        chorus = {lab.rstrip("*′") for lab in s.labels.split("-") if lab.endswith("*")}
        assert chorus == {"B"}, f"{s.name}: {s.labels}"
