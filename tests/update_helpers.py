"""Helpers for the `fwpick update` tests: projects from any template version, in git."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from fwpick.advice.knowledge import knowledge
from fwpick.generate.names import ProjectName
from fwpick.generate.render import ProjectSpec, templates_root
from fwpick.update import archive
from fwpick.update.archive import Archive, Template
from fwpick.update.core import Catalog
from fwpick.update.release import freeze
from fwpick.update.sources import Frozen, Source

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity and no user configuration."""
    return subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def spec(**answers: str) -> ProjectSpec:
    """The demo project's spec: torch regression with the default answers."""
    return ProjectSpec(
        name=ProjectName(folder="demo", package="demo"),
        framework="torch",
        task="regression",
        answers={**knowledge().defaults, **answers},
        description="A demo.",
    )


def write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` under `root`."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def generate(root: Path, source: Source, project: ProjectSpec | None = None) -> Path:
    """A project rendered by `source`, committed in a fresh repository."""
    root.mkdir(parents=True)
    write_tree(root, source.render(project or spec(), fwpick_version="0.1.0"))
    git(root, "init", "-q")
    commit(root, "generated")
    return root


def commit(root: Path, message: str = "edit") -> None:
    """Commit everything in the project."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def snapshot(root: Path) -> dict[str, object]:
    """Every file's bytes and mode, the index's entries and git's status: what must not move."""
    files: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        files[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mode)
    return {
        "files": files,
        "index": git(root, "ls-files", "-s"),
        "status": git(root, "status", "--porcelain"),
    }


def real_templates() -> dict[str, Template]:
    """The installed templates, read as an archive reads them."""
    return archive.read_tree(templates_root())


def synthetic(version: str, files: Mapping[str, str | bytes]) -> Archive:
    """An archive of `files` plus the real .fwpick.toml template (manifest on)."""
    marker = "common/.fwpick.toml.jinja"
    tree = {marker: real_templates()[marker]}
    for path, data in files.items():
        tree[path] = Template(data.encode() if isinstance(data, str) else data)
    return freeze(version, files=tree, source="test")


def catalog_for(folder: Path, *released: Archive, current: Archive | Source) -> Catalog:
    """A catalog whose released archives are `released` (written under `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for each in released:
        archive.archive_path(each.version, folder).write_text(archive.dumps(each))
    return Catalog(
        archives=folder, current=Frozen(current) if isinstance(current, Archive) else current
    )
