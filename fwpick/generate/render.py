"""Templates -> a file plan (pure), and the plan -> files in a folder."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from fwpick import __version__
from fwpick.base.errors import TargetError, TemplateError
from fwpick.base.frameworks import FRAMEWORKS, REGISTRY, TASK_INPUTS, TASKS, Input, Task
from fwpick.contract.project_file import MARKER, manifest_table
from fwpick.generate.compiled import FOLDER, CompiledLoader, write
from fwpick.generate.names import ProjectName

# Bumped whenever a template changes in a way a user of a generated project would notice.
TEMPLATE_VERSION = "3"
PACKAGE_PLACEHOLDER = "__package__"
# Layers rendered in order; a later layer's file replaces an earlier one at the same path.
LAYERS = ("common",)


@dataclass(frozen=True)
class ProjectSpec:
    """What to generate: the name, framework, task, input and the answers that shaped it."""

    name: ProjectName
    framework: str
    task: str
    answers: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    author: str = ""
    input: str = ""  # "": the task's default for these answers (pick_input)

    @property
    def data_input(self) -> str:
        """What the model reads: `tabular` or `images`."""
        return self.input or pick_input(self.task, None, self.answers)

    @property
    def deployment(self) -> str:
        """Where the model must run; anything but 'none' adds an export path."""
        answer = self.answers.get("deployment", "none")
        # Microcontroller targets start from the on-device (LiteRT) export; Jetson
        # targets from the server export (ONNX, which TensorRT builds engines from).
        return {"embedded": "mobile", "edge-gpu": "server"}.get(answer, answer)


def pick_input(task: str, requested: str | None, answers: Mapping[str, str]) -> str:
    """The input a project of `task` reads: `requested`, else what the answers imply.

    Classification reads images unless the answers say `domain = tabular`; regression
    reads tabular data only. A combination without templates is a TemplateError.
    """
    if task not in TASKS:
        raise TemplateError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    allowed = TASK_INPUTS[Task(task)]
    if requested is None:
        tabular = answers.get("domain") == "tabular" and Input.tabular in allowed
        return str(Input.tabular if tabular else allowed[0])
    if requested not in allowed:
        choices = " or ".join(f"--input {value}" for value in allowed)
        raise TemplateError(f"--task {task} takes {choices}, not --input {requested}")
    return str(requested)


def templates_root() -> Path:
    """The templates folder: inside the installed package, or at the checkout's top."""
    package = Path(__file__).resolve().parent.parent  # fwpick/
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "common").is_dir():
            return candidate
    raise TemplateError(f"fwpick's templates are missing (looked in {package} and its parent)")


def _toml_string(value: object) -> str:
    """A TOML basic string holding `value` exactly (JSON escapes are valid TOML)."""
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _python_string(value: object) -> str:
    """A double-quoted Python string literal holding `value` exactly.

    JSON string escapes are a subset of Python's, and double quotes match ruff format.
    """
    return json.dumps(str(value), ensure_ascii=False)


def _comment_text(value: object) -> str:
    """`value` on one line, safe inside a comment, a docstring or a plain string."""
    text = " ".join(str(value).split())
    return text.replace("\\", "/").replace('"', "'")


