"""Provider registry: profile kind → factory. Adding a provider is one file plus one line here
(or a :func:`register_provider` call from anywhere).

Factories are referenced by dotted path and imported on demand, so importing this module never
loads an SDK or the offline runtime.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import MetricsSink, Provider
from .errors import ProviderError, UnknownProviderKind

if TYPE_CHECKING:
    from ..config import ProviderProfile
    from .secret import Secret

ProviderFactory = Callable[["ProviderProfile", "Secret | None", "MetricsSink | None"], Provider]

_PACKAGE = __name__.rsplit(".", 1)[0]
_FACTORIES: dict[str, str | ProviderFactory] = {
    "openai": f"{_PACKAGE}.openai_provider:create",
    "azure": f"{_PACKAGE}.openai_provider:create",
    "lmstudio": f"{_PACKAGE}.openai_provider:create",
    "ollama": f"{_PACKAGE}.openai_provider:create",
    "openai_compatible": f"{_PACKAGE}.openai_provider:create",
    "anthropic": f"{_PACKAGE}.anthropic_provider:create",
    "scripted": f"{_PACKAGE}.scripted:create",
    "offline": f"{__name__}:_create_offline",
}


def _create_offline(
    profile: ProviderProfile, api_key: Secret | None, metrics_sink: MetricsSink | None
) -> Provider:
    """The embedded model (``providers/offline.py``, owned by the offline engineer), imported only now."""
    from . import offline

    factory = getattr(offline, "create_provider", None)
    if factory is not None:
        return factory(profile, metrics_sink=metrics_sink)
    options = {
        k: v for k, v in profile.options.items() if k in ("model_path", "n_ctx", "threads", "timeout_s", "flash_attention")
    }
    return offline.OfflineProvider(
        profile.model or None, name=profile.name, metrics_sink=metrics_sink, **options
    )


def register_provider(kind: str, factory: ProviderFactory | str) -> None:
    """Add or replace the factory for a provider kind (a callable or ``"module:function"``)."""
    _FACTORIES[kind] = factory


def provider_kinds() -> list[str]:
    return sorted(_FACTORIES)


def _load(kind: str) -> ProviderFactory:
    target = _FACTORIES.get(kind)
    if target is None:
        raise UnknownProviderKind(
            f"no provider registered for kind {kind!r}; known kinds: {provider_kinds()}"
        )
    if callable(target):
        return target
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ProviderError(f"provider kind {kind!r} is not available: {exc}") from exc
    factory = getattr(module, attr, None)
    if factory is None:
        raise ProviderError(f"provider kind {kind!r}: {module_name} has no {attr}()")
    return factory


def create_provider(profile: ProviderProfile, *, metrics_sink: MetricsSink | None = None) -> Provider:
    """Build a ready-to-stream provider for ``profile`` (raises MissingApiKey when a key is needed)."""
    from ..config import require_api_key

    factory = _load(profile.provider)
    api_key = require_api_key(profile)
    return factory(profile, api_key, metrics_sink)
