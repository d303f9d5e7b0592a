"""Every render of the templates passes `mypy --strict` (issue 16, item 5).

The generated pyproject.toml configures mypy (strict, on src/); learner.py states that
each twin's Learner and device module keep contract.py's Protocols, so this also checks
that the PyTorch and TensorFlow twins have the same signatures.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import need

from fwpick.advice.knowledge import knowledge
from fwpick.base.frameworks import FRAMEWORKS
from fwpick.generate.names import project_name
from fwpick.generate.render import TASKS, ProjectSpec, plan, stage

# "none" has no export module; "mobile" has the largest one (SavedModel and LiteRT).
DEPLOYMENTS = ("none", "mobile")
MARKS = {
    "torch": [pytest.mark.torch, need("torch")],
    "tensorflow": [pytest.mark.tensorflow, need("tensorflow")],
}


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for all renders: torch's own types are then read once."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "task", "deployment"),
    [
        pytest.param(*combination, marks=MARKS[combination[0]], id="-".join(combination))
        for combination in itertools.product(FRAMEWORKS, TASKS, DEPLOYMENTS)
    ],
)
def test_generated_package_passes_mypy_strict(
    tmp_path: Path, mypy_cache: Path, framework: str, task: str, deployment: str
) -> None:
    answers = {**knowledge().defaults, "deployment": deployment}
    spec = ProjectSpec(name=project_name("demo"), framework=framework, task=task, answers=answers)
    stage(plan(spec), tmp_path)
    assert (tmp_path / "src/demo/contract.py").is_file()
    assert ("src/demo/export.py" in plan(spec)) == (deployment != "none")
    config = (tmp_path / "pyproject.toml").read_text()
    assert "[tool.mypy]\n" in config and "strict = true\n" in config
    # The project's own configuration (pyproject.toml: strict, files = src), as `mypy` runs it.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(mypy_cache)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Success: no issues found" in result.stdout
