"""Ball protocol against a fake ball on loopback: upload + confirmation, timeouts, a ball that
disappears mid-upload, discovery, and live colour at ≥ 20 updates/s."""

from __future__ import annotations

import asyncio
import socket

import pytest

from sequence_maker.balls import protocol as P
from sequence_maker.balls.client import BallError, LiveSender, scan, upload
from sequence_maker.balls.fake import FakeBall


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_packets_match_the_reference_bytes():
    assert P.color_packet(255, 16, 1) == bytes.fromhex("4200000000000000") + bytes([0x0A, 255, 16, 1])
    assert P.brightness_packet(128) == bytes.fromhex("4200000000000000") + bytes([0x10, 128, 0, 0])
    payload = P.build_upload_payload("show.prg", b"PRDATA", nonce=b"\x01\x02\x03\x04")
    assert payload == (b"\x00\x00\x00\x00" + (6).to_bytes(4, "little") + b"\x01\x02\x03\x04" + b"\x20\x00\x00"
                       + b"\x00" + b"show.prg" + b"\x00" + b"PRDATA")
    h = P.parse_upload_header(payload)
    assert (h.file_size, h.filename, payload[h.header_len:]) == (6, "show.prg", b"PRDATA")
    with pytest.raises(P.BallProtocolError, match="outside 0–255"):
        P.color_packet(256, 0, 0)
    with pytest.raises(P.BallProtocolError, match="empty"):
        P.build_upload_payload("x", b"")
    assert P.safe_filename("Ball 1 / ö.prg") == "Ball_1____.prg"


async def test_upload_is_confirmed_and_bytes_are_identical():
    status = _free_udp_port()
    prg = bytes(range(256)) * 40
    async with FakeBall(status_port=status) as ball:
        seen = []
        res = await upload("127.0.0.1", prg, "ball1.prg", port=ball.tcp_port, status_bind="127.0.0.1",
                           status_port=status, confirm_timeout_s=3, progress=lambda a, b: seen.append((a, b)))
    assert res.confirmed, res.message
    assert ball.files["ball1.prg"] == prg
    assert seen[-1][0] == seen[-1][1]


async def test_upload_without_confirmation_reports_it():
    status = _free_udp_port()
    async with FakeBall(status_port=status, confirm=False) as ball:
        res = await upload("127.0.0.1", b"x" * 100, "a.prg", port=ball.tcp_port, status_bind="127.0.0.1",
                           status_port=status, confirm_timeout_s=0.3)
    assert not res.confirmed and "did not confirm" in res.message
    assert ball.files["a.prg"] == b"x" * 100


async def test_ball_that_disappears_mid_upload():
    status = _free_udp_port()
    async with FakeBall(status_port=status, drop_after_bytes=5000) as ball:
        with pytest.raises(BallError, match="went away|did not confirm"):
            res = await upload("127.0.0.1", b"y" * 2_000_000, "big.prg", port=ball.tcp_port,
                               status_bind="127.0.0.1", status_port=status, confirm_timeout_s=0.5, chunk=1024)
            # the kernel may have buffered everything before the reset: then no confirmation
            raise BallError(res.message) if not res.confirmed else AssertionError("confirmed a dropped upload")
    assert "big.prg" not in ball.files


async def test_unreachable_ball_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        with pytest.raises(BallError, match="cannot connect"):
            await upload("127.0.0.1", b"z", "z.prg", port=port, status_bind="127.0.0.1",
                         status_port=_free_udp_port(), connect_timeout_s=1)


async def test_scan_hears_announcements_without_sending():
    port = _free_udp_port()
    async with FakeBall(name="Juggler-7") as ball:
        task = asyncio.create_task(scan(0.4, bind="127.0.0.1", port=port))
        await asyncio.sleep(0.1)
        await ball.announce(port)
        found = await task
    assert [(a.address, a.name) for a in found] == [("127.0.0.1", "Juggler-7")]


async def test_live_colour_streams_at_least_20_per_second():
    async with FakeBall() as ball:
        async with LiveSender("127.0.0.1", ball.udp_port) as live:
            n = await live.stream(lambda t: (int(t * 100) % 256, 0, 255), duration_s=1.0, rate_hz=25)
            live.send_brightness(200)
        await asyncio.sleep(0.05)
    colours = [p for _, p in ball.live if p.op == "color"]
    assert n >= 20 and len(colours) >= 20
    times = [t for t, p in ball.live if p.op == "color"]
    assert len(colours) / (times[-1] - times[0] + 1 / 25) >= 20
    assert all(p.values[2] == 255 for p in colours)
    assert ball.live[-1][1] == P.LivePacket("brightness", (200,))
    assert not ball.errors
