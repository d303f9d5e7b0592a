"""One file's three-way merge: git's own `merge-file --diff3`, in the user's conventions.

The base and the template's new text are first put in the conventions of the user's copy
(CRLF or LF, a byte-order mark, a final newline or none), so that a checkout with
`core.autocrlf` or an editor's habits never shows up as a conflict. A Python file the user
formatted with ruff (their configuration, their ruff) is merged against formatted base and
template text, so reformatting is not a conflict either. Binary files are never merged.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fwpick.update.gitrepo import run

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Merged:
    """A merge's result: the bytes to write, and how many conflicts they mark."""

    content: bytes
    conflicts: int = 0
    binary: bool = False


def is_binary(data: bytes) -> bool:
    """Git's test (a NUL in the first 8000 bytes), plus: not UTF-8."""
    if b"\0" in data[:8000]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@dataclass(frozen=True)
class Conventions:
    """How the user's copy writes text: line ends, BOM, final newline."""

    crlf: bool
    bom: bool
    final_newline: bool

    @classmethod
    def of(cls, data: bytes) -> Conventions:
        """Read them off `data` (the majority line ending wins)."""
        crlf = data.count(b"\r\n")
        return cls(
            crlf=crlf > 0 and crlf * 2 >= data.count(b"\n"),
            bom=data.startswith(BOM),
            final_newline=not data or data.endswith(b"\n"),
        )

    def apply(self, data: bytes) -> bytes:
        """`data` (as rendered: LF, no BOM) written the user's way."""
        text = data.removeprefix(BOM).replace(b"\r\n", b"\n")
        if not self.final_newline:
            text = text.removesuffix(b"\n")
        if self.crlf:
            text = text.replace(b"\n", b"\r\n")
        return BOM + text if self.bom else text


def adapt(data: bytes, like: bytes) -> bytes:
    """`data` in the conventions of `like` (text only; binary is returned as it is)."""
    if is_binary(data) or is_binary(like):
        return data
    return Conventions.of(like).apply(data)


def git_merge(base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]) -> Merged:
    """`git merge-file -p --diff3`: the merged text with base-including markers."""
    with tempfile.TemporaryDirectory(prefix="fwpick-merge-") as folder:
        paths = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(str(path))
        command = ["git", "merge-file", "-p", "--diff3"]
        for label in labels:
            command += ["-L", label]
        result = run([*command, *paths])
    # merge-file exits with the number of conflicts (capped at 127), negative on error.
    if result.returncode < 0 or result.returncode > 127:
        raise OSError(f"git merge-file failed: {result.stderr.strip()}")
    return Merged(result.stdout, conflicts=result.returncode)


def _ruff() -> list[str] | None:
    """The user's ruff: on PATH, or beside this Python (a venv's bin)."""
    found = shutil.which("ruff") or shutil.which("ruff", path=os.path.dirname(sys.executable))
    return [found] if found else None


def ruff_format(data: bytes, *, path: str, project: Path) -> bytes | None:
    """`data` as `ruff format` writes it with the project's settings; None if it cannot."""
    ruff = _ruff()
    if ruff is None:
        return None
    try:
        result = run([*ruff, "format", "--stdin-filename", path, "-"], cwd=project, data=data)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def merge(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    *,
    labels: tuple[str, str, str],
    path: str,
    project: Path,
) -> Merged:
    """Merge one file whose three versions all differ (after conventions)."""
    if is_binary(base) or is_binary(ours) or is_binary(theirs):
        return Merged(ours, conflicts=1, binary=True)
    base, theirs = adapt(base, ours), adapt(theirs, ours)
    shortcut = _decided(base, ours, theirs)
    if shortcut is not None:
        return Merged(shortcut)
    merged = git_merge(base, ours, theirs, labels)
    if merged.conflicts and path.endswith(".py"):
        formatted = _formatted_merge(base, ours, theirs, labels, path, project)
        if formatted is not None and formatted.conflicts < merged.conflicts:
            return formatted
    return merged


def _decided(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    if ours == theirs or base == theirs:
        return ours
    if ours == base:
        return theirs
    return None


def _formatted_merge(
    base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str], path: str, project: Path
) -> Merged | None:
    """The merge against ruff-formatted base and template text, when the user's file is."""
    if ruff_format(ours, path=path, project=project) != ours:
        return None  # the user does not keep this file ruff-formatted
    formatted_base = ruff_format(base, path=path, project=project)
    formatted_theirs = ruff_format(theirs, path=path, project=project)
    if formatted_base is None or formatted_theirs is None or formatted_base == base:
        return None
    shortcut = _decided(formatted_base, ours, formatted_theirs)
    if shortcut is not None:
        return Merged(shortcut)
    return git_merge(formatted_base, ours, formatted_theirs, labels)
