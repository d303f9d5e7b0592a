"""ui.lines: a text-only view written without rich comes out exactly as rich writes it,
on a pipe and at a terminal."""

from __future__ import annotations

import io
import os
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from fwpick.generate.project import NewResult
from fwpick.ui import consoles
from fwpick.ui.lines import Lines, Piece, may_be_terminal, rendered, sgr, wrap
from fwpick.ui.views import new_result

FILES = ("README.md", "pyproject.toml", "src/demo/__init__.py", "src/demo/train.py")


def result(project: str, **changes: object) -> NewResult:
    """A `fwpick new` result at `project` with no smoke report and no advice."""
    fields: dict[str, object] = {
        "project": Path(project),
        "framework": "torch",
        "task": "regression",
        "files": FILES,
        "smoke": None,
        "advice": None,
        "input": "tabular",
        **changes,
    }
    return NewResult(**fields)  # type: ignore[arg-type]


class Pipe(io.StringIO):
    """A stream that is no terminal, like a pipe; counts its flushes."""

    flushes = 0

    def flush(self) -> None:
        self.flushes += 1


def by_rich(view: object) -> str:
    """What rich's own console writes for `view` on a pipe (stdout's width rules)."""
    pipe = Pipe()
    Console(file=pipe).print(view)
    return pipe.getvalue()


RESULTS = {
    "short": result("/tmp/demo"),
    "dry run": result("/tmp/demo", dry_run=True),
    "kept aside": result("/tmp/demo", kept_aside=("README.md.orig", "pyproject.toml.orig")),
    "venv": result("/tmp/demo", python="/tmp/demo/.venv/bin/python"),
    "long path": result("/tmp/" + "long-folder-name/" * 8 + "demo"),
    "spaces": result("/tmp/a  b   c/demo"),
    "not ascii": result("/tmp/jos\u00e9/\u6f22\u5b57/demo"),
    "a tab": result("/tmp/a\tb/demo"),
    "control": result("/tmp/a\x1b[31mb/demo"),
}


# The variables rich reads to decide on a terminal, its colours and its width.
RICH_VARIABLES = ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TERM", "COLORTERM")


def rich_environment(monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    """None of rich's variables set but `environment`: what rich writes depends on nothing else."""
    for variable in RICH_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)


