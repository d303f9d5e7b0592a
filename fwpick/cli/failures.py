"""How a run ends: one error line (and one JSON document with --json), and the exit code.

Every command is wrapped by `guard`: FwpickError, any OS error, SIGINT/SIGTERM/SIGHUP and
anything unexpected become `error: ...` on stderr and the documented exit code, never a
traceback. `run_entry` is the console script's body: streams that cannot fail on a
character, fwpick's signal handlers, usage errors (their values cut to size) as JSON
when --json was given, and a stdout that cannot be written: one line naming stdout, or
nothing at all when its reader simply left (`| head`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
import typer.main

from fwpick.base import signals
from fwpick.base.errors import ExitCode, FwpickError, Interrupted, clip, os_error_message

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


def error_line(console: Console, message: str) -> None:
    """`error: MESSAGE` on `console`, one line, the message's brackets shown as typed."""
    from rich.markup import escape  # messages hold user text: "[x]" is not markup

    console.print(f"[red]error:[/] {escape(clip(message))}", highlight=False, soft_wrap=True)


def guard(console: Callable[[], Console]) -> Callable[[F], F]:
    """A decorator for commands: every failure as one line on `console()` and its code."""

    def fail(message: str, code: int, *, as_json: bool) -> typer.Exit:
        signals.hold()  # the outcome is decided: a second Ctrl-C must not cut the report
        error_line(console(), message)
        if as_json:
            with contextlib.suppress(StdoutError):  # run_entry says so; the code stays
                print_json({"error": {"message": message, "exit_code": code}})
        return typer.Exit(code)

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            as_json = bool(kwargs.get("as_json"))
            try:
                signals.start()  # a signal that came while parsing is reported below
                result = command(*args, **kwargs)
                # The command has reported its result: a signal from now on must not
                # turn it into a traceback or a silent exit 130 on the way out.
                signals.hold()
                return result
            except _passed_through():
                raise  # the parser's own exits and usage errors (e.g. --smoke sometimes)
            except StdoutError:
                raise  # stdout itself failed: run_entry says so, and prints nothing more there
            except FwpickError as error:
                raise fail(error.message, int(error.exit_code), as_json=as_json) from None
            except OSError as error:
                code = int(ExitCode.USER_ERROR)
                raise fail(os_error_message(error), code, as_json=as_json) from None
            except KeyboardInterrupt as interrupt:
                stop = interrupt if isinstance(interrupt, Interrupted) else Interrupted()
                raise fail(stop.message, int(stop.exit_code), as_json=as_json) from None
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


class StdoutError(OSError):
    """Writing the result to stdout failed: a closed pipe, a full disk, a closed terminal."""


class _Stdout:
    """sys.stdout, with its write failures told apart from every other OS error.

    A failed write to stdout cannot be reported on stdout, and a reader that stopped
    early (`| head`) is no error at all. The first failure is remembered too: the parser
    (click) turns a broken pipe into a silent exit 1 of its own, which fwpick replaces.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.failed: StdoutError | None = None

    def _failure(self, error: OSError) -> StdoutError:
        if not isinstance(error, StdoutError):
            error = StdoutError(error.errno, error.strerror)
        self.failed = self.failed or error
        return error

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as error:
            raise self._failure(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise self._failure(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_failed(error: OSError, stream: Any, code: int) -> int:
    """The exit code once stdout failed: a reader that left changes nothing (as in git);
    any other failure is one line on stderr and exit 1, unless the run failed already."""
    signals.hold()
    # Whatever is still buffered can never be delivered, and Python flushes stdout once
    # more at exit: point the descriptor at /dev/null so that flush cannot fail again.
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
    if error.errno == errno.EPIPE:
        return code  # `fwpick ... | head`: the reader has what it wanted
    reason = error.strerror or type(error).__name__
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"error: cannot write to stdout: {reason}\n")
        sys.stderr.flush()
    return code or int(ExitCode.USER_ERROR)


def run_entry(app: typer.Typer, argv: list[str], *, prog_name: str) -> None:
    """Run the app as the console script does, with fwpick's streams and signals."""
    for stream in (sys.stdout, sys.stderr):
        # A terminal or PYTHONIOENCODING that cannot show a character gets an escape,
        # not a UnicodeEncodeError in the middle of a report.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    real_stdout = sys.stdout
    stdout = _Stdout(real_stdout)
    sys.stdout = stdout
    signals.install()
    try:
        try:
            code = _run(app, argv, prog_name)
            signum = signals.unreported()
            if signum:  # it came while parsing, and no command started to report it
                code = _interrupted(signum, as_json="--json" in argv)
            stdout.flush()  # what is still buffered fails here, not at interpreter exit
        except (StdoutError, SystemExit):
            if stdout.failed is None:
                raise
            code = int(ExitCode.OK)  # the output was cut short, not the work
        if stdout.failed is not None:
            code = _stdout_failed(stdout.failed, real_stdout, code)
    finally:
        signals.hold()  # done: a signal now must not turn the reported result into a kill
        sys.stdout = real_stdout
    raise SystemExit(code)


def _run(app: typer.Typer, argv: list[str], prog_name: str) -> int:
    """The exit code; parser errors shown here, with the values in them cut to size."""
    command = typer.main.get_command(app)
    as_json = "--json" in argv
    try:
        code = command.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except parser_errors() as error:
        exit_code = int(getattr(error, "exit_code", ExitCode.USAGE))
        if hasattr(error, "message"):
            error.message = clip(str(error.message))
        if not as_json:
            _show_usage_error(error)
            return exit_code
        message = clip(str(getattr(error, "format_message", error.__str__)()))
        return _usage_json(message, exit_code)
    except typer.Abort:
        if as_json:
            return _usage_json("aborted", int(ExitCode.USER_ERROR))
        from typer import rich_utils

        rich_utils.rich_abort_error()  # what typer's standalone mode prints
        return int(ExitCode.USER_ERROR)
    return code if isinstance(code, int) else 0


def _show_usage_error(error: Exception) -> None:
    """The parser's own usage box on stderr, as typer draws it."""
    from typer import rich_utils

    rich_utils.rich_format_error(error)  # type: ignore[arg-type]


def _interrupted(signum: int, *, as_json: bool) -> int:
    """A signal no command reported: the line and the code the guard gives one."""
    stop = Interrupted(signum)
    if as_json:
        return _usage_json(stop.message, int(stop.exit_code))
    sys.stderr.write(f"error: {stop.message}\n")
    return int(stop.exit_code)


def _usage_json(message: str, code: int) -> int:
    sys.stderr.write(f"error: {message}\n")
    print_json({"error": {"message": message, "exit_code": code}})
    return code
