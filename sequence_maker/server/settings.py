"""Server settings: where things live, what to bind, limits. Defaults need nothing configured."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024
AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg",
               ".flac": "audio/flac", ".m4a": "audio/mp4", ".aac": "audio/aac", ".opus": "audio/ogg"}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class ServerSettings:
    """Everything :func:`sequence_maker.server.app.create_app` needs. ``resolved()`` fills defaults."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path | None = None  # per-user data: database, keys, audio uploads
    workspace: Path | None = None  # the project folder
    database_url: str | None = None
    token: str | None = None  # required on every request when set (auto when binding non-loopback)
    extra_hosts: tuple[str, ...] = ()  # more Host names to accept (reverse proxies, tests)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    save_delay_s: float = 1.5  # debounce of the automatic save after edits
    stream_buffer: int = 5000  # frames kept per project for WebSocket resume
    lease_ttl_s: float = 60.0  # a project stays reserved this long after its server stops renewing
    idle_close_s: float = 600.0  # an open project with no tab, turn or job is saved and closed after this
    coalesce_s: float = 0.025
    coalesce_bytes: int = 2048
    assistant_profile: str | None = None  # force a profile (else the best available)
    assistant_enabled: bool = True  # False: hand editing only (no provider is looked for or loaded)
    probe_local_servers: bool = True
    use_keyring: bool = True
    static_dir: Path | None = field(default=None)

    def resolved(self) -> ServerSettings:
        """A copy with every default filled from the environment and the user data dir."""
        from ..storage.paths import app_home

        data = Path(self.data_dir) if self.data_dir else app_home()
        ws = Path(self.workspace) if self.workspace else data / "projects"
        url = self.database_url or os.environ.get("SEQMAKER_DATABASE_URL") or f"sqlite:///{data / 'studio.db'}"
        token = self.token
        if token is None and not is_loopback(self.host):
            token = secrets.token_urlsafe(24)
        static = Path(self.static_dir) if self.static_dir else Path(__file__).resolve().parent.parent / "web" / "static"
        out = ServerSettings(**{f: getattr(self, f) for f in self.__slots__})  # type: ignore[attr-defined]
        out.data_dir, out.workspace, out.database_url, out.token, out.static_dir = data, ws, url, token, static
        return out

    @property
    def uploads_dir(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "audio"

    @property
    def keys_file(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "keys.json"

    def allowed_hostnames(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]", "::1"}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower())
        names.update(h.lower() for h in self.extra_hosts)
        return names

    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
