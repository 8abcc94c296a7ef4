"""Provider profiles (no keys here: those live in the KeyStore) and free-form settings."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from .tables import ProfileRow, SettingRow

PROVIDER_KINDS = ("openai", "azure", "anthropic", "openai_compatible", "offline")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


class ProfileError(ValueError):
    """A profile is invalid; the message names the field."""


def validate_profile_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(f"profile name {name!r} must be 1–64 letters, digits, '.', '_' or '-'")
    return name


def _dict(r: ProfileRow) -> dict[str, Any]:
    return {"name": r.name, "provider": r.provider, "model": r.model, "base_url": r.base_url,
            "options": dict(r.options or {}), "updated": r.updated}


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

    def put(self, name: str, provider: str, model: str = "", base_url: str | None = None,
            options: dict[str, Any] | None = None) -> dict[str, Any]:
        validate_profile_name(name)
        if provider not in PROVIDER_KINDS:
            raise ProfileError(f"provider {provider!r} is not one of {', '.join(PROVIDER_KINDS)}")
        if base_url is not None and not re.match(r"^https?://", base_url):
            raise ProfileError(f"base_url {base_url!r} must start with http:// or https://")
        if options is not None and not isinstance(options, dict):
            raise ProfileError("options must be an object")
        with self._s.begin() as s:
            r = s.get(ProfileRow, name)
            if r is None:
                r = ProfileRow(name=name)
                s.add(r)
            r.provider, r.model, r.base_url = provider, model or "", base_url
            r.options, r.updated = dict(options or {}), time.time()
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
