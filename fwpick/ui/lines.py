"""Views that are only lines of styled text, printed without rich where rich prints plainly.

Importing rich's console and making one costs about a fifth of `fwpick new --no-smoke`'s
run beyond its floor (issue 16, benchmarks/startup.py). A result that is only text (no
table) needs none of it when its stream is no terminal: rich then writes no styles and
wraps at the width below. `plain` writes the same, from rich's own rules (rich 13-15,
`Console.is_terminal` and `Console.size`), wrapping a line that does not fit as rich does
(`wrap`, rich's word wrapping for text of one cell a character). It stands aside (None)
in every case it does not cover: then rich prints the lines, as before.
tests/test_lines.py holds both ways to the same output.
"""

from __future__ import annotations

import builtins
import itertools
import os
import re
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType

# One piece of a line: its text and its rich style ("" for none).
Piece = tuple[str, str]
# The descriptors rich asks for a terminal's size, in its order (console.py, _STD_STREAMS).
_SIZE_FROM = (0, 1, 2)


class Lines:
    """Rows of styled pieces; a row's text may hold newlines (one rich Text per row)."""

    # A plain class, not a dataclass: making a dataclass costs ~0.5 ms at every start.
    __slots__ = ("rows",)

    def __init__(self, rows: tuple[tuple[Piece, ...], ...]) -> None:
        self.rows = rows

    def __rich__(self) -> RenderableType:
        """The rows as rich draws them, in a Group."""
        from rich.console import Group

        return Group(*self.texts())

    def texts(self) -> list[RenderableType]:
        """One rich Text a row."""
        from rich.text import Text

        return [
            Text(row[0][0], style=row[0][1]) if len(row) == 1 else Text.assemble(*row)
            for row in self.rows
        ]

    def text(self) -> str:
        """Every row's text, one after another, without styles."""
        return "\n".join("".join(text for text, _ in row) for row in self.rows)


def join(*parts: Lines | RenderableType) -> Lines | RenderableType:
    """`parts` one below another: Lines while every part is Lines, else a rich Group."""
    if all(isinstance(part, Lines) for part in parts):
        return Lines(tuple(row for part in parts for row in part.rows))  # type: ignore[union-attr]
    from rich.console import Group

    return Group(
        *(item for part in parts for item in (part.texts() if isinstance(part, Lines) else [part]))
    )


def may_be_terminal(stream: TextIO) -> bool:
    """Whether rich could take `stream` for a terminal; False only where it surely would not.

    rich says yes for TTY_COMPATIBLE=1, a non-empty FORCE_COLOR, or a stream that is a tty
    (and no for some of those, which only makes this answer cautious).
    """
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or bool(isatty())
    except ValueError:  # a closed stream: rich says no terminal too
        return False


def _width() -> int:
    """The width rich gives a console that is not a terminal (console.py, `size`)."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for descriptor in _SIZE_FROM:
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue  # not a terminal
        break
    return width or 80


def plain(lines: Lines, stream: TextIO) -> str | None:
    """What rich would write for `lines` on `stream`, or None where rich must decide.

    Plain only off a terminal, outside IPython and legacy Windows consoles (their own
    widths and colours), and when every line is printable ASCII (one cell a character,
    nothing to expand or strip) that fits the width (nothing to wrap).
    """
    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or may_be_terminal(stream):
        return None
    width = _width()
    if width < 1:
        return None
    written: list[str] = []
    for line in lines.text().split("\n"):
        if not (line.isascii() and line.isprintable()):
            return None
        written.extend(wrap(line, width) if len(line) > width else [line])
    return "\n".join(written) + "\n"


_WORD = re.compile(r"\s*\S+\s*")  # rich/_wrap.py: a word and the spaces around it
_TRAILING_SPACE = re.compile(r"\s+$")


def wrap(line: str, width: int) -> list[str]:
    """`line` as rich wraps a Text at `width` (overflow "fold", justify "default").

    For printable ASCII, where a character is a cell: rich/_wrap.py's divide_line gives
    the breaks, then each piece loses the spaces that end beyond the width (Text.
    rstrip_end) and is cut to the width (Text.truncate).
    """
    breaks: list[int] = []
    offset = 0  # the cells used on the current line
    for match in _WORD.finditer(line):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # longer than a line: folded over lines of `width`
            pieces = [word[index : index + width] for index in range(0, len(word), width)]
            for number, piece in enumerate(pieces, 1):
                if start:
                    breaks.append(start)
                if number == len(pieces):
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:  # onto the next line
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(line)]
    wrapped: list[str] = []
    for begin, end in itertools.pairwise(bounds):
        piece = line[begin:end]
        if len(piece) > width:
            spaces = _TRAILING_SPACE.search(piece)
            if spaces is not None:
                piece = piece[: len(piece) - min(len(spaces.group()), len(piece) - width)]
        wrapped.append(piece[:width])
    return wrapped
