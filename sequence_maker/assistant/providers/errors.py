"""Exceptions of the provider layer.

Every message is meant for a human: it names the problem and, where it can, the fix. No exception
here ever carries an API key (see :mod:`secret`).
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base class of provider-layer errors."""


class NoProviderConfigured(ProviderError):
    """No profile was named and nothing usable was found (no key in env, no local server, no offline model)."""


class UnknownProfile(ProviderError):
    """A profile name that is neither built in nor defined in the user config."""


class UnknownProviderKind(ProviderError):
    """A profile names a provider kind that no registered factory handles."""


class MissingApiKey(ProviderError):
    """The profile needs an API key and none was found."""


class InvalidProfile(ProviderError):
    """A profile (or the config file holding it) is malformed."""


class ProviderRequestError(ProviderError):
    """One attempt at a request failed; ``retryable`` says whether trying again could help."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "error",
        retryable: bool = False,
        status_code: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after_s = retry_after_s


class StallTimeout(ProviderRequestError):
    """The server sent nothing (or only keep-alives) for longer than the stall limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="stall_timeout", retryable=True)
