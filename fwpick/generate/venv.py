"""`fwpick new --venv`: the project's own .venv, with the project installed in it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from fwpick.base import children
from fwpick.base.errors import VenvError
from fwpick.base.signals import deferred


def venv_python(venv: Path) -> Path:
    """The interpreter inside a virtual environment."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def pip_error(output: str) -> str:
    """pip's own words for what went wrong: its ERROR lines, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return " ".join(errors or lines[-1:] or ["no output"])[:600]


def make_venv(target: Path, on_phase: Callable[[str], None]) -> str:
    """Create target/.venv and install the project (with its framework) into it.

    On failure the half-built .venv is removed and VenvError (exit 3) quotes the tool's
    error; the project itself stays, its code is fine.
    """
    venv = target / ".venv"
    python = venv_python(venv)
    steps = [
        ("creating .venv", [sys.executable, "-m", "venv", str(venv)]),
        (
            "installing the project",
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{target}[dev]"],
        ),
    ]
    for phase, command in steps:
        on_phase(phase)
        try:
            finished = children.run(command, timeout=None)
        except OSError as error:
            finished = children.Finished(-1, "", f"ERROR: {error.strerror or error}")
        if finished.returncode != 0:
            with deferred():
                shutil.rmtree(venv, ignore_errors=True)
            what = "pip install" if "pip" in command else "python -m venv"
            raise VenvError(
                f"created {target}, but {what} failed, so its .venv was removed: "
                f"{pip_error(finished.stderr + chr(10) + finished.stdout)}"
            )
    return str(python)
