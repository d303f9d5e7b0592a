"""Child processes that never outlive fwpick: own process group, killed as a group.

Every child fwpick starts (the smoke test, `fwpick env` probes, the interpreter check,
pip) runs in its own session so that a timeout or a signal can kill it and everything it
started. On Linux the kernel also kills it when fwpick dies, even by SIGKILL, where no
handler runs (PR_SET_PDEATHSIG, prctl(2)).
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fwpick.base.errors import FwpickError
from fwpick.base.signals import deferred

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl(2), looked up once, before any fork (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only here: a few ms, paid by commands that start children

    try:
        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function


def _death_signal() -> Callable[[], None] | None:
    """A preexec function that ties the child's life to fwpick's (Linux only)."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def tie_to_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # fwpick may have died between fork and prctl: then nobody would send the signal.
        if os.getppid() != parent:
            os._exit(1)

    return tie_to_parent


def kill_group(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the child's whole process group (it leads its own session)."""
    try:
        if sys.platform == "win32":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


@contextmanager
def running(command: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """Start `command`; on leaving the block (normally, by error or by signal) kill its
    process group and reap it, so nothing it started keeps running."""
    process: subprocess.Popen[Any] | None = None
    try:
        # Start and remember the child in one step that a signal cannot split.
        with deferred(), warnings.catch_warnings():
            # Python 3.12+ warns about preexec_fn in a threaded process; the function
            # only makes one system call, which is safe after fork.
            warnings.simplefilter("ignore", DeprecationWarning)
            process = subprocess.Popen(
                list(command),
                start_new_session=True,
                preexec_fn=_death_signal(),
                **popen,
            )
        yield process
    finally:
        if process is not None:
            with deferred():
                kill_group(process)
                process.wait()
                for pipe in (process.stdin, process.stdout, process.stderr):
                    if pipe is not None:
                        pipe.close()


@dataclass(frozen=True)
class Finished:
    """What a child printed and how it ended; `returncode` None: stopped at the timeout."""

    returncode: int | None
    stdout: str
    stderr: str


def run(
    command: Sequence[str],
    *,
    timeout: float | None,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
) -> Finished:
    """Run `command` to its end or the timeout (None: no limit); OSError if it cannot start."""
    with running(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            stdout, stderr = process.communicate()
            return Finished(None, stdout or "", stderr or "")
        return Finished(process.returncode, stdout, stderr)


def describe_exit(returncode: int) -> str:
    """'exited 2' or 'was killed by SIGSEGV', for messages."""
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited {returncode}"


def check_timeout(timeout: float) -> float:
    """A timeout must be a finite number of seconds above zero."""
    if not timeout > 0 or timeout == float("inf"):
        raise FwpickError(f"--timeout must be a finite number of seconds above 0, not {timeout}")
    return timeout
