"""Child processes that never outlive fwpick: own process group, killed as a group.

Every child fwpick starts (the smoke test, `fwpick env` probes, the interpreter check,
pip) runs in its own session so that a timeout or a signal can kill it and everything it
started. On Linux the kernel also kills it when fwpick dies, even by SIGKILL, where no
handler runs (PR_SET_PDEATHSIG, prctl(2)); only a short child that ends by itself (`git
init`) goes without, see `running`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import subprocess
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from fwpick.base.signals import deferred

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
STDERR_LINES = 30  # what a streamed run keeps of stderr: enough for a traceback's end


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
def running(
    command: Sequence[str], *, die_with_fwpick: bool = True, **popen: Any
) -> Iterator[subprocess.Popen[Any]]:
    """Start `command`; on leaving the block (normally, by error or by signal) kill its
    process group and reap it, so nothing it started keeps running.

    `die_with_fwpick=False` is for a short child that ends by itself: no input (stdin is
    /dev/null), nothing that waits on fwpick, done in milliseconds (`git init`). It goes
    without the parent-death signal, which guards against a long child (a smoke test,
    pip, a hanging probe) running on after a SIGKILLed fwpick; such a child would just
    finish its few file writes, or die of SIGPIPE writing to fwpick's closed pipes. Every
    other way out still kills its group and reaps it. Without the signal's preexec
    function Python starts it with vfork() instead of a full fork() of fwpick's memory,
    and ctypes is never imported: about 5 ms of a `new` run (benchmarks/startup.py).
    """
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
                preexec_fn=_death_signal() if die_with_fwpick else None,
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
    on_stderr: Callable[[str], None] | None = None,
    stderr_lines: int = STDERR_LINES,
    die_with_fwpick: bool = True,
) -> Finished:
    """Run `command` to its end or the timeout (None: no limit); OSError if it cannot start.

    With `on_stderr`, each stderr line is handed over as the child prints it (progress
    lines), and `stderr` keeps only the last `stderr_lines` lines. `die_with_fwpick`: see
    `running`.
    """
    with running(
        command,
        die_with_fwpick=die_with_fwpick,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as process:
        if on_stderr is not None:
            return _streamed(process, timeout, on_stderr, stderr_lines)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            stdout, stderr = process.communicate()
            return Finished(None, stdout or "", stderr or "")
        return Finished(process.returncode, stdout, stderr)


def _streamed(
    process: subprocess.Popen[str],
    timeout: float | None,
    on_stderr: Callable[[str], None],
    keep: int,
) -> Finished:
    tail: deque[str] = deque(maxlen=keep)
    stdout: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        with contextlib.suppress(ValueError, OSError):  # closed under it by a signal
            for line in process.stderr:
                tail.append(line)
                on_stderr(line.rstrip("\n"))

    def read_stdout() -> None:
        assert process.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            stdout.append(process.stdout.read())

    # One reader per pipe, so lines arrive while the child runs and neither pipe can fill
    # up and block it; this (the main) thread only waits, and times out.
    readers: list[threading.Thread] = []
    returncode: int | None = None
    try:
        for read in (read_stderr, read_stdout):
            readers.append(threading.Thread(target=read, daemon=True))
            readers[-1].start()
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass  # None: stopped at the timeout
    finally:
        # Timeout, signal, or a normal end: kill the group (nothing it started may linger
        # or hold a pipe open), then let the readers drain before the pipes close.
        kill_group(process)
        for reader in readers:
            if reader.is_alive():
                reader.join(timeout=5)
    return Finished(returncode, "".join(stdout), "".join(tail))


class FailureKind(Enum):
    """How a child failed, as fwpick acts on it."""

    TIMEOUT = "timeout"  # stopped at the timeout
    MISSING_MODULE = "missing_module"  # ModuleNotFoundError: `module` names the top package
    IMPORT_ERROR = "import_error"  # any other ImportError
    USAGE = "usage"  # the child's argument parser refused fwpick's flags (argparse: exit 2)
    CRASH = "crash"  # anything else


@dataclass(frozen=True)
class Failure:
    """A child's failure: its kind, its last words, and the missing module if one was."""

    kind: FailureKind
    detail: str
    module: str | None = None


_MISSING_MODULE = re.compile(r"^ModuleNotFoundError: No module named '([^']+)'")


def classify(returncode: int | None, output: str) -> Failure | None:
    """The one reading of a Python child's exit and last words; None when it succeeded.

    A child's output is the only account of why it failed: it is read here, once, into a
    typed Failure, and callers decide on the kind, never on the text.
    """
    if returncode == 0:
        return None
    if returncode is None:
        return Failure(FailureKind.TIMEOUT, "timed out")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(("ModuleNotFoundError:", "ImportError:")):
            missing = _MISSING_MODULE.match(line)
            if missing:
                module = missing.group(1).split(".")[0]
                return Failure(FailureKind.MISSING_MODULE, line, module)
            return Failure(FailureKind.IMPORT_ERROR, line)
    # argparse prints "usage: ..." then "PROG: error: ..." and exits 2.
    errors = [line for line in lines if ": error: " in line]
    if returncode == 2 and errors and any(line.startswith("usage:") for line in lines):
        return Failure(FailureKind.USAGE, errors[-1])
    return Failure(FailureKind.CRASH, lines[-1] if lines else "no output")


def describe_exit(returncode: int) -> str:
    """'exited 2' or 'was killed by SIGSEGV', for messages."""
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited {returncode}"
