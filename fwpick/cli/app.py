"""The command line: the typer app, one module per command loaded when it runs, the entry."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from fwpick import __version__
from fwpick.cli.failures import run_entry

# name -> (module, function), in the order of `fwpick --help`. A command's module is
# imported only when that command runs (or --help lists it): `fwpick advise` does not pay
# for building the options of bench or new (benchmarks/startup.py).
COMMANDS = {
    "advise": ("fwpick.cli.advise", "advise"),
    "new": ("fwpick.cli.new", "new"),
    "smoke": ("fwpick.cli.smoke", "smoke_command"),
    "update": ("fwpick.cli.update", "update_command"),
    "list": ("fwpick.cli.machine", "list_command"),
    "env": ("fwpick.cli.machine", "env_command"),
    "bench": ("fwpick.cli.bench", "bench_command"),
}


# What a command's run imports anyway, loaded by `build` when that command is the one run:
# then with the collector off and frozen (fwpick.__main__), not while it runs (about 4 ms
# of `new --no-smoke`, benchmarks/startup.py), and `--help`, which loads every command's
# module to list them, does not pay for them.
RUN_IMPORTS = {"new": ("fwpick.generate.project",)}

_LOADED: dict[str, Any] = {}


def load_command(name: str) -> Any:
    """The click command for `name`, built from its module's function (once)."""
    if name not in _LOADED:
        from fwpick.cli.shared import handle_errors

        module, function = COMMANDS[name]
        one = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        one.command(name)(handle_errors(getattr(importlib.import_module(module), function)))
        _LOADED[name] = typer.main.get_command(one)
    return _LOADED[name]


class _Commands(TyperGroup):
    """The subcommands, each built the first time it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    name="fwpick",
    cls=_Commands,
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


def main() -> None:
    """The command line in this process (the tests' way in; the script's is fwpick.__main__)."""
    run(build(sys.argv[1:]))


def build(argv: list[str]) -> list[str]:
    """`argv` as the app takes it, with the command it names built (before `run`)."""
    if "--smoke" in argv:
        from fwpick.cli.new import bare_smoke_flag

        argv = bare_smoke_flag(argv)
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if name in COMMANDS:
        # Built before fwpick's signal handlers are installed, as all commands were when
        # they were imported at start-up: a signal while importing gets Python's default.
        load_command(name)
        for module in RUN_IMPORTS.get(name, ()):
            importlib.import_module(module)
    return argv


def run(argv: list[str]) -> None:
    """Run the app on `argv` (from `build`) with fwpick's streams and signals; SystemExit."""
    run_entry(app, argv, prog_name="fwpick")
