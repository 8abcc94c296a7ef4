"""LTX ball wire protocol (facts: shared/reference/ltx-formats.md §2.10).

- Discovery: the balls broadcast UDP datagrams containing ``NPLAYLTXBALL`` (port 41412).
- Live colour (UDP 41412): 8-byte header ``42 00 00 00 00 00 00 00`` + ``0A R G B``;
  brightness: header + ``10 BB 00 00``.
- Upload (TCP 8888): one payload ``00 00 00 00 | u32 file_size | 4 random bytes | 20 00 00 |
  00 | filename ASCII | 00 | prg bytes``; success is confirmed by the ball's UDP status
  broadcast containing ``upload ok``. The byte order of ``file_size`` is not documented; we use
  little-endian like every other integer of the LTX formats (safe choice, stated here).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

UDP_PORT = 41412
TCP_PORT = 8888
DISCOVERY_MAGIC = b"NPLAYLTXBALL"
UPLOAD_OK = b"upload ok"
LIVE_HEADER = bytes([0x42, 0, 0, 0, 0, 0, 0, 0])
OP_COLOR = 0x0A
OP_BRIGHTNESS = 0x10
MAX_FILENAME = 64
MAX_PRG_BYTES = 16 * 1024 * 1024


class BallProtocolError(ValueError):
    """A packet or payload is malformed; the message says which part."""


def color_packet(r: int, g: int, b: int) -> bytes:
    for name, v in (("red", r), ("green", g), ("blue", b)):
        if not 0 <= v <= 255:
            raise BallProtocolError(f"{name} channel {v} outside 0–255")
    return LIVE_HEADER + bytes([OP_COLOR, r, g, b])


def brightness_packet(level: int) -> bytes:
    if not 0 <= level <= 255:
        raise BallProtocolError(f"brightness {level} outside 0–255")
    return LIVE_HEADER + bytes([OP_BRIGHTNESS, level, 0, 0])


@dataclass(frozen=True, slots=True)
class LivePacket:
    op: str  # "color" | "brightness"
    values: tuple[int, ...]


def parse_live_packet(data: bytes) -> LivePacket:
    if len(data) != 12 or data[:8] != LIVE_HEADER:
        raise BallProtocolError(f"not a live-control packet ({len(data)} bytes)")
    if data[8] == OP_COLOR:
        return LivePacket("color", tuple(data[9:12]))
    if data[8] == OP_BRIGHTNESS:
        return LivePacket("brightness", (data[9],))
    raise BallProtocolError(f"unknown live op 0x{data[8]:02x}")


def safe_filename(name: str) -> str:
    """ASCII file name the ball accepts (letters, digits, ._-), ending in .prg."""
    base = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)
    base = base.strip("._") or "sequence"
    if not base.lower().endswith(".prg"):
        base += ".prg"
    if len(base) > MAX_FILENAME:
        base = base[: MAX_FILENAME - 4] + ".prg"
    return base


def build_upload_payload(filename: str, prg: bytes, nonce: bytes | None = None) -> bytes:
    if not prg:
        raise BallProtocolError("the .prg file is empty")
    if len(prg) > MAX_PRG_BYTES:
        raise BallProtocolError(f"the .prg file is {len(prg)} bytes; larger than {MAX_PRG_BYTES}")
    name = safe_filename(filename).encode("ascii")
    nonce = os.urandom(4) if nonce is None else nonce
    if len(nonce) != 4:
        raise BallProtocolError("nonce must be 4 bytes")
    return b"\x00\x00\x00\x00" + struct.pack("<I", len(prg)) + nonce + b"\x20\x00\x00" + b"\x00" + name + b"\x00" + prg


@dataclass(frozen=True, slots=True)
class UploadHeader:
    file_size: int
    nonce: bytes
    filename: str
    header_len: int


def parse_upload_header(data: bytes) -> UploadHeader | None:
    """Parse the header of an upload payload; None if more bytes are needed."""
    if len(data) < 16:
        return None
    if data[:4] != b"\x00\x00\x00\x00" or data[12:15] != b"\x20\x00\x00" or data[15] != 0:
        raise BallProtocolError("upload payload does not start with the LTX upload header")
    (size,) = struct.unpack_from("<I", data, 4)
    end = data.find(b"\x00", 16)
    if end < 0:
        if len(data) > 16 + MAX_FILENAME + 1:
            raise BallProtocolError("upload file name is not terminated")
        return None
    try:
        name = data[16:end].decode("ascii")
    except UnicodeDecodeError:
        raise BallProtocolError("upload file name is not ASCII") from None
    if size > MAX_PRG_BYTES:
        raise BallProtocolError(f"announced file size {size} is too large")
    return UploadHeader(size, data[8:12], name, end + 1)


@dataclass(frozen=True, slots=True)
class BallAnnouncement:
    address: str
    name: str
    raw: bytes


def parse_announcement(data: bytes, address: str) -> BallAnnouncement | None:
    """A discovery broadcast, or None if the datagram is not from a ball."""
    i = data.find(DISCOVERY_MAGIC)
    if i < 0:
        return None
    tail = data[i + len(DISCOVERY_MAGIC):].strip(b"\x00 :")
    name = tail.decode("ascii", "replace").strip() or address
    return BallAnnouncement(address, name, data)


def is_upload_ok(data: bytes) -> bool:
    return UPLOAD_OK in data.lower()
