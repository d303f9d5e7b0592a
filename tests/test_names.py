"""Project names: accepted, normalised, or refused with a suggestion."""

from __future__ import annotations

import pytest

from fwpick.base.errors import FwpickError, ProjectNameError
from fwpick.generate.names import project_name, user_text


@pytest.mark.parametrize(
    ("raw", "folder", "package"),
    [
        ("demo", "demo", "demo"),
        ("My-Project", "My-Project", "my_project"),
        ("vision.tools", "vision.tools", "vision_tools"),
        ("  spaced  ", "spaced", "spaced"),
        ("x2", "x2", "x2"),
    ],
)
def test_valid_names_are_normalised(raw: str, folder: str, package: str) -> None:
    name = project_name(raw)
    assert (name.folder, name.package) == (folder, package)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "is empty"),
        ("../x", "is a path, not a name; use --dir PARENT"),
        ("a/b", "is a path"),
        ("..", "is a path"),
        ("class", "is a Python keyword; try 'class_project'"),
        ("match", "is a Python keyword"),
        ("json", "would shadow the standard-library module"),
        ("torch", "would shadow a package the project depends on; try 'torch_project'"),
        ("numpy", "would shadow a package"),
        ("Tensorflow", "would shadow a package"),
        ("test", "would shadow"),
        ("1st", "must start with a letter"),
        ("my project", "must start with a letter and use only"),
        ("é", "must start with a letter"),
    ],
)
def test_bad_names_are_refused_with_a_suggestion(raw: str, fragment: str) -> None:
    with pytest.raises(ProjectNameError) as caught:
        project_name(raw)
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("a" * 65, "65 characters long; use at most 64"),
        ("absl", "would shadow a package the project depends on"),
        ("typing.extensions", "would shadow a package"),
    ],
)
def test_long_names_and_framework_dependencies_are_refused(raw: str, fragment: str) -> None:
    with pytest.raises(ProjectNameError, match=fragment):
        project_name(raw)


def test_a_64_character_name_is_fine() -> None:
    assert project_name("a" * 64).package == "a" * 64


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("two\nlines", "must be one line"),
        ("carriage\rreturn", "must be one line"),
        ("paragraph\u2029sep", "must be one line"),
        ("bell\x07", "control character ('\\x07')"),
        ("bad\udcffbyte", "undecodable byte ('\\udcff')"),
        ("x" * 301, "301 characters long; use at most 300"),
    ],
)
def test_descriptions_are_one_line_of_printable_text(text: str, fragment: str) -> None:
    with pytest.raises(FwpickError) as caught:
        user_text(text, what="description")
    assert fragment in caught.value.message


def test_tabs_and_unicode_are_fine_in_a_description() -> None:
    assert user_text("tab\there ünï →", what="description") == "tab\there ünï →"
