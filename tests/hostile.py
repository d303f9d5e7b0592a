"""Helpers for the hostile-input tests: run the real entry point in-process, and compare
folders byte for byte before and after."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fwpick.base import signals
from fwpick.cli.app import main


@dataclass(frozen=True)
class Outcome:
    """What the CLI did: its exit code and the two streams as text."""

    code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update({"NO_COLOR": "1", "COLUMNS": "200", **env})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class _Refusing(io.RawIOBase):
    """A stdout that fails every write with `errno`: a full disk, or a reader that left."""

    def __init__(self, errno: int) -> None:
        self.errno = errno

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(self.errno, os.strerror(self.errno))


def invoke(
    argv: list[str],
    *,
    cwd: Path | None,
    env: dict[str, str] | None = None,
    encoding: str = "utf-8",
    stdout_errno: int | None = None,
) -> Outcome:
    """Run `fwpick.cli.app:main` (the console script) with `argv`, as a process would.

    Real streams (with the given encoding), real signal handlers, real working folder.
    An exception escaping main() is what a traceback would be: it is not caught here.
    With `stdout_errno`, every write to stdout fails with it (ENOSPC, EPIPE), as on
    `>/dev/full` or `| head -c1`; small writes fail when flushed, as buffered ones do.
    """
    out, err = io.BytesIO(), io.BytesIO()
    target: io.BufferedIOBase = out
    if stdout_errno is not None:
        target = io.BufferedWriter(_Refusing(stdout_errno), buffer_size=64)
    stdout = io.TextIOWrapper(target, encoding=encoding, write_through=True)
    stderr = io.TextIOWrapper(err, encoding=encoding, write_through=True)
    handlers = {signum: signal.getsignal(signum) for signum in signals.HANDLED}
    saved = (sys.argv, sys.stdout, sys.stderr)
    here = os.getcwd() if cwd is not None else None
    code: int = 0
    try:
        sys.argv, sys.stdout, sys.stderr = ["fwpick", *argv], stdout, stderr
        with _environment(env or {}):
            if cwd is not None:
                os.chdir(cwd)
            try:
                main()
            except SystemExit as exit_:
                code = (
                    exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                )
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
        if here is not None:
            os.chdir(here)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        signals.release()
    return Outcome(
        code, out.getvalue().decode(encoding, "replace"), err.getvalue().decode(encoding, "replace")
    )


def snapshot(folder: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry under `folder` (hidden ones too): kind, mode and content."""
    found: dict[str, tuple[str, int, bytes]] = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            info = os.lstat(path)
            key = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", 0, os.readlink(path).encode())
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", stat.S_IMODE(info.st_mode), b"")
            elif stat.S_ISREG(info.st_mode):
                found[key] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
            else:
                found[key] = ("other", stat.S_IMODE(info.st_mode), b"")
    return found
