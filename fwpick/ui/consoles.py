"""The two consoles: results on stdout, progress, prompts and errors on stderr."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


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
