"""Named LLM provider profiles: built-ins, the user's config file, env discovery, default resolution.

A profile says *where and how* to talk to a model (provider kind, model, base_url, Azure deployment
and api_version, sampling defaults, timeouts). It never holds an API key: keys come from a key
resolver hook (the server plugs in its keyring store with :func:`set_key_resolver`) or from the
environment, and travel as :class:`Secret`.

User profiles live in ``<user config dir>/providers.toml`` (hand-written) and ``providers.json``
(written by the CLI; wins per profile); a user profile with a built-in name overrides that built-in
field by field. ``SEQMAKER_CONFIG_DIR`` relocates the
config dir (tests, portable installs).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .providers.errors import InvalidProfile, MissingApiKey, NoProviderConfigured, UnknownProfile
from .providers.secret import Secret

PROVIDER_KINDS = (
    "openai",
    "azure",
    "anthropic",
    "lmstudio",
    "ollama",
    "openai_compatible",
    "offline",
    "scripted",
)
LOCAL_KINDS = frozenset({"lmstudio", "ollama", "offline", "scripted"})
KEY_ENV = {"openai": "OPENAI_API_KEY", "azure": "AZURE_OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
DEFAULT_LMSTUDIO_URL = "http://localhost:1234/v1"
DEFAULT_OLLAMA_URL = "http://localhost:11434/v1"
CONFIG_FILE_NAMES = ("providers.toml", "providers.json")


@dataclass(slots=True)
class ProviderProfile:
    """How to reach one model. Plain data: ``to_dict``/``from_dict`` round-trip (file, DB, API)."""

    name: str
    provider: str
    model: str = ""
    base_url: str | None = None
    deployment: str | None = None  # Azure deployment name (the "model" on Azure)
    api_version: str | None = None  # Azure dated API; None = Azure v1 endpoint
    temperature: float | None = None
    max_tokens: int | None = None
    api_key_env: str | None = None  # env var holding the key, when not the provider's standard one
    price_model: str | None = None  # model id for pricing (Azure deployments are not model ids)
    first_chunk_timeout_s: float | None = None
    stall_timeout_s: float | None = None
    max_attempts: int | None = None
    total_budget_s: float | None = None
    mid_stream_restarts: int | None = None
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict without empty optional fields."""
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in (None, "", {}) or k in ("name", "provider")}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, name: str | None = None) -> ProviderProfile:
        """Validate and build; errors name the profile and the bad field."""
        if not isinstance(data, dict):
            raise InvalidProfile(f"profile {name!r} must be a table/object, got {type(data).__name__}")
        values = dict(data)
        if name is not None:
            values.setdefault("name", name)
        label = values.get("name") or name or "?"
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidProfile(
                f"profile {label!r}: unknown field(s) {unknown}; known fields: {sorted(known)}"
            )
        for required in ("name", "provider"):
            if not isinstance(values.get(required), str) or not values[required]:
                raise InvalidProfile(
                    f"profile {label!r}: field {required!r} is required and must be a string"
                )
        if values["provider"] not in PROVIDER_KINDS:
            raise InvalidProfile(
                f"profile {label!r}: unknown provider {values['provider']!r}; expected one of {list(PROVIDER_KINDS)}"
            )
        _check_types(label, values)
        return cls(**values)

    @property
    def is_local(self) -> bool:
        """Runs on this machine (costs nothing, needs no key)."""
        if self.provider in LOCAL_KINDS:
            return True
        if self.provider == "openai_compatible" and self.base_url:
            return any(h in self.base_url for h in ("://localhost", "://127.0.0.1", "://[::1]", "://0.0.0.0"))
        return False

    @property
    def needs_key(self) -> bool:
        return self.provider in KEY_ENV

    def merged(self, overrides: dict[str, Any]) -> ProviderProfile:
        return ProviderProfile.from_dict({**self.to_dict(), **overrides})


