"""Writing an update (or its undo): atomic per file, then all or nothing.

Each file is written to a temporary sibling and renamed over the old one, so a file is
only ever old or new. Every step is remembered; an error or a signal (SIGINT, SIGTERM,
SIGHUP arrive as `Interrupted`) puts every file and the index back. The record of what
the update changed is written last, inside the repository's git folder (not the
project), and `--undo` plays it back: the files exactly as they were, and their index
entries.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fwpick.base.errors import FwpickError, TargetError, os_error_message
from fwpick.base.signals import deferred
from fwpick.update import gitrepo
from fwpick.update.decide import Change, Outcome
from fwpick.update.gitrepo import Repository

JOURNAL = "fwpick-update.json"
JOURNAL_FORMAT = 1


class UndoError(FwpickError):
    """There is no update to undo, or undoing it would lose later work."""


@dataclass(frozen=True)
class Write:
    """One file's end state: bytes and mode, or None to remove it."""

    path: str
    content: bytes | None
    mode: int = 0o644


@dataclass
class Steps:
    """What has been done so far, newest last, so that it can be undone."""

    root: Path
    files: list[tuple[str, bytes | None, int]] = field(default_factory=list)  # path, old, mode
    folders: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        """Put every file back, newest first; then remove the folders this run made."""
        for path, old, mode in reversed(self.files):
            with contextlib.suppress(OSError):
                if old is None:
                    os.unlink(self.root / path)
                else:
                    _replace(self.root, path, old, mode)
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        self.files.clear()
        self.folders.clear()


def _parent(root: Path, relative: str, steps: Steps | None) -> Path:
    """The file's folder, made if missing, refusing any link or file on the way."""
    folder = root
    for part in relative.split("/")[:-1]:
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            os.mkdir(folder)
            if steps is not None:
                steps.folders.append(folder)
            continue
        if not stat.S_ISDIR(info.st_mode):  # a link (lstat) or a file: never through it
            raise TargetError(
                f"{folder} is not a folder (a link?); fwpick does not write through it"
            )
    return folder


def _replace(root: Path, relative: str, data: bytes, mode: int, steps: Steps | None = None) -> None:
    folder = _parent(root, relative, steps)
    name = relative.rsplit("/", 1)[-1]
    temporary = folder / f".{name}.fwpick-{os.getpid()}-{os.urandom(4).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, folder / name)  # renames over a link itself, never through it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _current(root: Path, relative: str) -> tuple[bytes | None, int]:
    path = root / relative
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None, 0o644
    if not stat.S_ISREG(info.st_mode):
        raise TargetError(f"{path} is not a plain file any more; nothing was changed")
    return path.read_bytes(), stat.S_IMODE(info.st_mode)


def write_all(
    root: Path, writes: Sequence[Write], steps: Steps, on_phase: Callable[[str], None]
) -> None:
    """Apply `writes` in order, recording each in `steps` (the caller undoes on failure)."""
    for write in writes:
        on_phase(f"writing {write.path}")
        with deferred():  # one file and its record together: a signal waits for both
            old, mode = _current(root, write.path)
            if old == write.content and (write.content is None or mode == write.mode):
                continue
            steps.files.append((write.path, old, mode))
            try:
                if write.content is None:
                    os.unlink(root / write.path)
                else:
                    _replace(root, write.path, write.content, write.mode, steps)
            except OSError as error:
                raise TargetError(os_error_message(error, doing="cannot write")) from None


def plan_writes(changes: Iterable[Change]) -> list[Write]:
    """The file operations that carry out `changes` (renames: the new file, then the old goes)."""
    writes: list[Write] = []
    for change in changes:
        if change.outcome is Outcome.skipped:
            continue
        if change.content != change.before:
            writes.append(Write(change.path, change.content, change.mode))
        if change.source is not None:
            writes.append(Write(change.source, None))
    return writes


