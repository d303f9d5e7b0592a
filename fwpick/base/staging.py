"""Staging folders: where a project is written before it is moved into place.

A staging folder's name says who owns it (`.LABEL.fwpick-HOST-PID-RANDOM`), so a later
run can remove the ones a killed fwpick left behind, and only those: same machine,
owner process gone, a real folder of this user.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fwpick.base.errors import TargetError
from fwpick.base.signals import deferred

_PATTERN = re.compile(r"^\..+\.fwpick-(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{8}$")


def _host() -> str:
    """This machine, short: a folder on a shared disk names the host its owner ran on."""
    if hasattr(os, "uname"):
        # gethostname(2) is uname(2)'s nodename (POSIX, glibc): the same name, without
        # importing socket (a few ms of every `fwpick new`, benchmarks/startup.py).
        name = os.uname().nodename
    else:  # pragma: no cover - Windows
        import socket

        name = socket.gethostname()
    return hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]


def is_staging_name(name: str) -> bool:
    """Whether `name` is a staging folder's name (any owner)."""
    return _PATTERN.match(name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or a number no pid can be: leave it
    return True


def remove_stale(where: Path) -> list[str]:
    """Remove staging folders in `where` whose owner died on this machine; their names."""
    removed: list[str] = []
    host = _host()
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(where))
    except OSError:
        return removed
    for entry in entries:
        match = _PATTERN.match(entry.name)
        if not match or match["host"] != host or _alive(int(match["pid"])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or (uid is not None and info.st_uid != uid):
                continue
            with deferred():
                shutil.rmtree(entry.path)
        except OSError:
            continue  # not ours to fight over; the next run tries again
        removed.append(entry.name)
    return removed


def _make(where: Path, label: str) -> Path:
    prefix = f".{label}.fwpick-{_host()}-{os.getpid()}-"
    while True:
        # os.urandom is what secrets.token_hex(4) reads, without importing secrets.
        folder = where / f"{prefix}{os.urandom(4).hex()}"
        try:
            # Mode 0o777 less the umask: the project gets the mode any new folder gets.
            os.mkdir(folder, 0o777)
        except FileExistsError:
            continue
        except OSError as error:
            reason = error.strerror or str(error)
            raise TargetError(f"cannot create a folder in {where}: {reason}") from None
        return folder


@contextmanager
def staging(where: Path, label: str) -> Iterator[Path]:
    """A fresh staging folder in `where`, removed when the block ends however it ends."""
    remove_stale(where)
    folder: Path | None = None
    try:
        with deferred():  # made and remembered in one step: no signal between the two
            folder = _make(where, label)
        yield folder
    finally:
        if folder is not None:
            with deferred():
                shutil.rmtree(folder, ignore_errors=True)
