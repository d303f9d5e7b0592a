"""Rendering: exact text from small templates, escaping, and the real templates' validity."""

from __future__ import annotations

import ast
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fwpick.advice.knowledge import knowledge
from fwpick.base.compat import tomllib
from fwpick.base.errors import TemplateError
from fwpick.generate.names import project_name
from fwpick.generate.render import FRAMEWORKS, TASKS, ProjectSpec, plan, stage


def build_templates(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small template tree from {path: content} (copier's tests do the same)."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def spec(framework: str = "torch", task: str = "regression", **answers: str) -> ProjectSpec:
    return ProjectSpec(
        name=project_name("My-Proj"),
        framework=framework,
        task=task,
        answers={**knowledge().defaults, **answers},
    )


def test_small_templates_render_to_exact_text(tmp_path: Path) -> None:
    root = build_templates(
        tmp_path,
        {
            "common/README.md.jinja": (
                "# {{ project_name }}\n{% if task == 'regression' %}\nlinear\n{% endif %}\nend\n"
            ),
            "common/src/__package__/data.py.jinja": "NAME = {{ project_name | py_str }}\n",
            "common/src/__package__/blob.bin": b"\x00\x01{{ not rendered }}",
            "common/_partial.md.jinja": "partial for {{ framework }}",
            "torch/src/__package__/model.py.jinja": "{% include 'common/_partial.md.jinja' %}\n",
            "torch/src/__package__/export.py.jinja": "{% if has_export %}EXPORT\n{% endif %}",
            "tensorflow/README.md.jinja": "never used for torch\n",
        },
    )
    files = plan(spec(), root=root)
    assert files == {
        "README.md": b"# My-Proj\nlinear\nend\n",
        "src/my_proj/blob.bin": b"\x00\x01{{ not rendered }}",
        "src/my_proj/data.py": b'NAME = "My-Proj"\n',
        "src/my_proj/model.py": b"partial for torch",  # trim_blocks eats the newline
    }
    with_export = plan(spec(deployment="server"), root=root)
    assert with_export["src/my_proj/export.py"] == b"EXPORT\n"


def test_framework_layer_replaces_common_files(tmp_path: Path) -> None:
    root = build_templates(
        tmp_path,
        {
            "common/README.md.jinja": "common\n",
            "tensorflow/README.md.jinja": "tensorflow\n",
            "torch/.keep": "",
        },
    )
    assert plan(spec("tensorflow"), root=root)["README.md"] == b"tensorflow\n"
    assert plan(spec("torch"), root=root)["README.md"] == b"common\n"


def test_undefined_variables_fail_loudly(tmp_path: Path) -> None:
    root = build_templates(tmp_path, {"common/x.jinja": "{{ nope }}", "torch/.keep": ""})
    with pytest.raises(Exception, match="'nope' is undefined"):
        plan(spec(), root=root)


def test_unknown_framework_or_task() -> None:
    with pytest.raises(TemplateError, match="unknown framework 'jax'"):
        plan(spec("jax"))
    with pytest.raises(TemplateError, match="unknown task 'detection'"):
        plan(spec(task="detection"))


NASTY = 'He said "hi"\\n\n\ttab \x7f \' """ \\ \u2028 ünïcode {{ x }} {% raw %}'


@pytest.mark.parametrize(("framework", "task"), list(itertools.product(FRAMEWORKS, TASKS)))
def test_user_strings_are_escaped_for_every_file(framework: str, task: str) -> None:
    files = plan(
        ProjectSpec(
            name=project_name("nasty"),
            framework=framework,
            task=task,
            answers={**knowledge().defaults, "deployment": "server"},
            description=NASTY,
            author=NASTY,
        )
    )
    pyproject = tomllib.loads(files["pyproject.toml"].decode())
    assert pyproject["project"]["description"] == NASTY
    assert pyproject["project"]["authors"] == [{"name": NASTY}]
    init = files["src/nasty/__init__.py"].decode()
    namespace: dict[str, object] = {}
    exec(compile(init, "__init__.py", "exec"), namespace)
    assert namespace["DESCRIPTION"] == NASTY


@pytest.mark.parametrize(
    ("framework", "task", "deployment"),
    list(itertools.product(FRAMEWORKS, TASKS, ["none", "server", "mobile", "browser"])),
)
def test_real_templates_give_valid_toml_and_python(
    framework: str, task: str, deployment: str
) -> None:
    files = plan(spec(framework, task, deployment=deployment))
    for path, content in files.items():
        if path.endswith(".toml"):
            tomllib.loads(content.decode())
        elif path.endswith(".py"):
            ast.parse(content.decode(), filename=path)
    layout = {"pyproject.toml", "README.md", ".gitignore", ".fwpick.toml"}
    assert layout <= set(files)
    modules = {"config", "data", "model", "train", "predict", "smoke", "device"}
    assert {f"src/my_proj/{m}.py" for m in modules} <= set(files)
    assert ("src/my_proj/export.py" in files) == (deployment != "none")
    marker = tomllib.loads(files[".fwpick.toml"].decode())
    assert marker["project"] == {
        "name": "My-Proj",
        "package": "my_proj",
        "framework": framework,
        "task": task,
        "input": "tabular" if task == "regression" else "images",
        # Recorded for `fwpick update`, which re-renders the project from them.
        "description": f"A {framework} {task} project.",
        "author": "",
    }
    assert marker["answers"]["deployment"] == deployment
    assert set(marker["manifest"]) == set(files) - {".fwpick.toml"}


# The modules (and their tests) only one twin has: how batches reach its loop.
OWN_MODULES = {
    "torch": {"feed.py", "test_feed.py"},
    "tensorflow": {"callbacks.py", "pipeline.py", "test_pipeline.py"},
}


def test_twins_have_the_same_layout() -> None:
    for task in TASKS:
        torch_files, tf_files = (
            {
                name
                for name in plan(spec(f, task, deployment="server"))
                if Path(name).name not in OWN_MODULES[f]
            }
            for f in FRAMEWORKS
        )
        assert torch_files == tf_files


RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


# Long enough that `from PACKAGE.module import a, b` would need wrapping (issue 9).
LONG_NAME = "customer-churn-prediction-service-v2"


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed (run .ci/setup)")
@pytest.mark.parametrize(
    ("framework", "task", "deployment", "name"),
    [
        *itertools.product(FRAMEWORKS, TASKS, ["none", "server", "mobile", "browser"], ["My-Proj"]),
        *itertools.product(FRAMEWORKS, TASKS, ["browser"], [LONG_NAME]),
    ],
)
def test_generated_code_is_lint_and_format_clean(
    tmp_path: Path, framework: str, task: str, deployment: str, name: str
) -> None:
    # Generated projects are code people copy for years: they start clean under the
    # linter their own README tells them to run, whatever the project is called.
    answers = {**knowledge().defaults, "deployment": deployment}
    stage(plan(ProjectSpec(project_name(name), framework, task, answers)), tmp_path)
    assert RUFF is not None
    for command in ([RUFF, "check", "--quiet", "."], [RUFF, "format", "--check", "--quiet", "."]):
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