@pytest.mark.parametrize("columns", [None, "0", "20", "45", "80", "200", "wide"])
@pytest.mark.parametrize("name", list(RESULTS))
def test_written_as_rich_writes_it(
    name: str, columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_environment(monkeypatch, **({} if columns is None else {"COLUMNS": columns}))
    view = new_result(RESULTS[name])
    assert isinstance(view, Lines)
    expected = by_rich(view)
    pipe = Pipe()
    monkeypatch.setattr("sys.stdout", pipe)
    consoles.out_console.cache_clear()
    try:
        consoles.show(view)
    finally:
        consoles.out_console.cache_clear()
    assert pipe.getvalue() == expected
    assert pipe.flushes >= 1
    written = rendered(view, Pipe())
    if name in ("not ascii", "a tab", "control") or columns == "0":
        assert written is None  # rich's to expand, strip or measure in cells
    else:
        assert written == expected  # wrapped as rich wraps it where a line is too long


@settings(max_examples=300, deadline=None)
@given(
    line=st.text(alphabet=st.sampled_from("ab-/. "), max_size=70),
    width=st.integers(min_value=1, max_value=40),
)
def test_a_long_line_wraps_as_rich_wraps_it(line: str, width: int) -> None:
    pipe = Pipe()
    Console(file=pipe, width=width).print(Text(line))
    written = wrap(line, width) if len(line) > width else [line]
    assert "\n".join(written) + "\n" == pipe.getvalue()


def test_a_short_result_is_written_plainly_at_the_default_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rich_environment(monkeypatch)
    view = new_result(RESULTS["short"])
    assert isinstance(view, Lines)
    assert rendered(view, Pipe()) == (
        "Created /tmp/demo  (torch, regression, tabular, 4 files)\n"
        "Next:\n"
        "  cd /tmp/demo\n"
        "  python -m pip install -e '.[dev]'\n"
        "  python -m demo.train\n"
        "  python -m pytest\n"
    )


class Terminal(Pipe):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "environment", "maybe"),
    [
        (Pipe(), {}, False),
        (Terminal(), {}, True),
        (Terminal(), {"NO_COLOR": "1"}, True),
        (Terminal(), {"TERM": "xterm-256color"}, True),
        (Terminal(), {"COLORTERM": "truecolor", "COLUMNS": "30"}, True),
        (Terminal(), {"TTY_COMPATIBLE": "0"}, True),  # cautious: rich says no terminal
        (Terminal(), {"FORCE_COLOR": ""}, True),
        (Pipe(), {"FORCE_COLOR": "1"}, True),
        (Pipe(), {"TTY_COMPATIBLE": "1"}, True),
        (Pipe(), {"FORCE_COLOR": ""}, False),
        (Pipe(), {"TTY_COMPATIBLE": "0"}, False),
    ],
)
def test_at_a_terminal_or_not_written_as_rich_writes_it(
    stream: Pipe, environment: dict[str, str], maybe: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_environment(monkeypatch, **environment)
    assert may_be_terminal(stream) is maybe
    # may_be_terminal (the spinner's cheap question) never says no where rich says yes.
    assert not (Console(file=stream).is_terminal and not maybe)
    for name in ("short", "kept aside", "long path", "dry run"):
        view = new_result(RESULTS[name])
        assert isinstance(view, Lines)
        expected = by_rich_on(stream, view)
        assert rendered(view, stream) == expected, name


def by_rich_on(stream: Pipe, view: object) -> str:
    """What rich's console writes for `view` on a stream like `stream`."""
    written = type(stream)()
    Console(file=written).print(view)
    return written.getvalue()


def test_at_a_terminal_the_styles_are_rich_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    rich_environment(monkeypatch)
    view = new_result(RESULTS["short"])
    assert isinstance(view, Lines)
    assert rendered(view, Terminal()) == (
        "\x1b[1mCreated \x1b[0m\x1b[1;36m/tmp/demo\x1b[0m  (torch, regression, tabular, 4 files)\n"
        "\x1b[1mNext:\x1b[0m\n"
        "\x1b[36m  cd /tmp/demo\x1b[0m\n"
        "\x1b[36m  python -m pip install -e '.[dev]'\x1b[0m\n"
        "\x1b[36m  python -m demo.train\x1b[0m\n"
        "\x1b[36m  python -m pytest\x1b[0m\n"
    )
    monkeypatch.setenv("NO_COLOR", "1")  # the colour goes, bold stays (no-color.org)
    assert rendered(view, Terminal()).startswith(  # type: ignore[union-attr]
        "\x1b[1mCreated \x1b[0m\x1b[1m/tmp/demo\x1b[0m  (torch"
    )


@pytest.mark.parametrize(
    ("environment", "style"),
    [
        ({"TERM": "dumb"}, "bold"),  # rich: no styles, 80 columns whatever the width
        ({"TERM": "unknown"}, "bold"),
        ({}, "on red"),  # a background
        ({}, "#ff0000"),  # a colour the terminal's system may downgrade
        ({}, "bold red blue"),
        ({}, "not bold"),
        ({}, "repr.number"),  # a theme's name
    ],
)
def test_at_a_terminal_what_is_not_covered_is_left_to_rich(
    environment: dict[str, str], style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_environment(monkeypatch, **environment)
    assert rendered(Lines(((("text", style),),)), Terminal()) is None
    # Off a terminal rich writes no styles at all, so any style is plain text there.
    assert rendered(Lines(((("text", style),),)), Pipe()) == "text\n"


STYLES = ["", "bold", "dim", "italic", "underline", "cyan", "bold cyan", "yellow", "red bold"]
STYLES += ["bright_green", "underline italic bright_blue", "green dim"]


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.tuples(
                st.text(alphabet=st.sampled_from("ab-/ \n"), max_size=25), st.sampled_from(STYLES)
            ),
            min_size=1,
            max_size=4,
        ),
        min_size=1,
        max_size=4,
    ),
    width=st.integers(min_value=1, max_value=30),
    no_color=st.booleans(),
    term=st.sampled_from(["xterm", "xterm-256color", "screen-16color", "linux"]),
)
def test_styled_rows_at_a_terminal_as_rich_writes_them(
    rows: list[list[Piece]], width: int, no_color: bool, term: str
) -> None:
    lines = Lines(tuple(tuple(row) for row in rows))
    environment = {"COLUMNS": str(width), "TERM": term, "NO_COLOR": "1" if no_color else ""}
    with mock.patch.dict(os.environ, environment):
        for variable in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLORTERM"):
            os.environ.pop(variable, None)
        assert rendered(lines, Terminal()) == by_rich_on(Terminal(), lines)


def test_sgr_orders_attributes_then_the_colour_as_rich_does() -> None:
    assert sgr("cyan bold") == "1;36"
    assert sgr("underline bright_black dim") == "2;4;90"
    assert sgr("cyan bold", colour=False) == "1"
    assert sgr("cyan", colour=False) == ""
    assert sgr("") == ""
    assert sgr("bold bold") is None


def test_a_view_with_tables_is_left_to_rich() -> None:
    from fwpick.contract.smoke_report import SmokeReport

    report = SmokeReport("skipped", "torch", install_command="python -m pip install torch")
    view = new_result(result("/tmp/demo", smoke=report))
    assert not isinstance(view, Lines)
    assert "Smoke test" in by_rich(view)
