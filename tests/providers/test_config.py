"""Profiles: built-ins, user file, validation, default resolution, keys, secrets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sequence_maker.assistant import config
from sequence_maker.assistant.config import (
    ProviderProfile,
    all_profiles,
    choose_default,
    find_api_key,
    resolve_profile,
    set_key_resolver,
)
from sequence_maker.assistant.providers.errors import (
    InvalidProfile,
    MissingApiKey,
    NoProviderConfigured,
    UnknownProfile,
)
from sequence_maker.assistant.providers.registry import create_provider
from sequence_maker.assistant.providers.secret import Secret, scrub
from tests.fakes.openai_server import fake_openai_server

ENV_KEYS = [
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_DEPLOYMENT",
    "SEQMAKER_PROVIDER",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "OLLAMA_HOST",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SEQMAKER_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEQMAKER_LMSTUDIO_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    monkeypatch.setenv("SEQMAKER_OLLAMA_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setattr(config, "offline_available", lambda: False)
    set_key_resolver(None)
    yield
    set_key_resolver(None)


def test_builtin_profiles_exist():
    assert {"openai", "azure", "anthropic", "lmstudio", "ollama", "offline"} <= set(all_profiles())


def test_round_trip_and_validation():
    p = ProviderProfile(
        name="x",
        provider="openai_compatible",
        model="m",
        base_url="http://127.0.0.1:8080/v1",
        temperature=0.2,
    )
    assert ProviderProfile.from_dict(p.to_dict()) == p
    assert p.is_local
    with pytest.raises(InvalidProfile, match="unknown field"):
        ProviderProfile.from_dict({"name": "x", "provider": "openai", "modle": "typo"})
    with pytest.raises(InvalidProfile, match="unknown provider"):
        ProviderProfile.from_dict({"name": "x", "provider": "gemini"})
    with pytest.raises(InvalidProfile, match="temperature"):
        ProviderProfile.from_dict({"name": "x", "provider": "openai", "temperature": "hot"})


def test_user_toml_profiles_and_overrides(tmp_path):
    (tmp_path / "providers.toml").write_text(
        'default = "studio"\n[profiles.studio]\nprovider = "openai_compatible"\nmodel = "qwen"\n'
        'base_url = "http://127.0.0.1:8080/v1"\n[profiles.openai]\nmodel = "gpt-4o"\n'
    )
    profiles = all_profiles()
    assert profiles["studio"].model == "qwen" and profiles["openai"].model == "gpt-4o"
    assert profiles["openai"].provider == "openai"  # override keeps the built-in's other fields
    choice = choose_default()
    assert choice.name == "studio" and "configured" in choice.reason
    assert resolve_profile(None).name == "studio"


def test_broken_config_file_is_a_clear_error(tmp_path):
    (tmp_path / "providers.json").write_text("{not json")
    with pytest.raises(InvalidProfile, match="providers.json"):
        all_profiles()


def test_save_config_is_atomic_json(tmp_path):
    cfg = config.UserConfig(default="a", profiles={"a": {"provider": "ollama", "model": "llama3.2"}})
    path = config.save_user_config(cfg)
    assert json.loads(path.read_text())["default"] == "a"
    assert resolve_profile("a").model == "llama3.2"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_default_order_keys_then_local_then_offline(monkeypatch):
    with pytest.raises(NoProviderConfigured, match="OPENAI_API_KEY"):
        resolve_profile(None)
    monkeypatch.setattr(config, "offline_available", lambda: True)
    assert choose_default().name == "offline"
    with fake_openai_server([]) as server:
        monkeypatch.setenv("SEQMAKER_OLLAMA_URL", f"{server.base_url}/v1")
        assert choose_default().name == "ollama"
        monkeypatch.setenv("SEQMAKER_LMSTUDIO_URL", f"{server.base_url}/v1")
        assert choose_default().name == "lmstudio"  # LM Studio is preferred over Ollama
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x-000000000")
        assert choose_default().name == "anthropic"
        monkeypatch.setenv("OPENAI_API_KEY", "sk-x-00000000000")
        assert choose_default().name == "openai"
        monkeypatch.setenv("SEQMAKER_PROVIDER", "ollama")
        assert choose_default().name == "ollama"


def test_unknown_profile_lists_known_ones():
    with pytest.raises(UnknownProfile, match="anthropic"):
        resolve_profile("nope")


def test_missing_key_is_a_clear_error():
    with pytest.raises(MissingApiKey, match="OPENAI_API_KEY"):
        create_provider(resolve_profile("openai"))


def test_key_resolver_hook_wins_and_never_leaks(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-0000000000")
    set_key_resolver(lambda profile: "sk-keyring-1111111111" if profile.provider == "openai" else None)
    key = find_api_key(resolve_profile("openai"))
    assert isinstance(key, Secret) and key.reveal() == "sk-keyring-1111111111"
    provider = create_provider(resolve_profile("openai"))
    for text in (repr(key), str(key), repr(provider), repr(resolve_profile("openai")), str(vars(provider))):
        assert "sk-keyring" not in text and "sk-env" not in text


def test_scrub_removes_keys():
    assert "abc123secret" not in scrub("bad key abc123secret given", Secret("abc123secret"))
    assert "sk-proj-abcdefgh1234" not in scrub("Incorrect API key provided: sk-proj-abcdefgh1234.")
    assert "XYZ" not in scrub("Authorization: Bearer XYZXYZXYZXYZXYZ")


def test_import_is_lazy():
    code = (
        "import sys, sequence_maker.assistant.config, sequence_maker.assistant.providers.registry, "
        "sequence_maker.assistant.providers.streaming, sequence_maker.assistant.providers.scripted;"
        "print(sorted(m for m in ('openai', 'anthropic', 'genai_prices', 'tenacity', 'json_repair') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_registry_knows_every_builtin_kind_and_offline_is_lazy():
    from sequence_maker.assistant.providers import registry

    assert set(config.PROVIDER_KINDS) <= set(registry.provider_kinds())
    factory = registry._load("offline")
    assert callable(factory)


def test_new_provider_kind_is_one_registration():
    from sequence_maker.assistant.providers import registry
    from sequence_maker.assistant.providers.scripted import ScriptedProvider

    registry.register_provider("echo", lambda profile, key, sink: ScriptedProvider([], name=profile.name))
    try:
        provider = registry._load("echo")(ProviderProfile(name="e", provider="openai_compatible"), None, None)
        assert provider.name == "e"
    finally:
        registry._FACTORIES.pop("echo")


def test_broken_key_resolver_falls_back_to_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-2222222222")

    def broken(profile):
        raise RuntimeError("keyring locked")

    set_key_resolver(broken)
    assert find_api_key(resolve_profile("openai")).reveal() == "sk-env-2222222222"


def test_secret_copies_but_refuses_pickle():
    import copy
    import pickle

    key = Secret("sk-abc-123456789")
    assert copy.deepcopy(key) is key and copy.copy(key) is key
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_cli_saves_next_to_a_hand_written_toml_without_losing_either(tmp_path):
    (tmp_path / "providers.toml").write_text(
        'default = "mine"\n[profiles.mine]\nprovider = "ollama"\nmodel = "llama3.2"\n'
    )
    cfg = config.load_user_config()
    cfg.profiles["added"] = {"provider": "lmstudio", "model": "qwen"}
    config.save_user_config(cfg)
    saved = json.loads((tmp_path / "providers.json").read_text())
    assert saved == {
        "profiles": {"added": {"provider": "lmstudio", "model": "qwen"}}
    }  # TOML content not copied
    profiles = all_profiles()
    assert profiles["mine"].model == "llama3.2" and profiles["added"].model == "qwen"
    assert choose_default().name == "mine"
    cfg = config.load_user_config()
    cfg.default = "added"
    config.save_user_config(cfg)
    assert choose_default().name == "added"  # the JSON default wins over the TOML one
