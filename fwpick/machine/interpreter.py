"""`--python`: prove it is a working Python, and ask it what it can import.

One short child run answers both, so a bad `--python` fails before anything is written
(not as a smoke test "skipped" later) and a project name that the target interpreter can
already import is refused while it is still cheap to pick another.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fwpick.base import children
from fwpick.base.errors import InterpreterError

# sys.path[0] is the child's working folder under -c; the project never sees that one.
_CHECK = """
import importlib.util, json, platform, sys
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]
found = []
for name in sys.argv[1:]:
    try:
        if importlib.util.find_spec(name) is not None:
            found.append(name)
    except (ImportError, ValueError):
        pass
print(json.dumps({"fwpick_check": 1, "executable": sys.executable,
                  "version": platform.python_version(), "found": found}))
"""


@dataclass(frozen=True)
class Interpreter:
    """A Python that answered: where it lives, its version, what it can import."""

    command: str  # how to run it from any folder (absolute, links kept: a venv's python)
    executable: str
    version: str
    found: frozenset[str]

    @property
    def version_info(self) -> tuple[int, int]:
        """(major, minor)."""
        digits = [
            "".join(c for c in part if c.isdigit()) or "0" for part in self.version.split(".")
        ]
        major, minor = [*map(int, digits), 0, 0][:2]
        return major, minor


def _found_here(modules: Sequence[str]) -> frozenset[str]:
    cwd = os.getcwd() if os.path.isdir(".") else None
    saved = list(sys.path)
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", cwd)]
    try:
        found = set()
        for name in modules:
            try:
                if importlib.util.find_spec(name) is not None:
                    found.add(name)
            except (ImportError, ValueError):
                pass
        return frozenset(found)
    finally:
        sys.path[:] = saved


def current(modules: Sequence[str] = ()) -> Interpreter:
    """This interpreter, asked in-process (no child: it is known to work)."""
    return Interpreter(
        sys.executable, sys.executable, platform.python_version(), _found_here(modules)
    )


def _where(python: str) -> Path:
    """The file `python` names, found on PATH when it has no folder part."""
    if os.sep in python or (os.altsep and os.altsep in python):
        # Absolute: Path("./p") prints as "p", which exec would look up on PATH instead.
        return Path(python).absolute()
    located = shutil.which(python)
    if located is None and os.path.lexists(python):
        return Path(python).absolute()  # a file in the working folder, named without ./
    if located is None:
        raise InterpreterError(f"--python {python}: not found on PATH")
    return Path(located)


def inspect(python: str | None, *, timeout: float, modules: Sequence[str] = ()) -> Interpreter:
    """The interpreter `python` (None: this one), proven to run Python, or InterpreterError."""
    if python is None or python == sys.executable:
        return current(modules)
    path = _where(python)
    if path.is_dir():
        raise InterpreterError(f"--python {python}: is a folder, not a Python interpreter")
    if not path.exists():
        raise InterpreterError(f"--python {python}: no such file")
    if not os.access(path, os.X_OK):
        raise InterpreterError(f"--python {python}: is not executable")
    try:
        finished = children.run([str(path), "-c", _CHECK, *modules], timeout=timeout)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InterpreterError(f"--python {python}: cannot run it: {reason}") from None
    if finished.returncode is None:
        raise InterpreterError(
            f"--python {python}: did not answer within {timeout:g}s; is it a Python interpreter?"
        )
    answer = _answer(finished.stdout)
    if finished.returncode != 0 or answer is None:
        detail = (finished.stderr.strip().splitlines() or ["no output"])[-1][:200]
        how = children.describe_exit(finished.returncode)
        raise InterpreterError(
            f"--python {python}: is not a working Python interpreter ({how}: {detail})"
        )
    return Interpreter(
        str(path),  # absolute: the smoke test runs it from inside the project
        str(answer["executable"]),
        str(answer["version"]),
        frozenset(str(name) for name in cast("list[object]", answer["found"])),
    )


def _answer(stdout: str) -> dict[str, object] | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(data, dict)
            and data.get("fwpick_check") == 1
            and isinstance(data.get("executable"), str)
            and isinstance(data.get("version"), str)
            and isinstance(data.get("found"), list)
        ):
            return data
    return None
