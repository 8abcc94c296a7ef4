"""Cost golden tests: recorded usage payloads (incl. cached tokens) priced within 0.5% of prices
computed by hand from the providers' public per-million-token rates."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.providers.events import Usage
from sequence_maker.assistant.providers.metrics import ListMetricsSink
from sequence_maker.assistant.providers.pricing import PriceUnknown, price_usage
from sequence_maker.assistant.providers.registry import create_provider
from tests.fakes.anthropic_server import anthropic_fixture, fake_anthropic_server
from tests.fakes.openai_server import fake_openai_server, openai_fixture

from .helpers import collect, simple_request

M = 1_000_000


def close(got: float | None, want: float) -> bool:
    return got is not None and abs(got - want) <= 0.005 * want


async def _metrics(server, profile):
    sink = ListMetricsSink()
    provider = create_provider(profile, metrics_sink=sink)
    result = await collect(provider, simple_request())
    await provider.aclose()
    assert result.error is None
    return sink.records[-1]


async def test_openai_cached_tokens_are_not_double_counted(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000000000")
    # gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per MTok
    # prompt_tokens 2048 INCLUDES 1920 cached → 128 full-price + 1920 cached; 12 output
    want = (128 * 0.15 + 1920 * 0.075 + 12 * 0.60) / M
    with fake_openai_server([openai_fixture("usage_nonempty_choices")]) as server:
        metrics = await _metrics(server, server.profile(provider="openai", model="gpt-4o-mini"))
    assert (
        metrics.input_tokens == 2048 and metrics.cached_input_tokens == 1920 and metrics.output_tokens == 12
    )
    assert close(metrics.cost_usd, want), (metrics.cost_usd, want)
    assert not metrics.cost_estimated


async def test_azure_deployment_priced_via_price_model(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-test-key-0000")
    # gpt-4o: $2.50 input, $1.25 cached, $10 output; 300 prompt incl. 128 cached, 30 output
    want = (172 * 2.50 + 128 * 1.25 + 30 * 10.0) / M
    with fake_openai_server([openai_fixture("azure_empty_first_choices")]) as server:
        profile = server.profile(
            provider="azure", base_url=server.base_url, model="", deployment="prod-4o", price_model="gpt-4o"
        )
        metrics = await _metrics(server, profile)
        assert server.requests[0].path == "/openai/v1/chat/completions"
        assert server.requests[0].json["model"] == "prod-4o"
    assert close(metrics.cost_usd, want), (metrics.cost_usd, want)


async def test_anthropic_cache_read_tokens_priced_at_cache_rate(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    # claude-sonnet-4-6: $3 input, $0.30 cache read, $3.75 cache write, $15 output.
    # input_tokens 24 EXCLUDES 3072 cache-read tokens.
    want = (24 * 3.0 + 3072 * 0.30 + 61 * 15.0) / M
    with fake_anthropic_server([anthropic_fixture("text_and_tool")]) as server:
        metrics = await _metrics(server, server.profile())
    assert metrics.input_tokens == 3096 and metrics.cached_input_tokens == 3072
    assert close(metrics.cost_usd, want), (metrics.cost_usd, want)


async def test_anthropic_cache_write_tokens_priced_at_write_rate(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000")
    want = (800 * 3.0 + 1200 * 3.75 + 70 * 15.0) / M
    with fake_anthropic_server([anthropic_fixture("parallel_tools")]) as server:
        metrics = await _metrics(server, server.profile())
    assert metrics.cache_write_tokens == 1200 and metrics.tool_calls == 2
    assert close(metrics.cost_usd, want), (metrics.cost_usd, want)


async def test_local_models_cost_zero_and_missing_usage_is_estimated():
    with fake_openai_server([openai_fixture("lmstudio_numeric_ids")]) as server:
        metrics = await _metrics(server, server.profile(provider="lmstudio"))
    assert metrics.cost_usd == 0.0
    assert metrics.usage_estimated and metrics.input_tokens > 0 and metrics.output_tokens > 0
    assert metrics.cost_estimated is True


async def test_metrics_fields_are_filled():
    with fake_openai_server([openai_fixture("parallel_calls")]) as server:
        metrics = await _metrics(server, server.profile())
    assert metrics.provider == "fake-openai" and metrics.model == "fake-model"
    assert metrics.ttft_s is not None and 0 < metrics.ttft_s <= metrics.duration_s
    assert metrics.tool_calls == 2 and metrics.finish_reason == "tool_calls"
    assert metrics.output_chars == len('{"city": "Paris"}') + len('{"ticker": "AAPL", "exchange": "NASDAQ"}')
    assert metrics.tokens_per_s is not None and metrics.chars_per_s is not None
    assert metrics.request_id == "chatcmpl-ABfw8"


def test_unknown_model_price_is_reported_not_guessed():
    with pytest.raises(PriceUnknown):
        price_usage(Usage(10, 10), provider_id="openai", model="no-such-model-xyz")
    assert price_usage(Usage(10, 10), provider_id=None, model="anything") == 0.0


async def test_azure_without_price_model_is_priced_by_the_model_that_answered(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-test-key-0000")
    want = (172 * 2.50 + 128 * 1.25 + 30 * 10.0) / M  # chunks report model gpt-4o-2024-11-20
    with fake_openai_server([openai_fixture("azure_empty_first_choices")]) as server:
        profile = server.profile(
            provider="azure", base_url=server.base_url, model="", deployment="team-deployment"
        )
        metrics = await _metrics(server, profile)
        assert server.requests[0].headers["api-key"] == "azure-test-key-0000"
    assert metrics.model == "team-deployment"
    assert close(metrics.cost_usd, want), (metrics.cost_usd, want)
