"""Assistant commands: ``seqmaker ask`` (one assistant turn on a project) and ``seqmaker eval``.

Heavy imports (providers, the agent, rich) happen inside the commands so ``seqmaker --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ._common import console, err_console, fail, open_project, preload_with_status, save_project

if TYPE_CHECKING:
    from sequence_maker.assistant.providers.base import Provider
    from sequence_maker.assistant.turn_events import ApprovalDecision, ApprovalRequest


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("eval")(eval_suite)


def _make_provider(spec: str | None, record: Path | None = None) -> Provider:
    """``scripted:FILE`` replays a recording; anything else names a provider profile."""
    from sequence_maker.assistant.providers.errors import ProviderError

    try:
        if spec and spec.startswith("scripted:"):
            from sequence_maker.assistant.providers.scripted import ScriptedProvider

            provider: Any = ScriptedProvider.from_file(spec.split(":", 1)[1])
        else:
            from sequence_maker.assistant.config import resolve_profile
            from sequence_maker.assistant.providers.registry import create_provider

            provider = create_provider(resolve_profile(spec))
    except (ProviderError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if record is not None:
        from sequence_maker.assistant.providers.scripted import RecordingProvider

        provider = RecordingProvider(provider, record)
    return provider


def _show_preview(req: ApprovalRequest) -> None:
    out = err_console()
    out.print(f"[yellow]approval needed:[/] {req.reason}")
    out.print(f"  {req.name}({_args(req.arguments)})")
    for b in req.preview:
        c = b["counts"]
        out.print(f"  ball {b['ball']}: +{c['added']} added, -{c['removed']} removed, ~{c['changed']} changed")


async def _terminal_approver(req: ApprovalRequest) -> ApprovalDecision:
    import asyncio
    import json

    from sequence_maker.assistant.turn_events import ApprovalDecision

    _show_preview(req)
    while True:
        answer = (await asyncio.to_thread(input, "  [y]es / [n]o / [a]lways allow this tool / [e]dit arguments: ")).strip()
        if answer in ("y", "yes", ""):
            return ApprovalDecision("approve")
        if answer in ("n", "no"):
            note = await asyncio.to_thread(input, "  why (optional, the assistant sees it): ")
            return ApprovalDecision("reject", message=note.strip())
        if answer in ("a", "always"):
            return ApprovalDecision("approve", always_allow=True)
        if answer in ("e", "edit"):
            text = await asyncio.to_thread(input, "  new arguments (JSON object): ")
            try:
                args = json.loads(text)
                if isinstance(args, dict):
                    return ApprovalDecision("edit", arguments=args)
            except json.JSONDecodeError:
                pass
            err_console().print("  [red]not a JSON object; try again[/]")


def _args(arguments: dict[str, Any]) -> str:
    import json

    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in arguments.items())
    return text if len(text) < 200 else text[:197] + "…"


def ask(
    project: str = typer.Argument(..., help="Project file (.smproj)."),
    prompt: str = typer.Argument(..., help="What you want, e.g. \"flash the chorus red on every beat\"."),
    provider: str = typer.Option(None, "--provider", "-p", help="Provider profile, or scripted:FILE to replay."),
    approve: str = typer.Option("auto", "--approve", help="auto | ask (destructive calls) | all (every change)."),
    template: str = typer.Option(None, "--template", help="Prompt template: describe_structure, suggest_palette, "
                                                          "beat_sync, light_show."),
    instructions: str = typer.Option("", "--instructions", help="Custom standing instructions for the assistant."),
    max_steps: int = typer.Option(8, "--max-steps", min=1, max=50, help="Most model requests for this turn."),
    record: Path = typer.Option(None, "--record", help="Record the provider's events to this JSONL file."),
    chat: Path = typer.Option(None, "--chat", help="Continue the conversation saved in this file (created if "
                                                  "missing, updated after the turn)."),
    save: bool = typer.Option(True, "--save/--no-save", help="Save the project afterwards."),
) -> None:
    """Ask the assistant to edit a project; streams its work and saves the result."""
    import asyncio

    from sequence_maker.assistant.agent import Assistant
    from sequence_maker.assistant.approval import normalize_mode
    from sequence_maker.assistant.player import RecordingPlayer

    try:
        mode = normalize_mode(approve)
    except ValueError as exc:
        fail(str(exc))
    from sequence_maker.assistant.chatlog import ChatLogError, load_history, save_history

    try:
        history = load_history(chat) if chat is not None else []
    except (ChatLogError, OSError) as exc:
        fail(str(exc))
    doc = open_project(project)
    prov = _make_provider(provider, record)
    assistant = Assistant(prov, approval_mode=mode, max_steps=max_steps, custom_instructions=instructions,
                          player=RecordingPlayer())
    out, errs = console(), err_console()
    state: dict[str, Any] = {"end": None}

    async def run() -> None:
        try:
            await preload_with_status(prov, instructions)
            async for ev in assistant.run_turn(doc.editor, history, prompt, approver=_terminal_approver,
                                               template=template):
                _render(ev, out, errs, state)
        finally:
            await prov.aclose()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        errs.print("\n[yellow]cancelled[/]: edits already applied are kept as one undo step")
    except ValueError as exc:
        fail(str(exc))
    if save and doc.dirty:
        path = save_project(doc)
        errs.print(f"saved {path}")
    if chat is not None:
        try:
            save_history(chat, history)
        except OSError as exc:
            fail(f"could not save the chat: {exc}")
    end = state["end"]
    if end is not None and end.finish_reason in ("error", "invalid_tool_calls", "max_steps"):
        raise typer.Exit(2)


def _render(ev: Any, out: Any, errs: Any, state: dict[str, Any]) -> None:
    from rich.markup import escape

    t = ev.type
    if t == "text_delta":
        out.print(escape(ev.text), end="")
    elif t == "tool_call":
        errs.print(f"\n[cyan]→ {ev.name}[/]({escape(_args(ev.arguments))})")
    elif t == "tool_result":
        if ev.ok:
            done = ev.result.get("done") if isinstance(ev.result, dict) else None
            errs.print(f"  [green]✓[/] {escape(str(done or 'ok'))}")
        else:
            errs.print(f"  [red]✗[/] {escape(str(ev.error))}")
    elif t == "player_command":
        errs.print(f"  [magenta]♪ {ev.action}[/] {escape(str({k: v for k, v in ev.to_dict().items() if k not in ('type', 'action')}))}")
    elif t == "reset":
        errs.print(f"\n[yellow]↺ retrying ({escape(ev.reason)})[/]")
    elif t == "error":
        errs.print(f"\n[red]error:[/] {escape(ev.message)}")
    elif t == "turn_end":
        state["end"] = ev
        out.print()
        tail = f"undo with `seqmaker undo` ({ev.undo_label})" if ev.undo_label else "no changes"
        errs.print(f"[dim]{ev.llm_requests} model request(s); {tail}[/]")


def eval_suite(
    suite: Path = typer.Argument(..., help="Suite file (JSONL), e.g. evals/core.jsonl."),
    provider: str = typer.Option(None, "--provider", "-p",
                                 help="Provider profile, or scripted:FILE with the calls per case "
                                      "(e.g. scripted:evals/core.scripted.jsonl)."),
    json_out: Path = typer.Option(None, "--json", help="Write the results as JSON here."),
    case: list[str] = typer.Option(None, "--case", help="Run only these case ids (repeatable)."),
    max_steps: int = typer.Option(8, "--max-steps", min=1, max=50),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=32, help="Cases run in parallel."),
) -> None:
    """Run an eval suite: each case on a fresh project; prints a score table."""
    import asyncio
    import json

    from rich.markup import escape
    from rich.table import Table

    from sequence_maker.assistant import eval as ev

    try:
        cases = ev.load_suite(suite)
    except (ev.SuiteError, OSError) as exc:
        fail(str(exc))
    if case:
        wanted = set(case)
        unknown = wanted - {c["id"] for c in cases}
        if unknown:
            fail(f"no case(s) {sorted(unknown)} in {suite}")
        cases = [c for c in cases if c["id"] in wanted]
    if provider and provider.startswith("scripted:"):
        try:
            factory = ev.scripted_provider_factory(provider.split(":", 1)[1])
        except (ev.SuiteError, OSError) as exc:
            fail(str(exc))
    else:
        factory = lambda _case: _make_provider(provider)  # noqa: E731
    errs = err_console()

    def progress(r: ev.CaseResult) -> None:
        mark = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
        errs.print(f"{mark} {r.id} ({r.seconds:.2f}s)")
        if not r.passed:  # what the model actually called, so a failure can be read without re-running
            for call in r.calls or ["(no tool calls)"]:
                errs.print(f"    → {escape(call)}", soft_wrap=True)

    async def run() -> list[ev.CaseResult]:
        if not (provider and provider.startswith("scripted:")):
            # load the embedded model once up front (shared by every case's provider), with progress,
            # so the first case's time is not the model's load time
            first = _make_provider(provider)
            try:
                await preload_with_status(first)
            finally:
                await first.aclose()
        return await ev.run_suite(cases, factory, on_result=progress, concurrency=concurrency, max_steps=max_steps)

    try:
        results = asyncio.run(run())
    except ev.SuiteError as exc:
        fail(str(exc))
    table = Table(title=f"{suite.name}")
    for col in ("case", "result", "requests", "seconds", "failed checks"):
        table.add_column(col)
    for r in results:
        table.add_row(r.id, "pass" if r.passed else "FAIL", str(r.llm_requests), f"{r.seconds:.2f}",
                      "; ".join(r.failed_checks)[:160])
    out = console()
    out.print(table)
    rep = ev.report(results)
    out.print(f"score: {rep['passed']}/{rep['total']}")
    if results:
        seconds = sum(r.seconds for r in results)
        requests = sum(r.llm_requests for r in results)
        per_request = f", {seconds / requests:.2f} s per model request ({requests} requests)" if requests else ""
        out.print(f"time: {seconds / len(results):.2f} s per case{per_request}")
    if json_out is not None:
        from sequence_maker.storage.atomic import atomic_write_bytes

        atomic_write_bytes(json_out, (json.dumps(rep, indent=2) + "\n").encode())
    if rep["passed"] != rep["total"]:
        raise typer.Exit(1)
