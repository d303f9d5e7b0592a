"""`fwpick new`: generate a starter project, then smoke-test it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from fwpick.base import clusters
from fwpick.base.errors import ExitCode
from fwpick.base.frameworks import TASK_INPUTS, Device, Task
from fwpick.cli.failures import print_json
from fwpick.cli.options import (
    AnswersFileOption,
    ClusterOption,
    DefaultsOption,
    DeviceOption,
    Flags,
    FrameworkOption,
    InputOption,
    JsonOption,
    PythonOption,
    TaskOption,
    TimeoutOption,
    VerboseOption,
    question_flags,
)
from fwpick.cli.shared import answers_from, hint_verbose, progress, shown_report
from fwpick.generate.smoke_mode import SmokeMode
from fwpick.ui.consoles import show


def bare_smoke_flag(argv: list[str]) -> list[str]:
    """Let `--smoke` stand alone (it means `--smoke on`) while `--smoke require` works too.

    typer has no optional-value options, so the bare flag is completed here.
    """
    completed: list[str] = []
    for index, arg in enumerate(argv):
        completed.append(arg)
        following = argv[index + 1] if index + 1 < len(argv) else None
        if arg == "--smoke" and (following is None or following.startswith("-")):
            completed.append("on")
    return completed


def _smoke_mode(value: object) -> SmokeMode:
    """--smoke/--no-smoke plus `--smoke require`, as one option."""
    text = str(value).strip().lower()
    if text not in (SmokeMode.on, SmokeMode.require):
        raise typer.BadParameter("use --smoke, --no-smoke or --smoke require")
    return SmokeMode(text)


@question_flags
def new(
    name: Annotated[
        str, typer.Argument(help="project name: the folder and, normalised, the package")
    ],
    framework: FrameworkOption = None,
    task: TaskOption = Task.regression,
    data_input: InputOption = None,
    cluster: ClusterOption = None,
    parent: Annotated[Path, typer.Option("--dir", help="folder to create the project in")] = Path(
        "."
    ),
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="write into a non-empty folder; clashing files are kept as NAME.orig"
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show the files that would be written; write nothing")
    ] = False,
    git: Annotated[
        bool | None,
        typer.Option(
            "--git/--no-git",
            help="git init the project (default: unless already inside a repository)",
        ),
    ] = None,
    smoke: Annotated[
        SmokeMode,
        typer.Option(
            "--smoke",
            parser=_smoke_mode,
            metavar="on|require",
            help="smoke-test the project (default: on); require: a missing framework fails",
        ),
    ] = SmokeMode.on,
    no_smoke: Annotated[bool, typer.Option("--no-smoke", help="skip the smoke test")] = False,
    python: PythonOption = None,
    device: DeviceOption = Device.auto,
    timeout: TimeoutOption = 300,
    venv: Annotated[
        bool,
        typer.Option(
            "--venv", help="create the project's .venv, install it there and smoke-test inside it"
        ),
    ] = False,
    description: Annotated[str, typer.Option(help="one line for the README and pyproject")] = "",
    author: Annotated[str, typer.Option(help="author name for pyproject.toml")] = "",
    answers: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    verbose: VerboseOption = False,
    as_json: JsonOption = False,
    *,
    flags: Flags,
) -> None:
    """Generate a starter project, then smoke-test it on the best device here."""
    # Imported here: `fwpick --help` loads this module to list the command.
    from fwpick.generate.names import project_name
    from fwpick.generate.project import NewOptions, create_project

    if data_input is not None and data_input not in TASK_INPUTS[task]:
        # A combination without templates is a usage error, like a bad value (exit 2).
        allowed = " or ".join(str(value) for value in TASK_INPUTS[task])
        raise typer.BadParameter(f"--task {task} takes {allowed}", param_hint="--input")
    checked = project_name(name)  # a bad name fails before any question is asked
    # An explicit framework only needs the answers that shape the files (deployment);
    # the rest default quietly. `auto` needs them all, from any source.
    final = answers_from(flags, answers, use_defaults=defaults or framework is not None)
    final[clusters.KEY] = clusters.resolve(cluster, final).value  # recorded in .fwpick.toml
    options = NewOptions(
        name=checked,
        parent=parent,
        framework=framework,
        task=task,
        input=data_input,
        answers=final,
        force=force,
        dry_run=dry_run,
        git=git,
        smoke=SmokeMode.off if no_smoke else smoke,
        python=python,
        device=device,
        timeout=timeout,
        venv=venv,
        description=description,
        author=author,
    )
    with progress(enabled=not as_json) as on_phase:
        result = create_project(options, on_phase=on_phase)
    if as_json:
        print_json(result.to_json())
    else:
        from fwpick.ui.views import new_result

        shown = shown_report(result.smoke, verbose=verbose) if result.smoke else None
        show(new_result(dataclasses.replace(result, smoke=shown)))
        hint_verbose(result.smoke, verbose=verbose)
    code = result.smoke.exit_code if result.smoke else ExitCode.OK
    raise typer.Exit(int(code))
