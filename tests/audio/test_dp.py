"""The numpy DP beat tracker follows pulses, including a changing period."""

from __future__ import annotations

import numpy as np

from sequence_maker.audio.dp import track


def pulse_train(times: np.ndarray, n: int) -> np.ndarray:
    env = np.zeros(n)
    env[np.round(times).astype(int)] = 1.0
    return env


def test_steady_pulses_are_found_exactly() -> None:
    truth = np.arange(10, 2000, 43.0)
    beats = track(pulse_train(truth, 2010), np.full(2010, 43.0))
    assert len(beats) == len(truth)
    assert np.max(np.abs(beats - np.round(truth))) <= 1


def test_follows_a_period_that_changes_mid_song() -> None:
    first = np.arange(20, 1000, 40.0)
    second = first[-1] + np.arange(30.0, 1000, 30.0)
    truth = np.concatenate([first, second])
    n = int(truth[-1]) + 10
    period = np.where(np.arange(n) < first[-1], 40.0, 30.0)
    beats = track(pulse_train(truth, n), period)
    hits = sum(np.min(np.abs(beats - t)) <= 1 for t in truth)
    assert hits >= len(truth) - 1 and len(beats) <= len(truth) + 1


def test_skips_the_silent_lead_in_and_ignores_weak_off_beats() -> None:
    truth = np.arange(500, 3000, 50.0)
    env = pulse_train(truth, 3010) + 0.2 * pulse_train(truth + 25, 3010)
    beats = track(env, np.full(3010, 50.0))
    assert beats[0] >= 490
    assert np.all(np.min(np.abs(beats[:, None] - truth[None, :]), axis=1) <= 1)


def test_no_onsets_no_beats() -> None:
    assert len(track(np.zeros(500), np.full(500, 40.0))) == 0
