"""What the official-SDK adapters (OpenAI, Anthropic) share beyond the streaming engine.

Each holds a profile, an optional API key and a lazily built SDK client: the SDK is imported and the
client built on first use (``_prepare`` does it before any time limit starts), errors are classified
with the key scrubbed, and ``aclose`` releases the client. Subclasses only say how to build the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import MetricsSink
from .errors import ProviderRequestError
from .sdk_errors import classify
from .secret import Secret
from .streaming import StreamingProvider, policy_from_profile

if TYPE_CHECKING:
    from ..config import ProviderProfile


class SdkProvider(StreamingProvider):
    """A :class:`StreamingProvider` backed by one lazily built SDK client."""

    def __init__(
        self,
        profile: ProviderProfile,
        api_key: Secret | None,
        *,
        model: str,
        metrics_sink: MetricsSink | None = None,
        price_provider_id: str | None = None,
    ) -> None:
        super().__init__(
            name=profile.name,
            model=model,
            policy=policy_from_profile(profile),
            metrics_sink=metrics_sink,
            price_provider_id=price_provider_id,
            price_model=profile.price_model or model,
        )
        self.profile = profile
        self._api_key = api_key
        self._client: Any = None

    def _make_client(self) -> Any:
        """Import the SDK and build its async client (SDK retries off: the engine retries)."""
        raise NotImplementedError

    def _client_timeout(self) -> float:
        """The SDK's own HTTP timeout: longer than ours, so the engine's stall/first-chunk limits fire first."""
        return max(self.policy.first_chunk_timeout_s or 60.0, self.policy.stall_timeout_s or 60.0) + 30.0

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _prepare(self) -> None:
        _ = self.client

    def _classify(self, exc: BaseException) -> ProviderRequestError:
        return classify(exc, provider=self.name, secrets=(self._api_key,))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
