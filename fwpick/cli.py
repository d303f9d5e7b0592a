"""The command line: parse flags, call one core function, print, exit with the code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fwpick import __version__
from fwpick.advisor import advise as advise_answers
from fwpick.answers import collect, to_toml
from fwpick.cli_bench import bench_command
from fwpick.consoles import err_console, out_console
from fwpick.errors import ExitCode, FwpickError
from fwpick.failures import guard, print_json, run_entry
from fwpick.options import (
    AnswersFileOption,
    DefaultsOption,
    DeploymentOption,
    Device,
    DeviceOption,
    DomainOption,
    ExperienceOption,
    FamiliarOption,
    HardwareOption,
    JsonOption,
    PrototypingOption,
    PythonOption,
    ScaleOption,
    SmokeMode,
    StartOption,
    Task,
    TimeoutOption,
)

if TYPE_CHECKING:
    pass

app = typer.Typer(
    name="fwpick",
    help="Choose between TensorFlow and PyTorch, then start a project that runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _flags(**values: Enum | None) -> dict[str, str | None]:
    return {key: (value.value if value is not None else None) for key, value in values.items()}


def _answers(
    flags: dict[str, str | None], answers_file: Path | None, *, use_defaults: bool
) -> dict[str, str]:
    """Every answer from its sources; prompts only when a person can answer them."""
    interactive = sys.stdin is not None and sys.stdin.isatty()
    return collect(
        flags=flags,
        answers_file=answers_file,
        use_defaults=use_defaults,
        interactive=interactive,
        console=err_console() if interactive else None,
    )


_print_json = print_json  # one JSON document on stdout (see failures.py)
# Every command's errors become one line on stderr (and a JSON error with --json).
handle_errors = guard(err_console)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fwpick {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="show the version and exit"
        ),
    ] = False,
) -> None:
    """Choose between TensorFlow and PyTorch, then start a project that runs."""


@app.command()
@handle_errors
def advise(
    scale: ScaleOption = None,
    prototyping: PrototypingOption = None,
    deployment: DeploymentOption = None,
    experience: ExperienceOption = None,
    familiar: FamiliarOption = None,
    start: StartOption = None,
    domain: DomainOption = None,
    hardware: HardwareOption = None,
    answers: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    sources: Annotated[
        bool,
        typer.Option("--sources", help="list the evidence behind the advice and exit"),
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(help="write the final answers as TOML that --answers reads back"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend TensorFlow or PyTorch, with every point of the score explained."""
    if sources:
        _print_sources(as_json=as_json)
        return
    flags = _flags(
        scale=scale,
        prototyping=prototyping,
        deployment=deployment,
        experience=experience,
        familiar=familiar,
        start=start,
        domain=domain,
        hardware=hardware,
    )
    final = _answers(flags, answers, use_defaults=defaults)
    result = advise_answers(final)
    if save:
        _save_answers(save, final)
    if as_json:
        _print_json(result.to_json())
    else:
        out_console().print(result)


def _print_sources(*, as_json: bool) -> None:
    from fwpick.knowledge import knowledge

    kb = knowledge()
    if as_json:
        _print_json(
            {
                "knowledge_date": kb.knowledge_date.isoformat(),
                "sources": [
                    {"id": s.id, "title": s.title, "url": s.url} for s in kb.sources.values()
                ],
            }
        )
        return
    from fwpick.advice_view import sources_table

    out_console().print(sources_table(list(kb.sources.values())))
    out_console().print(f"Checked on {kb.knowledge_date.isoformat()}.", highlight=False)


def _save_answers(path: Path, answers: dict[str, str]) -> None:
    # A FIFO would block the write until someone reads it; a device is no answers file.
    if path.exists() and not path.is_file():
        raise FwpickError(f"cannot write answers to {path}: it is not a regular file")
    try:
        path.write_text(to_toml(answers), encoding="utf-8")
    except OSError as error:
        raise FwpickError(f"cannot write answers to {path}: {error.strerror}") from None
    err_console().print(f"answers saved to {path}", highlight=False)


def _bare_smoke_flag(argv: list[str]) -> list[str]:
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


def main() -> None:
    """Console-script entry point."""
    run_entry(app, _bare_smoke_flag(sys.argv[1:]), prog_name="fwpick")


def _smoke_mode(value: str) -> SmokeMode:
    """--smoke/--no-smoke plus `--smoke require`, as one option."""
    try:
        return SmokeMode(value.lower())
    except ValueError:
        raise typer.BadParameter("use --smoke, --no-smoke or --smoke require") from None


