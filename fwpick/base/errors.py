"""The exit codes and the one error tree whose messages reach the user."""

from __future__ import annotations

import os
import signal
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and DESIGN.md."""

    OK = 0
    USER_ERROR = 1
    USAGE = 2
    SMOKE_FAILED = 3
    SMOKE_FALLBACK = 4
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
        super().__init__(message)
        self.message = " ".join(message.split()) if "\n" in message else message


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


def os_error_message(error: OSError, *, doing: str = "cannot use") -> str:
    """One line for an OS error: what fwpick was doing, the path(s), and the reason."""
    reason = error.strerror or str(error) or type(error).__name__
    paths = " -> ".join(
        os.fsdecode(path) if isinstance(path, str | bytes) else str(path)
        for path in (error.filename, error.filename2)
        if path is not None
    )
    return f"{doing} {paths}: {reason}" if paths else f"{doing}: {reason}"
