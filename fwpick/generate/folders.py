"""The folder a project goes in (`--dir`): resolved once, made when missing, tidied after."""

from __future__ import annotations

import os
from pathlib import Path

from fwpick.base.errors import TargetError, os_error_message


def existing_ancestor(folder: Path) -> Path:
    """`folder` itself or the nearest folder above it that exists."""
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def resolve_parent(parent: Path) -> Path:
    """`--dir` as an absolute path with every link resolved, or TargetError saying why not."""
    try:
        resolved = parent.resolve()
    except FileNotFoundError:
        # Path.resolve of a relative path needs the working folder, and it was deleted.
        raise TargetError(
            "the current folder no longer exists; cd to a folder that does, "
            "or pass --dir with an absolute path"
        ) from None
    except (OSError, RuntimeError) as error:  # a loop of links, a name too long
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise TargetError(f"cannot resolve --dir {parent}: {reason}") from None
    above = existing_ancestor(resolved)
    if not above.is_dir():
        raise TargetError(f"--dir {parent}: {above} is not a folder")
    return resolved


def make_folders(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; return the ones made, outermost first."""
    missing: list[Path] = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    try:
        for each in reversed(missing):
            os.mkdir(each)
            made.append(each)
    except OSError as error:
        remove_empty(made)
        raise TargetError(os_error_message(error, doing="cannot create")) from None
    return made


def remove_empty(made: list[Path]) -> None:
    """Remove the folders this run made, innermost first, if they are still empty."""
    for folder in reversed(made):
        try:
            os.rmdir(folder)  # refuses a folder with anything in it: never loses a file
        except OSError:
            return
