"""The console script's entry: start-up kept from the collector, output as main() writes it.

`fwpick` and `python -m fwpick` run fwpick.__main__.entry, which builds the command line
with the garbage collector off and freezes what it built (benchmarks/startup.py); the
tests' in-process way in, fwpick.cli.app.main, must leave the collector alone.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from conftest import CLI_ENV, REPO, run_fwpick

from fwpick.base.compat import tomllib

NEW = ("new", "demo", "-f", "torch", "--no-smoke")

# Runs the console script's entry with ARGV; at exit, after the command, reports the
# collector's state and whether ctypes was ever imported.
_ENTRY = """
import atexit, gc, json, sys
from fwpick.__main__ import entry
def report():
    state = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
             "ctypes": "ctypes" in sys.modules}
    sys.stderr.write("STATE " + json.dumps(state) + "\\n")
atexit.register(report)
sys.argv = ["fwpick", *sys.argv[1:]]
entry()
"""


def entry(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """The entry in a fresh interpreter: the run, and its state line (split off stderr)."""
    result = subprocess.run(
        [sys.executable, "-c", _ENTRY, *args],
        cwd=cwd,
        env={**os.environ, **CLI_ENV},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    stderr, _, state = result.stderr.rpartition("STATE ")
    result.stderr = stderr
    return result, state


def files(root: Path) -> dict[str, bytes]:
    """Every file under `root` but git's own, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def test_the_console_script_runs_the_entry() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"fwpick": "fwpick.__main__:entry"}


def test_the_entry_freezes_start_up_and_leaves_the_collector_on(tmp_path: Path) -> None:
    result, state = entry("advise", "--defaults", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"enabled": true' in state
    # typer, click, fwpick's modules and the built command: tens of thousands of objects.
    frozen = int(state.split('"frozen": ')[1].split(",")[0])
    assert frozen > 5000, state


def test_main_in_process_freezes_nothing(tmp_path: Path) -> None:
    before = gc.get_freeze_count()
    result = run_fwpick("advise", "--defaults", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert gc.isenabled()
    assert gc.get_freeze_count() == before


def test_new_through_the_entry_writes_what_main_writes(tmp_path: Path) -> None:
    (tmp_path / "script").mkdir()
    (tmp_path / "main").mkdir()
    script, state = entry(*NEW, cwd=tmp_path / "script")
    inside = run_fwpick(*NEW, cwd=tmp_path / "main")
    assert script.returncode == inside.returncode == 0, script.stderr + inside.stderr
    here = {name: str(tmp_path / name) for name in ("script", "main")}
    assert script.stdout.replace(here["script"], "HERE") == inside.stdout.replace(
        here["main"], "HERE"
    )
    assert script.stderr == inside.stderr
    assert files(tmp_path / "script/demo") == files(tmp_path / "main/demo")
    # git init ran, as a short child that needs neither the parent-death signal nor ctypes.
    assert (tmp_path / "script/demo/.git/HEAD").is_file()
    assert '"ctypes": false' in state
