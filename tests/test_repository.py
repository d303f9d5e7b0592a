"""`fwpick new` finds an enclosing repository as git does, asking git only where it must."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fwpick.generate.repository import inside_repository, wants_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git_says_inside(folder: Path) -> bool:
    """What fwpick asked before: `git rev-parse` exits 0 inside any repository."""
    return (
        subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True
        ).returncode
        == 0
    )


def init(path: Path, *args: str) -> Path:
    subprocess.run(["git", "init", "--quiet", *args, str(path)], check=True)
    return path


def deep(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


# Each builds a layout under the (resolved) tmp folder, sets the environment and returns
# the folder to ask from; the expected walk answer is True, False or None (git decides).
Layout = Callable[[Path, pytest.MonkeyPatch], Path]


def plain(root: Path, env: pytest.MonkeyPatch) -> Path:
    return deep(root / "a" / "b")


def work_tree(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    return deep(root / "repo" / "src" / "pkg")


def work_tree_root(root: Path, env: pytest.MonkeyPatch) -> Path:
    return init(root / "repo").resolve()


def inside_dot_git(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    return (root / "repo" / ".git" / "refs").resolve()


def bare(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "bare.git", "--bare")
    return (root / "bare.git" / "refs").resolve()


def git_file(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    (deep(root / "linked") / ".git").write_text(f"gitdir: {root / 'repo' / '.git'}\n")
    return deep(root / "linked" / "sub")


def empty_dot_git(root: Path, env: pytest.MonkeyPatch) -> Path:
    # Not a repository: git passes over it (and finds none above).
    (root / "x" / ".git").mkdir(parents=True)
    return deep(root / "x" / "y")


def ceiling_inside_the_work_tree(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    env.setenv("GIT_CEILING_DIRECTORIES", str(root / "repo" / "a"))
    return deep(root / "repo" / "a" / "b")


def ceiling_at_the_folder_itself(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    folder = deep(root / "repo" / "a")
    env.setenv("GIT_CEILING_DIRECTORIES", f"relative/ignored{os.pathsep}{folder}")
    return folder


def ceiling_through_a_link(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    folder = deep(root / "repo" / "a" / "b")
    (root / "link").symlink_to(root / "repo" / "a")
    env.setenv("GIT_CEILING_DIRECTORIES", str(root / "link"))  # resolved: a ceiling
    return folder


def ceiling_link_after_an_empty_entry(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    folder = deep(root / "repo" / "a" / "b")
    (root / "link").symlink_to(root / "repo" / "a")
    env.setenv("GIT_CEILING_DIRECTORIES", f"{os.pathsep}{root / 'link'}")  # as written: none
    return folder


def ceiling_above_the_repository(root: Path, env: pytest.MonkeyPatch) -> Path:
    init(root / "repo")
    env.setenv("GIT_CEILING_DIRECTORIES", str(root))
    return deep(root / "repo" / "a")


def git_dir_set(root: Path, env: pytest.MonkeyPatch) -> Path:
    env.setenv("GIT_DIR", str(init(root / "repo") / ".git"))
    return deep(root / "elsewhere")


CASES: list[tuple[Layout, bool | None]] = [
    (plain, False),
    (work_tree, True),
    (work_tree_root, True),
    (inside_dot_git, None),
    (bare, None),
    (git_file, None),
    (empty_dot_git, None),
    (ceiling_inside_the_work_tree, False),
    (ceiling_at_the_folder_itself, True),
    (ceiling_through_a_link, False),
    (ceiling_link_after_an_empty_entry, True),
    (ceiling_above_the_repository, True),
    (git_dir_set, None),
]


@pytest.mark.parametrize(("layout", "walk"), CASES, ids=[case.__name__ for case, _ in CASES])
def test_the_walk_agrees_with_git_or_asks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: Layout, walk: bool | None
) -> None:
    for name in ("GIT_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path.resolve()
    if git_says_inside(root):
        pytest.skip(f"{root} is inside a repository already")
    folder = layout(root, monkeypatch)
    assert inside_repository(folder) is walk
    # ...and the decision `fwpick new` makes is git's own, whether walked or asked.
    assert wants_git(None, folder / "new-project") is not git_says_inside(folder)


def test_an_explicit_choice_and_an_existing_repository_win(tmp_path: Path) -> None:
    project = init(tmp_path / "project")
    assert wants_git(True, project) is False  # a .git there already is left alone
    assert wants_git(True, tmp_path / "other") is True
    assert wants_git(False, tmp_path / "other") is False
