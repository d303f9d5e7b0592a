"""Real signals against a real fwpick process: clean up, exit 128+N, leave no process.

fwpick gets the signal the way Docker, CI runners and `timeout` send it: to its own pid
only. Orphans are found by a unique token in the command line of every process the
test makes fwpick start.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import need

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and relies on PR_SET_PDEATHSIG"
)
SIGNALS = [
    pytest.param(signal.SIGINT, 130, id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
    pytest.param(signal.SIGHUP, 129, id="SIGHUP"),
]


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fwpick", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def processes_with(token: str) -> list[int]:
    """The live processes whose command line or environment mentions `token` (the smoke
    child's PYTHONPATH names its project folder); zombies excluded."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in seen and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def no_orphans(token: str) -> bool:
    """Nothing with `token` runs any more (give the kernel a moment to reap)."""
    try:
        wait_for(lambda: not processes_with(token), timeout=5)
    except AssertionError:
        return False
    return True


SLEEPING_SMOKE = """
import pathlib, subprocess, sys, time
# A grandchild too: the whole process group must go, not just the child.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)  # {token}"])
pathlib.Path({marker!r}).write_text("started")
time.sleep(120)  # {token}
"""


def sleeping_project(root: Path, token: str) -> Path:
    """A project whose smoke entry starts a grandchild, says so, then sleeps."""
    (root / "src/fake").mkdir(parents=True)
    (root / "src/fake/__init__.py").write_text("")
    (root / "src/fake/smoke.py").write_text(
        SLEEPING_SMOKE.format(token=token, marker=str(root / "started"))
    )
    (root / ".fwpick.toml").write_text(
        '[project]\npackage = "fake"\nframework = "json"\ntask = "regression"\n'
    )
    return root


@pytest.mark.parametrize(("signum", "code"), SIGNALS)
def test_a_signal_during_fwpick_smoke_kills_the_child_and_its_group(
    tmp_path: Path, signum: int, code: int
) -> None:
    token = f"fwpick-test-{secrets.token_hex(6)}"
    project = sleeping_project(tmp_path / token, token)
    fwpick = start("smoke", str(project), "--device", "cpu", cwd=tmp_path)
    wait_for((project / "started").exists, what="the smoke child")
    children = lambda: set(processes_with(token)) - {fwpick.pid}  # noqa: E731
    wait_for(lambda: len(children()) == 2, what="child and grandchild", timeout=10)
    started = time.monotonic()
    fwpick.send_signal(signum)
    _, stderr = fwpick.communicate(timeout=30)
    assert time.monotonic() - started < 5  # no wait for the child's sleep
    assert fwpick.returncode == code, stderr
    assert stderr.strip() == f"error: interrupted ({signal.Signals(signum).name})"
    assert no_orphans(token), processes_with(token)


@pytest.mark.torch
@need("torch")
@pytest.mark.parametrize(("signum", "code"), SIGNALS)
def test_a_signal_during_the_smoke_phase_of_new_leaves_nothing(
    tmp_path: Path, signum: int, code: int
) -> None:
    name = f"sig_{secrets.token_hex(4)}"
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "mine.txt").write_text("keep\n")
    fwpick = start("new", name, "-f", "torch", "--no-git", "--dir", str(parent), cwd=tmp_path)
    # The smoke child runs `python -m NAME.smoke`: signal once it is there.
    wait_for(lambda: bool(processes_with(f"{name}.smoke")), what="the smoke child")
    fwpick.send_signal(signum)
    _, stderr = fwpick.communicate(timeout=30)
    assert fwpick.returncode == code, stderr
    assert "error: interrupted" in stderr and "Traceback" not in stderr
    assert sorted(os.listdir(parent)) == ["mine.txt"]  # no project, no staging folder
    assert no_orphans(name)


RENDER = ("new", "demo", "-f", "torch", "--no-smoke", "--no-git")


