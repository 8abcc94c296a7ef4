"""Project commands: new, info, undo, redo, checkpoint, recover."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ._common import console, fail, open_project, resolve_project_path, save_project

if TYPE_CHECKING:
    from sequence_maker.model import Segment


class CheckpointAction(StrEnum):
    create = "create"
    list = "list"
    restore = "restore"
    diff = "diff"


def register(app: typer.Typer) -> None:
    app.command("new")(new)
    app.command("info")(info)
    app.command("undo")(undo)
    app.command("redo")(redo)
    app.command("checkpoint")(checkpoint)
    app.command("recover")(recover)
    app.command("projects")(projects)


def _parse_duration(text: str) -> int:
    from sequence_maker.model import ModelError, parse_clock

    try:
        ms = parse_clock(text)
    except ModelError as e:
        fail(f"--duration: {e}")
    if ms <= 0:
        fail(f"--duration must be positive, got {text!r}")
    return ms


def new(
    name: str = typer.Argument(..., help="Project name; creates NAME.smproj."),
    balls: int = typer.Option(3, "--balls", "-b", help="Number of balls (timelines), 1–64."),
    duration: str = typer.Option("60", "--duration", "-d", help="Length in seconds or m:ss (e.g. 3:25)."),
    rate: int = typer.Option(100, "--rate", help="Refresh rate in ticks/s (a divisor of 1000)."),
    pixels: int = typer.Option(4, "--pixels", help="Default pixels per ball (1–4)."),
    directory: Path = typer.Option(Path("."), "--dir", help="Folder to create the project in."),
) -> None:
    """Create an empty project file."""
    from sequence_maker.model import ModelError
    from sequence_maker.storage import ProjectDocument, ProjectFileError, WorkspaceError
    from sequence_maker.storage.workspace import validate_project_name

    try:
        clean = validate_project_name(name)
    except WorkspaceError as e:
        fail(str(e))
    path = directory / f"{clean}.smproj"
    if path.exists():
        fail(f"{path} already exists; choose another name or delete it first")
    try:
        doc = ProjectDocument.new(clean, balls, _parse_duration(duration), rate, pixels, path=path)
        doc.save()
    except (ModelError, ProjectFileError, OSError) as e:
        fail(str(e))
    console().print(f"Created [bold]{path}[/] — {balls} ball(s), {duration_text(doc.project.duration_ms)}, "
                    f"{rate} ticks/s.")


def duration_text(ms: int) -> str:
    from sequence_maker.model import format_ms

    return format_ms(ms)


def _kind_text(seg: Segment) -> str:
    from sequence_maker.model import Fade

    def swatch(c) -> str:
        return f"[on {c.hex()}]  [/] {c.hex()}"

    if isinstance(seg.kind, Fade):
        return f"fade {swatch(seg.kind.start)} → {swatch(seg.kind.end)}"
    return f"solid {swatch(seg.kind.color)}"


def _effect_text(seg: Segment) -> str:
    from sequence_maker.model import Pulse, Strobe

    e = seg.effect
    if e is None:
        return ""
    if isinstance(e, Strobe):
        return f"strobe {e.hz:g} Hz, duty {e.duty:g}"
    if isinstance(e, Pulse):
        return f"pulse {e.hz:g} Hz, min {e.min_brightness:g}"
    return f"rainbow {e.cycles_per_s:g}/s"


def info(
    project: str = typer.Argument(..., help="Project file (.smproj, ours or the earlier app's)."),
    segments: bool = typer.Option(False, "--segments", "-s", help="List every segment."),
    ball: int = typer.Option(0, "--ball", help="With --segments: only this ball (1-based)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable summary."),
) -> None:
    """Show a project's settings, balls and (optionally) segments."""
    import json

    from rich.table import Table

    from sequence_maker.model import format_ms
    from sequence_maker.model.project import summarize

    doc = open_project(project)
    p = doc.project
    if as_json:
        s = summarize(p)
        print(json.dumps({"name": s.name, "duration_ms": s.duration_ms, "refresh_rate": s.refresh_rate,
                          "balls": s.balls, "undo_steps": len(doc.history.undo_stack),
                          "redo_steps": len(doc.history.redo_stack),
                          "checkpoints": [c.info() for c in doc.history.checkpoints]}, indent=2))
        return
    out = console()
    head = Table(show_header=False, box=None, pad_edge=False)
    head.add_row("Project", f"[bold]{p.name}[/]")
    head.add_row("File", f"{doc.path} ({doc.source_format})")
    head.add_row("Duration", format_ms(p.duration_ms))
    head.add_row("Refresh rate", f"{p.refresh_rate} ticks/s ({p.tick_ms} ms/tick)")
    head.add_row("Audio", p.audio.path if p.audio else "—")
    if p.grid is not None:
        head.add_row("Grid", f"{len(p.grid.beats_ms)} beats, {p.grid.tempo_bpm:.1f} BPM, "
                             f"{len(p.grid.sections)} sections")
    if p.lyrics is not None:
        head.add_row("Lyrics", f"{len(p.lyrics.words)} timed words")
    if p.notes:
        head.add_row("Notes", str(len(p.notes)))
    h = doc.history
    head.add_row("History", f"{len(h.undo_stack)} undo / {len(h.redo_stack)} redo steps, "
                            f"{len(h.checkpoints)} checkpoint(s)")
    out.print(head)
    table = Table(title="Balls", title_justify="left")
    for col in ("#", "Name", "Pixels", "Segments", "Last end", "Lit"):
        table.add_column(col, justify="right" if col in {"#", "Pixels", "Segments", "Lit"} else "left")
    for i, b in enumerate(p.balls):
        lit = sum(s.duration_ms for s in b.segment_list())
        table.add_row(str(i + 1), b.name, str(b.default_pixels), str(len(b)), format_ms(b.end_ms()),
                      f"{100 * lit / p.duration_ms:.0f}%")
    out.print(table)
    if not segments:
        return
    if ball and not 1 <= ball <= len(p.balls):
        fail(f"--ball {ball}: the project has {len(p.balls)} ball(s)")
    for i, b in enumerate(p.balls):
        if ball and i + 1 != ball:
            continue
        st = Table(title=f"Ball {i + 1}: {b.name}", title_justify="left")
        for col in ("#", "Start", "End", "Length", "Colour", "Px", "Effect"):
            st.add_column(col)
        for j, s in enumerate(b.segment_list()):
            st.add_row(str(j + 1), format_ms(s.start_ms), format_ms(s.end_ms), format_ms(s.duration_ms),
                       _kind_text(s), str(s.pixels), _effect_text(s))
        if not len(b):
            st.add_row("", "", "", "", "(empty)", "", "")
        out.print(st)


