"""Helpers shared by CLI commands: opening projects with friendly errors and recovery warnings.

Kept import-light (rich/storage are imported when a command runs) so ``seqmaker --help`` is fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from sequence_maker.storage import ProjectDocument


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error (red, on stderr) and exit with ``code``."""
    from rich.markup import escape

    err_console().print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def resolve_project_path(ref: str) -> Path:
    """``demo`` → ``demo.smproj`` when only the latter exists; otherwise the path as given."""
    p = Path(ref).expanduser()
    if not p.exists() and p.suffix != ".smproj" and p.with_name(p.name + ".smproj").exists():
        return p.with_name(p.name + ".smproj")
    return p


def warn_recovery(path: Path) -> None:
    """Tell the user about unsaved changes from a crashed session, and how to get them back."""
    from rich.markup import escape

    from sequence_maker.storage import ProjectDocument

    info = ProjectDocument.find_recovery(path)
    if info is not None:
        err_console().print(
            f"[yellow]warning:[/] {escape(str(path))} has {escape(info.describe())}.\n"
            f"         Run [bold]seqmaker recover {escape(str(path))}[/] to restore them "
            f"(or [bold]--discard[/] to drop them)."
        )


def open_project(ref: str, *, check_recovery: bool = True) -> ProjectDocument:
    """Open a project for a command; bad files exit with a clear message, never a traceback."""
    from rich.markup import escape

    from sequence_maker.storage import ProjectDocument, ProjectFileError

    path = resolve_project_path(ref)
    if check_recovery:
        warn_recovery(path)
    try:
        doc = ProjectDocument.open(path)
    except ProjectFileError as e:
        fail(str(e))
    for w in doc.warnings:
        err_console().print(f"[yellow]note:[/] {escape(w)}")
    return doc


def save_project(doc: ProjectDocument) -> Path:
    from sequence_maker.storage import ProjectFileError

    try:
        return doc.save()
    except (ProjectFileError, OSError) as e:
        fail(f"could not save: {e}")


async def preload_with_status(provider: object, custom_instructions: str = "") -> None:
    """Load a provider that needs it (the embedded model) with a progress line on stderr.

    Without this, the first request of ``ask``/``eval`` would sit silent for a minute on 2 cores
    while the model loads and its fixed prompt is evaluated."""
    import time

    from sequence_maker.assistant.preload import needs_load, preload

    if not needs_load(provider):
        return
    errs = err_console()
    started = time.monotonic()
    with errs.status("Preparing the offline model…") as status:

        def show(ev: object) -> None:
            fraction = getattr(ev, "fraction", None)
            pct = f" {fraction * 100:.0f} %" if isinstance(fraction, float) and fraction < 1 else ""
            status.update(f"{getattr(ev, 'message', 'Loading the model')}{pct}")

        try:
            await preload(provider, show, custom_instructions=custom_instructions)
        except Exception as exc:  # missing weights, wrong hash, load failure: the message says what to do
            fail(str(exc))
    errs.print(f"[dim]{getattr(provider, 'model', 'model')} ready in {time.monotonic() - started:.1f} s[/]")