@app.command()
@handle_errors
def new(
    name: Annotated[
        str, typer.Argument(help="project name: the folder and, normalised, the package")
    ],
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            "-f",
            help="torch (pytorch, pt), tensorflow (tf), or auto: ask the advisor",
        ),
    ] = "auto",
    task: Annotated[
        Task, typer.Option(case_sensitive=False, help="what the starter model learns")
    ] = Task.regression,
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
        str,
        typer.Option(
            "--smoke",
            metavar="on|require",
            help="smoke-test the project (default: on); require: a missing framework fails",
        ),
    ] = "on",
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
    scale: ScaleOption = None,
    prototyping: PrototypingOption = None,
    deployment: DeploymentOption = None,
    experience: ExperienceOption = None,
    familiar: FamiliarOption = None,
    start: StartOption = None,
    domain: DomainOption = None,
    hardware: HardwareOption = None,
    answers: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    as_json: JsonOption = False,
) -> None:
    """Generate a starter project, then smoke-test it on the best device here."""
    from fwpick.names import project_name
    from fwpick.project import NewOptions, canonical_framework, create_project

    project_name(name)  # a bad name fails before any question is asked
    chosen = canonical_framework(framework)
    flags = _flags(
        scale=scale,
        prototyping=prototyping,
        deployment=deployment,
        experience=experience,
        familiar=familiar,
        start=start,
        domain=domain,
        hardware=hardware,
    )
    # An explicit framework only needs the answers that shape the files (deployment);
    # the rest default quietly. `auto` needs them all, from any source.
    final = _answers(flags, answers, use_defaults=defaults or chosen != "auto")
    options = NewOptions(
        name=name,
        parent=parent,
        framework=chosen,
        task=task.value,
        answers=final,
        force=force,
        dry_run=dry_run,
        git=git,
        smoke="off" if no_smoke else _smoke_mode(smoke).value,
        python=python,
        device=device.value,
        timeout=timeout,
        venv=venv,
        description=description,
        author=author,
    )
    with _progress(enabled=not as_json) as on_phase:
        result = create_project(options, on_phase=on_phase)
    if as_json:
        _print_json(result.to_json())
    else:
        out_console().print(result)
    code = result.smoke.exit_code if result.smoke else ExitCode.OK
    raise typer.Exit(int(code))


@app.command("smoke")
@handle_errors
def smoke_command(
    path: Annotated[Path, typer.Argument(help="a project generated by fwpick")] = Path("."),
    python: PythonOption = None,
    device: DeviceOption = Device.auto,
    timeout: TimeoutOption = 300,
    require: Annotated[
        bool, typer.Option("--require", help="a missing framework is a failure, not a skip")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Smoke-test a generated project: device, a few steps, checkpoint (and export)."""
    from fwpick.smoke import run_smoke

    with _progress(enabled=not as_json) as show:
        report = run_smoke(
            path,
            python=python,
            device=device.value,
            timeout=timeout,
            require=require,
            on_phase=lambda phase: show(f"smoke test: {phase}"),
        )
    if as_json:
        _print_json(report.to_json())
    else:
        out_console().print(report)
    raise typer.Exit(int(report.exit_code))


@app.command("list")
@handle_errors
def list_command(as_json: JsonOption = False) -> None:
    """Show the frameworks and tasks that can be generated."""
    from fwpick.render import catalogue
    from fwpick.views import catalogue_table

    entries = catalogue()
    if as_json:
        _print_json(entries)
    else:
        out_console().print(catalogue_table(entries))


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current phase; silent for --json or no terminal."""
    if not enabled or not err_console().is_terminal:
        yield lambda phase: None
        return
    with err_console().status("starting") as status:
        yield status.update


@app.command("env")
@handle_errors
def env_command(
    python: PythonOption = None,
    timeout: TimeoutOption = 60,
    as_json: JsonOption = False,
) -> None:
    """Show Python, OS, installed frameworks and the devices each can really use."""
    from fwpick.probe import report
    from fwpick.views import environment_table

    with _progress(enabled=not as_json) as on_phase:
        on_phase("probing frameworks")
        result = report(python=python, timeout=timeout)
    if as_json:
        _print_json(result)
    else:
        out_console().print(environment_table(result))


# `fwpick bench` lives in its own module; it is registered here like the others.
app.command("bench")(handle_errors(bench_command))
