"""Provider for Anthropic Claude on the official ``anthropic`` SDK (imported on first use).

SDK retries are off (``max_retries=0``); a mid-stream ``overloaded_error`` after HTTP 200 is raised by
the SDK as a status error with code 200 and classified retryable (only before visible output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .anthropic_messages import AnthropicTranslator, build_messages_kwargs
from .base import ChatRequest, MetricsSink
from .sdk_base import SdkProvider
from .secret import Secret
from .streaming import StreamTranslator

if TYPE_CHECKING:
    from ..config import ProviderProfile


class AnthropicProvider(SdkProvider):
    """Streams the Messages API with tools through ``anthropic.AsyncAnthropic``."""

    def __init__(
        self, profile: ProviderProfile, api_key: Secret | None, *, metrics_sink: MetricsSink | None = None
    ):
        super().__init__(
            profile, api_key, model=profile.model, metrics_sink=metrics_sink, price_provider_id="anthropic"
        )

    def _make_client(self) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=self._api_key.reveal() if self._api_key else None,
            base_url=self.profile.base_url or None,
            max_retries=0,
            timeout=self._client_timeout(),
        )

    async def _open(self, request: ChatRequest) -> Any:
        kwargs = build_messages_kwargs(
            request,
            model=self.model,
            default_temperature=self.profile.temperature,
            default_max_tokens=self.profile.max_tokens,
        )
        return await self.client.messages.create(**kwargs)

    def _translator(self, request: ChatRequest) -> StreamTranslator:
        return AnthropicTranslator()

    def __repr__(self) -> str:
        return f"AnthropicProvider(name={self.name!r}, model={self.model!r})"


def create(
    profile: ProviderProfile, api_key: Secret | None, metrics_sink: MetricsSink | None
) -> AnthropicProvider:
    return AnthropicProvider(profile, api_key, metrics_sink=metrics_sink)
