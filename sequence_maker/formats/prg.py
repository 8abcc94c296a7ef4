"""Byte-exact LTX ``.prg`` encoder and decoder (reference: ltx-formats.md §2.1).

Layout: ``PR 03 | IN u32(5) u16 pixels 08 u16 rate | PI u32(2+19N) u16 N, N×19-byte records |
CD u32(4+3E) u32 E, E RGB triples | BT u32``. File size is ``38 + 19·N + 3·E``.

This module is pure bytes ⇄ values: no files, no project model. A decoded program keeps every
raw field (ticks-per-entry, remainder, the RGB entries, the BT trailer), so ``encode(decode(b))``
gives back ``b`` exactly; :meth:`PrgSegment.solid` / :meth:`PrgSegment.fade` build records with
the official app's rules.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .errors import FormatError

U16_MAX = 0xFFFF
U32_MAX = 0xFFFF_FFFF
HEADER_SIZE = 0x16  # PR 03, IN chunk, PI tag+len+N
RECORD_SIZE = 19
CD_HEADER_SIZE = 10  # "CD" + u32 len + u32 E
TRAILER_SIZE = 6  # "BT" + u32
FIXED_SIZE = HEADER_SIZE + CD_HEADER_SIZE + TRAILER_SIZE  # 38
SOLID_ENTRIES = 100
MAX_PIXELS = 4

_HEAD = struct.Struct("<2sB2sIHBH2sIH")  # PR 03 IN len px 08 rate PI len N
_RECORD = struct.Struct("<HHIHH3sI")  # X C offset Y pixels 01 00 00 D
_CD = struct.Struct("<2sII")
_BT = struct.Struct("<2sI")
_RECORD_CONST = b"\x01\x00\x00"

RGB = tuple[int, int, int]
SegmentKind = Literal["solid", "fade", "raw"]


def round_half_up_div(num: int, den: int) -> int:
    """round(num / den) with ties away from −∞ (den > 0), exact in integers."""
    return (2 * num + den) // (2 * den)


def fade_entries(count: int, start: RGB, end: RGB) -> bytes:
    """RGB entries of a ``count``-entry fade, as the official app writes them.

    Entry i holds ``round_half_up(start + (end-start)·j/(count-1))`` with ``j = (i//k)·k`` and
    ``k = max(1, count // 255)``: plain per-entry interpolation up to 509 entries, values held k
    entries for longer fades (observed in official 12 000–15 000-entry dumps).
    """
    if count < 1:
        raise FormatError(f"a fade needs at least 1 entry, got {count}", field="entry_count")
    if count == 1:
        return bytes(start)
    k = max(1, count // 255)
    j = (np.arange(count, dtype=np.int64) // k) * k
    den = count - 1
    s = np.asarray(start, dtype=np.int64)
    d = np.asarray(end, dtype=np.int64) - s
    num = s[None, :] * den + j[:, None] * d[None, :]
    return ((2 * num + den) // (2 * den)).astype(np.uint8).tobytes()


@dataclass(frozen=True, slots=True)
class PrgSegment:
    """One segment record plus its RGB entries, in ticks (every raw field kept for exact round trips).

    ``duration`` D ticks, ``ticks_per_entry`` X, ``remainder`` Y, ``entries`` = 3·C bytes (R,G,B).
    """

    duration: int
    entries: bytes
    ticks_per_entry: int
    remainder: int
    pixels: int = 4

    @classmethod
    def solid(cls, duration: int, color: RGB, pixels: int = 4) -> PrgSegment:
        """Official solid: 100 copies of the colour, X = D // 100, Y = D % 100."""
        _check_duration(duration)
        return cls(duration, bytes(_rgb(color)) * SOLID_ENTRIES, duration // SOLID_ENTRIES,
                   duration % SOLID_ENTRIES, pixels)

    @classmethod
    def fade(cls, duration: int, start: RGB, end: RGB, pixels: int = 4) -> PrgSegment:
        """Official fade: one entry per tick (C = D), X = 1, Y = 0."""
        _check_duration(duration)
        if duration > U16_MAX:
            raise FormatError(f"a fade of {duration} ticks needs more than {U16_MAX} entries; split it",
                              field="entry_count")
        return cls(duration, fade_entries(duration, _rgb(start), _rgb(end)), 1, 0, pixels)

    @property
    def entry_count(self) -> int:
        return len(self.entries) // 3

    def colors(self) -> list[RGB]:
        e = self.entries
        return [(e[i], e[i + 1], e[i + 2]) for i in range(0, len(e), 3)]

    @property
    def first_color(self) -> RGB:
        e = self.entries
        return (e[0], e[1], e[2])

    @property
    def last_color(self) -> RGB:
        e = self.entries
        return (e[-3], e[-2], e[-1])

    @property
    def kind(self) -> SegmentKind:
        """'solid' (one colour), 'fade' (entries follow the official fade rule) or 'raw'."""
        if self.entries == self.entries[:3] * self.entry_count:
            return "solid"
        if self.fade_colors() is not None:
            return "fade"
        return "raw"

    def fade_colors(self) -> tuple[RGB, RGB] | None:
        """(start, end) if the entries are an official fade, else None (end is recovered even when
        long fades hold values and never reach it exactly)."""
        c = self.entry_count
        if self.ticks_per_entry != 1 or self.remainder != 0 or c != self.duration or c < 2:
            return None
        start = self.first_color
        k = max(1, c // 255)
        last_j = ((c - 1) // k) * k
        end: list[int] = []
        for ch, last in enumerate(self.last_color):
            # the end value that puts the last (held) entry where it is; k = 1 makes it exact
            guess = start[ch] + (last - start[ch]) * (c - 1) / last_j
            cands = [v for v in range(round(guess) - 2, round(guess) + 3) if 0 <= v <= 255]
            hit = [v for v in cands
                   if round_half_up_div(start[ch] * (c - 1) + (v - start[ch]) * last_j, c - 1) == last]
            if len(hit) > 1:  # held values can hide the exact end: pick the one that fits every entry
                own = self.entries[ch::3]
                hit = [v for v in hit if fade_entries(c, (start[ch], 0, 0), (v, 0, 0))[0::3] == own]
            if not hit:
                return None
            end.append(hit[0])
        found = (end[0], end[1], end[2])
        if fade_entries(c, start, found) != self.entries:
            return None
        return start, found


@dataclass(frozen=True, slots=True)
class PrgProgram:
    """A whole ``.prg``: rate (ticks/s), default pixels, contiguous segments, BT trailer value."""

    refresh_rate: int
    default_pixels: int
    segments: tuple[PrgSegment, ...]
    trailer: int = 0

    def starts(self) -> list[int]:
        """Start tick of each segment (segments play back to back from tick 0)."""
        out, t = [], 0
        for s in self.segments:
            out.append(t)
            t += s.duration
        return out

    @property
    def total_ticks(self) -> int:
        return sum(s.duration for s in self.segments)

    @property
    def entry_total(self) -> int:
        return sum(s.entry_count for s in self.segments)

    @property
    def byte_size(self) -> int:
        return FIXED_SIZE + RECORD_SIZE * len(self.segments) + 3 * self.entry_total


def _rgb(color: object) -> RGB:
    if not isinstance(color, (tuple, list)) or len(color) != 3:
        raise FormatError(f"colour must be [r, g, b], got {color!r}", field="color")
    for ch in color:
        if isinstance(ch, bool) or not isinstance(ch, int) or not 0 <= ch <= 255:
            raise FormatError(f"colour channels must be integers 0–255, got {list(color)!r}", field="color")
    return (color[0], color[1], color[2])


def _check_duration(duration: int) -> None:
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= U32_MAX:
        raise FormatError(f"segment duration must be 1…{U32_MAX} ticks, got {duration!r}", field="duration")


def _check_u(value: int, limit: int, field: str, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise FormatError(f"{what} {value!r} does not fit (0…{limit})", field=field)


def encode(program: PrgProgram) -> bytes:
    """The ``.prg`` bytes of ``program``; raises FormatError naming the field that cannot be written."""
    segs = program.segments
    n = len(segs)
    _check_u(program.refresh_rate, U16_MAX, "refresh_rate", "refresh rate")
    if program.refresh_rate < 1:
        raise FormatError("refresh rate must be at least 1 tick per second", field="refresh_rate")
    if not 1 <= program.default_pixels <= MAX_PIXELS:
        raise FormatError(f"default pixels must be 1–{MAX_PIXELS}, got {program.default_pixels!r}",
                          field="default_pixels")
    _check_u(n, U16_MAX, "N", "segment count")
    _check_u(program.trailer, U32_MAX, "BT", "trailer value")
    entry_total = 0
    for i, s in enumerate(segs):
        where = f"segment {i}"
        if len(s.entries) % 3 or not s.entries:
            raise FormatError("RGB entries must be a non-empty multiple of 3 bytes", field=where)
        _check_duration(s.duration)
        _check_u(s.entry_count, U16_MAX, f"{where} entry_count", "entry count")
        _check_u(s.ticks_per_entry, U16_MAX, f"{where} ticks_per_entry", "ticks per entry")
        _check_u(s.remainder, U16_MAX, f"{where} remainder", "remainder")
        if not 1 <= s.pixels <= MAX_PIXELS:
            raise FormatError(f"pixels must be 1–{MAX_PIXELS}, got {s.pixels!r}", field=f"{where} pixels")
        entry_total += s.entry_count
    rgb_start = HEADER_SIZE + RECORD_SIZE * n + CD_HEADER_SIZE
    if rgb_start + 3 * entry_total > U32_MAX or 4 + 3 * entry_total > U32_MAX:
        raise FormatError(f"{entry_total} RGB entries exceed the u32 offsets of the format", field="CD length")
    out = bytearray(FIXED_SIZE + RECORD_SIZE * n + 3 * entry_total)
    _HEAD.pack_into(out, 0, b"PR", 3, b"IN", 5, program.default_pixels, 8, program.refresh_rate,
                    b"PI", 2 + RECORD_SIZE * n, n)
    offset = rgb_start
    pos = HEADER_SIZE
    for s in segs:
        _RECORD.pack_into(out, pos, s.ticks_per_entry, s.entry_count, offset, s.remainder, s.pixels,
                          _RECORD_CONST, s.duration)
        out[offset : offset + len(s.entries)] = s.entries
        offset += len(s.entries)
        pos += RECORD_SIZE
    _CD.pack_into(out, pos, b"CD", 4 + 3 * entry_total, entry_total)
    _BT.pack_into(out, offset, b"BT", program.trailer)
    return bytes(out)


def decode(data: bytes, source: str = "<bytes>") -> PrgProgram:
    """Parse ``.prg`` bytes, checking every length, offset and constant; FormatError names the field."""

    def fail(field: str, problem: str) -> FormatError:
        return FormatError(problem, source=source, field=field)

    data = bytes(data)
    size = len(data)
    if size < FIXED_SIZE:
        raise fail("file size", f"{size} bytes is shorter than the smallest .prg ({FIXED_SIZE} bytes); truncated?")
    pr, ver, tag_in, in_len, px, bits, rate, tag_pi, pi_len, n = _HEAD.unpack_from(data, 0)
    if pr != b"PR":
        raise fail("magic", f"starts with {pr!r}, expected b'PR' (not an LTX .prg file)")
    if ver != 3:
        raise fail("PR version", f"byte 0x02 is {ver}, expected 3")
    if tag_in != b"IN" or in_len != 5:
        raise fail("IN chunk", f"expected tag 'IN' with length 5, got {tag_in!r} length {in_len}")
    if bits != 8:
        raise fail("IN bits", f"byte 0x0B is {bits}, expected 8")
    if not 1 <= px <= MAX_PIXELS:
        raise fail("default_pixels", f"{px} is outside 1–{MAX_PIXELS}")
    if rate < 1:
        raise fail("refresh_rate", "refresh rate 0 ticks per second")
    if tag_pi != b"PI":
        raise fail("PI chunk", f"expected tag 'PI' at 0x0E, got {tag_pi!r}")
    if pi_len != 2 + RECORD_SIZE * n:
        raise fail("PI length", f"says {pi_len} bytes but N={n} segments need {2 + RECORD_SIZE * n}")
    cd_pos = HEADER_SIZE + RECORD_SIZE * n
    if cd_pos + CD_HEADER_SIZE + TRAILER_SIZE > size:
        raise fail("N", f"{n} segment records do not fit in a {size}-byte file; truncated or lying count")
    tag_cd, cd_len, e_total = _CD.unpack_from(data, cd_pos)
    if tag_cd != b"CD":
        raise fail("CD chunk", f"expected tag 'CD' at 0x{cd_pos:X}, got {tag_cd!r}")
    if cd_len != 4 + 3 * e_total:
        raise fail("CD length", f"says {cd_len} bytes but E={e_total} entries need {4 + 3 * e_total}")
    rgb_start = cd_pos + CD_HEADER_SIZE
    bt_pos = rgb_start + 3 * e_total
    if bt_pos + TRAILER_SIZE != size:
        expected = bt_pos + TRAILER_SIZE
        why = "truncated" if size < expected else "has trailing bytes"
        raise fail("file size", f"{size} bytes but the header describes {expected} bytes ({why})")
    tag_bt, trailer = _BT.unpack_from(data, bt_pos)
    if tag_bt != b"BT":
        raise fail("BT chunk", f"expected tag 'BT' at 0x{bt_pos:X}, got {tag_bt!r}")
    segments: list[PrgSegment] = []
    expected_offset = rgb_start
    for k in range(n):
        x, c, off, y, spx, const, dur = _RECORD.unpack_from(data, HEADER_SIZE + RECORD_SIZE * k)
        field = f"segment {k}"
        if const != _RECORD_CONST:
            raise fail(f"{field} constant", f"bytes +12..+14 are {const.hex(' ')}, expected 01 00 00")
        if c < 1:
            raise fail(f"{field} entry_count", "segment has no RGB entries")
        if dur < 1:
            raise fail(f"{field} duration", "segment lasts 0 ticks")
        if not 1 <= spx <= MAX_PIXELS:
            raise fail(f"{field} pixels", f"{spx} is outside 1–{MAX_PIXELS}")
        if off != expected_offset:
            raise fail(f"{field} rgb_offset", f"0x{off:X} but the previous segments end at 0x{expected_offset:X} "
                       "(overlapping or gapped RGB data)")
        end = off + 3 * c
        if end > bt_pos:
            raise fail(f"{field} entry_count", f"{c} entries run past the end of the RGB data (E={e_total})")
        segments.append(PrgSegment(dur, data[off:end], x, y, spx))
        expected_offset = end
    if expected_offset != bt_pos:
        raise fail("E", f"CD declares {e_total} entries but the segments use {(expected_offset - rgb_start) // 3}")
    return PrgProgram(rate, px, tuple(segments), trailer)
