"""The git plumbing `fwpick update` uses: repository, cleanliness, blobs, index stages.

Every call is a child of fwpick's one runner (own process group, killed with fwpick), and
every path crosses with `-z` or `--` so that no name is read as an option or split.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fwpick.base import children
from fwpick.base.errors import FwpickError


class GitError(FwpickError):
    """git is missing, the project is not in a repository, or a git command failed."""


@dataclass(frozen=True)
class Ran:
    """A finished child: exit status and raw output."""

    returncode: int
    stdout: bytes
    stderr: str


def run(command: Sequence[str], *, cwd: Path | None = None, data: bytes | None = None) -> Ran:
    """Run `command` to its end with `data` on stdin; bytes out. OSError if it cannot start."""
    with children.running(
        command,
        cwd=cwd,
        stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Never a pager or a credential prompt; messages in the C locale for the one-liners.
        env={**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
    ) as process:
        stdout, stderr = process.communicate(data, timeout=300)
        return Ran(process.returncode, stdout, stderr.decode("utf-8", "replace"))


def git(root: Path, *args: str, data: bytes | None = None, check: bool = True) -> Ran:
    """`git -C root ARGS`; a failure is one GitError line when `check`."""
    try:
        ran = run(["git", "-C", str(root), *args], data=data)
    except FileNotFoundError:
        raise GitError(
            "fwpick update needs git, and git is not installed (or not on PATH)"
        ) from None
    if check and ran.returncode != 0:
        last = ran.stderr.strip().splitlines()[-1:] or [f"exit {ran.returncode}"]
        raise GitError(f"git {args[0]} failed in {root}: {last[0]}")
    return ran


@dataclass(frozen=True)
class Repository:
    """The repository a project lives in, and where the project sits inside it."""

    root: Path  # the project folder
    top: Path  # the work tree's top
    git_dir: Path
    prefix: str  # the project folder relative to `top` ("" or "sub/dir/")

    def index_path(self, relative: str) -> str:
        """A project-relative path as the index names it (relative to the top)."""
        return f"{self.prefix}{relative}"


def find(root: Path) -> Repository | None:
    """The repository holding `root`, or None when it is in none."""
    ran = git(
        root,
        "rev-parse",
        "--show-toplevel",
        "--absolute-git-dir",
        "--show-prefix",
        check=False,
    )
    if ran.returncode != 0:
        return None
    lines = ran.stdout.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 3 or not lines[0]:
        return None  # a bare repository, or inside .git: no work tree to update
    return Repository(root=root, top=Path(lines[0]), git_dir=Path(lines[1]), prefix=lines[2])


def dirty(repository: Repository, paths: Iterable[str]) -> list[str]:
    """Which of `paths` (project-relative) differ from HEAD or are untracked or unmerged."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    ran = git(
        repository.root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--ignored=no",
        "--",
        *(f":(literal){path}" for path in wanted),
    )
    found: list[str] = []
    entries = ran.stdout.split(b"\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        status, name = entry[:2], entry[3:].decode("utf-8", "surrogateescape")
        if status[:1] in (b"R", b"C"):
            index += 1  # the rename's source follows as its own entry
        found.append(name.removeprefix(repository.prefix))
    return sorted(found)


def ignored(repository: Repository, paths: Iterable[str]) -> set[str]:
    """Which of `paths` git ignores (a project may ignore a template's file)."""
    wanted = sorted(set(paths))
    if not wanted:
        return set()
    ran = git(repository.root, "check-ignore", "-z", "--stdin", data=_nul(wanted), check=False)
    return {name for name in ran.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


def hash_blob(repository: Repository, data: bytes) -> str:
    """Store `data` as a blob, exactly as given; its object id."""
    ran = git(repository.root, "hash-object", "-w", "--no-filters", "--stdin", data=data)
    return ran.stdout.decode().strip()


def index_entries(repository: Repository, paths: Iterable[str]) -> list[str]:
    """`git ls-files -s` lines (every stage) for `paths`, as `--index-info` reads them back."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    ran = git(
        repository.root,
        "ls-files",
        "-s",
        "-z",
        "--full-name",
        "--",
        *(f":(literal){path}" for path in wanted),
    )
    return [line for line in ran.stdout.decode("utf-8", "surrogateescape").split("\0") if line]


def set_index(repository: Repository, paths: Iterable[str], entries: Iterable[str]) -> None:
    """Drop every stage of `paths` from the index, then add `entries` (`--index-info` lines).

    Entries name paths from the top of the work tree; mode 0 removes a path's entries,
    which is how a stage-0 entry makes way for the three stages of a conflict.
    """
    zero = "0" * 40
    lines = [f"0 {zero}\t{repository.index_path(path)}" for path in sorted(set(paths))]
    lines += list(entries)
    if lines:
        git(repository.top, "update-index", "-z", "--index-info", data=_nul(lines))


def conflict_entries(
    repository: Repository, path: str, blobs: tuple[str | None, str | None, str | None], mode: str
) -> list[str]:
    """The stage 1/2/3 (base/ours/theirs) lines of one conflicted path; a missing side has none."""
    full = repository.index_path(path)
    return [
        f"{mode} {blob} {stage}\t{full}"
        for stage, blob in enumerate(blobs, start=1)
        if blob is not None
    ]


def _nul(items: Iterable[str]) -> bytes:
    return b"".join(item.encode("utf-8", "surrogateescape") + b"\0" for item in items)
