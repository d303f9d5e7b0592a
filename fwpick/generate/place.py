"""Putting a staged project into the user's folder without losing or leaving anything.

Two ways in. A missing target is claimed with mkdir (so a folder that appeared since is
never replaced) and the staged folder renamed onto the claim: the project appears whole
or not at all. An existing folder (empty, or any with --force) is kept as it is (its
mode, owner, mount) and the files are moved in one by one from a staging folder inside
it; a clashing file is first renamed to `NAME.orig` (`.orig.1`, ... when taken). Every
step is recorded, so a failure or a signal puts everything back. Nothing is followed
through a symbolic link, and nothing outside the target is touched.

Another program may write to the target at the same time, another `fwpick new` most
likely: it sees this run's claim as an empty folder and moves its files in. So without
--force (the folder was empty when checked) a file or folder found on the way is never
replaced or kept aside: the run undoes its own steps and fails, and the other one wins
whole. Files are moved in with link-then-unlink, which fails on an existing name where
rename(2) would silently replace it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fwpick.base.errors import TargetError, os_error_message
from fwpick.base.files import free_backup_name as _free_backup_name
from fwpick.base.files import lstat_or_none as _lstat
from fwpick.base.staging import is_staging_name
from fwpick.generate.folders import existing_ancestor


@dataclass
class Placement:
    """What moving the project in did, in order, so that it can be undone."""

    target: Path
    staged: Path
    created_target: bool = False
    made_dirs: list[Path] = field(default_factory=list)
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (original, backup)
    moves: list[tuple[Path, Path]] = field(default_factory=list)  # (staged file, destination)
    created: list[Path] = field(default_factory=list)  # made in the target afterwards (.venv)

    @property
    def kept_aside(self) -> list[str]:
        """The user's files renamed out of the way, relative to the target."""
        return [backup.relative_to(self.target).as_posix() for _, backup in self.backups]

    def undo(self) -> None:
        """Put everything back as it was before; best effort, newest step first."""
        if self.created_target:
            # The folder is this run's own: hand it back to staging, which removes it.
            _quietly(os.rename, self.target, self.staged)
            return
        for extra in reversed(self.created):
            shutil.rmtree(extra, ignore_errors=True)
        for source, destination in reversed(self.moves):
            _quietly(os.makedirs, source.parent, exist_ok=True)
            _quietly(os.rename, destination, source)
        for original, backup in reversed(self.backups):
            _quietly(os.rename, backup, original)
        for folder in reversed(self.made_dirs):
            _quietly(os.rmdir, folder)  # only ever empty folders: rmdir refuses others
        for steps in (self.created, self.moves, self.backups, self.made_dirs):
            steps.clear()


def _quietly(action: Callable[..., object], *args: object, **kwargs: object) -> None:
    with contextlib.suppress(OSError):  # undo is best effort: do every step it can
        action(*args, **kwargs)


def user_entries(target: Path) -> list[str]:
    """The names in `target`, less fwpick's own staging folders."""
    return [name for name in os.listdir(target) if not is_staging_name(name)]


def check_target(target: Path, *, force: bool, files: Mapping[str, bytes] | None = None) -> None:
    """Refuse, before anything is written, every target the project cannot safely go to.

    A link, a file, a non-empty folder without --force; with the plan: a folder or link
    on the way to a file, a folder where a file goes, a folder fwpick cannot write in.
    """
    try:
        info = _lstat(target)
        if info is None:
            _check_writable(existing_ancestor(target.parent))
            return
        if stat.S_ISLNK(info.st_mode):
            raise TargetError(
                f"{target} is a symbolic link; fwpick writes only into real folders "
                f"(use --dir with the folder it points to)"
            )
        if not stat.S_ISDIR(info.st_mode):
            raise TargetError(f"{target} exists and is not a folder")
        if user_entries(target) and not force:
            raise TargetError(
                f"{target} exists and is not empty; pick another name or pass --force"
            )
        _check_writable(target)
        if files is not None:
            _check_plan(target, files)
    except OSError as error:
        raise TargetError(os_error_message(error, doing="cannot use")) from None