@functools.cache
def environment(root: Path) -> jinja2.Environment:
    """The one Jinja environment: strict, newline-preserving, with escaping filters.

    Cached per templates folder. Templates come compiled from `root/.compiled` where the
    build made them from today's source (generate/compiled.py), else compiled once per
    process from source.
    """
    env = jinja2.Environment(
        loader=CompiledLoader(root, root / FOLDER),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(toml_str=_toml_string, py_str=_python_string, py_comment=_comment_text)
    return env


def compile_templates(root: Path | None = None) -> dict[str, str]:
    """Compile the templates ahead of time into `root/.compiled` (the wheel's build hook).

    Returns {template name: hash of the source it was compiled from}.
    """
    root = root or templates_root()
    return write(environment(root), root, root / FOLDER)


def context(spec: ProjectSpec) -> dict[str, object]:
    """The variables every template sees."""
    framework = REGISTRY[spec.framework]
    return {
        "project_name": spec.name.folder,
        "package": spec.name.package,
        "framework": spec.framework,
        "framework_display": framework.display_name,
        "framework_requirement": framework.requirement,
        "checkpoint_name": framework.checkpoint_name,
        "last_checkpoint_name": framework.checkpoint_name.replace("best", "last", 1),
        "install_project": framework.install_project,
        "task": spec.task,
        # What the model reads: "tabular" (feature columns) or "images" (classification).
        "input": spec.data_input,
        "answers": dict(spec.answers),
        "deployment": spec.deployment,
        "has_export": spec.deployment != "none",
        "description": spec.description or f"A {spec.framework} {spec.task} project.",
        "author": spec.author,
        "fwpick_version": __version__,
        "template_version": TEMPLATE_VERSION,
    }


def _layer_files(root: Path, layer: str) -> Iterator[tuple[str, Path]]:
    """Each file of the layer as (relative posix path, path), in Path order.

    os.walk, not Path.rglob: the same files (links to folders are not entered) for a
    fraction of the cost, which every `fwpick new` pays (benchmarks/startup.py).
    """
    base = root / layer
    found: list[tuple[str, ...]] = []
    for folder, _, names in os.walk(base):
        if "__pycache__" in Path(folder).parts:
            continue
        relative = Path(folder).relative_to(base).parts
        # Names starting with "_" are partials, pulled in by `{% include %}` only.
        found.extend(
            (*relative, name)
            for name in names
            if not (name.startswith("_") and not name.startswith("__"))
            and name != "__pycache__"
            and os.path.splitext(name)[1] != ".pyc"
            and os.path.isfile(os.path.join(folder, name))
        )
    for parts in sorted(found):  # Path order: part by part
        yield "/".join(parts), base.joinpath(*parts)


def plan(spec: ProjectSpec, *, root: Path | None = None) -> dict[str, bytes]:
    """Render every template for `spec` into {relative path: content}; writes nothing.

    Only `*.jinja` files are rendered (the suffix is dropped); others are copied byte
    for byte; `_*` files are partials for `{% include %}` and are not emitted. A
    rendered file that comes out blank is left out, which is how a template makes
    itself conditional (`{% if has_export %}...{% endif %}`).
    """
    if spec.framework not in FRAMEWORKS:
        raise TemplateError(
            f"unknown framework {spec.framework!r}; choose from {', '.join(FRAMEWORKS)}"
        )
    if spec.task not in TASKS:
        raise TemplateError(f"unknown task {spec.task!r}; choose from {', '.join(TASKS)}")
    pick_input(spec.task, spec.input or None, spec.answers)  # a combination with templates
    root = root or templates_root()
    env = environment(root)
    variables = context(spec)
    files: dict[str, bytes] = {}
    for layer in (*LAYERS, spec.framework):
        for relative, source in _layer_files(root, layer):
            target = relative.replace(PACKAGE_PLACEHOLDER, spec.name.package)
            if not relative.endswith(".jinja"):
                files[target] = source.read_bytes()
                continue
            target = target.removesuffix(".jinja")
            text = env.get_template(f"{layer}/{relative}").render(variables)
            if text.strip():
                files[target] = text.encode("utf-8")
            else:
                files.pop(target, None)
    files = dict(sorted(files.items()))
    if MARKER in files:
        # What was generated, hash by hash: `fwpick update` checks its re-rendered base here.
        files[MARKER] += manifest_table(files).encode("utf-8")
    return files


def stage(files: Mapping[str, bytes], folder: Path) -> None:
    """Write the plan into the (staging) folder; an OS error is one line, e.g. a full disk."""
    made: set[Path] = set()  # each folder made once, not once for each of its files
    for relative, content in files.items():
        path = folder / relative
        try:
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(content)
        except OSError as error:
            # A full disk names no file; say where the project was being written.
            reason = error.strerror or str(error)
            raise TargetError(f"cannot write {relative} in {folder.parent}: {reason}") from None


TASK_DESCRIPTIONS = {
    ("regression", "tabular"): "feature columns: a linear model learns y = w1*x1 + w2*x2 + b",
    ("classification", "images"): "small images: a CNN sorts 16x16 grey-scale pictures "
    "into 4 classes",
    ("classification", "tabular"): "feature columns: an MLP sorts rows into 3 classes",
}


def catalogue(root: Path | None = None) -> list[dict[str, str]]:
    """The framework x task x input combinations that have templates."""
    root = root or templates_root()
    return [
        {
            "framework": framework,
            "task": task,
            "input": data_input,
            "description": TASK_DESCRIPTIONS[(task, data_input)],
        }
        for framework in FRAMEWORKS
        if (root / framework).is_dir()
        for task in TASKS
        for data_input in TASK_INPUTS[task]
    ]
