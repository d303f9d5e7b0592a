"""Each file's outcome, from its three versions: base (generated), yours (now), theirs (current).

Pure except for reading the project and asking git to merge: nothing is written here, so
`--dry-run`, `--diff`, `--json` and the real run all see the same decisions.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fwpick.contract.project_file import MARKER
from fwpick.update.dependencies import align
from fwpick.update.textmerge import adapt, merge

# Files that hold a site's own values: written when missing, never rewritten or removed.
PROTECTED = frozenset({"cluster/site.env"})
PYPROJECT = "pyproject.toml"
RENAME_SIMILARITY = 0.5  # as git's default rename threshold (diffcore-rename.c, 50%)


class Outcome(str, Enum):
    """What the update does to one file."""

    unchanged = "unchanged"  # nothing to do
    updated = "updated"  # only the templates changed it: taken
    kept = "kept"  # only you changed it: kept as it is
    merged = "merged"  # both changed it, in different places: merged
    conflict = "conflict"  # both changed the same lines: markers, unmerged in the index
    added = "added"  # new in the templates
    removed = "removed"  # dropped by the templates, and you never changed it
    kept_dropped = "kept-dropped"  # dropped by the templates, kept because you changed it
    deleted = "deleted"  # you deleted it: it stays deleted
    restored = "restored"  # you deleted it: back with --restore-deleted
    renamed = "renamed"  # the templates moved it: moved too, with your edits
    protected = "protected"  # site values: never rewritten
    rewritten = "rewritten"  # .fwpick.toml: the new version and answers
    skipped = "skipped"  # a link or a folder where the file goes: left alone


@dataclass(frozen=True)
class Ours:
    """A project file as it is now: its bytes and mode, or why it cannot be used."""

    data: bytes | None  # None: missing (or unusable, see `blocked`)
    mode: int = 0o644
    blocked: str = ""  # "a symbolic link", "a folder"...


@dataclass(frozen=True)
class Change:
    """One file's outcome and, when it changes, the bytes it gets."""

    path: str
    outcome: Outcome
    note: str = ""
    before: bytes | None = None  # the file now (None: absent)
    content: bytes | None = None  # the file after (None: absent)
    mode: int = 0o644
    source: str | None = None  # a rename's old path, removed when the new one is written
    source_before: bytes | None = None
    stages: tuple[bytes | None, bytes | None, bytes | None] | None = None  # a conflict's

    @property
    def touches(self) -> bool:
        """Whether applying it changes the folder or the index."""
        return (
            self.content != self.before
            or self.source is not None
            or self.outcome is Outcome.conflict
        )

    @property
    def paths(self) -> list[str]:
        """Every project path it writes or removes."""
        return [self.path, *([self.source] if self.source else [])]


