"""The command-line options shared by several commands, defined once."""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fwpick.advice.knowledge import knowledge

ANSWERS_PANEL = "Answers (each also read from --answers, --defaults, or asked at a terminal)"


def _answer_option(question_id: str) -> Any:
    """A case-insensitive option whose choices and help come from knowledge.toml."""
    question = knowledge().question(question_id)
    choices = Enum(  # type: ignore[misc]  # a functional Enum built from data
        question_id.title(), {value: value for value in question.values}, type=str
    )
    help_text = f"{question.prompt} " + "; ".join(
        f"{choice.value}: {choice.label}" for choice in question.choices
    )
    return Annotated[
        choices | None,
        typer.Option(
            case_sensitive=False,
            rich_help_panel=ANSWERS_PANEL,
            help=help_text,
            # Spaces let a narrow terminal wrap the choice list between words.
            metavar=" | ".join(question.values),
        ),
    ]


if TYPE_CHECKING:
    # mypy sees an Enum; at run time each is an Enum of that question's choices.
    ScaleOption = Enum | None
    PrototypingOption = Enum | None
    DeploymentOption = Enum | None
    ExperienceOption = Enum | None
    FamiliarOption = Enum | None
    StartOption = Enum | None
    DomainOption = Enum | None
    HardwareOption = Enum | None
else:
    ScaleOption = _answer_option("scale")
    PrototypingOption = _answer_option("prototyping")
    DeploymentOption = _answer_option("deployment")
    ExperienceOption = _answer_option("experience")
    FamiliarOption = _answer_option("familiar")
    StartOption = _answer_option("start")
    DomainOption = _answer_option("domain")
    HardwareOption = _answer_option("hardware")

AnswersFileOption = Annotated[
    Path | None,
    typer.Option(
        "--answers", rich_help_panel=ANSWERS_PANEL, help="TOML or JSON file with answers by id"
    ),
]
DefaultsOption = Annotated[
    bool,
    typer.Option(
        "--defaults",
        rich_help_panel=ANSWERS_PANEL,
        help="use the default for every unanswered question",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print exactly one JSON document")]


class Task(str, Enum):
    """The kinds of project a template exists for."""

    regression = "regression"
    classification = "classification"


class SmokeMode(str, Enum):
    """Whether `fwpick new` smoke-tests the project, and whether a skip is an error."""

    on = "on"
    off = "off"
    require = "require"


class Device(str, Enum):
    """Where the smoke test runs; auto = CUDA, then MPS, then CPU."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


PythonOption = Annotated[
    str | None,
    typer.Option("--python", help="interpreter that runs the smoke test (default: this one)"),
]
DeviceOption = Annotated[
    Device,
    typer.Option(
        case_sensitive=False, help="device for the smoke test; auto = CUDA, then MPS, then CPU"
    ),
]


def _finite_seconds(value: float) -> float:
    """`--timeout nan` and `inf` pass the parser's min=1; neither is a number of seconds."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number of seconds")
    return value


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1,
        callback=_finite_seconds,
        help="seconds before the smoke test is stopped",
    ),
]
