"""Provider for Anthropic Claude on the official ``anthropic`` SDK (imported on first use).

SDK retries are off (``max_retries=0``); a mid-stream ``overloaded_error`` after HTTP 200 is raised by
the SDK as a status error with code 200 and classified retryable (only before visible output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .anthropic_messages import AnthropicTranslator, build_messages_kwargs
from .base import ChatRequest, MetricsSink
from .errors import ProviderRequestError
from .sdk_errors import classify
from .secret import Secret
from .streaming import StreamingProvider, StreamTranslator, policy_from_profile

if TYPE_CHECKING:
    from ..config import ProviderProfile


class AnthropicProvider(StreamingProvider):
    """Streams the Messages API with tools through ``anthropic.AsyncAnthropic``."""

    def __init__(
        self, profile: ProviderProfile, api_key: Secret | None, *, metrics_sink: MetricsSink | None = None
    ):
        super().__init__(
            name=profile.name,
            model=profile.model,
            policy=policy_from_profile(profile),
            metrics_sink=metrics_sink,
            price_provider_id="anthropic",
            price_model=profile.price_model or profile.model,
        )
        self.profile = profile
        self._api_key = api_key
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import anthropic

            timeout = (
                max(self.policy.first_chunk_timeout_s or 60.0, self.policy.stall_timeout_s or 60.0) + 30.0
            )
            self._client = anthropic.AsyncAnthropic(
                api_key=self._api_key.reveal() if self._api_key else None,
                base_url=self.profile.base_url or None,
                max_retries=0,
                timeout=timeout,
            )
        return self._client

    async def _open(self, request: ChatRequest) -> Any:
        kwargs = build_messages_kwargs(
            request,
            model=self.model,
            default_temperature=self.profile.temperature,
            default_max_tokens=self.profile.max_tokens,
        )
        return await self.client.messages.create(**kwargs)

    def _prepare(self) -> None:
        _ = self.client

    def _translator(self, request: ChatRequest) -> StreamTranslator:
        return AnthropicTranslator()

    def _classify(self, exc: BaseException) -> ProviderRequestError:
        return classify(exc, provider=self.name, secrets=(self._api_key,))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def __repr__(self) -> str:
        return f"AnthropicProvider(name={self.name!r}, model={self.model!r})"


def create(
    profile: ProviderProfile, api_key: Secret | None, metrics_sink: MetricsSink | None
) -> AnthropicProvider:
    return AnthropicProvider(profile, api_key, metrics_sink=metrics_sink)
