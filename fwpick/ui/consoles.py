"""The two consoles: results on stdout, progress, prompts and errors on stderr."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING

from fwpick.ui.lines import Lines, rendered

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


@functools.cache
def err_console() -> Console:
    """Progress, prompts and errors: stderr, so stdout carries only the result."""
    from rich.console import Console  # ~30 ms: only paid when something is printed

    return Console(stderr=True)


@functools.cache
def out_console() -> Console:
    """The human-readable result (JSON goes straight to sys.stdout instead)."""
    from rich.console import Console

    return Console()


def show(view: Lines | RenderableType) -> None:
    """A view on stdout: Lines written as rich writes them where `rendered` knows how,
    else by rich."""
    if isinstance(view, Lines):
        text = rendered(view, sys.stdout)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()  # as rich does after each print
            return
    out_console().print(view)
