"""Project names (what may be a folder and a package, what to suggest) and one-line texts."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from fwpick.base.errors import FwpickError, ProjectNameError

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
        # What the frameworks themselves import: a project package of that name is found
        # first on the path and breaks `import torch` / `import tensorflow` (absl, google
        # for protobuf, typing_extensions, ...). The target interpreter is also asked.
        "absl",
        "google",
        "typing_extensions",
        "h5py",
        "ml_dtypes",
        "opt_einsum",
        "gast",
        "astunparse",
        "flatbuffers",
        "grpc",
        "wrapt",
        "termcolor",
        "packaging",
        "requests",
        "urllib3",
        "certifi",
        "idna",
        "six",
        "sympy",
        "mpmath",
        "networkx",
        "filelock",
        "fsspec",
        "markupsafe",
        "triton",
        "nvidia",
        "optree",
        "namex",
        "werkzeug",
        "markdown",
        "pil",
        "torchaudio",
        "torchtext",
        "tf_keras",
        "tensorflow_io",
        "pluggy",
        "iniconfig",
        "pygments",
    }
)
# The folder name, and with it the staging folder's and `NAME.orig.N` names, must stay
# well under the 255 bytes a file name may have on common filesystems.
MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = {"description": 300, "author": 200}
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
    if len(name) > MAX_NAME_LENGTH:
        raise ProjectNameError(
            f"project name is {len(name)} characters long; use at most {MAX_NAME_LENGTH}, "
            f"e.g. {_suggest(normalise_package(name)[:40])!r}"
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


def refuse_importable(name: ProjectName, python: str) -> None:
    """Refuse a package name that `python` can already import (it would be shadowed)."""
    raise ProjectNameError(
        f"project name {name.folder!r} gives package {name.package!r}, which {python} can "
        f"already import (the project would shadow it); try {_suggest(name.package)!r}"
    )


def user_text(value: str, *, what: str) -> str:
    """Check a one-line text (description, author) that lands in TOML, Python and Markdown."""
    limit = MAX_TEXT_LENGTH.get(what, 300)
    if len(value) > limit:
        raise FwpickError(f"the {what} is {len(value)} characters long; use at most {limit}")
    if value and value.splitlines() != [value]:  # \n, \r, \u2028 and every other break
        raise FwpickError(f"the {what} must be one line; it has a line break")
    if not value:
        return value
    import unicodedata  # a C extension to load (~0.5 ms): only for a text to check

    if any(unicodedata.category(char) in ("Cc", "Cs") and char != "\t" for char in value):
        bad = next(c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c != "\t")
        kind = "undecodable byte" if unicodedata.category(bad) == "Cs" else "control character"
        raise FwpickError(f"the {what} contains a {kind} ({bad!a}); use printable text")
    return value


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
