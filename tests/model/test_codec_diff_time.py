"""Codec round trips and error paths, state diffs, and exact time helpers."""

import json

import pytest

from sequence_maker.model import (
    AudioRef,
    Ball,
    BeatGrid,
    Lyrics,
    LyricWord,
    ModelError,
    Project,
    Pulse,
    Section,
    Strobe,
    codec,
    fade,
    format_ms,
    parse_clock,
    seconds_to_ms,
    solid,
)
from sequence_maker.model.codec import CodecError
from sequence_maker.model.diff import diff_states


def sample_project() -> Project:
    return Project(
        "Show", 10_000,
        [Ball("Left", 3, [solid(0, 500, "red", 2, Strobe(4.0, 0.3, phase_ms=20)), fade(500, 900, "blue", "white")]),
         Ball("Right", 4, [solid(100, 200, "green", effect=Pulse(1.5, 0.1))])],
        refresh_rate=50, audio=AudioRef("song.mp3", "ab" * 32, 9_900),
        grid=BeatGrid((0, 500, 1000), (0,), 4, 120.0, (Section("A", 0, 5000, "intro"),), 0.8),
        lyrics=Lyrics((LyricWord("hey", 100, 300),), (), "hey", "T", "A"),
    )


def test_state_round_trips_through_json():
    state = sample_project().snapshot()
    text = json.dumps(codec.state_to_dict(state))
    assert codec.state_from_dict(json.loads(text)) == state


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda d: d["balls"][1]["segments"][0].update(color=[0, 300, 0]), "state.balls[1].segments[0].color"),
    (lambda d: d["balls"][0]["segments"][1].update(kind="sparkle"), "state.balls[0].segments[1].kind"),
    (lambda d: d["balls"][0]["segments"][0].update(start_ms="0"), "state.balls[0].segments[0].start_ms"),
    (lambda d: d["balls"][0]["segments"][0]["effect"].update(type="laser"), "state.balls[0].segments[0].effect.type"),
    (lambda d: d.update(balls={}), "state.balls"),
    (lambda d: d["balls"][0]["segments"][1].update(start_ms=400), "state.balls[0]"),
])
def test_codec_errors_name_the_path(mutate, path):
    d = codec.state_to_dict(sample_project().snapshot())
    mutate(d)
    with pytest.raises(CodecError) as exc:
        codec.state_from_dict(d)
    assert exc.value.path == path


def test_diff_reports_added_removed_changed_and_props():
    before = sample_project().snapshot()
    p = sample_project()
    left = p.balls[0]
    left.replace([left.segments[1]], [fade(500, 900, "blue", "black")])
    left.replace([], [solid(2000, 2100, "red")])
    p.balls[1].replace(list(p.balls[1].segments), [])
    p.name = "Show 2"
    d = diff_states(before, p.snapshot())
    assert d.counts() == {"added": 1, "removed": 1, "changed": 1}
    assert d.props["name"] == ("Show", "Show 2")
    assert not d.empty
    assert diff_states(before, before).empty


def test_time_helpers_are_exact():
    assert seconds_to_ms(1.2345) == 1235 and seconds_to_ms(0.0005) == 1
    assert seconds_to_ms(-0.0015) == -2
    assert format_ms(83_456) == "1:23.456"
    assert parse_clock("1:23.5") == 83_500 and parse_clock("0:01:05") == 65_000 and parse_clock("12.5") == 12_500
    with pytest.raises(ModelError, match="cannot read"):
        parse_clock("soon")
    with pytest.raises(ModelError):
        seconds_to_ms(float("nan"))
