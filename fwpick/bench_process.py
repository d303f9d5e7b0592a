"""One measured child process: its own process group, a timeout, and its peak memory.

The benchmark needs what `subprocess.run` does not give: the peak resident memory of
*this* child (getrusage(RUSAGE_CHILDREN) is the maximum over every child ever reaped),
and a clean stop of the child and anything it started when fwpick is interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

POLL_SECONDS = 0.02
TAIL_LINES = 20


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived while benchmarking: stop, clean up, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """143 for SIGTERM, 129 for SIGHUP (the shell's convention)."""
        return 128 + self.signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Interrupted` for the duration, so cleanup code runs.

    (SIGINT already raises KeyboardInterrupt.) Outside the main thread, where Python
    cannot install handlers, this does nothing.
    """
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        yield
        return

    def raise_interrupted(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    wanted = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, raise_interrupted) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
    """Run `command` to the end (or `timeout`), output to `log`; any interrupt kills it.

    The child starts its own process group (session), so the terminal's Ctrl-C reaches
    only fwpick, which then kills the whole group: nothing is left running.
    """
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        returncode, peak = _wait(process, timeout)
    except BaseException:  # Ctrl-C, SIGTERM, anything: never leave the child running
        kill_group(process)
        raise
    wall = time.perf_counter() - started
    return ChildResult(returncode, peak, wall, _tail(log))


def _wait(process: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, float | None]:
    """Reap the child with wait4 for its own rusage; kill the group at the timeout."""
    if not hasattr(os, "wait4"):  # Windows: no per-child rusage
        try:
            return process.wait(timeout=timeout), None
        except subprocess.TimeoutExpired:
            kill_group(process)
            return None, None
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            returncode = os.waitstatus_to_exitcode(status)
            process.returncode = returncode  # reaped here: tell Popen, so it never waits again
            return returncode, _megabytes(usage.ru_maxrss)
        if time.monotonic() > deadline:
            kill_group(process)
            return None, None
        time.sleep(POLL_SECONDS)


def _megabytes(maxrss: int) -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS (getrusage(2) on each).
    scale = 1 if sys.platform == "darwin" else 1024
    return round(maxrss * scale / 1e6, 1)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group and reap the child."""
    if process.returncode is None:
        try:
            if sys.platform == "win32":
                process.kill()
            else:
                os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-TAIL_LINES:])
