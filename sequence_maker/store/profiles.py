"""Provider profiles (no keys here: those live in the KeyStore) and free-form settings."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from .tables import ProfileRow, SettingRow

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


class ProfileError(ValueError):
    """A profile is invalid; the message names the field."""


def validate_profile_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(f"profile name {name!r} must be 1–64 letters, digits, '.', '_' or '-'")
    return name


def _dict(r: ProfileRow) -> dict[str, Any]:
    """The stored profile dict (all its fields), named by its row."""
    return {**dict(r.options or {}), "name": r.name, "provider": r.provider}


class ProfileRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._s = sessions

    def list(self) -> list[dict[str, Any]]:
        with self._s() as s:
            return [_dict(r) for r in s.scalars(select(ProfileRow).order_by(ProfileRow.name)).all()]

    def get(self, name: str) -> dict[str, Any] | None:
        with self._s() as s:
            r = s.get(ProfileRow, name)
            return None if r is None else _dict(r)

    def put(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create or replace a profile. ``data`` is a provider profile dict already validated by the
        assistant config layer; the store only checks the name and the basic shape."""
        validate_profile_name(name)
        if not isinstance(data, dict) or not isinstance(data.get("provider"), str) or not data["provider"]:
            raise ProfileError("a profile needs a 'provider' string")
        base_url = data.get("base_url")
        if base_url is not None and not (isinstance(base_url, str) and re.match(r"^https?://", base_url)):
            raise ProfileError(f"base_url {base_url!r} must start with http:// or https://")
        with self._s.begin() as s:
            r = s.get(ProfileRow, name)
            if r is None:
                r = ProfileRow(name=name)
                s.add(r)
            r.provider, r.model, r.base_url = data["provider"], str(data.get("model") or ""), base_url
            r.options, r.updated = {**data, "name": name}, time.time()
        return self.get(name) or {}

    def delete(self, name: str) -> bool:
        with self._s.begin() as s:
            return s.execute(delete(ProfileRow).where(ProfileRow.name == name)).rowcount > 0


class SettingsRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._s = sessions

    def all(self) -> dict[str, Any]:
        with self._s() as s:
            return {r.key: r.value for r in s.scalars(select(SettingRow)).all()}

    def get(self, key: str, default: Any = None) -> Any:
        with self._s() as s:
            r = s.get(SettingRow, key)
            return default if r is None else r.value

    def update(self, values: dict[str, Any]) -> dict[str, Any]:
        """Set keys; a None value deletes the key."""
        with self._s.begin() as s:
            for key, value in values.items():
                if not isinstance(key, str) or not 0 < len(key) <= 64:
                    raise ProfileError(f"setting name {key!r} must be 1–64 characters")
                r = s.get(SettingRow, key)
                if value is None:
                    if r is not None:
                        s.delete(r)
                elif r is None:
                    s.add(SettingRow(key=key, value=value))
                else:
                    r.value = value
        return self.all()
