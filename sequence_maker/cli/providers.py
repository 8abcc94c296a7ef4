"""``seqmaker providers …``: list profiles (and which is the default, and why), test one, add one.

Heavy imports (SDKs, rich) happen inside the commands so ``seqmaker --help`` stays fast.
"""

from __future__ import annotations

import typer

providers_app = typer.Typer(
    help="LLM provider profiles: list, test, add, set the default.", no_args_is_help=True
)


def _fail(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(1)


@providers_app.command("list")
def list_profiles(
    probe: bool = typer.Option(
        True, "--probe/--no-probe", help="Probe local servers (LM Studio, Ollama) for the default."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show every profile, whether its API key is set (never the key), and the default."""
    import json

    from rich.console import Console
    from rich.table import Table

    from sequence_maker.assistant import config
    from sequence_maker.assistant.providers.errors import ProviderError

    try:
        user = config.load_user_config()
        profiles = config.all_profiles(user)
        choice = config.choose_default(user, probe=probe)
    except ProviderError as exc:
        _fail(str(exc))
        return
    rows = []
    for name, p in sorted(profiles.items()):
        key = "not needed" if not p.needs_key else ("yes" if config.find_api_key(p) is not None else "no")
        where = p.base_url or ("(SDK default)" if p.provider in ("openai", "anthropic") else "")
        rows.append(
            {
                "name": name,
                "provider": p.provider,
                "model": p.model or ("(bundled)" if p.provider == "offline" else "(server's)"),
                "endpoint": where,
                "key": key,
                "default": name == choice.name,
                "source": "user" if name in user.profiles else "built-in",
            }
        )
    if as_json:
        typer.echo(json.dumps({"default": choice.name, "reason": choice.reason, "profiles": rows}, indent=2))
        return
    table = Table(title="LLM provider profiles")
    for column in ("", "name", "provider", "model", "endpoint", "key set", "source"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            "*" if r["default"] else "",
            r["name"],
            r["provider"],
            r["model"],
            r["endpoint"],
            r["key"],
            r["source"],
        )
    console = Console(highlight=False)
    console.print(table)
    if choice.name:
        console.print(f"default: [bold]{choice.name}[/] ({choice.reason})")
    else:
        console.print(
            f"default: none ({choice.reason}). "
            + config.NO_PROVIDER_HELP.format(path=config.config_dir() / "providers.toml")
        )


@providers_app.command("test")
def test_profile(
    name: str = typer.Argument(None, help="Profile name (default: the resolved default profile)."),
    prompt: str = typer.Option("Reply with the single word: ready", "--prompt", help="What to send."),
    model: str = typer.Option(None, "--model", help="Override the profile's model."),
    max_tokens: int = typer.Option(32, "--max-tokens", help="Cap on output tokens."),
    tools: bool = typer.Option(
        False, "--tools", help="Also check tool calling: offer one tiny tool and require a call to it."
    ),
) -> None:
    """Send one tiny streaming request and print time-to-first-token, tokens and cost."""
    import asyncio

    from rich.console import Console

    from sequence_maker.assistant.config import resolve_profile, with_overrides
    from sequence_maker.assistant.providers.base import ChatRequest
    from sequence_maker.assistant.providers.errors import ProviderError
    from sequence_maker.assistant.providers.events import (
        ChatMessage,
        Reset,
        StreamError,
        TextDelta,
        ToolCallEnd,
    )
    from sequence_maker.assistant.providers.metrics import ListMetricsSink
    from sequence_maker.assistant.providers.registry import create_provider

    console = Console(highlight=False)
    try:
        profile = with_overrides(resolve_profile(name), model=model)
        sink = ListMetricsSink()
        provider = create_provider(profile, metrics_sink=sink)
    except (ProviderError, ValueError) as exc:
        _fail(str(exc))
        return

    calls: list[ToolCallEnd] = []
    test_tool = _test_tool()

    async def run() -> StreamError | None:
        request = ChatRequest(messages=[ChatMessage(role="user", content=prompt)], max_tokens=max_tokens)
        if tools:
            request.messages = [ChatMessage(role="user", content="Set ball 2 to red using the tool.")]
            request.tools = [test_tool]
            request.tool_choice = "required"
            request.max_tokens = max(max_tokens, 128)
        error = None
        try:
            async for event in provider.stream(request):
                if isinstance(event, TextDelta):
                    console.print(event.text, end="")
                elif isinstance(event, Reset):
                    console.print(f"\n[yellow](retrying: {event.reason})[/]")
                    calls.clear()
                elif isinstance(event, ToolCallEnd):
                    calls.append(event)
                elif isinstance(event, StreamError):
                    error = event
        finally:
            await provider.aclose()
        return error

    console.print(f"[dim]{profile.name}: {profile.provider} {provider.model or '(server model)'}[/]")
    error = asyncio.run(run())
    console.print()
    m = sink.records[-1] if sink.records else None
    if m is not None:
        ttft = f"{m.ttft_s * 1000:.0f} ms" if m.ttft_s is not None else "-"
        est = " (estimated)" if m.usage_estimated else ""
        cost = (
            "unknown"
            if m.cost_usd is None
            else f"${m.cost_usd:.6f}{' (estimated)' if m.cost_estimated else ''}"
        )
        rate = f"{m.tokens_per_s:.1f} tok/s" if m.tokens_per_s else "-"
        console.print(
            f"model {m.model or '(not resolved)'} | TTFT {ttft} | total {m.duration_s * 1000:.0f} ms | in {m.input_tokens} / out "
            f"{m.output_tokens} tokens{est} | {rate} | retries {m.retries} | cost {cost}"
        )
    if error is not None:
        _fail(error.message)
    if tools:
        good = [c for c in calls if c.ok and c.name == test_tool.name and c.arguments.get("ball") == 2]
        for c in calls:
            state = "ok" if c.ok else f"FAILED ({c.error})"
            console.print(
                f"tool call {c.name}({c.raw_arguments}) {state}{' [repaired]' if c.repaired else ''}"
            )
        if not good:
            _fail("tool calling does not work with this profile/model (no valid set_color call with ball 2)")
        console.print("tool calling: works")


def _test_tool():
    from sequence_maker.assistant.providers.events import ToolSpec

    return ToolSpec(
        name="set_color",
        description="Set the colour of one juggling ball.",
        parameters={
            "type": "object",
            "properties": {"ball": {"type": "integer"}, "color": {"type": "string"}},
            "required": ["ball", "color"],
        },
    )


@providers_app.command("add")
def add_profile(
    name: str = typer.Argument(..., help="New profile name."),
    provider: str = typer.Option(
        ..., "--provider", help="openai | azure | anthropic | lmstudio | ollama | openai_compatible"
    ),
    model: str = typer.Option(None, "--model"),
    base_url: str = typer.Option(None, "--base-url"),
    deployment: str = typer.Option(None, "--deployment", help="Azure deployment name."),
    api_version: str = typer.Option(
        None, "--api-version", help="Azure dated API version (omit for the v1 API)."
    ),
    api_key_env: str = typer.Option(None, "--api-key-env", help="Env var holding this profile's key."),
    temperature: float = typer.Option(None, "--temperature"),
    max_tokens: int = typer.Option(None, "--max-tokens"),
    make_default: bool = typer.Option(False, "--default", help="Also make it the default profile."),
) -> None:
    """Add (or replace) a user profile in the config file. Keys are never stored here."""
    from sequence_maker.assistant import config
    from sequence_maker.assistant.providers.errors import ProviderError

    values = {
        "provider": provider,
        "model": model,
        "base_url": base_url,
        "deployment": deployment,
        "api_version": api_version,
        "api_key_env": api_key_env,
        "temperature": temperature,
        "max_tokens": max_tokens,
    }
    values = {k: v for k, v in values.items() if v is not None}
    try:
        config.ProviderProfile.from_dict(values, name=name)
        user = config.load_user_config()
        user.profiles[name] = values
        if make_default:
            user.default = name
        path = config.save_user_config(user)
    except ProviderError as exc:
        _fail(str(exc))
        return
    typer.echo(f"saved profile {name!r} to {path}")


@providers_app.command("set-default")
def set_default(name: str = typer.Argument(..., help="Profile to use when no --provider is given.")) -> None:
    """Make a profile the default."""
    from sequence_maker.assistant import config
    from sequence_maker.assistant.providers.errors import ProviderError

    try:
        user = config.load_user_config()
        if name not in config.all_profiles(user):
            raise config.UnknownProfile(f"unknown profile {name!r}; see `seqmaker providers list`")
        user.default = name
        path = config.save_user_config(user)
    except ProviderError as exc:
        _fail(str(exc))
        return
    typer.echo(f"default profile is now {name!r} ({path})")


def register(app: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
