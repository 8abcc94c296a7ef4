"""What LlamaEngine asks of llama.cpp, read off the real xllamacpp parameter object (no model load)."""

from __future__ import annotations

import pytest

xlc = pytest.importorskip("xllamacpp")

from sequence_maker.assistant.offline.engine import EngineConfig, LlamaEngine  # noqa: E402


class _Captured:
    listening_address = "http://127.0.0.1:1"


@pytest.fixture
def captured(monkeypatch, tmp_path):
    seen = {}

    def fake_server(params):
        seen["params"] = params
        return _Captured()

    monkeypatch.setattr(xlc, "Server", fake_server)
    return seen, tmp_path / "model.gguf"


def test_defaults_lock_the_listener_and_turn_cpu_flash_attention_off(captured):
    seen, path = captured
    engine = LlamaEngine(EngineConfig(path, n_ctx=2048, threads=2))
    engine.load()
    p = seen["params"]
    assert p.flash_attn_type == xlc.llama_flash_attn_type.LLAMA_FLASH_ATTN_TYPE_DISABLED
    assert p.api_keys == [engine._api_key] and len(engine._api_key) >= 32
    assert not p.ui and not p.endpoint_props and not p.endpoint_slots and not p.endpoint_metrics
    assert p.cors_origins == "" and p.hostnames == ["127.0.0.1"]
    assert (p.n_ctx, p.cpuparams.n_threads, p.cpuparams_batch.n_threads) == (2048, 2, 2)
    assert p.cache_ram_mib == 512  # llama.cpp's own default (8 GiB of saved prompt states) is capped


@pytest.mark.parametrize(("setting", "expected"), [
    (True, "LLAMA_FLASH_ATTN_TYPE_ENABLED"),
    (None, "LLAMA_FLASH_ATTN_TYPE_AUTO"),
])
def test_flash_attention_can_be_forced_on_or_left_to_llama_cpp(captured, setting, expected):
    seen, path = captured
    LlamaEngine(EngineConfig(path, flash_attention=setting)).load()
    assert seen["params"].flash_attn_type == getattr(xlc.llama_flash_attn_type, expected)
