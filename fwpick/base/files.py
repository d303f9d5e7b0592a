"""One file the user names (`bench --save`): checked before the work, written whole or not at all.

The rules are `fwpick new`'s: nothing is followed through a symbolic link, and a link, a
folder, a FIFO or a device at the path is never replaced. A regular file that is there
already is kept as `NAME.orig` (`NAME.orig.1`, ... when taken), and only when asked
(`--force`). The text goes to a temporary sibling first and is renamed into place, so a
full disk or a signal leaves the old file, never half a new one.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fwpick.base.errors import TargetError
from fwpick.base.signals import deferred

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def lstat_or_none(path: Path) -> os.stat_result | None:
    """What is at `path` itself (a link is not followed), or None when nothing is."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # missing, or a file on the way
        return None


def free_backup_name(path: Path, taken: set[Path] | frozenset[Path] = frozenset()) -> Path:
    """NAME.orig, else NAME.orig.1, NAME.orig.2, ...: never an existing or planned path."""
    candidate = path.with_name(path.name + ".orig")
    number = 0
    while candidate in taken or lstat_or_none(candidate) is not None:
        number += 1
        candidate = path.with_name(f"{path.name}.orig.{number}")
    return candidate


def check_output_file(path: Path, *, force: bool, what: str = "the file") -> None:
    """Refuse now, before any work, a path that `write_output_file` could not safely use."""
    try:
        info = lstat_or_none(path)
        if info is None:
            folder = path.parent
            if not folder.is_dir():
                raise TargetError(f"cannot write {what} {path}: {folder} is not a folder")
            _check_writable(path, what)
            return
        kind = _KINDS.get(stat.S_IFMT(info.st_mode))
        if kind is not None:
            raise TargetError(
                f"cannot write {what} {path}: it is {kind}, and fwpick replaces only regular files"
            )
        if not force:
            raise TargetError(
                f"{path} exists; pass --force to keep it as {free_backup_name(path).name} "
                f"and write {what} there, or choose another path"
            )
        _check_writable(path, what)
    except OSError as error:  # a loop of links, a name too long, a folder we may not read
        reason = error.strerror or str(error)
        raise TargetError(f"cannot write {what} {path}: {reason}") from None


def _check_writable(path: Path, what: str) -> None:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise TargetError(f"cannot write {what} {path}: permission denied in {path.parent}")


def write_output_file(path: Path, text: str, *, force: bool, what: str = "the file") -> Path | None:
    """Write `text` to `path` by `check_output_file`'s rules; the backup made, if any.

    Checked again here: the path may have changed during a long run since the first check.
    """
    check_output_file(path, force=force, what=what)
    partial = path.with_name(f".{path.name}.fwpick-partial")
    backup: Path | None = None
    try:
        with deferred():  # a Ctrl-C here waits until the file is whole or the old one back
            try:
                partial.write_text(text, encoding="utf-8")
                if lstat_or_none(path) is None:
                    _claim(partial, path)
                else:
                    backup = free_backup_name(path)
                    os.rename(path, backup)  # renames a link itself, never what it points to
                    try:
                        os.rename(partial, path)
                    except OSError:
                        os.rename(backup, path)
                        raise
            finally:
                partial.unlink(missing_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        raise TargetError(f"cannot write {what} {path}: {reason}") from None
    return backup


def _claim(partial: Path, path: Path) -> None:
    """Give `partial` the name `path` only if nothing took that name meanwhile."""
    try:
        os.link(partial, path)  # link(2) fails on an existing name: nothing is replaced
    except FileExistsError:
        raise TargetError(
            f"{path} was created by something else while fwpick was working; nothing was written"
        ) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        os.rename(partial, path)  # a file system without hard links (FAT, some shares)
