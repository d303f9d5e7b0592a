"""Shared fixtures and helpers for fwpick's tests.

Expensive work is shared (STYLE 16): the CLI runs in-process unless a test must prove
`python -m fwpick` itself, and `matrix` (tests/matrix.py) renders each framework x task
once per session, runs one driver process per project and its own suite once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from matrix import Matrix

REPO = Path(__file__).resolve().parent.parent
# What every run of the CLI sees unless a test says otherwise: no colours, wide tables.
CLI_ENV = {"NO_COLOR": "1", "COLUMNS": "200"}


def run_fwpick(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run fwpick ARGS without a terminal; return its exit code and both streams.

    In-process by default: the console script's entry point with fresh streams, the
    environment and signal handlers restored afterwards (about 0.4 s less per call than
    a new interpreter). `process=True` runs `python -m fwpick` in a child, for the tests
    whose point is the real process.
    """
    if process:
        return subprocess.run(
            [sys.executable, "-m", "fwpick", *args],
            cwd=cwd,
            env={**os.environ, **CLI_ENV, **(env or {})},
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return _in_process(list(args), cwd=cwd, env=env or {}, stdin=stdin or "", timeout=timeout)


def new_args(name: str, framework: str, folder: Path, *options: str) -> list[str]:
    """`new NAME -f FRAMEWORK --dir FOLDER OPTIONS...`: how most tests call `fwpick new`."""
    return ["new", name, "-f", framework, "--dir", str(folder), *options]


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update({**CLI_ENV, **env})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _deadline(seconds: float, argv: list[str]) -> Iterator[None]:
    """Raise TimeoutExpired in this process after `seconds`, as subprocess.run would."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise subprocess.TimeoutExpired(["fwpick", *argv], seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_process(
    argv: list[str], *, cwd: Path | None, env: dict[str, str], stdin: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """`fwpick.cli.app:main` with `argv`, as a process without a terminal would run it.

    An exception escaping main() would be a traceback in a real run: it is not caught.
    """
    from fwpick.base import signals
    from fwpick.cli.app import main
    from fwpick.ui import consoles

    out, err = io.StringIO(), io.StringIO()
    handlers = {signum: signal.getsignal(signum) for signum in signals.HANDLED}
    saved = (sys.argv, sys.stdin, sys.stdout, sys.stderr)
    here = os.getcwd()
    code = 0
    # The consoles read the width and NO_COLOR when made: a fresh process makes them anew.
    consoles.out_console.cache_clear()
    consoles.err_console.cache_clear()
    try:
        sys.argv = ["fwpick", *argv]
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
        with _environment(env), _deadline(timeout, argv):
            if cwd is not None:
                os.chdir(cwd)
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved
        os.chdir(here)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        signals.release()
        consoles.out_console.cache_clear()
        consoles.err_console.cache_clear()
    return subprocess.CompletedProcess(["fwpick", *argv], code, out.getvalue(), err.getvalue())


# The run's longest chain: the README twins' renders, then their READMEs block by block
# (tests/matrix.py; about 200 s for TensorFlow, 100 s for torch). Started first, one per
# worker, they overlap the rest of the suite instead of ending the run alone.
FIRST = (
    "test_end_to_end.py::test_generated_project_passes_its_smoke_its_tests_and_trains"
    "[tensorflow-classification-server]",
    "test_end_to_end.py::test_generated_project_passes_its_smoke_its_tests_and_trains"
    "[torch-regression-browser]",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        ends = [item.nodeid.endswith(first) for first in FIRST]
        return ends.index(True) if True in ends else len(FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: one worker per core, and one more when the slow tests are left out.

    The slow tests are framework children that keep a core busy: more workers than cores
    only makes them compete (the full suite measured 451 s with 2 workers, 510 s with 3).
    Without them about a fifth of a worker's time is spent waiting for a child to start,
    time out or die (signals, timeouts, hung probes), which a third worker fills
    (`-m "not slow"`: 41 s with 2 workers, 33 s with 3).
    """
    if "not slow" not in (config.option.markexpr or ""):
        return None  # xdist's own count: one per core
    return len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else None


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


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    """Each framework x task rendered, driven and tested once for the whole run."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is a folder of the run's: the matrix lives beside them.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "matrix"
    root.mkdir(exist_ok=True)
    return Matrix(root, run_fwpick)
