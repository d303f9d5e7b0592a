"""The wheel carries the templates: build it, install it in a fresh venv, generate from it."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, need, new_args

pytestmark = pytest.mark.slow


def run(
    *command: str,
    cwd: Path | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def installed_fwpick(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the wheel's console script, from a folder where no checkout can shadow it.

    (`python -m fwpick` from the repository root would import the checkout instead.)
    """
    return run(str(python.parent / "fwpick"), *args, cwd=python.parent)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return next(out.glob("fwpick-*.whl"))


@pytest.fixture(scope="module")
def installed_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel and its own dependencies: no torch, no TensorFlow."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    assert run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    python = venv / "bin" / "python"
    installed = run(str(python), "-m", "pip", "install", "--quiet", str(wheel))
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


def test_wheel_contains_templates_and_knowledge(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "fwpick/advice/knowledge.toml" in names
    for framework in ("torch", "tensorflow"):
        assert f"fwpick/templates/{framework}/src/__package__/train.py.jinja" in names
    assert "fwpick/templates/common/src/__package__/data.py.jinja" in names


# Which file each template comes from in the installed fwpick (tests/test_compiled_templates.py).
_TEMPLATE_FILES = """
import json
from fwpick.generate.render import environment, templates_root
env = environment(templates_root())
names = [name for name in env.list_templates() if name.endswith(".jinja")]
print(json.dumps({name: env.get_template(name).filename for name in names}))
"""


def test_installed_fwpick_renders_from_the_compiled_templates(
    wheel: Path, installed_python: Path
) -> None:
    in_wheel = zipfile.ZipFile(wheel).namelist()
    assert "fwpick/templates/.compiled/manifest.json" in in_wheel
    where = run(str(installed_python), "-c", _TEMPLATE_FILES, cwd=installed_python.parent)
    assert where.returncode == 0, where.stderr
    files = json.loads(where.stdout)
    assert len(files) == sum(name.endswith(".jinja") for name in in_wheel)
    for name, filename in files.items():
        compiled = Path(filename)
        assert compiled.parent.as_posix().endswith("site-packages/fwpick/templates/.compiled"), name
        # pip byte-compiled them at install, as it does every module: nothing compiles at run time.
        assert list((compiled.parent / "__pycache__").glob(f"{compiled.stem}.*.pyc")), name


def test_installed_fwpick_generates_a_project(installed_python: Path, tmp_path: Path) -> None:
    where = run(
        str(installed_python),
        "-c",
        "import fwpick; print(fwpick.__file__)",
        cwd=installed_python.parent,
    )
    assert where.stdout.startswith(str(installed_python.parent.parent)), where.stdout
    result = installed_fwpick(
        installed_python,
        *new_args("demo", "torch", tmp_path, "--task", "classification", "--no-git", "--json"),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (tmp_path / "demo/src/demo/model.py").is_file()
    # That venv has no torch: the smoke test is skipped with the exact install command.
    smoke = document["smoke"]
    assert smoke["status"] == "skipped"
    # The one install command: this machine's selector build, in the range the project pins.
    from fwpick.machine.hardware import install_here

    expected = install_here("torch", python=str(installed_python)).command
    assert expected.startswith(f"{installed_python} -m pip install 'torch>=2.7,<2.14'")
    assert smoke["install_command"] == expected


def test_missing_framework_with_smoke_require_fails(installed_python: Path, tmp_path: Path) -> None:
    result = installed_fwpick(
        installed_python,
        *new_args("demo", "tf", tmp_path, "--no-git", "--smoke", "require", "--json"),
    )
    assert result.returncode == 3
    smoke = json.loads(result.stdout)["smoke"]
    assert smoke["status"] == "failed"
    assert "tensorflow is not installed" in smoke["error"]
    assert (tmp_path / "demo/pyproject.toml").is_file()  # a failed smoke keeps the project


@pytest.mark.torch
@need("torch")
def test_installed_fwpick_smokes_with_another_interpreter(
    installed_python: Path, tmp_path: Path
) -> None:
    options = ("--no-git", "--python", sys.executable, "--device", "cpu", "--json")
    created = installed_fwpick(installed_python, *new_args("demo", "torch", tmp_path, *options))
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["smoke"]["status"] == "passed"
