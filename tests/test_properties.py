"""Property tests: any name, description or author either is refused with one line, or
renders into TOML that parses, Python that compiles, and values that stay in their string.

Rendering only (no smoke test, no disk): 500 examples each in a few seconds; a file's text
is parsed once however many examples render it unchanged.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fwpick.advice.knowledge import knowledge
from fwpick.base.compat import tomllib
from fwpick.base.errors import FwpickError, ProjectNameError
from fwpick.base.frameworks import FRAMEWORKS
from fwpick.generate.names import project_name, user_text
from fwpick.generate.render import ProjectSpec, plan

# Every code point, surrogates (undecodable argv bytes) and controls included; and, so
# that most examples get as far as rendering, text without them.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=320),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=300),
)
NAME_LIKE = st.from_regex(r"[A-Za-z][A-Za-z0-9._ -]{0,70}", fullmatch=True)
EXAMPLES = settings(max_examples=500, deadline=None)


def render(name: str = "demo", *, framework: str = "torch", **texts: str) -> dict[str, str]:
    files = plan(
        ProjectSpec(
            name=project_name(name),
            framework=framework,
            task="regression",
            answers={**knowledge().defaults, "deployment": "server"},
            **texts,
        )
    )
    return {path: content.decode("utf-8") for path, content in files.items()}


def statements(source: str) -> list[str]:
    """The kinds of the top-level statements: a value escaping its string adds or changes one."""
    return [type(node).__name__ for node in ast.parse(source).body]


BASELINE_INIT = statements(render(description="plain")["src/demo/__init__.py"])
BASELINE_KEYS = set(tomllib.loads(render()["pyproject.toml"])["project"])


# Digests of the texts already shown to parse. A description or an author changes 2-4 of
# a render's 30 files; the others are the same text in every example and are parsed once
# (parsing, not rendering, was nine tenths of an example's time).
VALID: set[tuple[str, bytes]] = set()


def assert_valid(files: dict[str, str]) -> None:
    for path, text in files.items():
        kind = Path(path).suffix
        key = (kind, hashlib.blake2b(text.encode()).digest())
        if key in VALID:
            continue
        if kind == ".toml":
            tomllib.loads(text)
        elif kind == ".py":
            ast.parse(text, filename=path)
        VALID.add(key)


def one_line(error: FwpickError) -> None:
    assert error.message and "\n" not in error.message and "\r" not in error.message


@EXAMPLES
@given(raw=st.one_of(ANY_TEXT, NAME_LIKE), framework=st.sampled_from(FRAMEWORKS))
def test_any_name_is_refused_in_one_line_or_renders_valid_files(raw: str, framework: str) -> None:
    try:
        name = project_name(raw)
    except ProjectNameError as error:
        one_line(error)
        return
    assert name.package.isidentifier() and len(name.folder) <= 64
    files = render(raw, framework=framework)
    assert_valid(files)
    assert tomllib.loads(files["pyproject.toml"])["project"]["name"] == name.folder
    marker = tomllib.loads(files[".fwpick.toml"])["project"]
    assert (marker["name"], marker["package"]) == (name.folder, name.package)
    assert f"src/{name.package}/__init__.py" in files


@EXAMPLES
@given(description=ANY_TEXT)
def test_any_description_is_refused_in_one_line_or_stays_in_its_strings(description: str) -> None:
    try:
        user_text(description, what="description")
    except FwpickError as error:
        one_line(error)
        return
    files = render(description=description)
    assert_valid(files)
    expected = description or "A torch regression project."
    assert tomllib.loads(files["pyproject.toml"])["project"]["description"] == expected
    init = files["src/demo/__init__.py"]
    assert statements(init) == BASELINE_INIT
    namespace: dict[str, object] = {}
    exec(compile(init, "__init__.py", "exec"), namespace)
    assert namespace["DESCRIPTION"] == expected
    assert files["README.md"].splitlines()[2] == expected  # one line, in its place


@EXAMPLES
@given(author=ANY_TEXT)
def test_any_author_is_refused_in_one_line_or_stays_in_its_string(author: str) -> None:
    try:
        user_text(author, what="author")
    except FwpickError as error:
        one_line(error)
        return
    files = render(author=author)
    assert_valid(files)
    project = tomllib.loads(files["pyproject.toml"])["project"]
    assert project.get("authors", [{"name": ""}]) == [{"name": author}]
    assert set(project) == BASELINE_KEYS | ({"authors"} if author else set())


def test_the_render_root_is_the_real_templates() -> None:
    assert (Path(__file__).resolve().parent.parent / "templates" / "common").is_dir()
