"""Project names: accepted, normalised, or refused with a suggestion."""

from __future__ import annotations

import pytest

from fwpick.errors import ProjectNameError
from fwpick.names import project_name


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