_FLOAT_FIELDS = ("temperature", "first_chunk_timeout_s", "stall_timeout_s", "total_budget_s")
_INT_FIELDS = ("max_tokens", "max_attempts", "mid_stream_restarts")
_STR_FIELDS = ("model", "base_url", "deployment", "api_version", "api_key_env", "price_model", "description")


def _check_types(label: str, values: dict[str, Any]) -> None:
    for key in _FLOAT_FIELDS:
        v = values.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            raise InvalidProfile(f"profile {label!r}: {key} must be a non-negative number, got {v!r}")
    for key in _INT_FIELDS:
        v = values.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise InvalidProfile(f"profile {label!r}: {key} must be a non-negative integer, got {v!r}")
    for key in _STR_FIELDS:
        v = values.get(key)
        if v is not None and not isinstance(v, str):
            raise InvalidProfile(f"profile {label!r}: {key} must be a string, got {v!r}")
    if values.get("options") is not None and not isinstance(values["options"], dict):
        raise InvalidProfile(f"profile {label!r}: options must be a table/object")


# built-ins ----------------------------------------------------------------------------------------


def builtin_profiles() -> dict[str, ProviderProfile]:
    """The profiles every command accepts as ``--provider NAME``, filled from the environment."""
    env = os.environ
    azure_deployment = env.get("AZURE_OPENAI_DEPLOYMENT") or env.get("AZURE_OPENAI_DEPLOYMENT_NAME")
    ollama_host = env.get("OLLAMA_HOST")
    ollama_url = DEFAULT_OLLAMA_URL
    if ollama_host:
        host = ollama_host if "://" in ollama_host else f"http://{ollama_host}"
        ollama_url = host.rstrip("/") + "/v1"
    return {
        "openai": ProviderProfile(
            name="openai",
            provider="openai",
            model=env.get("SEQMAKER_OPENAI_MODEL", "gpt-4.1-mini"),
            base_url=env.get("OPENAI_BASE_URL") or None,
            description="OpenAI API (OPENAI_API_KEY)",
        ),
        "azure": ProviderProfile(
            name="azure",
            provider="azure",
            model=azure_deployment or "",
            deployment=azure_deployment,
            base_url=env.get("AZURE_OPENAI_ENDPOINT") or None,
            api_version=env.get("AZURE_OPENAI_API_VERSION") or None,
            price_model=env.get("SEQMAKER_AZURE_PRICE_MODEL") or None,
            description="Azure OpenAI (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, AZURE_OPENAI_DEPLOYMENT)",
        ),
        "anthropic": ProviderProfile(
            name="anthropic",
            provider="anthropic",
            model=env.get("SEQMAKER_ANTHROPIC_MODEL", "claude-sonnet-4-6"),
            base_url=env.get("ANTHROPIC_BASE_URL") or None,
            description="Anthropic Claude (ANTHROPIC_API_KEY)",
        ),
        "lmstudio": ProviderProfile(
            name="lmstudio",
            provider="lmstudio",
            base_url=env.get("SEQMAKER_LMSTUDIO_URL", DEFAULT_LMSTUDIO_URL),
            description="LM Studio local server (model: the loaded one unless set)",
        ),
        "ollama": ProviderProfile(
            name="ollama",
            provider="ollama",
            base_url=env.get("SEQMAKER_OLLAMA_URL", ollama_url),
            description="Ollama local server (model: the first installed unless set)",
        ),
        "offline": ProviderProfile(
            name="offline", provider="offline", model="", description="Embedded offline model (no network)"
        ),
    }


# user config file ---------------------------------------------------------------------------------


