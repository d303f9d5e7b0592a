"""`--smoke on|off|require`: whether `fwpick new` smoke-tests the project it makes.

A module of its own so that the command line can declare the option without loading the
generator (`fwpick --help` lists every command; benchmarks/startup.py), nor the smoke
report's contract (`new --no-smoke` never reads a report).
"""

from __future__ import annotations

from fwpick.base.frameworks import Choice


class SmokeMode(Choice):
    """Whether `fwpick new` smoke-tests the project, and whether a skip is an error."""

    on = "on"
    off = "off"
    require = "require"
