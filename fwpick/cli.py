"""The command line: parse flags, call one core function, print, exit with the code."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer
from rich.console import Console

from fwpick import __version__
from fwpick.advisor import advise as advise_answers
from fwpick.errors import ExitCode, FwpickError
from fwpick.prompts import collect
from fwpick.questions import knowledge, to_toml
from fwpick.views import advice as advice_view

app = typer.Typer(
    name="fwpick",
    help="Choose between TensorFlow and PyTorch, then start a project that runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Progress, prompts and errors go to stderr so stdout carries only the result.
err_console = Console(stderr=True)
out_console = Console()

F = TypeVar("F", bound=Callable[..., Any])


def _choices_enum(question_id: str) -> type[Enum]:
    """A str Enum of one question's choices, so typer validates and lists them."""
    values = knowledge().question(question_id).values
    return Enum(question_id.title(), {value: value for value in values}, type=str)  # type: ignore[return-value]


Scale = _choices_enum("scale")
Prototyping = _choices_enum("prototyping")
Deployment = _choices_enum("deployment")
Experience = _choices_enum("experience")
Familiar = _choices_enum("familiar")

_ANSWERS = "Answers (each also read from --answers, --defaults, or asked at a terminal)"
ScaleOption = Annotated[Optional[Scale], typer.Option(  # noqa: UP045 - typer needs Optional here
    case_sensitive=False, rich_help_panel=_ANSWERS,
    help="small: one machine; medium: one server, several GPUs; large: many machines or TB data")]
PrototypingOption = Annotated[Optional[Prototyping], typer.Option(  # noqa: UP045
    case_sensitive=False, rich_help_panel=_ANSWERS,
    help="how often the model itself changes: low (tuned and shipped) to high (research)")]
DeploymentOption = Annotated[Optional[Deployment], typer.Option(  # noqa: UP045
    case_sensitive=False, rich_help_panel=_ANSWERS,
    help="where the trained model must run")]
ExperienceOption = Annotated[Optional[Experience], typer.Option(  # noqa: UP045
    case_sensitive=False, rich_help_panel=_ANSWERS, help="your deep learning experience")]
FamiliarOption = Annotated[Optional[Familiar], typer.Option(  # noqa: UP045
    case_sensitive=False, rich_help_panel=_ANSWERS, help="the framework your team already uses")]
AnswersFileOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--answers", rich_help_panel=_ANSWERS, help="TOML or JSON file with answers by id")]
DefaultsOption = Annotated[bool, typer.Option(
    "--defaults", rich_help_panel=_ANSWERS, help="use the default for every unanswered question")]
JsonOption = Annotated[bool, typer.Option("--json", help="print exactly one JSON document")]


def _flags(**values: Enum | None) -> dict[str, str | None]:
    return {key: (value.value if value is not None else None) for key, value in values.items()}


def _interactive() -> bool:
    """Ask questions only when a person can answer them."""
    return sys.stdin is not None and sys.stdin.isatty()


def _print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def handle_errors(command: F) -> F:
    """Turn FwpickError and Ctrl-C into one red line on stderr and the documented code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FwpickError as error:
            err_console.print(f"[red]error:[/] {error.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt:
            err_console.print("[red]interrupted[/]")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fwpick {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="show the version and exit")] = False,
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
    answers: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    save: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="write the final answers as TOML that --answers reads back")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend TensorFlow or PyTorch, with every point of the score explained."""
    final = collect(
        flags=_flags(scale=scale, prototyping=prototyping, deployment=deployment,
                     experience=experience, familiar=familiar),
        answers_file=answers,
        use_defaults=defaults,
        interactive=_interactive(),
        console=err_console,
    )
    result = advise_answers(final)
    if save:
        _save_answers(save, final)
    if as_json:
        _print_json(result.to_json())
    else:
        out_console.print(advice_view(result.recommendation, notes=result.notes,
                                      next_command=result.next_command))


def _save_answers(path: Path, answers: dict[str, str]) -> None:
    try:
        path.write_text(to_toml(answers), encoding="utf-8")
    except OSError as error:
        raise FwpickError(f"cannot write answers to {path}: {error.strerror}") from None
    err_console.print(f"answers saved to {path}", highlight=False)


def main() -> None:
    """Console-script entry point."""
    app()
