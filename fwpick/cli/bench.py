"""`fwpick bench`: its options, its progress bar, and the report it saves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fwpick.base.errors import FwpickError
from fwpick.base.files import check_output_file, write_output_file
from fwpick.base.frameworks import TASKS, Device, Task
from fwpick.cli.failures import error_line, print_json
from fwpick.cli.options import DeviceOption, JsonOption, PythonOption, TimeoutOption, number
from fwpick.ui.consoles import err_console, out_console

if TYPE_CHECKING:
    from fwpick.bench.results import BenchResult

REPORT = "the report"


@dataclass(frozen=True)
class TaskChoice:
    """`--task`: one task, or `all` of them."""

    tasks: tuple[Task, ...]


def _tasks(raw: object) -> TaskChoice:
    text = str(raw).strip().lower()
    if text == "all":
        return TaskChoice(TASKS)
    if text not in Task.__members__:
        raise typer.BadParameter(f"{str(raw)!r} is not one of {', '.join(TASKS)} or all")
    return TaskChoice((Task(text),))


def bench_command(
    task: Annotated[
        TaskChoice | None,
        typer.Option(
            parser=_tasks,
            metavar="|".join([*TASKS, "all"]),
            help="what the twins train (default: the --project's task, else regression)",
        ),
    ] = None,
    device: DeviceOption = Device.auto,
    seconds: Annotated[
        float | None,
        typer.Option(
            parser=number(float, low=0.1, high=24 * 3600, unit="seconds"),
            metavar="SECONDS",
            help="about this much training per run for the slower framework (default: 3); the "
            "step count comes from the warm-up, is the same for both and is at least 50",
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            parser=number(int, low=1, high=10**9),
            metavar="N",
            help="train exactly this many steps per run",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            parser=number(int, low=1, high=2**20),
            metavar="N",
            help="batch size for both (default: the template's)",
        ),
    ] = None,
    repeats: Annotated[
        int,
        typer.Option(
            parser=number(int, low=1, high=100),
            metavar="N",
            help="measured runs per framework, after one warm-up",
        ),
    ] = 3,
    python: PythonOption = None,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="a project made by fwpick: it stands in for its framework's twin, and its "
            ".fwpick.toml gives the answers",
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="your advisor answers (TOML or JSON) for the closing sentence "
            "(default: the --project's, else the defaults)",
        ),
    ] = None,
    timeout: TimeoutOption = 300,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="also write the table and charts as Markdown (checked before measuring; a "
            "link, folder, FIFO or device is never replaced)",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="with --save: keep an existing report as NAME.orig first"),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Train the twin projects for the same work here and compare them side by side."""
    from fwpick.advice.answers import read_answers_file
    from fwpick.bench.run import BenchOptions, run_bench

    if seconds is not None and steps is not None:
        raise typer.BadParameter("use --seconds or --steps, not both", param_hint="--seconds")
    if save:
        check_output_file(save, force=force, what=REPORT)  # now, not after minutes of measuring
    options = BenchOptions(
        tasks=task.tasks if task else None,
        device=device,
        steps=steps,
        seconds=seconds,
        batch_size=batch_size,
        repeats=repeats,
        python=python,
        project=project,
        answers=read_answers_file(answers) if answers else None,
        answers_source=str(answers) if answers else None,
        timeout=timeout,
    )
    with _bench_progress(enabled=not as_json) as show:
        result = run_bench(options, on_progress=show)
    # Saving comes last and may still fail (a full disk, the path changed meanwhile): the
    # measurements are shown anyway, and the error after them decides the exit code.
    unsaved = _save(save, result, force=force) if save else None
    if as_json:
        document = result.to_json()
        if unsaved is not None:
            document["error"] = {"message": unsaved.message, "exit_code": int(unsaved.exit_code)}
        print_json(document)
    else:
        from fwpick.ui.bench import bench_report

        out_console().print(bench_report(result))
    if unsaved is not None:
        error_line(err_console(), unsaved.message)
        raise typer.Exit(int(unsaved.exit_code))
    raise typer.Exit(int(result.exit_code))


@contextmanager
def _bench_progress(*, enabled: bool) -> Iterator[Callable[[Any], None]]:
    """A progress bar on stderr: task, phase and framework of the run under way."""
    if not enabled or not err_console().is_terminal:
        yield lambda progress: None
        return
    from rich import progress as bars

    from fwpick.base.frameworks import display_name

    columns = (
        bars.SpinnerColumn(),
        bars.TextColumn("{task.description}"),
        bars.BarColumn(),
        bars.MofNCompleteColumn(),
        bars.TimeElapsedColumn(),
    )
    with bars.Progress(*columns, console=err_console(), transient=True) as shown:
        job = shown.add_task("checking the frameworks and rendering the twins", total=None)

        def show(progress: Any) -> None:
            name = display_name(progress.framework) if progress.framework else ""
            shown.update(
                job,
                description=f"{progress.task}: {progress.phase} {name}",
                completed=progress.done,
                total=progress.total,
            )

        yield show


def _save(path: Path, result: BenchResult, *, force: bool) -> FwpickError | None:
    """Write the Markdown report; the error instead of raising it, so results still show."""
    from fwpick.ui.bench import markdown

    try:
        backup = write_output_file(path, markdown(result), force=force, what=REPORT)
    except FwpickError as error:
        return error
    kept = f" (the old one is kept as {backup})" if backup else ""
    err_console().print(f"report saved to {path}{kept}", highlight=False)
    return None
