"""`fwpick new`'s git step: is the folder inside a repository already, and `git init`.

Asking `git rev-parse` costs a child process (about 7 ms, a fifth of `new`'s run beyond
its imports, benchmarks/startup.py), so the common answers are found here the way git
finds a repository: from the folder up, a `.git` in each folder and then the folder itself
as a bare repository, stopping below a GIT_CEILING_DIRECTORIES entry and at a filesystem
boundary (setup.c, setup_git_directory_gently_1 in git 2.39). Where git's answer turns on
more than that (GIT_DIR and the variables that move a repository's parts, a `.git` file,
link or foreign owner, something that may be a bare repository, safe.directory), git
itself is asked, as before. `git init` is always git's own: its templates, hooks and
`init.defaultBranch` are the user's configuration, not fwpick's to imitate.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from fwpick.base import children
from fwpick.base.files import lstat_or_none

# Set (even empty), these change where git looks or what it takes for a repository.
_GIT_DECIDES = (
    "GIT_DIR",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
)
INIT_SECONDS = 60  # git init takes milliseconds; this is a hung filesystem
# A detached HEAD holds an object id: SHA-1 (40 hex digits) or SHA-256 (64).
_OBJECT_ID_LENGTHS = (40, 64)


def wants_git(requested: bool | None, target: Path) -> bool:
    """Whether to `git init` the project at `target` (its parent exists).

    An existing `.git` is left alone; otherwise `--git`/`--no-git` decide, and by default
    a project gets a repository unless its parent is inside one already.
    """
    if os.path.lexists(target / ".git"):
        return False  # a repository already: leave it as it is
    if requested is not None:
        return requested
    inside = inside_repository(target.parent)
    if inside is None:
        inside = _git_says_inside(target.parent)
    return not inside


def init(target: Path) -> bool:
    """`git init` the new project; a machine without git just gets no repository."""
    with initialising(target) as finished:
        return finished()


@contextmanager
def initialising(folder: Path) -> Iterator[Callable[[], bool]]:
    """`git init` of `folder`, started now and running while the block works on.

    The block calls what it gets to wait for the answer `init` gives (False: no git on
    this machine, or git failed or took over INIT_SECONDS); leaving the block any other
    way kills git and reaps it.
    """
    with ExitStack() as stack:
        process: subprocess.Popen[bytes] | None = None
        with suppress(OSError):  # no git: no repository
            # Ends by itself in milliseconds: no parent-death signal, so vfork and no
            # ctypes (children.running says why that is safe). Its output is not used.
            process = stack.enter_context(
                children.running(
                    ["git", "init", "--quiet", str(folder)],
                    die_with_fwpick=False,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        yield functools.partial(_finished, process)


def _finished(process: subprocess.Popen[bytes] | None) -> bool:
    """Whether `git init` ended well, waiting for it up to INIT_SECONDS."""
    if process is None:
        return False
    try:
        return process.wait(timeout=INIT_SECONDS) == 0
    except subprocess.TimeoutExpired:
        return False  # `initialising` kills it as its block ends


def _git_says_inside(folder: Path) -> bool:
    """git's own answer; a machine without git has no repository to be inside."""
    try:
        command = ["git", "rev-parse", "--is-inside-work-tree"]
        answer = children.run(command, cwd=folder, timeout=30, die_with_fwpick=False)
    except OSError:  # no git on this machine: nothing to initialise either
        return True
    # Exit 0 inside a work tree, a .git folder or a bare repository: all "inside".
    return answer.returncode == 0


def inside_repository(folder: Path) -> bool | None:
    """Whether git would find a repository from `folder` (absolute, links resolved).

    None where git's own rules beyond the plain walk could decide: then git is asked.
    """
    if os.name == "nt" or any(name in os.environ for name in _GIT_DECIDES):
        return None  # Windows: drive letters, other ownership rules; git knows them
    ceiling = _ceiling_offset(str(folder))
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return None
    for current in (folder, *folder.parents):
        if current != folder:
            # git's offset of a folder: where its path ends; the root's is 0.
            offset = len(str(current)) if current.parent != current else 0
            if offset <= ceiling:
                return False  # git does not look in a ceiling folder or above it
            try:
                if os.stat(current).st_dev != device:
                    return False  # a filesystem boundary: git stops below it
            except OSError:
                return None
        try:
            here = _repository_at(current)
        except OSError:
            return None
        if here is not False:
            return here
    return False


def _repository_at(folder: Path) -> bool | None:
    """True: `folder/.git` is a repository git accepts; False: nothing here; None: ask git."""
    found = lstat_or_none(folder / ".git")
    if found is None:
        # A HEAD here may make the folder a bare repository (or the inside of a .git).
        return None if lstat_or_none(folder / "HEAD") is not None else False
    # Anything but a plain folder of this user that git accepts (a `.git` file, a link,
    # another user's repository, an invalid folder git would pass over) is git's to judge.
    if stat.S_ISDIR(found.st_mode) and _owned(folder) and _owned(folder / ".git"):
        return True if _git_directory(folder / ".git") else None
    return None


def _ceiling_offset(folder: str) -> int:
    """Where the nearest GIT_CEILING_DIRECTORIES entry above `folder` ends; -1 for none.

    git's rules (canonicalize_ceiling_entry, longest_ancestor_length): relative entries
    are ignored, entries after an empty one are taken as written and the others with
    their links resolved, and only a proper ancestor counts (the root as length 0).
    """
    longest = -1
    resolve = True
    for entry in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep):
        if not entry:
            resolve = False
            continue
        if not os.path.isabs(entry):
            continue
        ceiling = os.path.realpath(entry) if resolve else entry
        if ceiling == "/":
            longest = max(longest, 0)
        elif folder.startswith(ceiling) and folder[len(ceiling) : len(ceiling) + 1] == "/":
            longest = max(longest, len(ceiling))
    return longest


def _owned(path: Path) -> bool:
    """Whether the current user owns `path` (git refuses other users' repositories)."""
    if not hasattr(os, "geteuid"):
        return False  # ownership works differently there: let git judge
    return os.lstat(path).st_uid == os.geteuid()


def _git_directory(path: Path) -> bool:
    """A folder git takes for a repository: a valid HEAD, objects/ and refs/ (is_git_directory).

    A linked worktree's folder (a `commondir` file) is left to git.
    """
    if os.path.lexists(path / "commondir"):
        return False
    head = path / "HEAD"
    info = os.lstat(head)
    if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
        return False
    text = head.read_text(encoding="utf-8", errors="replace").strip()
    detached = len(text) in _OBJECT_ID_LENGTHS and not text.strip("0123456789abcdef")
    valid = text.startswith("ref: refs/") or detached
    return valid and all(os.access(path / part, os.X_OK) for part in ("objects", "refs"))
