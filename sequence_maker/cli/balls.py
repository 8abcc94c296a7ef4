"""Real balls over Wi-Fi: scan (listen only), upload a ball's .prg, mirror colours live.

Nothing is sent unless a command names the ball's address (``--to``)."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import typer

from ._common import console, fail, open_project

balls_app = typer.Typer(help="Talk to LTX balls on the network: scan, upload, live.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(balls_app, name="balls")


def _address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        fail(f"--to must be the ball's IP address (e.g. 192.168.1.50), got {text!r}")


@balls_app.command("scan")
def scan_cmd(seconds: float = typer.Option(3.0, help="How long to listen."),
             bind: str = typer.Option("0.0.0.0", help="Local address to listen on."),
             port: int = typer.Option(41412, help="UDP port the balls broadcast to.")) -> None:
    """Listen for ball broadcasts (sends nothing)."""
    from rich.table import Table

    from sequence_maker.balls.client import BallError, scan

    try:
        found = asyncio.run(scan(seconds, bind=bind, port=port))
    except BallError as e:
        fail(str(e))
    if not found:
        console().print(f"No balls heard in {seconds:g} s (are they on and on this network?).")
        return
    t = Table("address", "name")
    for a in found:
        t.add_row(a.address, a.name)
    console().print(t)


@balls_app.command("upload")
def upload_cmd(source: str = typer.Argument(..., help="A .prg file, or a project (.smproj) with --ball."),
               to: str = typer.Option(..., "--to", help="The ball's IP address."),
               ball: int = typer.Option(1, "--ball", help="Ball number (1-based) when SOURCE is a project."),
               rate: int = typer.Option(None, "--rate", help="Export refresh rate (default: the project's)."),
               name: str = typer.Option(None, "--name", help="File name on the ball (default from the ball)."),
               port: int = typer.Option(8888, help="TCP port of the ball."),
               timeout: float = typer.Option(10.0, help="Seconds to wait for the ball's confirmation.")) -> None:
    """Send one .prg to a ball and wait for its "upload ok"."""
    from rich.progress import Progress

    from sequence_maker.balls.client import BallError, upload

    addr = _address(to)
    if source.endswith(".prg"):
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            fail(f"cannot read {source}: {e.strerror}")
        from sequence_maker.formats.errors import FormatError
        from sequence_maker.formats.prg import decode

        try:
            decode(data, source=source)
        except FormatError as e:
            fail(f"{source} is not a valid .prg ({e}); refusing to send it to a ball")
        filename = name or Path(source).name
    else:
        from sequence_maker.formats.export import ExportError, ball_file_stem, project_to_prg_bytes

        doc = open_project(source)
        if not 1 <= ball <= len(doc.project.balls):
            fail(f"--ball {ball}: the project has {len(doc.project.balls)} ball(s)")
        try:
            data = project_to_prg_bytes(doc.project, ball - 1, rate)
        except ExportError as e:
            fail(str(e))
        filename = name or f"{ball_file_stem(doc.project.ball(ball - 1).name, ball - 1, set())}.prg"
    with Progress(transient=True) as bar:
        task = bar.add_task(f"uploading to {addr}", total=len(data))
        try:
            res = asyncio.run(upload(addr, data, filename, port=port, confirm_timeout_s=timeout,
                                     progress=lambda done, total: bar.update(task, completed=done, total=total)))
        except BallError as e:
            fail(str(e))
    if res.confirmed:
        console().print(f"[green]✓[/] {res.filename} ({res.bytes_sent} bytes) uploaded to {addr} and confirmed "
                        f"in {res.seconds:.1f} s.")
    else:
        fail(res.message, code=2)


@balls_app.command("live")
def live_cmd(project: str = typer.Argument(..., help="Project file (.smproj)."),
             to: str = typer.Option(..., "--to", help="The ball's IP address."),
             ball: int = typer.Option(1, "--ball", help="Ball number (1-based)."),
             start: float = typer.Option(0.0, "--from", help="Start time in seconds."),
             seconds: float = typer.Option(10.0, help="How long to play."),
             rate: float = typer.Option(25.0, help="Updates per second (1–100)."),
             port: int = typer.Option(41412, help="UDP port of the ball.")) -> None:
    """Mirror a ball's timeline on a real ball, live, from a start time."""
    from sequence_maker.balls.client import BallError, LiveSender

    addr = _address(to)
    doc = open_project(project)
    if not 1 <= ball <= len(doc.project.balls):
        fail(f"--ball {ball}: the project has {len(doc.project.balls)} ball(s)")

    async def run() -> int:
        async with LiveSender(addr, port) as live:
            n = await live.stream(lambda t: tuple(doc.project.color_at(ball - 1, t * 1000)), seconds, rate, start)
            live.send_color(0, 0, 0)
            return n

    try:
        n = asyncio.run(run())
    except BallError as e:
        fail(str(e))
    console().print(f"Sent {n} colour updates to {addr} ({n / seconds:.1f}/s).")
