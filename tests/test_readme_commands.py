"""A generated project's README runs as written: every command block, in order, verbatim.

One variant per framework (the quick start is the same for every task and deployment but
for the package name). The project gets a fresh venv that sees the frameworks installed
for this interpreter, through a .pth file (nothing is downloaded but pip's build backend,
from the package index); then each ```bash block runs as a script and each ```python
block as a file, with the venv activated, as a reader who did the quick start has it.
Commands this machine cannot run are left out with the reason, and listed when skipped.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import need, run_fwpick

pytestmark = pytest.mark.slow
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


@need("torch")
@need("tensorflow")
@pytest.mark.torch
@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("framework", "task", "deployment"),
    [("torch", "regression", "browser"), ("tensorflow", "classification", "server")],
)
def test_every_readme_block_runs_as_written(
    tmp_path: Path, framework: str, task: str, deployment: str
) -> None:
    created = run_fwpick(
        "new", "demo", "-f", framework, "--task", task, "--deployment", deployment,
        "--dir", str(tmp_path), "--no-smoke", "--no-git",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    # fwpick's "Next:" lines are part of the contract too: its install step is in them.
    next_lines = created.stdout[created.stdout.index("Next:") :].splitlines()[1:]
    project = tmp_path / "demo"
    venv_that_sees_the_frameworks(project)
    env = {
        **os.environ,
        # `python` is this interpreter until the venv is activated.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PIP_NO_INPUT": "1",
    }
    env.pop("PYTHONPATH", None)
    readme = (project / "README.md").read_text()
    assert "python -m pip install -e" in next_lines[1]
    done: set[str] = set()
    skipped: list[str] = []
    for number, (language, body) in enumerate(FENCE.findall(readme)):
        if language == "python":
            if not runnable(body, skipped):
                continue
            script = project / f"readme_snippet_{number}.py"
            script.write_text(body)
            command = ". .venv/bin/activate && python " + script.name
        else:
            # A command already run (the quick start's, repeated further down) runs once.
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
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    print("left out:", *skipped, sep="\n  ")
    assert (project / "runs" / "latest" / "summary.json").is_file()