def _undo_redo(project: str, steps: int, redo: bool) -> None:
    from sequence_maker.model import ModelError

    if steps < 1:
        fail("--steps must be at least 1")
    doc = open_project(project)
    done = []
    for _ in range(steps):
        try:
            step = doc.editor.redo() if redo else doc.editor.undo()
        except ModelError as e:
            if not done:
                fail(str(e))
            break
        done.append(step.label)
    path = save_project(doc)
    verb = "Redid" if redo else "Undid"
    console().print(f"{verb} {len(done)} step(s): " + ", ".join(f"“{d}”" for d in done) + f" — saved {path}")


def undo(
    project: str = typer.Argument(..., help="Project file."),
    steps: int = typer.Option(1, "--steps", "-n", help="How many steps to undo."),
) -> None:
    """Undo the last edit(s) saved in a project and save it."""
    _undo_redo(project, steps, redo=False)


def redo(
    project: str = typer.Argument(..., help="Project file."),
    steps: int = typer.Option(1, "--steps", "-n", help="How many steps to redo."),
) -> None:
    """Redo undone edit(s) and save the project."""
    _undo_redo(project, steps, redo=True)


def checkpoint(
    project: str = typer.Argument(..., help="Project file."),
    action: CheckpointAction = typer.Argument(CheckpointAction.list, help="create | list | restore | diff"),
    ref: str = typer.Argument("", help="Name for create; id, name or number for restore/diff."),
) -> None:
    """Named checkpoints: create NAME, list, restore REF, diff REF (checkpoint → now)."""
    import datetime as dt

    from rich.table import Table

    from sequence_maker.model import ModelError

    doc = open_project(project)
    h = doc.history
    out = console()
    try:
        if action is CheckpointAction.list:
            if not h.checkpoints:
                out.print("No checkpoints yet. Create one with: seqmaker checkpoint PROJECT create NAME")
                return
            t = Table(title="Checkpoints", title_justify="left")
            for col in ("#", "Name", "Id", "Created", "Auto", "Segments"):
                t.add_column(col)
            for i, c in enumerate(h.checkpoints):
                created = dt.datetime.fromtimestamp(c.created).strftime("%Y-%m-%d %H:%M:%S")
                t.add_row(str(i + 1), c.name, c.id, created, "yes" if c.auto else "",
                          str(sum(len(b.segments) for b in c.state.balls)))
            out.print(t)
            return
        if not ref.strip():
            fail(f"checkpoint {action.value} needs a {'NAME' if action is CheckpointAction.create else 'REF'}")
        if action is CheckpointAction.create:
            cp = doc.editor.checkpoint(ref)
            doc.mark_dirty()
            save_project(doc)
            out.print(f"Created checkpoint “{cp.name}” ({cp.id}).")
        elif action is CheckpointAction.restore:
            step = doc.editor.restore_checkpoint(ref)
            save_project(doc)
            out.print(f"{step.label} — undo with: seqmaker undo {doc.path}")
        else:
            _print_diff(doc, ref)
    except ModelError as e:
        fail(str(e))


