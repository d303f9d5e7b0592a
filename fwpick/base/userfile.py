"""A file the user names, read without trusting it: the one home of those guards.

`--answers FILE` and a project's `.fwpick.toml` both come from the user's disk, so either
may be missing, a folder, a FIFO that never ends, a device, huge, not UTF-8, or TOML that
tomllib cannot hold (nested past the recursion limit, an integer longer than Python
reads). Each is one line of the caller's error class, in the caller's words (`Wording`):
this module knows what can go wrong, the caller knows how to say it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fwpick.base.errors import FwpickError

# An answers file is a handful of short lines; a .fwpick.toml a few hundred bytes. This
# leaves room for hand edits.
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Wording:
    """A caller's error class and its one line for each problem, as str.format templates.

    Fields a template may use: {path} the file, {folder} the folder it was looked for in,
    {limit} MAX_BYTES, and {detail} where noted.
    """

    error: type[FwpickError]
    missing: str  # nothing at {path}
    no_folder: str  # not even {folder}
    unreadable: str  # {detail}: the operating system's reason
    folder: str
    not_regular: str  # a FIFO, a device, a socket
    too_large: str  # {detail}: the size in bytes the file system gives
    grew: str  # more than {limit} bytes to read though its size said less (/proc says 0)
    not_utf8: str  # {detail}: "byte N is 0xNN", the first that is not UTF-8
    not_toml: str  # {detail}: tomllib's message, which names the line and column
    too_deep: str
    number_too_big: str

    def fail(self, template: str, path: Path, detail: str = "") -> FwpickError:
        """The caller's error, worded by `template`."""
        return self.error(
            template.format(path=path, folder=path.parent, limit=MAX_BYTES, detail=detail)
        )


def read_text(path: Path, wording: Wording) -> str:
    """The text of the regular file `path`: at most MAX_BYTES, UTF-8 with or without a BOM."""
    raw = _read_bytes(path, wording)
    try:
        return raw.decode("utf-8-sig")  # -sig: a BOM that some editors write is fine
    except UnicodeDecodeError as error:
        detail = f"byte {error.start} is {raw[error.start]:#04x}"
        raise wording.fail(wording.not_utf8, path, detail) from None


def _read_bytes(path: Path, wording: Wording) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        template = wording.missing if os.path.lexists(path.parent) else wording.no_folder
        raise wording.fail(template, path) from None
    except OSError as error:
        raise wording.fail(wording.unreadable, path, error.strerror or str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise wording.fail(wording.folder, path)
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO would wait for a writer forever; a device could stream forever.
        raise wording.fail(wording.not_regular, path)
    if info.st_size > MAX_BYTES:
        raise wording.fail(wording.too_large, path, str(info.st_size))
    # O_NONBLOCK: should the file become a FIFO after the stat, open() still returns.
    # O_BINARY (Windows only): os.open otherwise opens in the C runtime's text mode.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise wording.fail(wording.not_regular, path)
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise wording.fail(wording.unreadable, path, error.strerror or str(error)) from None
    if len(raw) > MAX_BYTES:
        raise wording.fail(wording.grew, path)
    return raw


@contextmanager
def parsing(path: Path, wording: Wording) -> Iterator[None]:
    """Turn what a parser (tomllib, json) lets through on hostile text into one line."""
    try:
        yield
    except RecursionError:
        raise wording.fail(wording.too_deep, path) from None
    except ValueError:
        # An integer longer than Python reads (sys.get_int_max_str_digits(), 4300 digits
        # by default): the one ValueError tomllib and json let through as it is.
        raise wording.fail(wording.number_too_big, path) from None


def load_toml(text: str, path: Path, wording: Wording) -> dict[str, Any]:
    """The TOML document `text` (read from `path`), or the caller's one line."""
    # Imported here: ~2 ms that a JSON answers file does not need (benchmarks/startup.py).
    from fwpick.base.compat import tomllib

    with parsing(path, wording):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise wording.fail(wording.not_toml, path, str(error)) from None
