"""``seqmaker serve``: start the studio (web UI + API) on embedded defaults."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind. Anything but loopback requires a token."),
        port: int = typer.Option(8765, min=1, max=65535, help="TCP port."),
        open_browser: bool = typer.Option(False, "--open", help="Open the studio in the browser."),
        workspace: Path | None = typer.Option(None, help="Project folder (default: <data dir>/projects)."),
        database_url: str | None = typer.Option(
            None, help="SQLAlchemy URL (default: $SEQMAKER_DATABASE_URL, else SQLite in the data dir)."),
        data_dir: Path | None = typer.Option(None, help="Data folder (default: $SEQMAKER_HOME or the user data dir)."),
        provider: str | None = typer.Option(None, help="Assistant profile to use (default: best available)."),
        token: str | None = typer.Option(None, help="Access token (default: random when not on loopback)."),
        no_assistant: bool = typer.Option(False, "--no-assistant",
                                          help="Do not look for or load an LLM at start (hand editing only)."),
    ) -> None:
        """Start the studio at http://HOST:PORT (Ctrl+C stops it; edits are saved automatically)."""
        import logging
        import threading
        import webbrowser

        import uvicorn

        from sequence_maker.server.app import create_app
        from sequence_maker.server.settings import ServerSettings, is_loopback
        from sequence_maker.store.db import StoreError, safe_url

        settings = ServerSettings(host=host, port=port, workspace=workspace, database_url=database_url,
                                  data_dir=data_dir, assistant_profile=provider, token=token,
                                  assistant_enabled=not no_assistant).resolved()
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        try:
            app = create_app(settings)
        except StoreError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        url = settings.base_url() + "/"
        if settings.token:
            url += f"?token={settings.token}"
        typer.echo(f"Sequence Maker studio: {url}")
        typer.echo(f"  workspace: {settings.workspace}")
        typer.echo(f"  database:  {safe_url(settings.database_url or '')}")
        if not is_loopback(host):
            typer.echo("  listening beyond this machine: every request needs the token above.")
        if open_browser:
            threading.Timer(1.0, lambda: webbrowser.open(url)).start()
        try:
            uvicorn.run(app, host=host, port=port, log_level="info", ws_max_size=2_000_000)
        except OSError as e:  # port in use, permission…
            typer.echo(f"error: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
            raise typer.Exit(2) from None
