"""The command-line options, each declared once and converted once, here at the edge.

Every value leaves this module as what the core expects (an enum, a checked number, a
normalised answer), so the floors below trust what they get. A bad value is always the
parser's usage error: exit 2, with one line naming the option, in every command.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from fwpick.advice.knowledge import knowledge
from fwpick.advice.questions import normalise_value
from fwpick.base.clusters import Cluster
from fwpick.base.errors import AnswersError, clip
from fwpick.base.frameworks import Device, FrameworkId, Input, Task, canonical, spellings

if TYPE_CHECKING:
    from fwpick.advice.questions import Question
F = TypeVar("F", bound=Callable[..., Any])
ANSWERS_PANEL = "Answers (each also read from --answers, --defaults, or asked at a terminal)"
# The question flags, as a command receives them: id -> normalised answer, None if not given.
Flags = dict[str, str | None]


# ------------------------------------------------------------------------------ questions


def _answer_parser(question: Question) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        try:
            # The knowledge's own reading: case, aliases and the hint for a near miss.
            return normalise_value(question, raw, source=question.flag)
        except AnswersError as error:
            # The parser names the option already.
            raise typer.BadParameter(error.message.removeprefix(f"{question.flag}: ")) from None

    return parse


def _answer_option(question: Question) -> Any:
    """An option whose choices, help and reading come from the knowledge."""
    help_text = f"{question.prompt} " + "; ".join(
        f"{choice.value}: {choice.label}" for choice in question.choices
    )
    return Annotated[
        str | None,
        typer.Option(
            question.flag,
            parser=_answer_parser(question),
            rich_help_panel=ANSWERS_PANEL,
            help=help_text,
            # Spaces let a narrow terminal wrap the choice list between words.
            metavar=" | ".join(question.values),
        ),
    ]


def question_flags(command: F) -> F:
    """Give `command` one option per question of the knowledge, handed over as `flags`.

    typer builds a command from `inspect.signature`, so the options are added to the
    signature; the command itself takes one keyword argument, `flags: Flags`.
    """
    questions = knowledge().questions
    signature = inspect.signature(command, eval_str=True)
    kept = [parameter for parameter in signature.parameters.values() if parameter.name != "flags"]
    added = [
        inspect.Parameter(
            question.id,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=_answer_option(question),
        )
        for question in questions
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flags: Flags = {question.id: kwargs.pop(question.id, None) for question in questions}
        return command(*args, flags=flags, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


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
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="show the last lines a failed smoke test wrote to stderr (its traceback)",
    ),
]


# ------------------------------------------------------------------------------ numbers


_DIGITS = re.compile(r"[+-]?[0-9][0-9_]*")


def number(
    kind: type[int] | type[float], *, low: float, high: float, unit: str = ""
) -> Callable[[Any], Any]:
    """A parser for a finite number in [low, high]; 'too small' and 'too big' say which."""
    noun = "a whole number" if kind is int else "a finite number"
    what = f"{noun} of {unit}" if unit else noun

    def bound(limit: float) -> str:
        shown = f"{int(limit)}" if kind is int or limit == int(limit) else f"{limit:g}"
        return f"{shown} {unit.removesuffix('s') if shown == '1' else unit}".rstrip()

    def parse(raw: Any) -> int | float:
        text = str(raw).strip()
        try:
            value = raw if isinstance(raw, kind) and not isinstance(raw, bool) else kind(text)
        except (ValueError, OverflowError):
            if _DIGITS.fullmatch(text):
                # Python will not read an integer of over 4300 digits (int_max_str_digits);
                # the user typed a whole number, and it is too big (or too small).
                more = "small" if text.startswith("-") else "big"
                limit = bound(low if more == "small" else high)
                digits = sum(char.isdigit() for char in text)
                raise typer.BadParameter(
                    f"a {digits}-digit number is too {more}; the "
                    f"{'least' if more == 'small' else 'most'} is {limit}"
                ) from None
            raise typer.BadParameter(f"{clip(repr(text))} is not {what}") from None
        if isinstance(value, float) and (
            math.isnan(value) or text.lower().lstrip("+-") in ("inf", "infinity")
        ):
            raise typer.BadParameter(f"{clip(text)} is not {what}")
        # 1e999 reads as infinity, but the user typed a (very) big number: it is too big.
        if value > high:
            raise typer.BadParameter(f"{clip(text)} is too big; the most is {bound(high)}")
        if value < low:
            raise typer.BadParameter(f"{clip(text)} is too small; the least is {bound(low)}")
        return value

    return parse


# A week: longer is a hang, not a run; and thread waits refuse timeouts near 2**63 ns.
MAX_SECONDS = 7 * 24 * 3600
seconds = number(float, low=1, high=MAX_SECONDS, unit="seconds")

TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout", parser=seconds, metavar="SECONDS", help="seconds before the run is stopped"
    ),
]


# ------------------------------------------------------------------------------ choices


def _framework(raw: Any) -> FrameworkId | None:
    """torch, tensorflow or None (auto: ask the advisor), from any accepted spelling."""
    text = str(raw).strip().lower()
    if text == "auto":
        return None
    found = canonical(text)
    if found is None:
        raise typer.BadParameter(f"unknown framework {str(raw)!r}; choose {spellings()} or auto")
    return found


FrameworkOption = Annotated[
    FrameworkId | None,
    typer.Option(
        "--framework",
        "-f",
        parser=_framework,
        metavar="torch|tensorflow|auto",
        help="torch (pytorch, pt), tensorflow (tf), or auto: ask the advisor",
    ),
]
TaskOption = Annotated[
    Task, typer.Option(case_sensitive=False, help="what the starter model learns")
]
InputOption = Annotated[
    Input | None,
    typer.Option(
        "--input",
        case_sensitive=False,
        help="what the model reads: tabular feature columns, or images (classification; "
        "the default unless the answers say domain = tabular)",
    ),
]
ClusterOption = Annotated[
    Cluster | None,
    typer.Option(
        case_sensitive=False,
        help="add files to train on SLURM, Kubernetes or both, and a Dockerfile "
        "(default: all with --scale large, else none; answers-file key: cluster)",
    ),
]
PythonOption = Annotated[
    str | None,
    typer.Option("--python", help="interpreter that runs the project (default: this one)"),
]
DeviceOption = Annotated[
    Device,
    typer.Option(case_sensitive=False, help="device to run on; auto = CUDA, then MPS, then CPU"),
]
