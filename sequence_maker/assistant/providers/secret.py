"""A wrapper that keeps API keys out of repr/str/logs, plus a scrubber for error text.

Keys travel as :class:`Secret`; only the SDK client constructor ever sees the raw value.
"""

from __future__ import annotations

from functools import cache

_KEY_PATTERN = r"(sk-ant-[A-Za-z0-9_\-]{6,}|sk-[A-Za-z0-9_\-]{6,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|(?i:api[-_]?key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9._\-]{8,})"


@cache
def _key_patterns():
    import re

    return re.compile(_KEY_PATTERN)


class Secret:
    """An opaque secret string. ``str()``/``repr()`` never reveal it; call :meth:`reveal` explicitly."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret value must be a string")
        self._value = value

    def reveal(self) -> str:
        """Return the raw value (only for handing to an SDK client)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict) -> Secret:
        return self

    def __reduce__(self):  # pickling would write the key to disk or a queue: refuse
        raise TypeError("Secret values cannot be pickled")


def scrub(text: str, *secrets: Secret | str | None) -> str:
    """Remove known secrets and anything shaped like an API key from ``text``."""
    for secret in secrets:
        raw = secret.reveal() if isinstance(secret, Secret) else secret
        if raw and len(raw) >= 4:
            text = text.replace(raw, "********")
    return _key_patterns().sub("********", text)
