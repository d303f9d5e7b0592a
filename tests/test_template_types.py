"""Every render of the templates passes `mypy --strict` (issue 16, item 5).

The generated pyproject.toml configures mypy (strict, on src/); learner.py states that
each twin's Learner and device module keep contract.py's Protocols, so this also checks
that the PyTorch and TensorFlow twins have the same signatures.

One mypy run per framework checks its four renders together: each is rendered under a
package name of its own, so their modules do not clash, and torch's or TensorFlow's own
modules are analysed once instead of once per render (most of a run's time).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import need

from fwpick.advice.knowledge import knowledge
from fwpick.base.compat import tomllib
from fwpick.base.frameworks import FRAMEWORKS
from fwpick.generate.names import project_name
from fwpick.generate.render import TASKS, ProjectSpec, plan, stage

# "none" has no export module; "mobile" has the largest one (SavedModel and LiteRT).
DEPLOYMENTS = ("none", "mobile")
MARKS = {
    "torch": [pytest.mark.torch, need("torch")],
    "tensorflow": [pytest.mark.tensorflow, need("tensorflow")],
}


def render(root: Path, framework: str, task: str, deployment: str) -> Path:
    """One render, as `fwpick new` writes it, under the package name `TASK_DEPLOYMENT`."""
    package = f"{task}_{deployment}"
    answers = {**knowledge().defaults, "deployment": deployment}
    spec = ProjectSpec(name=project_name(package), framework=framework, task=task, answers=answers)
    files = plan(spec)
    stage(files, root / package)
    assert (root / package / "src" / package / "contract.py").is_file()
    assert (f"src/{package}/export.py" in files) == (deployment != "none")
    return root / package


@pytest.mark.slow
@pytest.mark.parametrize(
    "framework", [pytest.param(framework, marks=MARKS[framework]) for framework in FRAMEWORKS]
)
def test_every_render_passes_mypy_strict(tmp_path: Path, framework: str) -> None:
    renders = {
        f"{framework}-{task}-{deployment}": render(tmp_path, framework, task, deployment)
        for task, deployment in itertools.product(TASKS, DEPLOYMENTS)
    }
    configs = [tomllib.loads((root / "pyproject.toml").read_text()) for root in renders.values()]
    settings = configs[0]["tool"]["mypy"]
    assert settings["strict"] is True and settings["files"] == ["src"]
    # The renders share one configuration, so one run under the first's is each one's run.
    assert all(config["tool"]["mypy"] == settings for config in configs)
    # The project's own configuration (pyproject.toml: strict), as `mypy` runs it, given
    # each render's src instead of `files`; os.devnull: no cache is written, none read.
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy",
            "--config-file", str(next(iter(renders.values())) / "pyproject.toml"),
            "--cache-dir", os.devnull,
            *(f"{root.name}/src" for root in renders.values()),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    failed = [name for name, root in renders.items() if f"{root.name}/src/" in result.stdout]
    assert result.returncode == 0, (
        f"mypy --strict fails for {failed or 'all renders'}:\n"
        + result.stdout[-3000:]
        + result.stderr[-3000:]
    )
    checked = sum(len(list((root / "src").rglob("*.py"))) for root in renders.values())
    assert f"Success: no issues found in {checked} source files" in result.stdout
