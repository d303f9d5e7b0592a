"""Real filesystems: a full disk and a target that is a mount point (tmpfs, needs root)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import run_fwpick
from hostile import snapshot

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0,
    reason="mounting a tmpfs needs Linux and root",
)
NEW = ("new", "demo", "-f", "torch", "--no-smoke", "--no-git")


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", "size=16k") as full:
        (full / "mine.txt").write_text("keep\n")
        before = snapshot(full)
        result = run_fwpick(*NEW, "--dir", str(full))
        after = snapshot(full)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write ")
    assert lines[0].endswith(f"in {full}: No space left on device")
    assert after == before


def test_a_mount_point_target_gets_the_project_and_keeps_its_mode(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "demo", "size=1m,mode=0750") as target:
        result = run_fwpick(*NEW, "--dir", str(tmp_path))
        mode = target.stat().st_mode & 0o777
        files = sorted(os.listdir(target))
    assert result.returncode == 0, result.stderr
    assert mode == 0o750
    assert "pyproject.toml" in files and not [f for f in files if "fwpick-" in f]
