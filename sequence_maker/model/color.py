"""RGB colours and the one table of colour names used everywhere (assistant, seqdesign, UI)."""

from __future__ import annotations

import colorsys
import re
from typing import NamedTuple

from .errors import ModelError


class Color(NamedTuple):
    """An RGB colour, each channel an int 0–255."""

    r: int
    g: int
    b: int

    @classmethod
    def of(cls, value: object) -> Color:
        """Validate and convert a 3-sequence of ints (or a Color) without clamping."""
        if isinstance(value, Color):
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise ModelError(f"colour must be [r, g, b], got {value!r}")
        out = []
        for ch in value:
            if isinstance(ch, bool) or not isinstance(ch, int):
                if isinstance(ch, float) and ch.is_integer():
                    ch = int(ch)
                else:
                    raise ModelError(f"colour channels must be integers 0–255, got {value!r}")
            if not 0 <= ch <= 255:
                raise ModelError(f"colour channel {ch} outside 0–255 in {list(value)!r}")
            out.append(ch)
        return cls(out[0], out[1], out[2])

    def scaled(self, factor: float) -> Color:
        """Brightness-scaled copy (factor 0–1), rounded half up."""
        return Color(*(int(c * factor + 0.5) for c in self))

    def hex(self) -> str:
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"


BLACK = Color(0, 0, 0)

#: The fixed colour-name table (superset of the earlier seqdesign table). Lower-case keys.
NAMED_COLORS: dict[str, Color] = {
    "black": Color(0, 0, 0),
    "white": Color(255, 255, 255),
    "red": Color(255, 0, 0),
    "green": Color(0, 255, 0),
    "blue": Color(0, 0, 255),
    "yellow": Color(255, 255, 0),
    "cyan": Color(0, 255, 255),
    "magenta": Color(255, 0, 255),
    "orange": Color(255, 165, 0),
    "purple": Color(128, 0, 128),
    "pink": Color(255, 192, 203),
    "brown": Color(165, 42, 42),
    "gray": Color(128, 128, 128),
    "grey": Color(128, 128, 128),
    "lime": Color(0, 255, 0),
    "navy": Color(0, 0, 128),
    "teal": Color(0, 128, 128),
    "olive": Color(128, 128, 0),
    "maroon": Color(128, 0, 0),
    "gold": Color(255, 215, 0),
    "silver": Color(192, 192, 192),
    "indigo": Color(75, 0, 130),
    "violet": Color(238, 130, 238),
    "turquoise": Color(64, 224, 208),
    "turqoise": Color(64, 224, 208),
    "off": Color(0, 0, 0),
    "warm white": Color(255, 180, 100),
    "amber": Color(255, 191, 0),
    "crimson": Color(220, 20, 60),
    "aqua": Color(0, 255, 255),
    "fuchsia": Color(255, 0, 255),
    "lavender": Color(181, 126, 220),
    "mint": Color(62, 180, 137),
    "coral": Color(255, 127, 80),
    "salmon": Color(250, 128, 114),
    "sky blue": Color(135, 206, 235),
    "hot pink": Color(255, 105, 180),
    "dark blue": Color(0, 0, 139),
    "dark green": Color(0, 100, 0),
    "dark red": Color(139, 0, 0),
    "light blue": Color(173, 216, 230),
    "light green": Color(144, 238, 144),
}

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_color(value: object) -> Color:
    """Parse a name, '#RGB'/'#RRGGBB', [r,g,b], {"rgb"|"hex"|"name"|"hsv": …} into a Color.

    Raises ModelError naming the problem; never clamps out-of-range values.
    """
    if isinstance(value, Color):
        return value
    if isinstance(value, str):
        key = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
        if key in NAMED_COLORS:
            return NAMED_COLORS[key]
        m = _HEX.match(value.strip())
        if m:
            h = m.group(1)
            if len(h) == 3:
                h = "".join(c * 2 for c in h)
            return Color(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        raise ModelError(f"unknown colour {value!r}; use a name from the colour table, '#RRGGBB' or [r, g, b]")
    if isinstance(value, dict):
        if "rgb" in value:
            return Color.of(value["rgb"])
        if "hex" in value:
            return parse_color(str(value["hex"]))
        if "name" in value:
            return parse_color(str(value["name"]))
        if "hsv" in value:
            return hsv_to_color(*value["hsv"])
        raise ModelError(f"colour object needs one of rgb/hex/name/hsv, got keys {sorted(value)}")
    return Color.of(value)


def hsv_to_color(h: float, s: float, v: float) -> Color:
    """H 0–360, S/V 0–100 (the earlier tools' convention) → Color, rounded."""
    if not (0 <= h <= 360 and 0 <= s <= 100 and 0 <= v <= 100):
        raise ModelError(f"hsv out of range (H 0–360, S/V 0–100): {[h, s, v]!r}")
    r, g, b = colorsys.hsv_to_rgb((h % 360) / 360.0, s / 100.0, v / 100.0)
    return Color(round(r * 255), round(g * 255), round(b * 255))


def lerp_color(a: Color, b: Color, frac: float) -> Color:
    """Linear interpolation between two colours, rounded half up."""
    return Color(*(int(x + (y - x) * frac + 0.5) for x, y in zip(a, b, strict=True)))
