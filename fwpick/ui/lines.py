"""Views that are only lines of styled text, written without rich exactly as rich writes them.

Importing rich's console and making one costs about a fifth of `fwpick new --no-smoke`'s
run beyond its floor (issue 16, benchmarks/startup.py). A result that is only text (no
table) needs none of it: `rendered` writes what rich's console would, from rich's own
rules (rich 13-15: `Console.is_terminal`, `Console.size`, `_detect_color_system`,
`Style._make_ansi_codes`): off a terminal the bare text, at one the same text in rich's
escape codes for the few styles the views use, wrapping a line that does not fit as rich
does (`wrap`, rich's word wrapping for text of one cell a character). It stands aside
(None) in every case it does not cover: then rich prints the lines, as before.
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


def _is_terminal(stream: TextIO) -> bool:
    """rich's answer to whether `stream` is a terminal (`Console.is_terminal`), off Jupyter
    and IDLE (the caller stands aside there)."""
    environ = os.environ
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force_colour = environ.get("FORCE_COLOR")  # https://force-color.org/
    if force_colour is not None:
        return force_colour != ""
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and bool(isatty())
    except ValueError:  # a closed stream
        return False


# rich's SGR parameters for plain styles (rich/style.py, `_make_ansi_codes`: attributes in
# this order, then the colour). A standard colour is 30 + n and a bright one 90 + n
# (rich/color.py, `get_ansi_codes`) whatever the colour system: only richer colours are
# downgraded, so a terminal's 16, 256 or true colours write these alike.
_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3", "underline": "4"}
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_SGR_COLOURS = {name: str(30 + number) for number, name in enumerate(_COLOURS)} | {
    f"bright_{name}": str(90 + number) for number, name in enumerate(_COLOURS)
}


def sgr(style: str, *, colour: bool = True) -> str | None:
    """rich's SGR parameters for `style` ("" for none), or None for a style not covered.

    `colour`: False under NO_COLOR, where rich drops the colour and keeps the attributes.
    """
    words = style.split()
    colours = [word for word in words if word in _SGR_COLOURS]
    if len(colours) > 1 or len(set(words)) != len(words):
        return None
    if any(word not in _ATTRIBUTES and word not in _SGR_COLOURS for word in words):
        return None  # "on", "not", links, themes' names, hex or numbered colours: rich's
    codes = [code for name, code in _ATTRIBUTES.items() if name in words]
    if colour and colours:
        codes.append(_SGR_COLOURS[colours[0]])
    return ";".join(codes)


def rendered(lines: Lines, stream: TextIO) -> str | None:
    """What rich would write for `lines` on `stream`, or None where rich must decide.

    Only outside Windows, IPython and IDLE (their own terminals, widths and colours), and
    when every line is printable ASCII (one cell a character, nothing to expand or strip).
    At a terminal only for a `TERM` with colours and styles `sgr` covers.
    """
    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or _idle():
        return None
    terminal = _is_terminal(stream)
    colour = True
    if terminal:
        if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
            return None  # rich: no styles, and 80 columns whatever the terminal's width
        colour = os.environ.get("NO_COLOR", "") == ""
    width = _width()
    if width < 1:
        return None
    written: list[str] = []
    for row in lines.rows:
        # Each piece's place in the row's text and its escape code ("" off a terminal).
        pieces: list[tuple[int, int, str]] = []
        offset = 0
        for text, style in row:
            code = sgr(style, colour=colour) if terminal else ""
            if code is None:
                return None
            pieces.append((offset, offset + len(text), code))
            offset += len(text)
        text = "".join(text for text, _ in row)
        start = 0
        for line in text.split("\n"):
            if not (line.isascii() and line.isprintable()):
                return None
            bounds = _bounds(line, width) if len(line) > width else [(0, len(line))]
            for begin, end in bounds:
                written.append(_styled(text, pieces, start + begin, start + end))
            start += len(line) + 1
    return "\n".join(written) + "\n"


def _styled(text: str, pieces: list[tuple[int, int, str]], begin: int, end: int) -> str:
    """`text[begin:end]`, each piece's part in its escape code as rich writes a segment."""
    parts: list[str] = []
    for first, last, code in pieces:
        part = text[max(first, begin) : min(last, end)]
        if part:
            parts.append(f"\x1b[{code}m{part}\x1b[0m" if code else part)
    return "".join(parts)


def _idle() -> bool:
    """Whether this runs in IDLE, whose shell claims a tty that takes no escape codes."""
    return getattr(sys.stdin, "__module__", "").startswith("idlelib")


_WORD = re.compile(r"\s*\S+\s*")  # rich/_wrap.py: a word and the spaces around it
_TRAILING_SPACE = re.compile(r"\s+$")


def wrap(line: str, width: int) -> list[str]:
    """`line` as rich wraps a Text at `width` (overflow "fold", justify "default")."""
    return [line[begin:end] for begin, end in _bounds(line, width)]


def _bounds(line: str, width: int) -> list[tuple[int, int]]:
    """Where each of `wrap`'s lines lies in `line`: (begin, end) offsets.

    For printable ASCII, where a character is a cell: rich/_wrap.py's divide_line gives
    the breaks, then each piece loses the spaces that end beyond the width (Text.
    rstrip_end) and is cut to the width (Text.truncate). So a piece is always a slice of
    `line`, and a style's span can be cut at the same offsets (Text.divide).
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
    bounds: list[tuple[int, int]] = []
    for begin, end in itertools.pairwise([0, *breaks, len(line)]):
        size = end - begin
        if size > width:
            spaces = _TRAILING_SPACE.search(line, begin, end)
            if spaces is not None:
                size -= min(len(spaces.group()), size - width)
        bounds.append((begin, begin + min(size, width)))
    return bounds
