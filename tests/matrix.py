"""The session's matrix: each framework x task rendered once, driven once, tested once.

Importing a framework in a child costs 2-6 s on the 2-core machine, far more than the
work the tests ask of it, so the tests share their children (STYLE 16):

- `fwpick new --json` renders and smoke-tests each framework x task once (`Twin.created`);
- one driver process per project runs every registered probe: a test module registers
  Python code with `probe()` at import (collection ends before any test runs), and the
  first test that asks gets every probe's stdout (`Twin.probe`);
- the project's own suite runs once (`Twin.suite`): for the two twins whose README runs
  block by block (`Twin.readme`, one per framework), as the README's own test block.

The matrix knows only what a user knows: the `fwpick new` command, `python -m PKG.X`,
the project folder. What a probe does inside the generated code is its module's business.
Every step runs once per run, not once per xdist worker: its result is a JSON file in
the twin's folder, under the workers' common base folder, written under a lock (xdist's
documented recipe for session fixtures), so a worker that needs a step another worker
is running waits for it instead of starting a second framework child. Tests that use a
twin also carry `matrix_group(task)` for `--dist loadgroup`, which keeps each task's
twins on one worker once xdist honours groups again (pytest-xdist#1386: on pytest 9.2
the groups are silently ignored).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# The deployment each twin is rendered with: every export path (browser, mobile, server)
# once, and `none` once per framework, so both export_roundtrip values are seen.
DEPLOYMENTS = {
    ("torch", "regression"): "browser",
    ("torch", "classification"): "none",
    ("tensorflow", "regression"): "mobile",
    ("tensorflow", "classification"): "server",
}
PACKAGE = "demo"
# The twins whose README runs as written (the quick start is the same for every task and
# deployment but for the package name; these two have the most export commands).
README_TWINS = {("torch", "regression"), ("tensorflow", "classification")}


@dataclass(frozen=True)
class Probe:
    """Code that runs in a twin's driver process, in its own empty working folder.

    Its globals hold PROJECT (the project folder, a str); what it prints is its result.
    """

    code: str
    tasks: tuple[str, ...]


PROBES: dict[str, Probe] = {}


def probe(
    name: str, code: str, *, tasks: tuple[str, ...] = ("regression", "classification")
) -> None:
    """Register `code` to run once in the driver of each twin of `tasks`."""
    PROBES[name] = Probe(code, tasks)


# Runs documented commands as `python -m PKG.COMMAND ARGS` would (runpy is what -m uses);
# an argument `glob:PATTERN` is the first file that matches, once the commands before it ran.
COMMANDS = """
import contextlib, glob, io, json, runpy, sys
outputs = {}
for command in COMMANDS:
    args = [sorted(glob.glob(a[5:]))[0] if a.startswith("glob:") else a for a in command[1:]]
    sys.argv = ["PACKAGE/" + command[0] + ".py", *args]
    stdout, stderr, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            runpy.run_module("PACKAGE." + command[0], run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    outputs[" ".join(command)] = {
        "code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()
    }
print(json.dumps(outputs))
"""


def commands_probe(
    name: str,
    commands: list[list[str]],
    *,
    tasks: tuple[str, ...] = ("regression", "classification"),
) -> None:
    """Register a probe that runs `python -m PKG.COMMAND ARGS` for each command, in order.

    `Twin.commands(name)` then gives each command's exit code, stdout and stderr.
    """
    code = COMMANDS.replace("PACKAGE", PACKAGE).replace("COMMANDS", repr(commands), 1)
    probe(name, code, tasks=tasks)


def matrix_group(task: str) -> pytest.MarkDecorator:
    """The xdist group of the tests that use the twins of `task`."""
    return pytest.mark.xdist_group(f"matrix-{task}")


# Runs each probe in turn, in one process, so the framework is imported once; a probe that
# fails is reported with its traceback and does not stop the others.
DRIVER = """
import contextlib, io, json, os, sys, traceback
probes = json.loads(open(sys.argv[1]).read())
base, argv, results = os.getcwd(), list(sys.argv), {}
for name, code in probes.items():
    os.makedirs(os.path.join(base, name))
    os.chdir(os.path.join(base, name))
    stdout, error = io.StringIO(), None
    try:
        with contextlib.redirect_stdout(stdout):
            exec(compile(code, "<probe " + name + ">", "exec"), {
                "__name__": "__probe__", "PROJECT": os.environ["FWPICK_TEST_PROJECT"]
            })
    except BaseException:
        error = traceback.format_exc()
    results[name] = {"stdout": stdout.getvalue(), "error": error}
    os.chdir(base)
    sys.argv[:] = argv
with open(os.path.join(base, "probes.json"), "w") as file:
    json.dump(results, file)
"""


def in_project(
    project: Path,
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run `python ARGS` for a generated project (its src on the path), as its README says."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd or project,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(project / "src"), **(env or {})},
        check=False,
    )


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (every xdist worker of this run opens the same file)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(folder: Path, step: str, make: Callable[[], object]) -> object:
    """`make()`'s JSON result, made by the first worker to ask and read by the others."""
    result = folder / f"{step}.json"
    with locked(folder / f"{step}.lock"):
        if not result.exists():
            result.write_text(json.dumps(make()))
    return json.loads(result.read_text())


def completed(data: object) -> subprocess.CompletedProcess[str]:
    """A CompletedProcess from its JSON form (`as_json`)."""
    assert isinstance(data, dict)
    return subprocess.CompletedProcess(
        data["args"], data["returncode"], data["stdout"], data["stderr"]
    )


def as_json(process: subprocess.CompletedProcess[str]) -> dict[str, object]:
    return {
        "args": [str(arg) for arg in process.args]
        if isinstance(process.args, list)
        else str(process.args),
        "returncode": process.returncode,
        "stdout": process.stdout,
        "stderr": process.stderr,
    }


@dataclass
class Twin:
    """One generated project; what its children reported is read from its folder."""

    framework: str
    task: str
    deployment: str
    folder: Path
    created: subprocess.CompletedProcess[str]
    run_fwpick: Runner = field(repr=False)

    @property
    def project(self) -> Path:
        return self.folder / PACKAGE

    @property
    def document(self) -> dict[str, object]:
        """`fwpick new --json`'s document."""
        assert self.created.returncode == 0, self.created.stderr[-3000:]
        document: dict[str, object] = json.loads(self.created.stdout)
        return document

    def probe(self, name: str) -> str:
        """What probe `name` printed in this twin's driver (run once, on first use)."""
        results = once(self.folder, "probes", self._drive)
        assert isinstance(results, dict)
        result = results[name]
        assert result["error"] is None, f"probe {name} failed:\n{result['error']}"
        return str(result["stdout"] or "")

    def commands(self, name: str) -> dict[str, dict[str, str | int]]:
        """What each command of `commands_probe(name, ...)` did, by its words joined."""
        outputs: dict[str, dict[str, str | int]] = json.loads(self.probe(name))
        return outputs

    def probe_folder(self, name: str) -> Path:
        """The working folder probe `name` ran in (its run folders are there)."""
        return self.folder / "driver" / name

    def suite(self) -> subprocess.CompletedProcess[str]:
        """The project's own tests, run once: `python -m pytest` in the project, or the
        README's test block where the README runs (the same render, in its venv)."""
        if (self.framework, self.task) in README_TWINS:
            return self._readme_tests()
        self.document  # noqa: B018 (a project that was not created has no suite)
        return completed(
            once(
                self.folder,
                "suite",
                lambda: as_json(
                    in_project(self.project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
                ),
            )
        )

    def readme(self) -> ReadmeRun:
        """The README of a fresh render of this twin (`fwpick new`, no smoke), run once."""
        assert (self.framework, self.task) in README_TWINS, (self.framework, self.task)
        return ReadmeRun.from_json(once(self.folder, "readme", self._run_readme))

    def _run_readme(self) -> dict[str, object]:
        parent = self.folder / "readme"
        parent.mkdir()
        created = self.run_fwpick(
            "new", PACKAGE, "-f", self.framework, "--task", self.task,
            "--deployment", self.deployment, "--dir", str(parent), "--no-smoke", "--no-git",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        return run_readme(created, parent / PACKAGE).as_json()

    def _readme_tests(self) -> subprocess.CompletedProcess[str]:
        run = self.readme()
        for block in run.blocks:
            if "python -m pytest" in block.command:
                return subprocess.CompletedProcess(
                    block.command, block.returncode, block.stdout, block.stderr
                )
        last = run.blocks[-1]
        raise AssertionError(
            f"the README stopped before its tests, at:\n{last.command}\n{last.stderr[-3000:]}"
        )

    def _drive(self) -> dict[str, dict[str, str | None]]:
        self.document  # noqa: B018
        runs = self.folder / "driver"
        runs.mkdir()
        probes = {name: p.code for name, p in PROBES.items() if self.task in p.tasks}
        (self.folder / "probes-in.json").write_text(json.dumps(probes))
        driven = in_project(
            self.project,
            "-c",
            DRIVER,
            str(self.folder / "probes-in.json"),
            cwd=runs,
            env={"FWPICK_TEST_PROJECT": str(self.project)},
        )
        assert driven.returncode == 0, driven.stderr[-3000:]
        results: dict[str, dict[str, str | None]] = json.loads((runs / "probes.json").read_text())
        return results


# --- a generated README, run as written -------------------------------------------------

FENCE = re.compile(r"^```(bash|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
HAS_GPU = False  # CUDA-only lines are left out: fwpick's CI machines have no GPU


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# (what a line contains, why this machine cannot run it, whether it can after all)
UNRUNNABLE: list[tuple[str, str, Callable[[], bool]]] = [
    ("--device cuda", "needs an NVIDIA GPU", lambda: HAS_GPU),
    ("--nproc_per_node=gpu", "needs NVIDIA GPUs", lambda: HAS_GPU),
    ("download.pytorch.org", "that index is not reachable from the test machines", lambda: False),
    ("pip install torch", "would replace the installed torch build", lambda: False),
    ("'.[gpu,dev]'", "installs the CUDA build of TensorFlow", lambda: False),
    ("'.[mac,dev]'", "installs TensorFlow for macOS", lambda: False),
    ("tensorflowjs", "tensorflowjs is not in this machine's package index", lambda: False),
    ("torch.onnx", "needs onnx and onnxscript", lambda: has("onnx") and has("onnxscript")),
    ("tensorboard --logdir", "starts a web server that runs until it is stopped", lambda: False),
]


def logical_lines(script: str) -> list[str]:
    """Shell lines with their `\\` continuations joined (kept as written)."""
    lines: list[str] = []
    for line in script.splitlines():
        if lines and lines[-1].endswith("\\"):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    return lines


def command_of(line: str) -> str:
    """A shell line without its trailing comment, to spot a command run before."""
    return line.split("  #")[0].strip()


def runnable(text: str, skipped: list[str]) -> bool:
    for needle, why, possible in UNRUNNABLE:
        if needle in text and not possible():
            skipped.append(f"{text.strip()!r}: {why}")
            return False
    return True


def venv_that_sees_the_frameworks(project: Path) -> None:
    """`python -m venv .venv`, plus a .pth file to this interpreter's site-packages.

    The commands the README runs from those packages (torchrun, ruff) get their scripts
    in the venv, as pip would have written them there.
    """
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    (site / "installed-frameworks.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    if "torchrun" in scripts:
        module, function = scripts["torchrun"].value.split(":")
        wrapper = venv / "bin" / "torchrun"
        wrapper.write_text(
            f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {module} import {function}\n"
            f"sys.exit({function}())\n"
        )
        wrapper.chmod(0o755)
    ruff = Path(sys.executable).parent / "ruff"
    if ruff.exists():
        (venv / "bin" / "ruff").symlink_to(ruff)


@dataclass(frozen=True)
class Block:
    """One README block as it ran: the script, its exit code, output and seconds."""

    command: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass(frozen=True)
class ReadmeRun:
    """A README run block by block, in order, up to the first block that failed."""

    created: subprocess.CompletedProcess[str]
    project: Path
    blocks: list[Block]
    skipped: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "created": as_json(self.created),
            "project": str(self.project),
            "blocks": [asdict(block) for block in self.blocks],
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: object) -> ReadmeRun:
        assert isinstance(data, dict)
        blocks = [Block(**block) for block in data["blocks"]]
        return cls(completed(data["created"]), Path(data["project"]), blocks, data["skipped"])


def run_readme(created: subprocess.CompletedProcess[str], project: Path) -> ReadmeRun:
    """Run each ```bash block as a script and each ```python block as a file, in order.

    With the venv activated, as a reader who did the quick start has it; a command already
    run (the quick start's, repeated further down) runs once; a block that fails ends it.
    """
    venv_that_sees_the_frameworks(project)
    env = {
        **os.environ,
        # `python` is this interpreter until the venv is activated.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PIP_NO_INPUT": "1",
    }
    env.pop("PYTHONPATH", None)
    readme = (project / "README.md").read_text()
    done: set[str] = set()
    skipped: list[str] = []
    blocks: list[Block] = []
    for number, (language, body) in enumerate(FENCE.findall(readme)):
        if language == "python":
            if not runnable(body, skipped):
                continue
            # Beside the project, not in it: the README's own `ruff check .` must not see it.
            script = project.parent / f"readme_snippet_{number}.py"
            script.write_text(body)
            command = f". .venv/bin/activate && python ../{script.name}"
        else:
            lines = [
                line
                for line in logical_lines(body)
                if line.startswith("#") or runnable(line, skipped)
            ]
            lines = [line for line in lines if line.startswith("#") or command_of(line) not in done]
            done.update(command_of(line) for line in lines)
            if not any(line.strip() and not line.startswith("#") for line in lines):
                continue
            activate = [] if number == 0 else [". .venv/bin/activate"]
            command = "\n".join([*activate, *lines, "wait"])  # wait: background workers
        started = time.monotonic()
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        blocks.append(
            Block(
                command,
                result.returncode,
                result.stdout,
                result.stderr,
                time.monotonic() - started,
            )
        )
        if result.returncode != 0:
            break
    return ReadmeRun(created, project, blocks, skipped)


Runner = Callable[..., subprocess.CompletedProcess[str]]


class Matrix:
    """The twins of this run, each made on first use by whichever worker asks first.

    `root` is shared by every xdist worker of the run (each step is locked there).
    """

    def __init__(self, root: Path, run_fwpick: Runner) -> None:
        self.root = root
        self.run_fwpick = run_fwpick
        self.twins: dict[tuple[str, str], Twin] = {}

    def twin(self, framework: str, task: str) -> Twin:
        """The project for `framework` x `task`, rendered and smoke-tested on the CPU once."""
        key = (framework, task)
        if key not in self.twins:
            folder = self.root / f"{framework}-{task}"
            folder.mkdir(exist_ok=True)
            deployment = DEPLOYMENTS[key]
            created = once(
                folder,
                "created",
                lambda: as_json(
                    self.run_fwpick(
                        "new",
                        PACKAGE,
                        "--framework",
                        framework,
                        "--task",
                        task,
                        "--deployment",
                        deployment,
                        "--dir",
                        str(folder),
                        "--no-git",
                        "--device",
                        "cpu",
                        "--json",
                        timeout=600,
                    )
                ),
            )
            self.twins[key] = Twin(
                framework, task, deployment, folder, completed(created), self.run_fwpick
            )
        return self.twins[key]
