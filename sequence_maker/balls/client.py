"""Client side of the ball protocol: passive discovery, upload with confirmation, live colour.

Everything is explicit: scanning only listens; upload and live send to the one address the user
gave. Timeouts are bounded and every failure is an :class:`BallError` that says what happened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import protocol as P


class BallError(RuntimeError):
    """A ball operation failed (unreachable, disappeared mid-upload, no confirmation…)."""


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple], None]) -> None:
        self.on_datagram = on_datagram

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.on_datagram(data, addr)


async def _listen(bind: str, port: int, on_datagram: Callable[[bytes, tuple], None]) -> asyncio.DatagramTransport:
    loop = asyncio.get_running_loop()
    try:
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Collector(on_datagram), local_addr=(bind, port), reuse_port=True, allow_broadcast=True
        )
    except OSError as e:
        raise BallError(f"cannot listen on UDP {bind}:{port} ({e.strerror or e})") from None
    return transport


async def scan(duration_s: float = 3.0, *, bind: str = "0.0.0.0", port: int = P.UDP_PORT) -> list[P.BallAnnouncement]:
    """Listen (never send) for ball broadcasts for ``duration_s``; one entry per address."""
    found: dict[str, P.BallAnnouncement] = {}

    def on(data: bytes, addr: tuple) -> None:
        ann = P.parse_announcement(data, addr[0])
        if ann is not None:
            found.setdefault(addr[0], ann)

    transport = await _listen(bind, port, on)
    try:
        await asyncio.sleep(duration_s)
    finally:
        transport.close()
    return sorted(found.values(), key=lambda a: a.address)


@dataclass(frozen=True, slots=True)
class UploadResult:
    address: str
    filename: str
    bytes_sent: int
    confirmed: bool
    seconds: float
    message: str


async def upload(
    address: str, prg: bytes, filename: str, *, port: int = P.TCP_PORT, status_bind: str = "0.0.0.0",
    status_port: int = P.UDP_PORT, connect_timeout_s: float = 5.0, confirm_timeout_s: float = 10.0,
    progress: Callable[[int, int], None] | None = None, chunk: int = 4096,
) -> UploadResult:
    """Send one .prg to the ball at ``address`` and wait for its "upload ok" status broadcast."""
    payload = P.build_upload_payload(filename, prg)
    name = P.safe_filename(filename)
    confirmed = asyncio.Event()

    def on_status(data: bytes, addr: tuple) -> None:
        if addr[0] == address and P.is_upload_ok(data):
            confirmed.set()

    listener = await _listen(status_bind, status_port, on_status)
    t0 = time.perf_counter()
    sent = 0
    try:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(address, port), connect_timeout_s)
        except TimeoutError:
            raise BallError(f"ball {address}:{port} did not accept a connection within {connect_timeout_s:g} s") from None
        except OSError as e:
            raise BallError(f"cannot connect to ball {address}:{port} ({e.strerror or e})") from None
        try:
            for i in range(0, len(payload), chunk):
                writer.write(payload[i: i + chunk])
                await asyncio.wait_for(writer.drain(), connect_timeout_s)
                sent = min(len(payload), i + chunk)
                if progress:
                    progress(sent, len(payload))
            writer.write_eof() if writer.can_write_eof() else None
            await asyncio.wait_for(writer.drain(), connect_timeout_s)
        except (OSError, TimeoutError) as e:
            why = str(e) or type(e).__name__
            raise BallError(
                f"ball {address} went away during the upload after {sent} of {len(payload)} bytes ({why})"
            ) from None
        finally:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, TimeoutError):
                pass
        try:
            await asyncio.wait_for(confirmed.wait(), confirm_timeout_s)
            ok, msg = True, "upload confirmed by the ball"
        except TimeoutError:
            ok, msg = False, f"sent {len(prg)} bytes but the ball did not confirm within {confirm_timeout_s:g} s"
    finally:
        listener.close()
    return UploadResult(address, name, len(prg), ok, time.perf_counter() - t0, msg)


class LiveSender:
    """Sends live colour/brightness datagrams to one ball the user chose."""

    def __init__(self, address: str, port: int = P.UDP_PORT) -> None:
        self.address, self.port = address, port
        self._transport: asyncio.DatagramTransport | None = None
        self.sent = 0

    async def __aenter__(self) -> LiveSender:
        loop = asyncio.get_running_loop()
        try:
            self._transport, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, remote_addr=(self.address, self.port))
        except OSError as e:
            raise BallError(f"cannot reach {self.address}:{self.port} ({e.strerror or e})") from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._transport is not None:
            self._transport.close()

    def send_color(self, r: int, g: int, b: int) -> None:
        assert self._transport is not None, "use 'async with LiveSender(...)'"
        self._transport.sendto(P.color_packet(r, g, b))
        self.sent += 1

    def send_brightness(self, level: int) -> None:
        assert self._transport is not None, "use 'async with LiveSender(...)'"
        self._transport.sendto(P.brightness_packet(level))
        self.sent += 1

    async def stream(self, color_at: Callable[[float], tuple[int, int, int]], duration_s: float,
                     rate_hz: float = 25.0, start_s: float = 0.0) -> int:
        """Mirror ``color_at(t)`` for ``duration_s`` at ``rate_hz`` (drift-free schedule)."""
        if not 1 <= rate_hz <= 100:
            raise BallError(f"live rate {rate_hz} Hz outside 1–100")
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        n = 0
        while True:
            elapsed = loop.time() - t0
            if elapsed >= duration_s:
                break
            c = tuple(color_at(start_s + elapsed))
            self.send_color(*c)  # resend even if unchanged: UDP may drop packets
            n += 1
            await asyncio.sleep(max(0.0, t0 + n / rate_hz - loop.time()))
        return n
