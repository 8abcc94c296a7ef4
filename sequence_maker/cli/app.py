"""Entry point of the `seqmaker` CLI.

Subcommands live in sibling modules; each exposes ``register(app: typer.Typer) -> None``.
They are discovered automatically so that adding a command never edits this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from sequence_maker import __version__

app = typer.Typer(
    name="seqmaker",
    help="Sequence Maker: design LTX juggling-ball colour programs in sync with music.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"seqmaker {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Sequence Maker command line."""


def _register_all() -> None:
    import sequence_maker.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name in {"app"} or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
