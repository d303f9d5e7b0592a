"""The exit codes and the one error tree whose messages reach the user."""

from __future__ import annotations

import os
import re
import signal
from enum import IntEnum

# A value in a message is shown up to this long; a longer one is cut in the middle (its
# end often names the file) and says how long it was. A whole message stays readable too.
MAX_VALUE = 160
MAX_MESSAGE = 1000
_LONG_VALUE = re.compile(rf"\S{{{MAX_VALUE + 1},}}")


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and docs/design.md."""

    OK = 0
    USER_ERROR = 1
    USAGE = 2
    SMOKE_FAILED = 3
    SMOKE_FALLBACK = 4
    UPDATE_CONFLICTS = 5  # fwpick update merged, leaving conflicts to resolve (git sees them)
    UPDATE_BEHIND = 6  # fwpick update --check: newer templates are available
    HANGUP = 129  # 128 + SIGHUP, the shell's convention for "killed by signal N"
    INTERRUPTED = 130  # 128 + SIGINT
    TERMINATED = 143  # 128 + SIGTERM


SIGNAL_EXIT = {
    signal.SIGINT: ExitCode.INTERRUPTED,
    signal.SIGTERM: ExitCode.TERMINATED,
    **({signal.SIGHUP: ExitCode.HANGUP} if hasattr(signal, "SIGHUP") else {}),
}


class FwpickError(Exception):
    """An error with a one-line, user-facing message and the exit code it maps to."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str) -> None:
        one_line = " ".join(message.split()) if "\n" in message else message
        super().__init__(clip(one_line))
        self.message = clip(one_line)


class AnswersError(FwpickError):
    """An answer (flag, file, prompt) is missing or invalid."""


class ProjectNameError(FwpickError):
    """A project name cannot be used as a folder and Python package."""


class TargetError(FwpickError):
    """The target folder cannot be written without losing someone's files."""


class TemplateError(FwpickError):
    """The requested framework or task has no template."""


class ProjectFileError(FwpickError):
    """A folder is not a project fwpick generated, or its .fwpick.toml cannot be used."""


class SmokeError(FwpickError):
    """The smoke test could not be run at all (not: ran and failed)."""


class InterpreterError(FwpickError):
    """`--python` is not a working Python interpreter."""


class BenchError(FwpickError):
    """The benchmark could not be run at all (a bad project, --task against it...)."""


class VenvError(FwpickError):
    """The project was written, but installing it into its own .venv failed."""

    exit_code = ExitCode.SMOKE_FAILED


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived; raised in the main thread by fwpick.base.signals.

    A KeyboardInterrupt, so every `finally` and `except BaseException` that cleans up
    after Ctrl-C cleans up after the other two the same way.
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> ExitCode:
        """130, 143 or 129: 128 + the signal's number, as a shell reports it."""
        return SIGNAL_EXIT.get(signal.Signals(self.signum), ExitCode.INTERRUPTED)

    @property
    def message(self) -> str:
        """The one line fwpick reports for it: "interrupted (SIGTERM)"."""
        return f"interrupted ({signal.Signals(self.signum).name})"


def os_error_message(error: OSError, *, doing: str = "cannot use") -> str:
    """One line for an OS error: what fwpick was doing, the path(s), and the reason."""
    reason = error.strerror or str(error) or type(error).__name__
    paths = " -> ".join(
        os.fsdecode(path) if isinstance(path, str | bytes) else str(path)
        for path in (error.filename, error.filename2)
        if path is not None
    )
    return f"{doing} {paths}: {reason}" if paths else f"{doing}: {reason}"


def clip(message: str) -> str:
    """`message` with each overlong value cut in the middle, and at most MAX_MESSAGE long.

    Messages echo what the user gave (an answer, a number, a path); a 60 KB value must
    not fill the terminal, and the start and end are what identify it.
    """

    def cut(found: re.Match[str]) -> str:
        value = found.group()
        return f"{value[:100]}...{value[-40:]} ({len(value)} characters)"

    shown = _LONG_VALUE.sub(cut, message)
    if len(shown) > MAX_MESSAGE:
        shown = f"{shown[: MAX_MESSAGE - 200]} ... {shown[-150:]} ({len(shown)} characters)"
    return shown
