"""Provider for every OpenAI-compatible Chat Completions endpoint, on the official ``openai`` SDK.

Kinds: ``openai``, ``azure`` (v1 endpoint by default, dated deployments when ``api_version`` is
set), ``lmstudio``, ``ollama``, ``openai_compatible`` (llama.cpp server, vLLM, …). The SDK is
imported on first use; its own retries are off (``max_retries=0``) so ours don't multiply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ChatRequest, MetricsSink
from .errors import InvalidProfile, ProviderRequestError
from .openai_chat import OpenAIChatTranslator, build_chat_kwargs
from .sdk_base import SdkProvider
from .secret import Secret
from .streaming import StreamTranslator

if TYPE_CHECKING:
    from ..config import ProviderProfile

LOCAL_PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key but the SDK requires one


class OpenAIChatProvider(SdkProvider):
    """Streams Chat Completions with tools through ``openai.AsyncOpenAI``/``AsyncAzureOpenAI``."""

    def __init__(
        self, profile: ProviderProfile, api_key: Secret | None, *, metrics_sink: MetricsSink | None = None
    ):
        kind = profile.provider
        model = profile.deployment or profile.model if kind == "azure" else profile.model
        if kind == "azure" and not profile.base_url:
            raise InvalidProfile(f"profile {profile.name!r}: Azure needs base_url (AZURE_OPENAI_ENDPOINT)")
        if kind == "azure" and not model:
            raise InvalidProfile(
                f"profile {profile.name!r}: Azure needs a deployment (AZURE_OPENAI_DEPLOYMENT)"
            )
        price_id: str | None
        if profile.is_local:
            price_id = None
        elif kind in ("openai", "azure"):
            price_id = kind
        else:
            price_id = str(profile.options.get("price_provider", "unknown"))
        super().__init__(profile, api_key, model=model, metrics_sink=metrics_sink, price_provider_id=price_id)
        self.price_from_response_model = kind == "azure" and not profile.price_model
        first_party = kind in ("openai", "azure")
        self._supports_tool_choice = kind != "ollama"
        self._parse_text_calls = kind in ("lmstudio", "ollama", "openai_compatible")
        self._supports_parallel_flag = first_party
        self._max_tokens_param = "max_completion_tokens" if first_party else "max_tokens"
        version = profile.api_version
        self._include_usage = bool(profile.options.get("stream_usage", not (version and version < "2024-09")))

    def _make_client(self) -> Any:
        import openai

        profile = self.profile
        key = self._api_key.reveal() if self._api_key else LOCAL_PLACEHOLDER_KEY
        timeout = self._client_timeout()
        if profile.provider == "azure":
            endpoint = (profile.base_url or "").rstrip("/")
            if profile.api_version:
                return openai.AsyncAzureOpenAI(
                    azure_endpoint=endpoint,
                    azure_deployment=self.model,
                    api_version=profile.api_version,
                    api_key=key,
                    max_retries=0,
                    timeout=timeout,
                )
            base = endpoint if endpoint.endswith("/openai/v1") else endpoint + "/openai/v1"
            # the v1 endpoint takes the key as a bearer token; the api-key header also works on older gateways
            return openai.AsyncOpenAI(
                base_url=base + "/",
                api_key=key,
                default_headers={"api-key": key},
                max_retries=0,
                timeout=timeout,
            )
        return openai.AsyncOpenAI(
            base_url=profile.base_url or None, api_key=key, max_retries=0, timeout=timeout
        )

    async def _discover_model(self) -> None:
        """Local servers: use the loaded/first model when the profile names none."""
        try:
            page = await self.client.models.list()
        except Exception as exc:
            raise self._classify(exc) from exc
        ids = [m.id for m in getattr(page, "data", [])]
        if not ids:
            raise ProviderRequestError(
                f"{self.name}: the server at {self.profile.base_url} has no model loaded; load one or set a model"
            )
        self.model = ids[0]
        self.price_model = self.profile.price_model or self.model

    async def _open(self, request: ChatRequest) -> Any:
        if not self.model:
            await self._discover_model()
        kwargs = build_chat_kwargs(
            request,
            model=self.model,
            include_usage=self._include_usage,
            supports_tool_choice=self._supports_tool_choice,
            supports_parallel_flag=self._supports_parallel_flag,
            max_tokens_param=self._max_tokens_param,
            default_temperature=self.profile.temperature,
            default_max_tokens=self.profile.max_tokens,
        )
        return await self.client.chat.completions.create(**kwargs)

    def _translator(self, request: ChatRequest) -> StreamTranslator:
        return OpenAIChatTranslator(text_tool_calls=self._parse_text_calls and bool(request.tools))

    def __repr__(self) -> str:
        return f"OpenAIChatProvider(name={self.name!r}, model={self.model!r}, base_url={self.profile.base_url!r})"


def create(
    profile: ProviderProfile, api_key: Secret | None, metrics_sink: MetricsSink | None
) -> OpenAIChatProvider:
    return OpenAIChatProvider(profile, api_key, metrics_sink=metrics_sink)
