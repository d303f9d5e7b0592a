"""`fwpick env` and `fwpick list`: what this machine can run, and what can be generated."""

from __future__ import annotations

from fwpick.cli.failures import print_json
from fwpick.cli.options import JsonOption, PythonOption, TimeoutOption
from fwpick.cli.shared import progress
from fwpick.ui.consoles import out_console


def env_command(
    python: PythonOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonOption = False,
) -> None:
    """Show Python, OS, installed frameworks and the devices each can really use."""
    from fwpick.machine.probe import report
    from fwpick.ui.views import environment_table

    with progress(enabled=not as_json) as on_phase:
        on_phase("probing frameworks")
        result = report(python=python, timeout=timeout)
    if as_json:
        print_json(result)
    else:
        out_console().print(environment_table(result))


def list_command(as_json: JsonOption = False) -> None:
    """Show the frameworks and tasks that can be generated."""
    from fwpick.generate.render import catalogue
    from fwpick.ui.views import catalogue_table

    entries = catalogue()
    if as_json:
        print_json(entries)
    else:
        out_console().print(catalogue_table(entries))