def config_dir() -> Path:
    override = os.environ.get("SEQMAKER_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("sequence-maker", appauthor=False))


@dataclass(slots=True)
class UserConfig:
    """The user's provider files merged: ``providers.toml`` (hand-written) then ``providers.json``
    (written by ``seqmaker providers add``/``set-default``), the latter winning per profile."""

    default: str | None = None
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None  # where ``default`` came from (for messages)
    hand_written: dict[str, Any] = field(default_factory=dict)  # the TOML file's content, never rewritten


def _read_config_file(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidProfile(f"{path}: cannot parse provider config: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidProfile(f"{path}: top level must be a table/object")
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise InvalidProfile(f"{path}: 'default' must be a profile name (string)")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise InvalidProfile(f"{path}: 'profiles' must be a table/object of profiles")
    return {"default": default, "profiles": profiles}


def load_user_config(directory: Path | None = None) -> UserConfig:
    """Read ``providers.toml`` and ``providers.json`` (both optional; missing files = empty config)."""
    directory = directory or config_dir()
    config = UserConfig()
    for filename in CONFIG_FILE_NAMES:
        path = directory / filename
        if not path.exists():
            continue
        data = _read_config_file(path)
        if filename.endswith(".toml"):
            config.hand_written = data
        config.profiles.update(data["profiles"])
        if data["default"]:
            config.default, config.path = data["default"], path
    return config


def save_user_config(config: UserConfig, directory: Path | None = None) -> Path:
    """Write ``providers.json`` atomically (temp + fsync + rename), leaving a hand-written TOML untouched:
    only profiles that differ from the TOML ones are written."""
    from .providers.serialize import write_text_atomic

    directory = directory or config_dir()
    path = directory / "providers.json"
    toml_profiles = config.hand_written.get("profiles", {})
    profiles = {k: v for k, v in config.profiles.items() if toml_profiles.get(k) != v}
    data: dict[str, Any] = {"profiles": profiles}
    if config.default and config.default != config.hand_written.get("default"):
        data["default"] = config.default
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def all_profiles(config: UserConfig | None = None) -> dict[str, ProviderProfile]:
    """Built-ins merged with user profiles (user fields override built-in ones)."""
    config = config if config is not None else load_user_config()
    profiles = builtin_profiles()
    for name, data in config.profiles.items():
        base = profiles.get(name)
        if base is not None:
            profiles[name] = ProviderProfile.from_dict({**base.to_dict(), **data, "name": name})
        else:
            profiles[name] = ProviderProfile.from_dict(data, name=name)
    return profiles


# keys ---------------------------------------------------------------------------------------------

KeyResolver = Callable[[ProviderProfile], "str | Secret | None"]
_key_resolver: KeyResolver | None = None


def set_key_resolver(resolver: KeyResolver | None) -> None:
    """Install a hook that supplies API keys (e.g. from the server's keyring store); None removes it."""
    global _key_resolver
    _key_resolver = resolver


def find_api_key(profile: ProviderProfile) -> Secret | None:
    """The profile's key from the resolver hook, else its env var; None when there is none."""
    if _key_resolver is not None:
        try:
            value = _key_resolver(profile)
        except Exception as exc:  # a broken keyring must not hide the env key or crash a listing
            import logging

            logging.getLogger(__name__).warning(
                "key resolver failed for profile %r: %s", profile.name, type(exc).__name__
            )
            value = None
        if value:
            return value if isinstance(value, Secret) else Secret(value)
    env_name = profile.api_key_env or KEY_ENV.get(profile.provider)
    if profile.provider == "openai_compatible" and not env_name:
        env_name = "OPENAI_API_KEY"
    if env_name:
        value = os.environ.get(env_name)
        if value:
            return Secret(value)
    return None


def require_api_key(profile: ProviderProfile) -> Secret | None:
    """Like :func:`find_api_key`, but a profile that needs a key and has none raises MissingApiKey."""
    key = find_api_key(profile)
    if key is None and profile.needs_key:
        env_name = profile.api_key_env or KEY_ENV[profile.provider]
        raise MissingApiKey(
            f"profile {profile.name!r} ({profile.provider}) needs an API key: set {env_name} in the environment"
            " or store a key for it in the app's settings"
        )
    return key


# default resolution -------------------------------------------------------------------------------


@dataclass(slots=True)
class DefaultChoice:
    """Which profile is the default and why (for ``seqmaker providers list``)."""

    name: str | None
    reason: str


def _probe(url: str, timeout_s: float) -> bool:
    """True if an OpenAI-compatible server answers ``GET {url}/models`` quickly."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url.rstrip("/") + "/models", timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def probe_local_servers(profiles: dict[str, ProviderProfile], timeout_s: float = 0.4) -> list[str]:
    """Names of local server profiles (lmstudio, ollama) that answer, in preference order."""
    from concurrent.futures import ThreadPoolExecutor

    candidates = [
        p for p in (profiles.get("lmstudio"), profiles.get("ollama")) if p is not None and p.base_url
    ]
    with ThreadPoolExecutor(max_workers=max(1, len(candidates))) as pool:
        answers = list(pool.map(lambda p: _probe(p.base_url or "", timeout_s), candidates))
    return [p.name for p, ok in zip(candidates, answers, strict=True) if ok]


def offline_available() -> bool:
    """The embedded model can run: runtime importable and weights present (asked of the offline module)."""
    if importlib.util.find_spec("xllamacpp") is None:
        return False
    try:
        from .providers import offline  # type: ignore[attr-defined]
    except ImportError:
        return False
    check = getattr(offline, "is_available", None)
    try:
        return bool(check()) if callable(check) else False
    except Exception:
        return False


def choose_default(config: UserConfig | None = None, *, probe: bool = True) -> DefaultChoice:
    """Default profile in order: configured → keys in env → local server → offline model."""
    config = config if config is not None else load_user_config()
    profiles = all_profiles(config)
    configured = os.environ.get("SEQMAKER_PROVIDER") or config.default
    if configured:
        where = "SEQMAKER_PROVIDER" if os.environ.get("SEQMAKER_PROVIDER") else f"default in {config.path}"
        if configured not in profiles:
            raise UnknownProfile(
                f"{where} names profile {configured!r}, which does not exist; known: {sorted(profiles)}"
            )
        return DefaultChoice(configured, f"configured ({where})")
    for name in ("openai", "anthropic", "azure"):
        profile = profiles[name]
        if name == "azure" and not (profile.base_url and profile.deployment):
            continue
        if find_api_key(profile) is not None:
            return DefaultChoice(name, f"API key found for {name}")
    if probe:
        found = probe_local_servers(profiles)
        if found:
            return DefaultChoice(found[0], f"local server answering at {profiles[found[0]].base_url}")
    if offline_available():
        return DefaultChoice("offline", "embedded offline model installed")
    return DefaultChoice(None, "nothing configured")


NO_PROVIDER_HELP = (
    "No LLM provider is configured. Connect one of: "
    "set OPENAI_API_KEY or ANTHROPIC_API_KEY (or AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY + "
    "AZURE_OPENAI_DEPLOYMENT); start LM Studio (port 1234) or Ollama (port 11434) with a model loaded; "
    "install the offline model (pip install 'sequence-maker[offline]'); or define a profile in "
    "{path} and pass --provider NAME."
)


def resolve_profile(name: str | None) -> ProviderProfile:
    """The named profile, or the default one (see :func:`choose_default`); clear errors otherwise."""
    config = load_user_config()
    profiles = all_profiles(config)
    if name is None:
        choice = choose_default(config)
        if choice.name is None:
            raise NoProviderConfigured(NO_PROVIDER_HELP.format(path=config_dir() / "providers.toml"))
        name = choice.name
    profile = profiles.get(name)
    if profile is None:
        raise UnknownProfile(
            f"unknown provider profile {name!r}; known profiles: {', '.join(sorted(profiles))}"
        )
    return profile


def with_overrides(profile: ProviderProfile, **overrides: Any) -> ProviderProfile:
    """A copy with the given non-None fields replaced (CLI --model etc.)."""
    return replace(profile, **{k: v for k, v in overrides.items() if v is not None})