def read_ours(root: Path, relative: str) -> Ours:
    """The project's file at `relative`, never following a link on the way."""
    folder = root
    parts = relative.split("/")
    for part in parts[:-1]:
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            return Ours(None)
        if stat.S_ISLNK(info.st_mode):
            return Ours(None, blocked=f"{folder.relative_to(root)} is a symbolic link")
        if not stat.S_ISDIR(info.st_mode):
            return Ours(None, blocked=f"{folder.relative_to(root)} is not a folder")
    path = root / relative
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Ours(None)
    if stat.S_ISLNK(info.st_mode):
        return Ours(None, blocked="it is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        return Ours(None, blocked="it is not a plain file")
    return Ours(path.read_bytes(), mode=stat.S_IMODE(info.st_mode))


@dataclass(frozen=True)
class Context:
    """What every decision needs besides the three versions."""

    root: Path
    labels: tuple[str, str, str]
    restore_deleted: bool


def renames(base: Mapping[str, bytes], theirs: Mapping[str, bytes]) -> dict[str, str]:
    """old path -> new path for files the templates moved (content at least half alike)."""
    dropped = [path for path in base if path not in theirs and path != MARKER]
    added = [path for path in theirs if path not in base]
    found: dict[str, str] = {}
    for old in dropped:
        best, score = None, RENAME_SIMILARITY
        for new in added:
            if new in found.values():
                continue
            matcher = difflib.SequenceMatcher(
                None, base[old].splitlines(), theirs[new].splitlines(), autojunk=False
            )
            if matcher.quick_ratio() < score:
                continue
            ratio = matcher.ratio()
            if ratio >= score:
                best, score = new, ratio
        if best is not None:
            found[old] = best
    return found


def decide_all(
    base: Mapping[str, bytes],
    theirs: Mapping[str, bytes],
    ours: Mapping[str, Ours],
    context: Context,
) -> list[Change]:
    """Every file's Change, in path order."""
    moved = {old: new for old, new in renames(base, theirs).items() if ours[new].data is None}
    moved_to = {new: old for old, new in moved.items()}
    changes: list[Change] = []
    for path in sorted(set(base) | set(theirs)):
        if path in moved:
            continue  # decided with its new path
        if path in moved_to:
            changes.append(_renamed(moved_to[path], path, base, theirs, ours, context))
        else:
            changes.append(_decide(path, base.get(path), theirs.get(path), ours[path], context))
    return changes


def _renamed(
    old: str,
    new: str,
    base: Mapping[str, bytes],
    theirs: Mapping[str, bytes],
    ours: Mapping[str, Ours],
    context: Context,
) -> Change:
    mine = ours[old]
    if mine.blocked:
        return Change(new, Outcome.skipped, f"moved from {old}, but {mine.blocked}")
    if mine.data is None:
        if context.restore_deleted:
            return Change(new, Outcome.restored, f"moved from {old}", content=theirs[new])
        return Change(new, Outcome.deleted, f"moved from {old}, which you deleted")
    decided = _decide(new, base[old], theirs[new], Ours(mine.data, mine.mode), context)
    outcome = Outcome.conflict if decided.outcome is Outcome.conflict else Outcome.renamed
    return Change(
        new,
        outcome,
        f"moved from {old}" + (f"; {decided.note}" if decided.note else ""),
        before=None,
        content=decided.content,
        mode=mine.mode,
        source=old,
        source_before=mine.data,
        stages=decided.stages,
    )


def _decide(
    path: str, base: bytes | None, theirs: bytes | None, mine: Ours, context: Context
) -> Change:
    ours = mine.data
    if mine.blocked:
        if base == theirs:
            return Change(path, Outcome.unchanged)
        return Change(path, Outcome.skipped, f"{mine.blocked}; fwpick never writes through it")
    if path == MARKER and theirs is not None:
        if ours == theirs:
            return Change(path, Outcome.unchanged, before=ours, content=ours, mode=mine.mode)
        return Change(path, Outcome.rewritten, "", ours, theirs, mine.mode)
    if path in PROTECTED and ours is not None:
        note = "" if ours == theirs else "holds your site's values; never rewritten"
        return Change(path, Outcome.protected if note else Outcome.unchanged, note, ours, ours)
    if theirs is None:
        return _dropped(path, base, mine)
    if ours is None:
        if base is None:
            return Change(path, Outcome.added, content=theirs)
        if context.restore_deleted:
            return Change(path, Outcome.restored, content=theirs)
        note = "the templates changed it since" if base != theirs else ""
        return Change(path, Outcome.deleted, note)
    keep = Change(path, Outcome.unchanged, before=ours, content=ours, mode=mine.mode)
    their_text = adapt(theirs, ours)
    if ours in (theirs, their_text):
        return keep
    base_text = adapt(base, ours) if base is not None else b""
    if base is not None and base_text == their_text:
        return Change(path, Outcome.kept, "only you changed it", ours, ours, mine.mode)
    if base is not None and ours == base_text:
        return Change(path, Outcome.updated, "", ours, their_text, mine.mode)
    b, o, t = base_text, ours, their_text
    if path == PYPROJECT and base is not None:
        b, o, t = align(b, o, t)
    merged = merge(b, o, t, labels=context.labels, path=path, project=context.root)
    if merged.conflicts:
        why = (
            "binary: yours is kept in the folder"
            if merged.binary
            else "both changed the same lines"
        )
        if base is None:
            why = "you and the templates both added it"
        stages = (base_text if base is not None else None, ours, their_text)
        return Change(path, Outcome.conflict, why, ours, merged.content, mine.mode, stages=stages)
    return Change(
        path, Outcome.merged, "your edits and the templates'", ours, merged.content, mine.mode
    )


def _dropped(path: str, base: bytes | None, mine: Ours) -> Change:
    ours = mine.data
    if ours is None or base is None:
        return Change(path, Outcome.unchanged)
    if ours == base or ours == adapt(base, ours):
        return Change(path, Outcome.removed, "dropped by the templates", ours, None, mine.mode)
    return Change(
        path,
        Outcome.kept_dropped,
        "dropped by the templates; kept because you changed it",
        ours,
        ours,
        mine.mode,
    )
