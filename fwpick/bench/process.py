"""One measured child process: killed as a group, bounded by a timeout, its peak memory read.

The benchmark needs one thing `fwpick.base.children.run` does not give: the peak resident
memory of *this* child. getrusage(RUSAGE_CHILDREN) is the maximum over every child ever
reaped, so the child is reaped here with wait4(2), which returns its own rusage.
Starting, group-killing and tying the child's life to fwpick's are `children.running`'s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fwpick.base import children

POLL_SECONDS = 0.02
TAIL_LINES = 20


@dataclass(frozen=True)
class ChildResult:
    """How a child ended: its exit code (None: killed at the timeout), memory, log tail."""

    returncode: int | None
    peak_rss_mb: float | None
    wall_seconds: float
    log_tail: str

    @property
    def timed_out(self) -> bool:
        """Whether the child was killed for running past its timeout."""
        return self.returncode is None


def run_child(
    command: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path, timeout: float
) -> ChildResult:
    """Run `command` to its end (or `timeout`), output to `log`; any interrupt kills it.

    The child leads its own process group, so the terminal's Ctrl-C reaches only fwpick,
    which kills the whole group on its way out: nothing is left running.
    """
    started = time.perf_counter()
    with (
        log.open("wb") as output,
        children.running(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        returncode, peak = _wait(process, timeout)
    wall = time.perf_counter() - started
    return ChildResult(returncode, peak, wall, _tail(log))


def _wait(process: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, float | None]:
    """Reap the child with wait4 for its own rusage; None as the code at the timeout."""
    if not hasattr(os, "wait4"):  # Windows: no per-child rusage
        try:
            return process.wait(timeout=timeout), None
        except subprocess.TimeoutExpired:
            return None, None  # `running` kills the group on the way out
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            returncode = os.waitstatus_to_exitcode(status)
            process.returncode = returncode  # reaped here: Popen must not wait again
            return returncode, _megabytes(usage.ru_maxrss)
        if time.monotonic() > deadline:
            return None, None
        time.sleep(POLL_SECONDS)


def _megabytes(maxrss: int) -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS (getrusage(2) on each).
    scale = 1 if sys.platform == "darwin" else 1024
    return round(maxrss * scale / 1e6, 1)


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-TAIL_LINES:])
