"""A signal on either side of the command's own run: while parsing, and after the result.

tests/test_signals.py sweeps real signals across real runs; the two windows here are a
few milliseconds wide there (about 1 run in 100 landed in one), so each is hit on purpose
here: an option's callback runs while typer parses, and a close callback after the
command returned. The signal is sent to this process, with fwpick's handlers installed
exactly as the console script installs them (run_entry).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
from collections.abc import Iterator

import pytest
import typer

from fwpick.base import signals
from fwpick.cli.failures import guard, run_entry
from fwpick.ui.consoles import err_console

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "pthread_sigmask"), reason="fwpick holds signals with pthread_sigmask"
)


def self_signal(signum: int) -> None:
    os.kill(os.getpid(), signum)  # delivered before os.kill returns, to the main thread


def app_that_signals(
    *, while_parsing: int = 0, after_result: int = 0
) -> tuple[typer.Typer, list[str]]:
    """A one-command app run as fwpick's commands run (guard); it records what ran."""
    ran: list[str] = []
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    def parsed(value: str) -> str:
        if while_parsing:
            self_signal(while_parsing)
        return value

    @app.command()
    @guard(err_console)
    def go(
        ctx: typer.Context,
        name: str = typer.Option("x", callback=parsed),  # a closure: not in an annotation
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        ran.append(name)
        print("result")
        if after_result:
            ctx.call_on_close(lambda: self_signal(after_result))

    return app, ran


@contextlib.contextmanager
def console_script() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """run_entry's set-up in this process, undone afterwards; a signal it still holds
    (blocked) is taken here, so none reaches pytest."""
    handlers = {signum: signal.getsignal(signum) for signum in signals.HANDLED}
    saved = sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    err_console.cache_clear()
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved
        err_console.cache_clear()
        signal.sigtimedwait(signals.HANDLED, 0)  # the held one, if any: consumed, not delivered
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        signals.release()


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGHUP, 129), (signal.SIGTERM, 143), (signal.SIGINT, 130)]
)
def test_a_signal_while_parsing_is_one_line_and_its_own_code(signum: int, code: int) -> None:
    # typer turns any KeyboardInterrupt while parsing into a silent exit 130: SIGHUP
    # used to end as 130 with nothing on stderr.
    app, ran = app_that_signals(while_parsing=signum)
    with console_script() as (out, err), pytest.raises(SystemExit) as exit_:
        run_entry(app, ["--name", "y"], prog_name="app")
    assert exit_.value.code == code
    assert err.getvalue() == f"error: interrupted ({signal.Signals(signum).name})\n"
    assert ran == [] and out.getvalue() == ""  # the command never began


def test_a_signal_while_parsing_with_json_is_a_json_error() -> None:
    app, _ = app_that_signals(while_parsing=signal.SIGTERM)
    with console_script() as (out, _err), pytest.raises(SystemExit) as exit_:
        run_entry(app, ["--name", "y", "--json"], prog_name="app")
    assert exit_.value.code == 143
    assert json.loads(out.getvalue()) == {
        "error": {"message": "interrupted (SIGTERM)", "exit_code": 143}
    }


def test_a_signal_after_the_result_leaves_the_result_and_its_code() -> None:
    # The result is printed: a signal on the way out is held, not a traceback or a 130.
    app, ran = app_that_signals(after_result=signal.SIGTERM)
    with console_script() as (out, err), pytest.raises(SystemExit) as exit_:
        run_entry(app, [], prog_name="app")
    assert (exit_.value.code, ran, out.getvalue(), err.getvalue()) == (0, ["x"], "result\n", "")
