"""How a run ends: one error line (and one JSON document with --json), and the exit code.

Every command is wrapped by `guard`: FwpickError, any OS error, SIGINT/SIGTERM/SIGHUP and
anything unexpected become `error: ...` on stderr and the documented exit code, never a
traceback. `run_entry` is the console script's body: streams that cannot fail on a
character, fwpick's signal handlers, and usage errors as JSON when --json was given.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
import typer.main

from fwpick.base import signals
from fwpick.base.errors import ExitCode, FwpickError, Interrupted, os_error_message

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])


def print_json(document: object) -> None:
    """One JSON document on stdout; escaped to ASCII where stdout cannot encode the text."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        # PYTHONIOENCODING=ascii, or a path from undecodable bytes: \u escapes read back
        # to the same text in any JSON parser.
        text = json.dumps(document, indent=2, ensure_ascii=True)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def parser_errors() -> tuple[type[Exception], ...]:
    """The parser's error class (ClickException), found from typer's public BadParameter.

    typer 0.28 vendors click and 0.27 imports it; either way it is a base of BadParameter.
    """
    found = [base for base in typer.BadParameter.__mro__ if base.__name__ == "ClickException"]
    return (found[0] if found else typer.BadParameter,)


def _passed_through() -> tuple[type[Exception], ...]:
    """What the parser itself handles: its exits, aborts and usage errors."""
    return (typer.Exit, typer.Abort, *parser_errors())


def guard(console: Callable[[], Console]) -> Callable[[F], F]:
    """A decorator for commands: every failure as one line on `console()` and its code."""

    def fail(message: str, code: int, *, as_json: bool) -> typer.Exit:
        from rich.markup import escape  # messages hold user text: "[x]" is not markup

        signals.hold()  # the outcome is decided: a second Ctrl-C must not cut the report
        console().print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        if as_json:
            print_json({"error": {"message": message, "exit_code": code}})
        return typer.Exit(code)

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            as_json = bool(kwargs.get("as_json"))
            try:
                return command(*args, **kwargs)
            except _passed_through():
                raise  # the parser's own exits and usage errors (e.g. --smoke sometimes)
            except FwpickError as error:
                raise fail(error.message, int(error.exit_code), as_json=as_json) from None
            except OSError as error:
                code = int(ExitCode.USER_ERROR)
                raise fail(os_error_message(error), code, as_json=as_json) from None
            except KeyboardInterrupt as interrupt:
                signum = interrupt.signum if isinstance(interrupt, Interrupted) else signal.SIGINT
                code = int(Interrupted(signum).exit_code)
                name = signal.Signals(signum).name
                raise fail(f"interrupted ({name})", code, as_json=as_json) from None
            except Exception as error:
                if os.environ.get("FWPICK_DEBUG"):
                    raise
                message = (
                    f"unexpected {type(error).__name__}: {error} "
                    "(set FWPICK_DEBUG=1 for the traceback)"
                )
                raise fail(message, int(ExitCode.USER_ERROR), as_json=as_json) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def run_entry(app: typer.Typer, argv: list[str], *, prog_name: str) -> None:
    """Run the app as the console script does, with fwpick's streams and signals."""
    for stream in (sys.stdout, sys.stderr):
        # A terminal or PYTHONIOENCODING that cannot show a character gets an escape,
        # not a UnicodeEncodeError in the middle of a report.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    signals.install()
    try:
        _run(app, argv, prog_name)
    finally:
        signals.hold()  # done: a signal now must not turn the reported result into a kill


def _run(app: typer.Typer, argv: list[str], prog_name: str) -> None:
    if "--json" not in argv:
        app(args=argv, prog_name=prog_name)
        return
    # With --json even a usage error is one JSON document on stdout (and a line on stderr).
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except parser_errors() as error:
        exit_code = int(getattr(error, "exit_code", ExitCode.USAGE))
        message = str(getattr(error, "format_message", error.__str__)())
        raise SystemExit(_usage_json(message, exit_code)) from None
    except typer.Abort:
        raise SystemExit(_usage_json("aborted", int(ExitCode.USER_ERROR))) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _usage_json(message: str, code: int) -> int:
    sys.stderr.write(f"error: {message}\n")
    print_json({"error": {"message": message, "exit_code": code}})
    return code
