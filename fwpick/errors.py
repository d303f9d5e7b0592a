"""The exit codes and the one error tree whose messages reach the user."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and DESIGN.md."""

    OK = 0
    USER_ERROR = 1
    USAGE = 2
    SMOKE_FAILED = 3
    SMOKE_FALLBACK = 4
    INTERRUPTED = 130


class FwpickError(Exception):
    """An error with a one-line, user-facing message and the exit code it maps to."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AnswersError(FwpickError):
    """An answer (flag, file, prompt) is missing or invalid."""


class ProjectNameError(FwpickError):
    """A project name cannot be used as a folder and Python package."""


class TargetError(FwpickError):
    """The target folder cannot be written without losing someone's files."""


class TemplateError(FwpickError):
    """The requested framework or task has no template."""


class SmokeError(FwpickError):
    """The smoke test could not be run at all (not: ran and failed)."""
