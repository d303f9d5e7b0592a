"""What several commands do alike: read the answers, show progress, report errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fwpick.advice.answers import Asker, collect
from fwpick.cli.failures import guard
from fwpick.ui.consoles import err_console
from fwpick.ui.lines import may_be_terminal

if TYPE_CHECKING:
    from fwpick.contract.smoke_report import SmokeReport

# Every command's errors become one line on stderr (and a JSON error with --json).
handle_errors = guard(err_console)


def answers_from(
    flags: dict[str, str | None], answers_file: Path | None, *, use_defaults: bool
) -> dict[str, str]:
    """Every answer from its sources; prompts only when a person can answer them."""
    return collect(
        flags=flags,
        answers_file=answers_file,
        use_defaults=use_defaults,
        ask=terminal_asker(),
    )


def terminal_asker() -> Asker | None:
    """The prompts at this terminal, or None when stdin is not one (nobody can answer)."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    from fwpick.ui.prompts import ask  # rich's prompt machinery, only for a person

    return functools.partial(ask, console=err_console())


@contextmanager
def progress(*, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current phase; silent for --json or no terminal."""
    # Asked cheaply: making the console costs more than the rest of a quick `new`, which
    # ends before the spinner would start (ui.progress asks the console itself then).
    if not enabled or not may_be_terminal(sys.stderr):
        yield lambda phase: None
        return
    from fwpick.ui.progress import spinner

    with spinner(err_console) as update:
        yield update


def shown_report(report: SmokeReport, *, verbose: bool) -> SmokeReport:
    """The smoke report for the terminal: a failed child's traceback only with --verbose.

    The report's error line names the cause; the child's own stderr is the detail behind
    it, which --json always carries (`stderr_tail`) and a person asks for with --verbose.
    """
    if verbose or not report.stderr_tail:
        return report
    return report.with_(stderr_tail="")


def hint_verbose(report: SmokeReport | None, *, verbose: bool) -> None:
    """Say on stderr that the child's last words are behind --verbose, when there are some."""
    if report is not None and report.stderr_tail and not verbose:
        err_console().print(
            "the smoke test's own stderr (its traceback) is shown with --verbose",
            highlight=False,
        )
