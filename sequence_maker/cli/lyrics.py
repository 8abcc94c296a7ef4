"""Lyrics commands: import timed lyrics into a project, export them, show them."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import console, fail, open_project, save_project

lyrics_app = typer.Typer(help="Timed lyrics: import (.lrc, .xtiming, synced JSON, text), export, show.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(lyrics_app, name="lyrics")


@lyrics_app.command("import")
def import_lyrics(project: str = typer.Argument(..., help="Project file (.smproj)."),
                  file: Path = typer.Argument(..., help="Lyrics file: .lrc, .xtiming, *.lyrics.json or .txt.")) -> None:
    """Attach lyrics to a project (undoable with `seqmaker undo`)."""
    from sequence_maker.lyrics import LyricsError, load_lyrics

    doc = open_project(project)
    try:
        ly = load_lyrics(file)
    except LyricsError as e:
        fail(str(e))
    last = max((w.end_ms for w in ly.words), default=0)
    if last > doc.project.duration_ms:
        console().print(f"[yellow]note:[/] the lyrics run until {last / 1000:.2f} s, past the project end "
                        f"({doc.project.duration_ms / 1000:.2f} s); they are kept as they are.")
    doc.editor.set_lyrics(ly, f"Import lyrics from {file.name}")
    save_project(doc)
    console().print(f"Imported {len(ly.words)} timed word(s) and {len(ly.lines)} line(s) into {doc.path}.")


@lyrics_app.command("export")
def export_lyrics(project: str = typer.Argument(..., help="Project file (.smproj)."),
                  out: Path = typer.Argument(..., help="Output file: .lrc or .xtiming."),
                  word_tags: bool = typer.Option(True, help="LRC: add <mm:ss.xx> word tags when words are timed.")) -> None:
    """Write the project's lyrics as .lrc or xLights .xtiming."""
    from sequence_maker.lyrics import LyricsError, to_lrc, to_xtiming
    from sequence_maker.storage.atomic import atomic_write_bytes

    doc = open_project(project)
    if doc.project.lyrics is None:
        fail(f"{doc.path} has no lyrics; import some with `seqmaker lyrics import`")
    try:
        if out.suffix.lower() == ".lrc":
            text = to_lrc(doc.project.lyrics, word_tags=word_tags)
        elif out.suffix.lower() == ".xtiming":
            text = to_xtiming(doc.project.lyrics, doc.project.lyrics.title or doc.project.name)
        else:
            fail(f"unknown lyrics format {out.suffix!r}; use .lrc or .xtiming")
    except LyricsError as e:
        fail(str(e))
    atomic_write_bytes(out, text.encode("utf-8"))
    console().print(f"Wrote {out}.")


@lyrics_app.command("show")
def show(project: str = typer.Argument(..., help="Project file (.smproj).")) -> None:
    """List the timed words of a project."""
    from rich.table import Table

    from sequence_maker.model import format_ms

    doc = open_project(project)
    ly = doc.project.lyrics
    if ly is None or not (ly.words or ly.lines):
        console().print("No timed lyrics.")
        return
    t = Table("#", "word", "start", "end", title=f"{len(ly.words)} words, {len(ly.lines)} lines")
    for i, w in enumerate(ly.words, 1):
        t.add_row(str(i), w.text, format_ms(w.start_ms), format_ms(w.end_ms))
    console().print(t)
