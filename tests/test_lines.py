"""ui.lines: a text-only view written without rich comes out exactly as rich writes it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from fwpick.generate.project import NewResult
from fwpick.ui import consoles
from fwpick.ui.lines import Lines, may_be_terminal, plain, wrap
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


@pytest.mark.parametrize("columns", [None, "0", "20", "45", "80", "200", "wide"])
@pytest.mark.parametrize("name", list(RESULTS))
def test_written_as_rich_writes_it(
    name: str, columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(variable, raising=False)
    if columns is not None:
        monkeypatch.setenv("COLUMNS", columns)
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
    written = plain(view, Pipe())
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
    for variable in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(variable, raising=False)
    view = new_result(RESULTS["short"])
    assert isinstance(view, Lines)
    assert plain(view, Pipe()) == (
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
        (Pipe(), {"FORCE_COLOR": "1"}, True),
        (Pipe(), {"TTY_COMPATIBLE": "1"}, True),
        (Pipe(), {"FORCE_COLOR": ""}, False),
        (Pipe(), {"TTY_COMPATIBLE": "0"}, False),
    ],
)
def test_a_terminal_or_forced_colour_goes_to_rich(
    stream: Pipe, environment: dict[str, str], maybe: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert may_be_terminal(stream) is maybe
    # Never plain where rich would take the stream for a terminal.
    assert not (Console(file=stream).is_terminal and not maybe)
    assert (plain(new_result(RESULTS["short"]), stream) is None) is maybe  # type: ignore[arg-type]


def test_a_view_with_tables_is_left_to_rich() -> None:
    from fwpick.contract.smoke_report import SmokeReport

    report = SmokeReport("skipped", "torch", install_command="python -m pip install torch")
    view = new_result(result("/tmp/demo", smoke=report))
    assert not isinstance(view, Lines)
    assert "Smoke test" in by_rich(view)