@pytest.mark.parametrize(("signum", "code"), SIGNALS)
def test_a_signal_at_any_moment_of_rendering_is_all_or_nothing(
    tmp_path: Path, signum: int, code: int
) -> None:
    # Sweep the moment of the signal across the whole run: every outcome is either the
    # whole project and success, or nothing and the signal's code. Never both, never half.
    outcomes = set()
    # Spread over this machine's own run time: most of a run is Python starting up, the
    # last part is fwpick checking, rendering and moving the project into place.
    probe = tmp_path / "timing"
    probe.mkdir()
    started = time.monotonic()
    timing = start(*RENDER, "--dir", str(probe), cwd=tmp_path)
    timing.communicate(timeout=60)
    took = time.monotonic() - started
    fractions = (0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
    for attempt, delay in enumerate(took * fraction for fraction in fractions):
        parent = tmp_path / f"run{attempt}"
        parent.mkdir()
        fwpick = start(*RENDER, "--dir", str(parent), cwd=tmp_path)
        time.sleep(delay)
        fwpick.send_signal(signum)
        stdout, stderr = fwpick.communicate(timeout=30)
        entries = sorted(os.listdir(parent))
        if fwpick.returncode == 0:
            assert entries == ["demo"] and "Created" in stdout
            assert (parent / "demo/src/demo/train.py").is_file()
            outcomes.add("created")
        else:
            # Before fwpick's handlers are installed Python's defaults apply (killed: an
            # uncaught KeyboardInterrupt kills with SIGINT too); nothing is written then
            # either. Afterwards it is one line, even while parsing (test_signal_windows.py).
            assert fwpick.returncode in (code, -signum), stderr
            assert fwpick.returncode == -signum or stderr.startswith("error: interrupted"), stderr
            assert entries == [], (fwpick.returncode, entries, stderr)
            assert "Created" not in stdout
            outcomes.add("nothing")
    assert outcomes  # the sweep ran; which outcomes appear depends on the machine's speed


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [SIGNALS[1]])
def test_a_signal_after_the_project_is_in_place_rolls_it_back(
    tmp_path: Path, signum: int, code: int
) -> None:
    # --venv works on the project after it moved into place: a signal then undoes it.
    parent = tmp_path / "parent"
    parent.mkdir()
    fwpick = start(
        "new", "demo", "-f", "torch", "--no-git", "--venv", "--dir", str(parent), cwd=tmp_path
    )
    wait_for((parent / "demo/.venv").exists, what="the .venv", timeout=120)
    fwpick.send_signal(signum)
    stdout, stderr = fwpick.communicate(timeout=60)
    assert fwpick.returncode == code, stderr
    assert "Created" not in stdout
    assert os.listdir(parent) == []
    assert no_orphans(str(parent / "demo/.venv"))


def test_the_smoke_child_dies_with_fwpick_even_on_sigkill(tmp_path: Path) -> None:
    token = f"fwpick-test-{secrets.token_hex(6)}"
    project = sleeping_project(tmp_path / token, token)
    (project / "src/fake/smoke.py").write_text(
        f"import pathlib, time\npathlib.Path({str(project / 'started')!r}).write_text('x')\n"
        f"time.sleep(120)  # {token}\n"
    )
    fwpick = start("smoke", str(project), "--device", "cpu", cwd=tmp_path)
    wait_for((project / "started").exists, what="the smoke child")
    fwpick.kill()  # no handler runs: only the kernel can stop the child now
    fwpick.communicate(timeout=30)
    assert no_orphans(token), processes_with(token)


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    from fwpick.base.staging import _host

    stale = parent / f".demo.fwpick-{_host()}-{int(dead.stdout)}-0123abcd"
    (stale / "src").mkdir(parents=True)
    fwpick = start(
        "new", "demo", "-f", "torch", "--no-smoke", "--no-git", "--dir", str(parent), cwd=tmp_path
    )
    _, stderr = fwpick.communicate(timeout=60)
    assert fwpick.returncode == 0, stderr
    assert os.listdir(parent) == ["demo"]


