"""A fake LTX ball on loopback for tests and demos: accepts uploads over TCP, confirms them with
a UDP status datagram, records live-colour packets and can announce itself."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field

from . import protocol as P


@dataclass
class FakeBall:
    host: str = "127.0.0.1"
    tcp_port: int = 0  # 0 = pick a free port
    udp_port: int = 0
    status_port: int = P.UDP_PORT  # where upload confirmations are sent (on ``host``)
    name: str = "FakeBall"
    confirm: bool = True
    drop_after_bytes: int | None = None  # simulate a ball that disappears mid-upload
    files: dict[str, bytes] = field(default_factory=dict)
    live: list[tuple[float, P.LivePacket]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def start(self) -> FakeBall:
        loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._on_upload, self.host, self.tcp_port)
        self.tcp_port = self._server.sockets[0].getsockname()[1]
        ball = self

        class _Live(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple) -> None:
                try:
                    ball.live.append((time.perf_counter(), P.parse_live_packet(data)))
                except P.BallProtocolError as e:
                    ball.errors.append(str(e))

        self._udp, _ = await loop.create_datagram_endpoint(_Live, local_addr=(self.host, self.udp_port))
        self.udp_port = self._udp.get_extra_info("sockname")[1]
        return self

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()
        self._udp.close()

    async def __aenter__(self) -> FakeBall:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def announce(self, port: int) -> None:
        """Send one discovery datagram to ``host:port`` (loopback in tests)."""
        self._udp.sendto(P.DISCOVERY_MAGIC + b" " + self.name.encode(), (self.host, port))

    async def _on_upload(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buf = b""
        header: P.UploadHeader | None = None
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(65536), 10)
                if not chunk:
                    break
                buf += chunk
                if self.drop_after_bytes is not None and len(buf) >= self.drop_after_bytes:
                    writer.transport.abort()
                    return
                if header is None:
                    header = P.parse_upload_header(buf)
                if header is not None and len(buf) >= header.header_len + header.file_size:
                    break
            if header is None or len(buf) < header.header_len + header.file_size:
                self.errors.append(f"incomplete upload: {len(buf)} bytes")
                return
            self.files[header.filename] = buf[header.header_len: header.header_len + header.file_size]
            if self.confirm:
                self._udp.sendto(b"M" + P.UPLOAD_OK + b" " + header.filename.encode(), (self.host, self.status_port))
        except (TimeoutError, P.BallProtocolError, ConnectionError) as e:
            self.errors.append(str(e))
        finally:
            if not writer.transport.is_closing():
                writer.close()


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port that is free on ``host`` right now (for loopback tests and demos)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class FakeBallThread:
    """Runs a :class:`FakeBall` on its own event loop thread, so synchronous code (a CLI run,
    a web request) can talk to it: ``with FakeBallThread(status_port=p) as ball: …``."""

    def __init__(self, **kwargs: object) -> None:
        self.loop = asyncio.new_event_loop()
        self.ball = FakeBall(**kwargs)  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-ball", daemon=True)

    def __enter__(self) -> FakeBall:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.ball.start(), self.loop).result(5)
        return self.ball

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.ball.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
