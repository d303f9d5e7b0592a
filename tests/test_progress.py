"""ui.progress: the spinner starts only once a step has lasted its delay, and always ends."""

from __future__ import annotations

import io
import threading
import time

import pytest
from rich.console import Console

from fwpick.ui.progress import spinner

SHOW_CURSOR = "\x1b[?25h"
HIDE_CURSOR = "\x1b[?25l"
ERASE_LINE = "\x1b[2K"


class Screen:
    """A real rich console on a terminal-like buffer; counts how often it was asked for."""

    def __init__(self, *, terminal: bool = True) -> None:
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, force_terminal=terminal, width=60)
        self.asked = 0

    def __call__(self) -> Console:
        self.asked += 1
        return self.console

    def text(self) -> str:
        return self.buffer.getvalue()


def wait_for(condition: object, seconds: float = 10.0) -> None:
    """Poll `condition()` until it holds (the spinner draws from its own thread)."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("the spinner did not show in time")
        time.sleep(0.01)


def test_a_quick_step_never_asks_for_the_console() -> None:
    screen = Screen()
    with spinner(screen, delay=5) as phase:
        phase("rendering")
    assert screen.asked == 0  # so rich's console and live display were never loaded
    assert screen.text() == ""
    assert [t for t in threading.enumerate() if isinstance(t, threading.Timer)] == []


def test_a_long_step_shows_its_phase_then_takes_the_spinner_down() -> None:
    screen = Screen()
    with spinner(screen, delay=0.05) as phase:
        phase("rendering")
        wait_for(lambda: "rendering" in screen.text())  # the phase reached before the delay
        phase("smoke test: importing torch")
        wait_for(lambda: "smoke test: importing torch" in screen.text())
    assert screen.asked == 1
    text = screen.text()
    assert text.startswith(HIDE_CURSOR)
    assert SHOW_CURSOR in text[text.rindex("importing torch") :]  # the cursor is back
    assert text.endswith(ERASE_LINE)  # and the status line is gone (rich's transient live)
    drawn = len(text)
    time.sleep(0.2)  # the refresh thread is gone: nothing more is drawn
    assert len(screen.text()) == drawn


def test_an_interrupt_takes_the_spinner_down() -> None:
    screen = Screen()
    with pytest.raises(KeyboardInterrupt), spinner(screen, delay=0.05) as phase:
        phase("smoke test: training")
        wait_for(lambda: "smoke test: training" in screen.text())
        raise KeyboardInterrupt
    assert SHOW_CURSOR in screen.text()
    assert screen.text().endswith(ERASE_LINE)
    assert screen.console._live_stack == []  # no live display left claiming the console


def test_an_interrupt_before_the_delay_leaves_no_spinner_to_start() -> None:
    screen = Screen()
    with pytest.raises(KeyboardInterrupt), spinner(screen, delay=0.3):
        raise KeyboardInterrupt
    time.sleep(0.5)  # past the delay: the cancelled timer never starts it
    assert screen.asked == 0
    assert screen.text() == ""


def test_rich_decides_when_it_is_no_terminal_after_all() -> None:
    # The caller only asks cheaply whether stderr may be a terminal (ui.lines); where rich
    # says it is not, nothing is drawn.
    screen = Screen(terminal=False)
    with spinner(screen, delay=0.01) as phase:
        phase("rendering")
        wait_for(lambda: screen.asked == 1)
    assert screen.text() == ""
