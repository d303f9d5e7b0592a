"""The progress spinner on stderr, shown once a step has lasted long enough to need one.

A quick command (`fwpick new --no-smoke` renders in a few hundredths of a second) is over
before a spinner could tell anyone anything, yet starting rich's status display imports
rich's console and live machinery and starts its refresh thread: at a terminal that was
most of what `new --no-smoke` paid beyond its floor (issue 16, benchmarks/startup.py
--terminal). So the spinner starts only after `DELAY`, from a timer thread, with the
phase reached by then; a command that ends sooner never loads rich's console for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

# Below about a second a wait keeps the user's flow and needs no progress feedback
# (Nielsen, "Response Times: The 3 Important Limits", nngroup.com, 1993/2014); half of that
# leaves a quick command (about 0.05 s from here to its result, more on a loaded machine)
# well clear of it while a smoke test (seconds) still shows its phase almost at once.
DELAY = 0.5


class _Delayed:
    """A rich status that begins only when `start` is called, and never after `stop`."""

    def __init__(self, console: Callable[[], Console]) -> None:
        self.console = console
        self.phase = "starting"
        self.status: Status | None = None
        self.stopped = False
        # Orders the timer thread's start against the main thread's updates and stop.
        # Re-entrant: a signal raised in the main thread just as it took the lock (before
        # the `with` block's cleanup applies) must not leave its own `stop` waiting.
        self.lock = threading.RLock()

    def start(self) -> None:
        """Show the spinner with the current phase (the timer thread, after the delay)."""
        # rich's modules are imported before the lock is taken, so a stop meanwhile never
        # waits for an import.
        import rich.console
        import rich.status  # noqa: F401  (the console's status() imports it too)

        with self.lock:
            if self.stopped:
                return
            console = self.console()
            if not console.is_terminal:  # rich's own answer; the caller asked cheaply
                return
            self.status = console.status(self.phase)
            self.status.start()

    def update(self, phase: str) -> None:
        """The phase now under way; shown at once once the spinner runs."""
        with self.lock:
            self.phase = phase
            if self.status is not None:
                self.status.update(phase)

    def stop(self) -> None:
        """Take the spinner down if it started; it will not start afterwards."""
        with self.lock:
            self.stopped = True
            if self.status is not None:
                self.status.stop()
                self.status = None


@contextmanager
def spinner(
    console: Callable[[], Console], *, delay: float = DELAY
) -> Iterator[Callable[[str], None]]:
    """A spinner on `console()` naming the current phase, once the block has run `delay`.

    Yields the function that names the phase. The spinner is down again when the block
    ends, however it ends (a signal raises in the main thread, which runs the `finally`).
    """
    delayed = _Delayed(console)
    # A daemon thread: a command that ends before the delay never waits for it.
    timer = threading.Timer(delay, delayed.start)
    timer.daemon = True
    timer.start()
    try:
        yield delayed.update
    finally:
        timer.cancel()
        try:
            # A start under way (its imports) finishes first, so no thread is left
            # importing while the interpreter shuts down.
            timer.join()
        finally:
            delayed.stop()
