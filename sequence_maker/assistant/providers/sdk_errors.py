"""Map exceptions from the openai/anthropic SDKs (and their HTTP stack) to :class:`ProviderRequestError`.

Classification is by class name and attributes so this module never imports an SDK.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

from .errors import ProviderRequestError
from .secret import Secret, scrub

RETRYABLE_STATUS = {408, 409, 429}
RETRYABLE_ERROR_TYPES = {"overloaded_error", "api_error", "rate_limit_error", "server_error", "timeout_error"}


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    try:
        value_ms = headers.get("retry-after-ms")
        if value_ms is not None:
            return max(0.0, float(value_ms) / 1000.0)
        value = headers.get("retry-after")
    except Exception:
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_type(body: Any) -> str | None:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            kind = inner.get("type") or inner.get("code")
            return str(kind) if kind else None
    return None


def _body_message(body: Any) -> str | None:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
    return None


_STATUS_HINTS = {
    401: "the API key was rejected; check the key for this profile (`seqmaker providers list`)",
    403: "access denied for this key/model",
    404: "model, deployment or endpoint not found; check the profile's model/base_url",
}


def classify(
    exc: BaseException, *, provider: str, secrets: tuple[Secret | str | None, ...] = ()
) -> ProviderRequestError:
    """Turn any exception raised while requesting/streaming into a ProviderRequestError."""
    if isinstance(exc, ProviderRequestError):
        return exc
    names = _class_names(exc)
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    error_type = _error_type(body)
    detail = _body_message(body) or str(exc) or type(exc).__name__

    if "APITimeoutError" in names or "TimeoutException" in names or isinstance(exc, TimeoutError):
        return ProviderRequestError(
            scrub(f"{provider}: request timed out ({detail})", *secrets), kind="timeout", retryable=True
        )
    if "APIStatusError" in names and isinstance(status, int):
        response = getattr(exc, "response", None)
        retry_after = parse_retry_after(getattr(response, "headers", None))
        if status == 200 or (200 <= status < 300):
            # error event after HTTP 200 (Anthropic mid-stream overloaded_error)
            retryable = error_type in RETRYABLE_ERROR_TYPES
            return ProviderRequestError(
                scrub(f"{provider}: stream error {error_type or ''}: {detail}".replace("  ", " "), *secrets),
                kind=error_type or "stream_error",
                retryable=retryable,
                status_code=status,
            )
        retryable = status in RETRYABLE_STATUS or status >= 500 or error_type == "overloaded_error"
        hint = _STATUS_HINTS.get(status)
        message = f"{provider}: HTTP {status}: {detail}" + (f" ({hint})" if hint else "")
        return ProviderRequestError(
            scrub(message, *secrets),
            kind=error_type or f"http_{status}",
            retryable=retryable,
            status_code=status,
            retry_after_s=retry_after,
        )
    if names & {
        "APIConnectionError",
        "TransportError",
        "NetworkError",
        "RemoteProtocolError",
        "ConnectError",
    } or isinstance(exc, ConnectionError | OSError):
        cause = exc.__cause__ or exc.__context__
        extra = f": {type(cause).__name__}" if cause is not None else ""
        return ProviderRequestError(
            scrub(f"{provider}: connection failed ({detail}{extra})", *secrets),
            kind="connection",
            retryable=True,
        )
    if "APIError" in names:
        return ProviderRequestError(
            scrub(f"{provider}: stream error: {detail}", *secrets),
            kind=error_type or "stream_error",
            retryable=error_type in RETRYABLE_ERROR_TYPES,
        )
    return ProviderRequestError(
        scrub(f"{provider}: unexpected {type(exc).__name__}: {detail}", *secrets),
        kind="internal",
        retryable=False,
    )
