"""Templates compiled ahead of time render what the source renders, and only while fresh."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import jinja2
import pytest

from fwpick.advice.knowledge import knowledge
from fwpick.generate.compiled import FOLDER, MANIFEST
from fwpick.generate.names import project_name
from fwpick.generate.render import (
    FRAMEWORKS,
    TASKS,
    ProjectSpec,
    compile_templates,
    environment,
    plan,
    templates_root,
)


def copy_templates(destination: Path) -> Path:
    """The real templates as they are now (another engineer may be editing them)."""
    shutil.copytree(
        templates_root(), destination, ignore=shutil.ignore_patterns(FOLDER, "__pycache__")
    )
    return destination


def spec(framework: str, task: str, deployment: str) -> ProjectSpec:
    return ProjectSpec(
        name=project_name("My-Proj"),
        framework=framework,
        task=task,
        answers={**knowledge().defaults, "deployment": deployment},
    )


def loaded_from(root: Path, name: str) -> str:
    """'compiled' or 'source': where the environment of `root` took template `name` from."""
    filename = environment(root).get_template(name).filename or ""
    return "compiled" if Path(filename).parent == root / FOLDER else "source"


@pytest.fixture(scope="module")
def twin_roots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One copy of the templates rendered from source, and the same copy compiled."""
    source = copy_templates(tmp_path_factory.mktemp("source") / "templates")
    compiled = tmp_path_factory.mktemp("compiled") / "templates"
    shutil.copytree(source, compiled)
    compile_templates(compiled)
    return source, compiled


def test_compiled_and_source_templates_render_identical_projects(
    twin_roots: tuple[Path, Path],
) -> None:
    source, compiled = twin_roots
    deployments = [choice.value for choice in knowledge().question("deployment").choices]
    assert {"none", "server", "mobile", "browser"} <= set(deployments)
    for framework, task, deployment in itertools.product(FRAMEWORKS, TASKS, deployments):
        expected = plan(spec(framework, task, deployment), root=source)
        assert plan(spec(framework, task, deployment), root=compiled) == expected, (
            framework,
            task,
            deployment,
        )
    # ...and the compiled root really rendered from compiled modules, every template.
    names = json.loads((compiled / FOLDER / MANIFEST).read_text())["templates"]
    assert len(names) == len(list(source.rglob("*.jinja")))
    assert {loaded_from(compiled, name) for name in names} == {"compiled"}
    assert {loaded_from(source, name) for name in names} == {"source"}


def test_an_edited_template_is_rendered_from_its_source(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    compile_templates(root)
    readme = root / "common/README.md.jinja"
    readme.write_text(readme.read_text() + "Edited after the build.\n")
    (root / "common/ADDED.md.jinja").write_text("new since the build: {{ project_name }}\n")

    files = plan(spec("torch", "regression", "none"), root=root)

    assert files["README.md"].endswith(b"Edited after the build.\n")
    assert files["ADDED.md"] == b"new since the build: My-Proj\n"
    assert loaded_from(root, "common/README.md.jinja") == "source"
    assert loaded_from(root, "common/ADDED.md.jinja") == "source"
    assert loaded_from(root, "common/pyproject.toml.jinja") == "compiled"  # untouched


def test_an_edit_after_the_first_render_is_seen_in_the_same_process(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    compile_templates(root)
    assert loaded_from(root, "common/README.md.jinja") == "compiled"
    readme = root / "common/README.md.jinja"
    readme.write_text(readme.read_text() + "Edited while fwpick runs.\n")

    files = plan(spec("torch", "regression", "none"), root=root)

    assert files["README.md"].endswith(b"Edited while fwpick runs.\n")
    assert loaded_from(root, "common/README.md.jinja") == "source"


def test_a_set_compiled_with_other_settings_is_not_used(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    compile_templates(root)
    manifest = root / FOLDER / MANIFEST
    document = json.loads(manifest.read_text())
    document["settings"] = "another Jinja, or other options"
    manifest.write_text(json.dumps(document))

    assert loaded_from(root, "common/pyproject.toml.jinja") == "source"


def test_a_missing_compiled_module_falls_back_to_the_source(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    compile_templates(root)
    (root / FOLDER / jinja2.ModuleLoader.get_module_filename("common/README.md.jinja")).unlink()

    files = plan(spec("torch", "regression", "none"), root=root)

    assert files["README.md"].startswith(b"# My-Proj")
    assert loaded_from(root, "common/README.md.jinja") == "source"


def test_a_syntax_error_fails_the_build_and_keeps_the_previous_set(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    built = compile_templates(root)
    before = sorted(path.name for path in (root / FOLDER).iterdir())
    (root / "common/BROKEN.md.jinja").write_text("{% if %}\n")

    with pytest.raises(jinja2.TemplateSyntaxError):
        compile_templates(root)

    assert sorted(path.name for path in (root / FOLDER).iterdir()) == before
    assert json.loads((root / FOLDER / MANIFEST).read_text())["templates"] == built
    # No half-built folder is left beside it.
    assert [path.name for path in root.iterdir() if path.name.startswith(FOLDER)] == [FOLDER]


def test_compiling_records_the_hash_of_what_it_compiled(tmp_path: Path) -> None:
    root = copy_templates(tmp_path / "templates")
    built = compile_templates(root)
    assert set(built) == {path.relative_to(root).as_posix() for path in root.rglob("*.jinja")}
    modules = {path.name for path in (root / FOLDER).glob("tmpl_*.py")}
    assert modules == {jinja2.ModuleLoader.get_module_filename(name) for name in built}
    # No path of the build machine ends up in what the wheel ships.
    assert not any(str(tmp_path) in (root / FOLDER / m).read_text() for m in modules)
