"""LTX file commands: ``export``, ``import``, ``prg decode``, ``prg encode``.

Thin adapters over :mod:`sequence_maker.formats`; heavy imports happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ._common import console, err_console, fail

if TYPE_CHECKING:
    from sequence_maker.formats.lint import LintIssue
    from sequence_maker.model.project import Project

prg_app = typer.Typer(help="Inspect and build raw LTX .prg files.", no_args_is_help=True)
MAX_ISSUES_SHOWN = 30


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
    app.add_typer(prg_app, name="prg")


def _print_issues(issues: list[LintIssue]) -> None:
    from rich.markup import escape

    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    out = err_console()
    for issue in issues[:MAX_ISSUES_SHOWN]:
        out.print(f"[{style[issue.severity]}]{escape(issue.describe())}[/]")
    if len(issues) > MAX_ISSUES_SHOWN:
        out.print(f"… and {len(issues) - MAX_ISSUES_SHOWN} more issue(s)")


def _load_any(ref: str) -> Project:
    """A ``.smproj`` through storage, or any importable LTX/earlier-tool file."""
    from sequence_maker.formats.errors import FormatError
    from sequence_maker.formats.importers import import_file

    from ._common import open_project, resolve_project_path

    path = resolve_project_path(ref)
    if path.suffix == ".smproj" or not path.exists():
        return open_project(ref).project
    try:
        return import_file(path)
    except FormatError as e:
        fail(str(e))


def export(
    project: str = typer.Argument(..., help="Project (.smproj) or an importable file (.prg.json, .ball.json…)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the .prg files (created if missing)."),
    rate: int = typer.Option(100, "--rate", help="Refresh rate in ticks/s: 1, 10, 50, 100 or 1000."),
    prg_json: bool = typer.Option(False, "--prg-json", help="Also write <ball>.prg.json next to each .prg."),
    merge_short: bool = typer.Option(False, "--merge-short",
                                     help="Leave out segments shorter than one tick instead of refusing."),
) -> None:
    """Write one .prg per ball (lint warnings first; nothing is written if there is an error)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from sequence_maker.formats.errors import FormatError
    from sequence_maker.formats.export import ExportError, export_project
    from sequence_maker.formats.lint import lint_project
    from sequence_maker.formats.quantise import check_rate

    proj = _load_any(project)
    try:
        check_rate(rate)
        _print_issues(lint_project(proj, rate, merge_short=merge_short))
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      console=err_console(), transient=True) as bar:
            task = bar.add_task("exporting", total=len(proj.balls) + 1)

            def step(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=f"exporting {label}")

            result = export_project(proj, out, rate, prg_json, step, merge_short=merge_short)
    except ExportError as e:
        fail(f"{e.problem}\nnothing was written")
    except (FormatError, OSError) as e:
        fail(f"{e}\nnothing was written")
    from rich.table import Table

    table = Table("ball", "file", "segments", "bytes", title=f"Exported at {rate} ticks/s to {out}")
    for b in result.balls:
        names = b.prg_path.name + (f" + {b.json_path.name}" if b.json_path else "")
        table.add_row(b.ball, names, str(b.segments), str(b.size_bytes))
    console().print(table)


