"""`fwpick` and `python -m fwpick`: the command line, its start-up kept from the collector.

Building the command line creates some 30,000 objects (typer and click, fwpick's modules,
the command with its options) that all live until the process ends. Python's cyclic
garbage collector would walk them in young collections while they are made and all of
them again in the full collection at exit: about 0.2x of the start-up floor of `fwpick
new --no-smoke` (python -c "import typer, rich, jinja2"; benchmarks/startup.py, README).
So the collector is off while they are built, and gc.freeze() then moves them to the
permanent generation, which no collection walks; it is on again for the command's own
work, so garbage made from then on is collected as usual.

fwpick.cli.app.main stays as it was: the tests run it in-process, where freezing would
keep pytest's whole session out of the collector from then on.
"""

from __future__ import annotations

import gc
import sys


def entry() -> None:
    """The console script: build the command with the collector off, freeze, then run."""
    gc.disable()
    try:
        from fwpick.cli.app import build, run

        argv = build(sys.argv[1:])
    finally:
        gc.freeze()
        gc.enable()
    run(argv)


if __name__ == "__main__":
    entry()
