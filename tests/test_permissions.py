"""Folders fwpick may not write in: refused up front, in one line, nothing changed.

Permission bits do not stop root, so as root these run fwpick as the unprivileged user
`nobody` (uid 65534); as anyone else they run it directly.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import snapshot

NOBODY = 65534
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder the test user can reach (pytest's own tmp folder is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="fwpick-perm-"))
    folder.chmod(0o755)
    yield folder
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(folder)


def own(path: Path, mode: int) -> None:
    """Give `path` to the user fwpick runs as, with `mode`."""
    if ROOT:
        os.chown(path, NOBODY, NOBODY)
    path.chmod(mode)


AS_NOBODY = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if ROOT else {}
REPO = Path(__file__).resolve().parent.parent


@functools.cache
def interpreter() -> tuple[str, dict[str, str]]:
    """A Python that the test user can run, with fwpick importable; skip if there is none.

    As root the venv's interpreter may sit under root's private home; a system Python of
    the same version then runs fwpick from the checkout and the venv's site-packages.
    """
    if not ROOT:
        return sys.executable, {}
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    path = os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        env = {} if python == sys.executable else {"PYTHONPATH": path}
        try:
            probe = subprocess.run(
                [python, "-c", "import fwpick.cli.app"],
                cwd="/",
                env={**os.environ, **env},
                capture_output=True,
                timeout=60,
                check=False,
                **AS_NOBODY,  # type: ignore[arg-type]
            )
        except OSError:
            continue
        if probe.returncode == 0:
            return python, env
    pytest.skip(f"no Python {version} that uid {NOBODY} can run fwpick with")


def fwpick(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    python, env = interpreter()
    return subprocess.run(
        [python, "-m", "fwpick", *args],
        cwd=cwd,
        env={**os.environ, **env, "NO_COLOR": "1", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **AS_NOBODY,  # type: ignore[arg-type]
    )


NEW = ("new", "demo", "-f", "torch", "--no-smoke", "--no-git")


def refused(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines


def test_a_read_only_parent_is_refused(place: Path) -> None:
    parent = place / "parent"
    parent.mkdir()
    (parent / "mine.txt").write_text("keep\n")
    own(parent, 0o555)
    before = snapshot(place)
    refused(fwpick(*NEW, "--dir", str(parent), cwd=place), f"cannot write in {parent}")
    refused(fwpick(*NEW, cwd=parent), f"cannot write in {parent}")  # read-only working folder
    assert snapshot(place) == before


def test_force_into_a_read_only_folder_is_refused_before_anything_moves(place: Path) -> None:
    target = place / "demo"
    (target / "src").mkdir(parents=True)
    (target / "README.md").write_text("mine\n")
    own(target, 0o755)
    own(target / "src", 0o555)  # the project needs to add src/demo here
    before = snapshot(place)
    refused(fwpick(*NEW, "--force", cwd=place), f"cannot write in {target / 'src'}")
    assert snapshot(place) == before
    own(target, 0o555)
    before = snapshot(place)
    refused(fwpick(*NEW, "--force", cwd=place), f"cannot write in {target}")
    assert snapshot(place) == before


def test_force_keeps_the_target_folder_its_owner_and_mode_and_an_unreadable_file(
    place: Path,
) -> None:
    target = place / "demo"
    target.mkdir()
    secret = target / "README.md"
    secret.write_text("not readable by fwpick\n")
    secret.chmod(0o000)  # fwpick cannot compare it: it must be kept aside, not lost
    own(target, 0o750)
    info = target.stat()
    result = fwpick(*NEW, "--force", cwd=place)
    assert result.returncode == 0, result.stderr
    after = target.stat()
    assert (after.st_ino, after.st_uid, after.st_mode) == (info.st_ino, info.st_uid, info.st_mode)
    assert (target / "README.md.orig").stat().st_mode & 0o777 == 0
    os.chmod(target / "README.md.orig", 0o600)
    assert (target / "README.md.orig").read_text() == "not readable by fwpick\n"


def test_an_existing_writable_target_in_a_read_only_parent_is_filled(place: Path) -> None:
    # The staging folder goes inside an existing target, so only the target must be
    # writable (a mount point, or a folder an admin made for the user, works).
    parent = place / "parent"
    (parent / "demo").mkdir(parents=True)
    own(parent / "demo", 0o755)
    own(parent, 0o555)
    result = fwpick(*NEW, cwd=parent)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(parent)) == ["demo"]
    assert (parent / "demo/src/demo/train.py").is_file()
