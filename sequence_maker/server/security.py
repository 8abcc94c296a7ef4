"""Request guards: Host allow-list (DNS rebinding), Origin checks (WebSocket hijacking, CSRF) and the
access token required when the server listens beyond loopback. Pure ASGI so it covers HTTP and WS."""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body
from .settings import ServerSettings

TOKEN_COOKIE = "seqmaker_token"
WS_CLOSE_FORBIDDEN = 4403
WS_CLOSE_UNAUTHORIZED = 4401
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def split_host(value: str) -> tuple[str, int | None]:
    """('host', port) from a Host header or netloc; brackets kept off IPv6 names."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[1:end], value[end + 1:]
    else:
        host, _, rest = value.partition(":")
        rest = f":{rest}" if rest else ""
    port = None
    if rest.startswith(":") and rest[1:].isdigit():
        port = int(rest[1:])
    return host, port


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings
        self.hosts = {h.strip("[]") for h in settings.allowed_hostnames()}
        self.any_host = settings.host in ("0.0.0.0", "::", "")

    # --- checks --------------------------------------------------------------------------------
    def host_ok(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        host, port = split_host(host_header)
        if port is not None and port != self.settings.port and host not in self.settings.extra_hosts:
            return False
        return self.any_host or host in self.hosts

    def origin_ok(self, origin: str | None) -> bool:
        """No Origin (non-browser client) is fine; a browser Origin must be this server's."""
        if origin is None:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        return self.host_ok(parts.netloc) if not self.any_host else split_host(parts.netloc)[1] in (None, self.settings.port)

    def token_from(self, scope: Scope, headers: dict[str, str]) -> tuple[str | None, bool]:
        """(token presented, came from the query string)."""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip(), False
        q = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if q.get("token"):
            return q["token"][0], True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            return None, False
        morsel = cookie.get(TOKEN_COOKIE)
        return (morsel.value if morsel else None), False

    # --- ASGI ----------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        is_ws = scope["type"] == "websocket"
        if not self.host_ok(headers.get("host")):
            await self._deny(scope, receive, send, 403, "request Host is not this server (DNS rebinding guard)", is_ws)
            return
        origin = headers.get("origin")
        if (is_ws or scope.get("method") in _UNSAFE) and not self.origin_ok(origin):
            await self._deny(scope, receive, send, 403, "cross-origin request refused", is_ws)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_upload_bytes + (1 << 20):
            await self._deny(scope, receive, send, 413,
                             f"request body larger than the {self.settings.max_upload_bytes // (1 << 20)} MB limit", is_ws)
            return
        set_cookie = False
        expected = self.settings.token
        if expected:
            presented, from_query = self.token_from(scope, headers)
            if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
                await self._deny(scope, receive, send, 401, "access token required (printed by seqmaker serve)", is_ws)
                return
            set_cookie = from_query and not is_ws
        if not set_cookie:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                hdrs = list(message.get("headers", []))
                hdrs.append((b"set-cookie", f"{TOKEN_COOKIE}={expected}; HttpOnly; SameSite=Strict; Path=/".encode()))
                message = {**message, "headers": hdrs}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _deny(self, scope: Scope, receive: Receive, send: Send, status: int, message: str, is_ws: bool) -> None:
        if is_ws:
            await receive()  # websocket.connect
            await send({"type": "websocket.close",
                        "code": WS_CLOSE_FORBIDDEN if status == 403 else WS_CLOSE_UNAUTHORIZED, "reason": message})
            return
        body = json.dumps(error_body(status, message, "too_large" if status == 413 else None)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
