"""``seqmaker analyze SONG [--json OUT] [--plot OUT.png]``: analyse a song, show a summary."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)


def analyze_command(
    song: Path = typer.Argument(..., help="Audio file (wav, flac, ogg, mp3…)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the analysis JSON here."),
    plot_out: Path | None = typer.Option(
        None, "--plot", help="Write a PNG: waveform, beats, sections, energy."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute even if a cached analysis exists."),
) -> None:
    """Find tempo, beats, downbeats, meter, sections and energy of SONG."""
    import json

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from sequence_maker.audio import AudioError, analyze
    from sequence_maker.audio.cache import atomic_write_bytes

    console = Console(stderr=True)
    try:
        with Progress(
            TextColumn("[bold]{task.description:<16}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("analysing", total=1.0)
            result = analyze(
                song,
                cache=not no_cache,
                progress=lambda f, stage: bar.update(task, completed=f, description=stage),
            )
    except AudioError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc

    table = Table(title=f"{song.name}", show_header=False)
    table.add_row("duration", f"{result.duration_s:.1f} s")
    table.add_row("tempo", f"{result.tempo_bpm:.1f} BPM (confidence {result.tempo_confidence:.2f})")
    if result.tempo_curve:
        bpms = [b for _, b in result.tempo_curve if b > 0]
        if bpms and max(bpms) / min(bpms) > 1.04:
            table.add_row("tempo range", f"{min(bpms):.1f}–{max(bpms):.1f} BPM")
    table.add_row("meter", f"{result.beats_per_bar} beats per bar (confidence {result.meter_confidence:.2f})")
    table.add_row("beats / downbeats", f"{len(result.beats)} / {len(result.downbeats)}")
    table.add_row("onsets", str(len(result.onsets)))
    secs = " ".join(f"{s.label}{'*' if s.kind == 'chorus' else ''}@{s.start_s:.1f}" for s in result.sections)
    table.add_row("sections", secs + ("  (* = chorus guess)" if "*" in secs else ""))
    if result.note:
        table.add_row("note", result.note)
    Console().print(table)

    if json_out is not None:
        atomic_write_bytes(json_out, json.dumps(result.to_json(), indent=1).encode("utf-8"))
        console.print(f"wrote {json_out}")
    if plot_out is not None:
        from sequence_maker.audio.plot import plot_analysis

        plot_analysis(result, plot_out)
        console.print(f"wrote {plot_out}")