def _check_writable(folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TargetError(f"cannot write in {folder}: permission denied")


def _check_plan(target: Path, files: Mapping[str, bytes]) -> None:
    """Every destination: reachable without links, the right type, in a writable folder."""
    checked: set[Path] = set()
    for relative in files:
        destination = target / relative
        folder = target
        for part in Path(relative).parts[:-1]:
            folder = folder / part
            if folder in checked:
                continue
            info = _lstat(folder)
            if info is None:
                break  # fwpick makes it, and the ones below it
            if stat.S_ISLNK(info.st_mode):
                raise TargetError(
                    f"{folder} is a symbolic link; fwpick does not write through links"
                )
            if not stat.S_ISDIR(info.st_mode):
                raise TargetError(f"{folder} is a file, but the project needs a folder there")
            _check_writable(folder)
            checked.add(folder)
        info = _lstat(destination)
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise TargetError(f"{destination} is a folder, but the project has a file there")


def _same_content(path: Path, content: bytes) -> bool:
    """Whether the regular file at `path` already holds exactly `content`."""
    info = _lstat(path)
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size != len(content):
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False  # unreadable: keep it aside rather than guess


def place(staged: Path, target: Path, files: Mapping[str, bytes], *, force: bool) -> Placement:
    """Move the staged project to `target`; all or nothing. Run it inside `deferred()`."""
    check_target(target, force=force, files=files)
    placement = Placement(target, staged)
    try:
        if _lstat(target) is None:
            _claim_and_rename(placement)
        else:
            _move_in(placement, files, force=force)
    except OSError as error:
        placement.undo()
        message = os_error_message(error, doing="cannot write")
        raise TargetError(f"{message}; nothing was changed") from None
    except BaseException:
        placement.undo()
        raise
    return placement


def _claim_and_rename(placement: Placement) -> None:
    target = placement.target
    try:
        os.mkdir(target)
    except FileExistsError:
        raise TargetError(
            f"{target} was created by something else while fwpick was working; nothing was written"
        ) from None
    try:
        # rename(2) replaces an empty folder, and this one is fwpick's own claim.
        os.rename(placement.staged, target)
    except OSError as error:
        _quietly(os.rmdir, target)  # still the empty claim, unless another run moved in
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise _changed_meanwhile(target) from None  # another run moved its files in
        raise
    placement.created_target = True


def _changed_meanwhile(target: Path) -> TargetError:
    return TargetError(
        f"{target} was changed by something else while fwpick was working; nothing was written"
    )


def _move_in(placement: Placement, files: Mapping[str, bytes], *, force: bool) -> None:
    target, staged = placement.target, placement.staged
    taken = {target / relative for relative in files}
    for relative, content in files.items():
        destination = target / relative
        _make_parents(placement, destination.parent, force=force)
        if _lstat(destination) is not None:
            if not force:  # the folder was empty when checked: another writer is here
                raise _changed_meanwhile(target)
            if _same_content(destination, content):
                continue  # already exactly this: nothing to keep aside or to move
            backup = _free_backup_name(destination, taken)
            os.rename(destination, backup)  # renames a link itself, never what it points to
            placement.backups.append((destination, backup))
            taken.add(backup)
        if force:
            os.rename(staged / relative, destination)
        else:
            _move_no_replace(staged / relative, destination, target)
        placement.moves.append((staged / relative, destination))


def _move_no_replace(source: Path, destination: Path, target: Path) -> None:
    """rename(source, destination), failing where `destination` appeared meanwhile."""
    try:
        os.link(source, destination, follow_symlinks=False)
    except FileExistsError:
        raise _changed_meanwhile(target) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A filesystem without hard links (FAT, some network shares): rename, having
        # just seen the name free; the window is a system call wide.
        os.rename(source, destination)
        return
    os.unlink(source)


def _make_parents(placement: Placement, folder: Path, *, force: bool) -> None:
    missing: list[Path] = []
    while _lstat(folder) is None and folder != placement.target:
        missing.append(folder)
        folder = folder.parent
    if not force and folder != placement.target and folder not in placement.made_dirs:
        raise _changed_meanwhile(placement.target)  # a folder of another writer's
    for each in reversed(missing):
        try:
            os.mkdir(each)
        except FileExistsError:
            raise _changed_meanwhile(placement.target) from None
        placement.made_dirs.append(each)
