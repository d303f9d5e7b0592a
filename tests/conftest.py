"""Shared fixtures and helpers for fwpick's tests."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_fwpick(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m fwpick ARGS` in a child process without a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "fwpick", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def need(module: str) -> pytest.MarkDecorator:
    """Skip, with the install command as the reason, when `module` is not importable."""
    return pytest.mark.skipif(
        importlib.util.find_spec(module) is None,
        reason=f"{module} is not installed for {sys.executable} (run .ci/setup)",
    )


def run_in_project(project: Path, *args: str) -> str:
    """Run `python ARGS` in a generated project (its src on the path); return stdout."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
