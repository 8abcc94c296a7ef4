"""Colour parsing: names, hex, lists, dicts; bad input is rejected, never clamped."""

import pytest

from sequence_maker.model import NAMED_COLORS, Color, ModelError, parse_color
from sequence_maker.model.color import hsv_to_color, lerp_color


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("red", (255, 0, 0)),
        ("  Warm_White ", (255, 180, 100)),
        ("sky-blue", (135, 206, 235)),
        ("#0f8", (0, 255, 136)),
        ("00FF80", (0, 255, 128)),
        ([1, 2, 3], (1, 2, 3)),
        ((255, 255, 255), (255, 255, 255)),
        ([10.0, 20.0, 30.0], (10, 20, 30)),
        ({"rgb": [4, 5, 6]}, (4, 5, 6)),
        ({"hex": "#102030"}, (16, 32, 48)),
        ({"name": "gold"}, (255, 215, 0)),
        ({"hsv": [120, 100, 100]}, (0, 255, 0)),
    ],
)
def test_parse_color_accepts_every_documented_form(value, expected):
    assert parse_color(value) == Color(*expected)


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("reddish", "unknown colour"),
        ("#12345", "unknown colour"),
        ([256, 0, 0], "outside 0–255"),
        ([-1, 0, 0], "outside 0–255"),
        ([1, 2], "[r, g, b]"),
        ([1.5, 2, 3], "integers"),
        ([True, 0, 0], "integers"),
        ({"rgb": [1, 2, 3, 4]}, "[r, g, b]"),
        ({"foo": 1}, "rgb/hex/name/hsv"),
        ({"hsv": [400, 50, 50]}, "hsv out of range"),
        (None, "[r, g, b]"),
    ],
)
def test_parse_color_rejects_bad_values_with_a_clear_message(value, needle):
    with pytest.raises(ModelError, match=None) as exc:
        parse_color(value)
    assert needle in str(exc.value)


def test_every_named_colour_is_a_valid_color():
    for name, c in NAMED_COLORS.items():
        assert parse_color(name) == c
        assert Color.of(list(c)) == c


def test_helpers_round_half_up_and_format_hex():
    assert lerp_color(Color(0, 0, 0), Color(255, 255, 1), 0.5) == Color(128, 128, 1)
    assert Color(255, 255, 255).scaled(0.5) == Color(128, 128, 128)
    assert Color(1, 171, 255).hex() == "#01abff"
    assert hsv_to_color(0, 0, 100) == Color(255, 255, 255)
