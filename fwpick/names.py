"""Project names: what may be a folder and a Python package, and what to suggest instead."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from fwpick.errors import ProjectNameError

# Package names that would shadow something the generated project imports or the tools
# it runs with (`import torch` inside a package called torch imports the package itself).
SHADOWED = frozenset(
    {
        "torch",
        "torchvision",
        "tensorflow",
        "tf",
        "keras",
        "numpy",
        "np",
        "scipy",
        "pandas",
        "pytest",
        "ruff",
        "setuptools",
        "pip",
        "wheel",
        "test",
        "tests",
        "src",
        "fwpick",
        "jinja2",
        "typer",
        "rich",
        "onnx",
        "onnxscript",
        "tensorboard",
    }
)
_FOLDER = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ProjectName:
    """A validated project name: the folder it lives in and the package inside it."""

    folder: str
    package: str


def normalise_package(name: str) -> str:
    """The package a folder name maps to: lower case, runs of `-`, `.`, ` ` become `_`."""
    return re.sub(r"[-_. ]+", "_", name.strip()).lower().strip("_")


def project_name(raw: str) -> ProjectName:
    """Validate `raw` as a project name or raise ProjectNameError with a suggestion."""
    name = raw.strip()
    if not name:
        raise ProjectNameError("the project name is empty; try: fwpick new my_project")
    if "/" in name or "\\" in name or name in {".", ".."}:
        base = normalise_package(re.split(r"[\\/]", name.rstrip("/\\"))[-1] or "project")
        raise ProjectNameError(
            f"project name {raw!r} is a path, not a name; use --dir PARENT for the folder, "
            f"e.g. fwpick new {_suggest(base)} --dir PARENT"
        )
    package = normalise_package(name)
    if not _FOLDER.match(name) or not package.isidentifier():
        raise ProjectNameError(
            f"project name {raw!r} must start with a letter and use only letters, digits, "
            f"'-', '_' or '.'; try {_suggest(package)!r}"
        )
    reason = _reserved_reason(package)
    if reason:
        raise ProjectNameError(
            f"project name {raw!r} gives package {package!r}, which {reason}; "
            f"try {_suggest(package)!r}"
        )
    return ProjectName(folder=name, package=package)


def _reserved_reason(package: str) -> str | None:
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return "is a Python keyword"
    if package in sys.stdlib_module_names:
        return "would shadow the standard-library module of that name"
    if package in SHADOWED:
        return "would shadow a package the project depends on"
    return None


def _suggest(package: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]", "", package) or "project"
    if not cleaned[0].isalpha():
        cleaned = f"p{cleaned}"
    candidate = f"{cleaned}_project"
    return candidate if candidate.isidentifier() else "my_project"
