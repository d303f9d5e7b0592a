"""What several commands do alike: read the answers, show progress, report errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fwpick.advice.answers import Asker, collect
from fwpick.cli.failures import guard
from fwpick.ui.consoles import err_console

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
    if not enabled or not err_console().is_terminal:
        yield lambda phase: None
        return
    with err_console().status("starting") as status:
        yield status.update
