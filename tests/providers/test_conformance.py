"""Conformance corpus: every recorded stream shape, through the real SDK clients and a loopback server,
must yield exactly the expected calls; truncated calls are never ``ok``."""

from __future__ import annotations

import json

import pytest

from sequence_maker.assistant.providers.registry import create_provider
from tests.fakes.anthropic_server import ANTHROPIC_FIXTURES, anthropic_fixture, fake_anthropic_server
from tests.fakes.openai_server import OPENAI_FIXTURES, fake_openai_server, openai_fixture

from .helpers import collect, simple_request

OPENAI_CASES = sorted(p.name.removesuffix(".sse") for p in OPENAI_FIXTURES.glob("*.sse"))
ANTHROPIC_CASES = sorted(p.name.removesuffix(".sse") for p in ANTHROPIC_FIXTURES.glob("*.sse"))

REQUIRED_OPENAI = {
    "single_call",
    "parallel_calls",
    "interleaved_indices",
    "azure_empty_first_choices",
    "usage_nonempty_choices",
    "ollama_same_index_new_id",
    "whole_call_one_chunk",
    "missing_index",
    "missing_id",
    "late_id",
    "lmstudio_numeric_ids",
    "truncated_length",
    "mid_stream_error",
}
REQUIRED_ANTHROPIC = {
    "text_and_tool",
    "text_and_no_args_tool",
    "max_tokens_truncation",
    "mid_stream_overloaded",
}


def test_corpus_covers_required_shapes():
    assert REQUIRED_OPENAI <= set(OPENAI_CASES)
    assert REQUIRED_ANTHROPIC <= set(ANTHROPIC_CASES)


def check(result, expected: dict) -> None:
    assert result.text == expected["text"]
    assert len(result.calls) == len(expected["calls"]), [c.name for c in result.calls]
    for got, want in zip(result.calls, expected["calls"], strict=True):
        assert got.name == want["name"]
        if want.get("id"):
            assert got.call_id == want["id"]
        else:
            assert got.call_id.startswith("call_") and len(got.call_id) > 10
        assert got.ok is want.get("ok", True), got.error
        if got.ok:
            assert got.arguments == want["arguments"]
            assert got.repaired is want.get("repaired", False)
        else:
            assert got.error and got.arguments == {}
    # starts and ends agree on ordinal and there is one start per end
    assert [s.index for s in result.starts] == [c.index for c in result.calls]
    if "error" in expected:
        assert result.error is not None and result.error.kind == expected["error"]["kind"]
        assert result.finish is None
        return
    assert result.error is None
    assert result.finish is not None and result.finish.reason == expected["finish"]
    usage = result.usage
    assert usage is not None
    want_usage = expected["usage"]
    if want_usage.get("estimated"):
        assert usage.estimated and usage.input_tokens > 0
    else:
        assert not usage.estimated
        for key, value in want_usage.items():
            assert getattr(usage, key) == value, key


@pytest.mark.parametrize("case", OPENAI_CASES)
async def test_openai_corpus(case):
    expected = json.loads((OPENAI_FIXTURES / f"{case}.expected.json").read_text())
    with fake_openai_server([openai_fixture(case)]) as server:
        provider = create_provider(server.profile(mid_stream_restarts=0, max_attempts=1))
        try:
            result = await collect(provider, simple_request())
        finally:
            await provider.aclose()
    check(result, expected)


@pytest.mark.parametrize("case", ANTHROPIC_CASES)
async def test_anthropic_corpus(case, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-0000")
    expected = json.loads((ANTHROPIC_FIXTURES / f"{case}.expected.json").read_text())
    with fake_anthropic_server([anthropic_fixture(case)]) as server:
        provider = create_provider(server.profile(mid_stream_restarts=0, max_attempts=1))
        try:
            result = await collect(provider, simple_request())
        finally:
            await provider.aclose()
    check(result, expected)