def _encode(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def journal_path(repository: Repository) -> Path:
    """Where the last update's record lives: inside the git folder, never in the project."""
    return repository.git_dir / JOURNAL


def apply(
    repository: Repository,
    changes: Sequence[Change],
    *,
    versions: tuple[str, str],
    on_phase: Callable[[str], None],
) -> None:
    """Write `changes`, mark conflicts unmerged, record the undo; all or nothing."""
    root = repository.root
    writes = plan_writes(changes)
    conflicts = [change for change in changes if change.outcome is Outcome.conflict]
    paths = sorted({write.path for write in writes} | {change.path for change in conflicts})
    on_phase("recording the index")
    index_before = gitrepo.index_entries(repository, paths)
    entries: list[str] = []
    for change in conflicts:
        assert change.stages is not None
        blobs = tuple(
            gitrepo.hash_blob(repository, data) if data is not None else None
            for data in change.stages
        )
        mode = "100755" if change.mode & 0o111 else "100644"
        entries += gitrepo.conflict_entries(repository, change.path, blobs, mode)  # type: ignore[arg-type]
    before = {path: _current(root, path) for path in paths}
    record = {
        "format": JOURNAL_FORMAT,
        "project": str(root),
        "from": versions[0],
        "to": versions[1],
        "index": index_before,
        "files": [
            {
                "path": path,
                "before": _encode(before[path][0]),
                "mode": before[path][1],
                "after": _digest(_after(path, writes, before[path][0])),
            }
            for path in paths
        ],
    }
    steps = Steps(root)
    journal = journal_path(repository)
    index_changed = False
    try:
        write_all(root, writes, steps, on_phase)
        on_phase("marking conflicts in the index")
        with deferred():
            index_changed = True
            gitrepo.set_index(repository, [change.path for change in conflicts], entries)
        on_phase("recording the undo")
        with deferred():
            _write_journal(journal, record)
    except BaseException:
        with deferred():
            steps.undo()
            if index_changed:
                with contextlib.suppress(FwpickError, OSError):
                    gitrepo.set_index(repository, paths, index_before)
        raise


def _after(path: str, writes: Sequence[Write], old: bytes | None) -> bytes | None:
    for write in writes:
        if write.path == path:
            return write.content
    return old


def _write_journal(path: Path, record: dict[str, object]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def undo(repository: Repository, *, on_phase: Callable[[str], None]) -> list[str]:
    """Restore the project and its index entries as they were before the last update."""
    journal = journal_path(repository)
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UndoError(f"there is no fwpick update to undo in {repository.root}") from None
    except (OSError, ValueError) as error:
        raise UndoError(f"cannot read {journal}: {error}") from None
    if record.get("format") != JOURNAL_FORMAT or Path(record.get("project", "")) != repository.root:
        raise UndoError(
            f"{journal} records an update of {record.get('project')!r}, not this project"
        )
    files = record["files"]
    changed = [
        entry["path"]
        for entry in files
        if _digest(_current(repository.root, entry["path"])[0]) != entry["after"]
    ]
    if changed:
        raise UndoError(
            f"{', '.join(changed)} changed since the update; --undo would lose that work "
            "(commit it, or discard it with git restore, then run --undo again)"
        )
    writes = [
        Write(
            entry["path"],
            base64.b64decode(entry["before"]) if entry["before"] is not None else None,
            int(entry["mode"]),
        )
        for entry in files
    ]
    paths = [entry["path"] for entry in files]
    current_index = gitrepo.index_entries(repository, paths)
    steps = Steps(repository.root)
    try:
        write_all(repository.root, writes, steps, on_phase)
        on_phase("restoring the index")
        with deferred():
            gitrepo.set_index(repository, paths, record["index"])
            journal.unlink()
    except BaseException:
        with deferred():
            steps.undo()
            with contextlib.suppress(FwpickError, OSError):
                gitrepo.set_index(repository, paths, current_index)
        raise
    return paths
