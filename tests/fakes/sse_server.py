"""A real HTTP server on 127.0.0.1:<random port>, in a thread, replaying scripted SSE responses.

Each incoming POST consumes the next scripted :class:`Reply` (or calls a function that returns one),
so a test scripts a whole conversation turn by turn, including faults: HTTP errors with
Retry-After, a connection reset after N events, a stall, a delay between events. The server records
every request and observes client disconnects (``disconnects``) within a few milliseconds.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def split_sse(text: str) -> list[bytes]:
    """Split SSE wire text into event blocks (each ending with a blank line)."""
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    return [(b + "\n\n").encode() for b in blocks if b.strip()]


def load_sse(path: Path) -> list[bytes]:
    return split_sse(path.read_text(encoding="utf-8"))


@dataclass
class Reply:
    """One scripted HTTP response."""

    events: list[bytes] = field(default_factory=list)  # SSE blocks
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # non-SSE body (errors, JSON)
    delay_s: float = 0.0  # pause before each event
    first_delay_s: float = 0.0  # pause before the first event (after headers)
    header_delay_s: float = 0.0  # pause before sending the status line
    cut_after: int | None = None  # reset the connection after sending this many events
    stall_after: int | None = None  # stop sending after this many events; hold the connection open
    hold_open: bool = False  # after the last event keep the connection open until the client leaves
    max_hold_s: float = 10.0

    @classmethod
    def sse(cls, events: list[bytes] | str, **kwargs: Any) -> Reply:
        blocks = split_sse(events) if isinstance(events, str) else list(events)
        return cls(events=blocks, **kwargs)

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "error",
        *,
        error_type: str = "server_error",
        headers: dict | None = None,
    ) -> Reply:
        body = json.dumps({"error": {"message": message, "type": error_type}}).encode()
        return cls(status=status, body=body, headers={"content-type": "application/json", **(headers or {})})

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        return cls(
            status=status, body=json.dumps(data).encode(), headers={"content-type": "application/json"}
        )


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Disconnect:
    """The client went away while the server was serving request ``request_index``."""

    request_index: int
    events_sent: int
    at: float  # time.monotonic()


Script = list[Reply] | Callable[[int, RecordedRequest], Reply]


class FakeSSEServer:
    """The server; use :func:`serve` (context manager) to run it."""

    def __init__(self, script: Script, *, models: list[str] | None = None) -> None:
        self._script = script
        self.models = models or ["fake-model"]
        self.requests: list[RecordedRequest] = []
        self.disconnects: list[Disconnect] = []
        self.completed: list[int] = []  # request indices whose reply was sent completely
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self.port = 0

    # scripting -----------------------------------------------------------------------------
    def add(self, *replies: Reply) -> None:
        """Append replies to a list script."""
        if callable(self._script):
            raise TypeError("the script is a function; replies cannot be appended")
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self, request: RecordedRequest) -> tuple[int, Reply]:
        with self._lock:
            self.requests.append(request)
            index = len(self.requests) - 1
            post_index = sum(1 for r in self.requests if r.method == "POST") - 1
            if callable(self._script):
                return index, self._script(post_index, request)
            if not self._script:
                return index, Reply.error(
                    500, "fake server: no scripted reply left", error_type="script_exhausted"
                )
            return index, self._script.pop(0)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_disconnect(self, timeout_s: float = 2.0) -> Disconnect | None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if self.disconnects:
                    return self.disconnects[-1]
            time.sleep(0.001)
        return None

    # serving --------------------------------------------------------------------------------
    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    data = {
                        "object": "list",
                        "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in server.models],
                    }
                    self._send_plain(Reply.json(data))
                else:
                    self._send_plain(Reply.error(404, "not found", error_type="not_found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()
                )
                index, reply = server._next_reply(request)
                if reply.header_delay_s:
                    time.sleep(reply.header_delay_s)
                if reply.body is not None or reply.status != 200:
                    self._send_plain(reply)
                    server.completed.append(index)
                    return
                self._send_stream(index, reply)

            def _send_plain(self, reply: Reply) -> None:
                body = reply.body or b""
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def _client_gone(self, wait_s: float) -> bool:
                """Wait up to wait_s; True as soon as the peer has closed its side."""
                sock = self.connection
                deadline = time.monotonic() + wait_s
                while True:
                    remaining = deadline - time.monotonic()
                    readable, _, _ = select.select([sock], [], [], max(0.0, min(remaining, 0.05)))
                    if readable:
                        try:
                            data = sock.recv(1, socket.MSG_PEEK)
                        except OSError:
                            return True
                        if not data:
                            return True
                        sock.recv(65536)  # unexpected bytes from the client; drop them
                    if remaining <= 0:
                        return False

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _send_stream(self, index: int, reply: Reply) -> None:
                sent = 0

                def gone() -> None:
                    server.disconnects.append(Disconnect(index, sent, time.monotonic()))

                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("cache-control", "no-cache")
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("transfer-encoding", "chunked")
                    self.send_header("connection", "close")
                    self.end_headers()
                    self.wfile.flush()
                    for n, block in enumerate(reply.events):
                        if reply.cut_after is not None and sent >= reply.cut_after:
                            self._reset()
                            return
                        if reply.stall_after is not None and sent >= reply.stall_after:
                            if self._client_gone(reply.max_hold_s):
                                gone()
                            return
                        pause = reply.first_delay_s if n == 0 and reply.first_delay_s else reply.delay_s
                        if pause and self._client_gone(pause):
                            gone()
                            return
                        self._chunk(block)
                        sent += 1
                    if reply.cut_after is not None and sent >= reply.cut_after:
                        self._reset()
                        return
                    if reply.hold_open:
                        if self._client_gone(reply.max_hold_s):
                            gone()
                        return
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    server.completed.append(index)
                except (BrokenPipeError, ConnectionResetError):
                    gone()
                finally:
                    self.close_connection = True

            def _reset(self) -> None:
                """Abort with a TCP RST (what a crashed proxy or server looks like).

                A RST makes the client's kernel drop data it has not read yet, so without a pause
                the events "sent before the cut" could vanish (a flaky test, not the scenario)."""
                time.sleep(0.1)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:  # keep test output clean
                return

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


@contextmanager
def serve(script: Script, **kwargs: Any) -> Iterator[FakeSSEServer]:
    server = FakeSSEServer(script, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()
