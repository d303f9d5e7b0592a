"""The command line: the typer app, one module per command registered here, the entry."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fwpick import __version__
from fwpick.cli.advise import advise
from fwpick.cli.bench import bench_command
from fwpick.cli.failures import run_entry
from fwpick.cli.machine import env_command, list_command
from fwpick.cli.new import bare_smoke_flag, new
from fwpick.cli.shared import handle_errors
from fwpick.cli.smoke import smoke_command

app = typer.Typer(
    name="fwpick",
    help="Choose between TensorFlow and PyTorch, then start a project that runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fwpick {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="show the version and exit"
        ),
    ] = False,
) -> None:
    """Choose between TensorFlow and PyTorch, then start a project that runs."""


# The order here is the order of `fwpick --help`.
app.command("advise")(handle_errors(advise))
app.command("new")(handle_errors(new))
app.command("smoke")(handle_errors(smoke_command))
app.command("list")(handle_errors(list_command))
app.command("env")(handle_errors(env_command))
app.command("bench")(handle_errors(bench_command))


def main() -> None:
    """Console-script entry point."""
    run_entry(app, bare_smoke_flag(sys.argv[1:]), prog_name="fwpick")
