"""API keys: the OS keyring when a real backend exists, else a JSON file only the user can read (0600).

Keys are write-only from outside: callers get :class:`Secret` objects (never printed) or an
``info`` dict saying whether a key is set and its last 4 characters.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..assistant.providers.secret import Secret

KEYRING_SERVICE = "sequence-maker"
log = logging.getLogger(__name__)


class KeyStoreError(RuntimeError):
    """A key could not be stored or read (message never contains the key)."""


def _keyring_usable() -> Any | None:
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
        if isinstance(kr, fail.Keyring) or getattr(kr, "priority", 0) <= 0:
            return None
        return keyring
    except Exception:
        return None


def _atomic_write_private(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KeyStore:
    """Stores one key per profile name."""

    def __init__(self, file_path: Path, use_keyring: bool = True) -> None:
        self.file_path = Path(file_path)
        self._keyring = _keyring_usable() if use_keyring else None
        self._lock = threading.Lock()
        #: Every raw key value this process has seen, so the log filter can redact them.
        self.known: set[str] = set()

    @property
    def backend(self) -> str:
        return "keyring" if self._keyring is not None else "file"

    # --- file backend --------------------------------------------------------------------------
    def _read_file(self) -> dict[str, str]:
        try:
            st = self.file_path.stat()
        except FileNotFoundError:
            return {}
        if st.st_mode & 0o077:
            os.chmod(self.file_path, 0o600)  # tighten a file someone loosened
        try:
            data = json.loads(self.file_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise KeyStoreError(f"key file {self.file_path} is unreadable ({type(e).__name__})") from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    # --- API -----------------------------------------------------------------------------------
    def set(self, name: str, key: str) -> dict[str, Any]:
        if not isinstance(key, str) or not key.strip():
            raise KeyStoreError("api_key must be a non-empty string")
        key = key.strip()
        if any(c.isspace() for c in key) or len(key) > 4096:
            raise KeyStoreError("api_key must not contain whitespace and must be at most 4096 characters")
        self.known.add(key)
        with self._lock:
            if self._keyring is not None:
                try:
                    self._keyring.set_password(KEYRING_SERVICE, name, key)
                    return self.info(name)
                except Exception as e:
                    log.warning("keyring refused the key for profile %s (%s); using the key file",
                                name, type(e).__name__)
            data = self._read_file()
            data[name] = key
            _atomic_write_private(self.file_path, json.dumps(data))
        return self.info(name)

    def get(self, name: str) -> Secret | None:
        raw: str | None = None
        if self._keyring is not None:
            try:
                raw = self._keyring.get_password(KEYRING_SERVICE, name)
            except Exception:
                raw = None
        if raw is None:
            with self._lock:
                raw = self._read_file().get(name)
        if raw:
            self.known.add(raw)
            return Secret(raw)
        return None

    def delete(self, name: str) -> dict[str, Any]:
        with self._lock:
            if self._keyring is not None:
                try:
                    self._keyring.delete_password(KEYRING_SERVICE, name)
                except Exception:
                    pass
            data = self._read_file()
            if name in data:
                del data[name]
                _atomic_write_private(self.file_path, json.dumps(data))
        return {"set": False, "last4": None}

    def info(self, name: str) -> dict[str, Any]:
        s = self.get(name)
        return {"set": bool(s), "last4": s.reveal()[-4:] if s and len(s.reveal()) >= 8 else None}


class RedactKeysFilter(logging.Filter):
    """Logging filter that replaces any key known to a KeyStore (and key-shaped text) in every record."""

    def __init__(self, store: KeyStore) -> None:
        super().__init__()
        self.store = store

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message and each argument in place, keeping the record's shape (formatters such as
        uvicorn's access log read ``record.args`` as a tuple)."""
        from ..assistant.providers.secret import scrub

        known = tuple(self.store.known)
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg, *known)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a, *known) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v, *known) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:  # formatters reuse exc_text: tracebacks get scrubbed too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # also when another filter formatted it first (it may not know our keys)
            record.exc_text = scrub(record.exc_text, *known)
        return True
