"""SIGINT, SIGTERM and SIGHUP as one exception, and the short sections they must wait for.

fwpick's handlers raise `Interrupted` in the main thread, so every `finally` cleans up
after all three the way it does after Ctrl-C. Code that must not be cut in half (making
a folder and remembering it, moving the project into place and the rollback of that, the
cleanup itself) runs inside `deferred()`: a signal that arrives there is remembered and
raised when the section ends. Deferring in the handler, rather than with a signal mask,
works whatever thread the kernel delivers the signal to (rich's spinner runs one).

A signal that arrives while the command line is parsed waits for the command: the
parser (typer) turns a KeyboardInterrupt into a silent exit 130 whatever the signal, and
one raised while the command is built escapes as a traceback. `start()` delivers it where
the command's guard reports it; `unreported()` hands it over when no command started.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from fwpick.base.errors import SIGNAL_EXIT, Interrupted

HANDLED = tuple(SIGNAL_EXIT)

_state: dict[str, int] = {"depth": 0, "pending": 0, "installed": 0, "held": 0, "parsing": 0}


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["depth"] or _state["held"] or _state["parsing"]:
        # Inside a section that must finish: remember the first signal for its end.
        _state["pending"] = _state["pending"] or signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Route the three signals to `Interrupted`; main thread only (the CLI's entry)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in HANDLED:
        # An inherited SIG_IGN is a choice: `nohup` ignores SIGHUP, and a shell's
        # background job ignores SIGINT. Keep it.
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue
        signal.signal(signum, _handler)
    _state.update(installed=1, parsing=1)


def start() -> None:
    """The command itself begins: signals act from here; one that came while parsing is
    raised now, inside the command's guard."""
    _state["parsing"] = 0
    pending = _state["pending"]
    if pending and not _state["depth"] and not _state["held"]:
        _state["pending"] = 0
        raise Interrupted(pending)


def unreported() -> int:
    """The signal that arrived while parsing when no command started (a usage error,
    --help), or 0; it is handed over once."""
    pending = _state["pending"] if _state["parsing"] else 0
    _state.update(pending=0, parsing=0)
    return pending


@contextmanager
def deferred() -> Iterator[None]:
    """Run the block to its end; a signal that arrived meanwhile is raised afterwards."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        pending = _state["pending"]
        if pending and not _state["depth"] and not _state["held"] and not _state["parsing"]:
            _state["pending"] = 0
            raise Interrupted(pending)


def hold() -> None:
    """The outcome is decided and reported next: later signals are noted, not raised.

    Only where `install()` ran (the real CLI); in-process tests keep Python's Ctrl-C.
    """
    if _state["installed"]:
        _state["held"] = 1
        # Python puts the default handlers back while it shuts down, and those would kill
        # a process that already reported its result: block the signals at the OS level.
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)


def release() -> None:
    """Undo `install()` and `hold()` (for in-process callers that go on afterwards)."""
    if _state["held"] and hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
    _state.update(held=0, pending=0, installed=0, parsing=0)