def test_two_runs_on_one_target_one_wins_and_the_other_fails_cleanly(tmp_path: Path) -> None:
    for attempt in range(3):
        parent = tmp_path / f"run{attempt}"
        parent.mkdir()
        (parent / "mine.txt").write_text("keep\n")
        runs = [
            start(
                "new",
                "demo",
                "-f",
                flag,
                "--no-smoke",
                "--no-git",
                "--dir",
                str(parent),
                cwd=tmp_path,
            )
            for flag in ("torch", "tf")
        ]
        results = [(run.wait(timeout=60), *run.communicate()) for run in runs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 1], results
        loser = next(stderr for code, _, stderr in results if code == 1)
        assert loser.startswith("error: ") and len(loser.strip().splitlines()) == 1, loser
        assert sorted(os.listdir(parent)) == ["demo", "mine.txt"]
        assert (parent / "mine.txt").read_text() == "keep\n"
        marker = (parent / "demo/.fwpick.toml").read_text()
        winner = "torch" if results[0][0] == 0 else "tensorflow"
        assert f'framework = "{winner}"' in marker  # one whole project, not a mix


HANGING_PROBE = """#!{python}
import json, subprocess, sys, time
if "fwpick_check" in sys.argv[2]:  # fwpick's interpreter check: answer it, as Python
    found = sys.argv[3:]
    print(json.dumps({{"fwpick_check": 1, "executable": sys.executable,
                      "version": "3.11.0", "found": found}}))
    sys.exit(0)
# A framework probe whose import hangs, with a grandchild of its own.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)  # {token}"])
time.sleep(120)  # {token}
"""


def hanging_python(tmp_path: Path, token: str) -> Path:
    fake = tmp_path / "python"
    fake.write_text(HANGING_PROBE.format(python=sys.executable, token=token))
    fake.chmod(0o755)
    return fake


def test_env_probes_that_hang_are_killed_with_their_group_at_the_timeout(tmp_path: Path) -> None:
    token = f"fwpick-test-{secrets.token_hex(6)}"
    python = hanging_python(tmp_path, token)
    started = time.monotonic()
    fwpick = start("env", "--python", str(python), "--timeout", "2", "--json", cwd=tmp_path)
    stdout, stderr = fwpick.communicate(timeout=60)
    assert fwpick.returncode == 0, stderr
    assert time.monotonic() - started < 15  # both probes share one 2 s deadline
    report = json.loads(stdout)
    for entry in report["frameworks"].values():
        assert entry["error"] == "probe timed out after 2s"
    assert no_orphans(token), processes_with(token)


def test_ctrl_c_during_env_probes_is_not_kept_waiting(tmp_path: Path) -> None:
    token = f"fwpick-test-{secrets.token_hex(6)}"
    python = hanging_python(tmp_path, token)
    fwpick = start("env", "--python", str(python), "--timeout", "60", cwd=tmp_path)
    wait_for(lambda: len(processes_with(token)) >= 2, what="the probes", timeout=30)
    started = time.monotonic()
    fwpick.send_signal(signal.SIGINT)
    _, stderr = fwpick.communicate(timeout=30)
    assert time.monotonic() - started < 3, "Ctrl-C waited for the probes"
    assert fwpick.returncode == 130, stderr
    assert no_orphans(token), processes_with(token)


def test_an_ignored_sighup_stays_ignored_as_under_nohup(tmp_path: Path) -> None:
    token = f"fwpick-test-{secrets.token_hex(6)}"
    project = sleeping_project(tmp_path / token, token)
    fwpick = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fwpick",
            "smoke",
            str(project),
            "--device",
            "cpu",
            "--timeout",
            "3",
            "--json",
        ],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),  # what nohup does
    )
    wait_for((project / "started").exists, what="the smoke child")
    fwpick.send_signal(signal.SIGHUP)
    stdout, stderr = fwpick.communicate(timeout=60)
    assert fwpick.returncode == 3, stderr  # ran on to its timeout, as nohup asked
    assert json.loads(stdout)["cause"] == "timeout"
    assert no_orphans(token), processes_with(token)