def import_(
    file: Path = typer.Argument(..., help=".prg, .prg.json, .ball.json or .seqdesign.json"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Project file to write (default: FILE-stem.smproj)."),
    analysis: Path | None = typer.Option(None, "--analysis",
                                         help="Analysis JSON with beats (for seqdesign pulse_on_beat)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing project file (kept as .bak)."),
) -> None:
    """Turn an earlier-tool or ball file into a Sequence Maker project."""
    from rich.markup import escape

    from sequence_maker.formats.errors import FormatError
    from sequence_maker.formats.importers import _stem, import_file
    from sequence_maker.storage import ProjectDocument, ProjectFileError

    warnings: list[str] = []
    try:
        project = import_file(file, analysis=analysis, warnings=warnings)
    except FormatError as e:
        fail(str(e))
    for w in warnings:
        err_console().print(f"[yellow]note:[/] {escape(w)}")
    target = out or file.with_name(_stem(file) + ".smproj")
    if target.exists() and not force:
        fail(f"{target} already exists; use --force to overwrite it (the old file is kept as .bak)")
    try:
        saved = ProjectDocument(project).save(target)
    except (ProjectFileError, OSError) as e:
        fail(f"could not save: {e}")
    ball = project.balls[0]
    console().print(f"Imported {escape(str(file))} → {escape(str(saved))}: {len(ball)} segment(s), "
                    f"{project.duration_ms / 1000:g} s at {project.refresh_rate} ticks/s")


def _rgb(c: tuple[int, int, int]) -> str:
    return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}"


@prg_app.command("decode")
def prg_decode(file: Path = typer.Argument(..., help="An LTX .prg file.")) -> None:
    """Show a .prg as a readable table of segments."""
    from rich.table import Table

    from sequence_maker.formats.errors import FormatError
    from sequence_maker.formats.prg import decode
    from sequence_maker.model.timeutil import format_ms

    try:
        program = decode(file.read_bytes(), str(file))
    except OSError as e:
        fail(f"{file}: cannot read: {e.strerror or e}")
    except FormatError as e:
        fail(str(e))
    rate = program.refresh_rate
    table = Table("#", "start", "ticks", "kind", "colour(s)", "px", "X", "C", "Y", "note",
                  title=f"{file.name}: {rate} ticks/s, default {program.default_pixels} px, "
                        f"{len(program.segments)} segments, {program.entry_total} RGB entries, "
                        f"{program.byte_size} bytes, BT={program.trailer}")
    for k, (start, s) in enumerate(zip(program.starts(), program.segments, strict=True)):
        kind = s.kind
        if kind == "solid":
            colours = _rgb(s.first_color)
        elif kind == "fade":
            a, b = s.fade_colors()  # type: ignore[misc]
            colours = f"{_rgb(a)} → {_rgb(b)}"
        else:
            colours = f"{s.entry_count} slots, first {_rgb(s.first_color)}"
        note = "" if s.ticks_per_entry * s.entry_count + s.remainder == s.duration else "X·C+Y ≠ D"
        table.add_row(str(k), format_ms(start * 1000 // rate), str(s.duration), kind, colours, str(s.pixels),
                      str(s.ticks_per_entry), str(s.entry_count), str(s.remainder), note)
    console().print(table)


@prg_app.command("encode")
def prg_encode(
    source: Path = typer.Argument(..., help="PRG-JSON input (*.prg.json)."),
    target: Path = typer.Argument(..., help="The .prg file to write."),
) -> None:
    """Build a .prg from PRG-JSON (keeps its refresh rate; hardware limits applied and reported)."""
    from rich.markup import escape

    from sequence_maker.formats.errors import FormatError
    from sequence_maker.formats.files import write_file_atomically
    from sequence_maker.formats.hardware import timeline_to_program
    from sequence_maker.formats.prg import encode
    from sequence_maker.formats.prg_json import read_prg_json

    warnings: list[str] = []
    try:
        program, notes = timeline_to_program(read_prg_json(source, warnings), str(source))
        data = encode(program)
        write_file_atomically(target, data)
    except FormatError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{target}: cannot write: {e.strerror or e}")
    for w in warnings:
        err_console().print(f"[yellow]note:[/] {escape(w)}")
    for n in notes:
        err_console().print(f"[yellow]{n.severity}:[/] tick {n.tick}: {escape(n.message)}"
                            + (f" → {escape(n.fix)}" if n.fix else ""))
    console().print(f"Wrote {escape(str(target))}: {len(program.segments)} segments, {len(data)} bytes, "
                    f"{program.refresh_rate} ticks/s")
