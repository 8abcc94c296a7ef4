"""Exact time helpers: seconds ↔ integer milliseconds, and human-readable formatting."""

from __future__ import annotations

import math
import re

from .errors import ModelError

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s*$")


def seconds_to_ms(seconds: float) -> int:
    """Round seconds to the nearest millisecond (half away from zero); rejects NaN/inf."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ModelError(f"time must be a finite number of seconds, got {seconds!r}")
    return int(math.floor(seconds * 1000 + 0.5)) if seconds >= 0 else -int(math.floor(-seconds * 1000 + 0.5))


def ms_to_seconds(ms: int) -> float:
    return ms / 1000.0


def format_ms(ms: int) -> str:
    """1234567 → '20:34.567'."""
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    m, rem = divmod(ms, 60000)
    return f"{sign}{m}:{rem // 1000:02d}.{rem % 1000:03d}"


def parse_clock(text: str) -> int:
    """'1:23', '1:23.5', '0:01:05' or '12.5' (seconds) → milliseconds."""
    m = _CLOCK.match(text)
    if m:
        h, mm, ss = m.groups()
        total = (int(h) * 3600 if h else 0) + int(mm) * 60 + float(ss)
        return seconds_to_ms(total)
    try:
        return seconds_to_ms(float(text))
    except ValueError:
        raise ModelError(f"cannot read {text!r} as a time; use seconds (12.5) or m:ss (1:23.5)") from None