def _print_diff(doc, ref: str) -> None:
    from sequence_maker.model import format_ms

    d = doc.history.diff(doc.project, ref)
    out = console()
    cp = doc.history.find_checkpoint(ref)
    if d.empty:
        out.print(f"No changes since checkpoint “{cp.name}”.")
        return
    c = d.counts()
    out.print(f"Since checkpoint “{cp.name}”: {c['added']} added, {c['removed']} removed, {c['changed']} changed.")
    for name, (a, b) in d.props.items():
        out.print(f"  {name}: {a!r} → {b!r}", markup=False)
    for name in d.balls_added:
        out.print(f"  + ball {name}", markup=False)
    for name in d.balls_removed:
        out.print(f"  - ball {name}", markup=False)
    for bd in d.balls:
        if bd.empty:
            continue
        out.print(f"[bold]Ball {bd.ball + 1}: {bd.name}[/]")
        for s in bd.added:
            out.print(f"  [green]+[/] {format_ms(s.start_ms)}–{format_ms(s.end_ms)} {_kind_text(s)}")
        for s in bd.removed:
            out.print(f"  [red]-[/] {format_ms(s.start_ms)}–{format_ms(s.end_ms)} {_kind_text(s)}")
        for a, b in bd.changed:
            out.print(f"  [yellow]~[/] {format_ms(a.start_ms)}–{format_ms(a.end_ms)} {_kind_text(a)}  →  "
                      f"{format_ms(b.start_ms)}–{format_ms(b.end_ms)} {_kind_text(b)}")


def recover(
    project: str = typer.Argument(..., help="Project file whose unsaved changes to restore."),
    discard: bool = typer.Option(False, "--discard", help="Delete the recovery file instead."),
) -> None:
    """Restore unsaved changes left by a crash (the current file is kept as .bak)."""
    from sequence_maker.storage import ProjectDocument, ProjectFileError, recovery_path_for

    path = resolve_project_path(project)
    rp = recovery_path_for(path)
    if not rp.exists():
        fail(f"no recovery file for {path} (looked for {rp})")
    if discard:
        rp.unlink()
        console().print(f"Discarded {rp}.")
        return
    info = ProjectDocument.find_recovery(path)
    try:
        doc = ProjectDocument.recover(path)
    except ProjectFileError as e:
        fail(str(e))
    saved = save_project(doc)
    note = "" if info is not None else " (note: it was older than the project file; the newer file is in .bak)"
    console().print(f"Recovered unsaved changes into {saved}{note}. Previous file kept as {saved}.bak.")


def projects(
    root: Path = typer.Option(None, "--root", help="Workspace folder (default: the studio's, under SEQMAKER_HOME)."),
) -> None:
    """List the projects in the studio's workspace."""
    import datetime as dt

    from rich.table import Table

    from sequence_maker.storage import Workspace

    ws = Workspace(root)
    entries = ws.list()
    out = console()
    if not entries:
        out.print(f"No projects in {ws.root}. Create one with: seqmaker new NAME --dir {ws.root}")
        return
    t = Table(title=f"Projects in {ws.root}", title_justify="left")
    for col in ("Name", "Modified", "Size", "Unsaved changes", "File"):
        t.add_column(col)
    for e in entries:
        t.add_row(e.name, dt.datetime.fromtimestamp(e.modified).strftime("%Y-%m-%d %H:%M"),
                  f"{e.size / 1024:.0f} KB", "yes — seqmaker recover" if e.has_recovery else "", str(e.path))
    out.print(t)
