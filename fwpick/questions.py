"""The questionnaire: one definition, read from knowledge.toml, used by every answer source."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from fwpick import frameworks
from fwpick.errors import AnswersError
from fwpick.frameworks import FRAMEWORKS

if TYPE_CHECKING:
    from rich.console import Console

# `as tomllib` re-exports it for the other modules that read TOML.
if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Answers = dict[str, str]


@dataclass(frozen=True)
class Choice:
    """One answer to a question and the points it gives each framework, with why."""

    value: str
    label: str
    points: Mapping[str, int]
    why: str


@dataclass(frozen=True)
class Question:
    """A question of the questionnaire; `id` is also the flag and the answers-file key."""

    id: str
    prompt: str
    default: str
    choices: tuple[Choice, ...]

    @property
    def flag(self) -> str:
        """The command-line flag that answers this question."""
        return f"--{self.id}"

    @property
    def values(self) -> tuple[str, ...]:
        """The valid answers, in order from one end of the scale to the other."""
        return tuple(choice.value for choice in self.choices)

    def choice(self, value: str) -> Choice:
        """The Choice for `value` (already validated)."""
        return next(choice for choice in self.choices if choice.value == value)


@dataclass(frozen=True)
class Knowledge:
    """The questionnaire plus the scoring settings that go with it."""

    questions: tuple[Question, ...]
    confidence_low: int
    confidence_medium: int
    tie_framework: str
    tie_why: str

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(question for question in self.questions if question.id == question_id)

    @property
    def defaults(self) -> Answers:
        """Every question answered with its default."""
        return {question.id: question.default for question in self.questions}


@cache
def knowledge() -> Knowledge:
    """Load and check fwpick/knowledge.toml once per process."""
    text = resources.files("fwpick").joinpath("knowledge.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    questions = tuple(
        Question(
            id=item["id"],
            prompt=item["prompt"],
            default=item["default"],
            choices=tuple(
                Choice(
                    value=choice["value"],
                    label=choice["label"],
                    points={framework: int(choice[framework]) for framework in FRAMEWORKS},
                    why=choice["why"],
                )
                for choice in item["choices"]
            ),
        )
        for item in raw["questions"]
    )
    return Knowledge(
        questions=questions,
        confidence_low=int(raw["confidence"]["low"]),
        confidence_medium=int(raw["confidence"]["medium"]),
        tie_framework=raw["tie"]["framework"],
        tie_why=raw["tie"]["why"],
    )


def normalise_value(question: Question, raw: object, *, source: str) -> str:
    """Validate one answer (case-insensitive; framework aliases allowed) or raise."""
    text = str(raw).strip().lower()
    if question.id == "familiar":
        text = frameworks.canonical(text) or text
    if text not in question.values:
        raise AnswersError(
            f"{source}: {raw!r} is not a valid answer for {question.id}; "
            f"choose from {', '.join(question.values)}"
        )
    return text


def parse_answers_text(text: str, *, path: Path) -> Answers:
    """Parse an answers file's text (TOML or JSON, by suffix) into validated answers."""
    data = _decode(text, path=path)
    # A generated project's .fwpick.toml keeps its answers in an [answers] table:
    # accept that too, so `--answers myproj/.fwpick.toml` repeats a past choice.
    if isinstance(data.get("answers"), dict):
        data = data["answers"]
    return validate_answers(data, path=path)


def validate_answers(data: Mapping[str, object], *, path: Path) -> Answers:
    """Check every key and value of a decoded answers file against the questionnaire."""
    known = {question.id: question for question in knowledge().questions}
    answers: Answers = {}
    for key, value in data.items():
        if key not in known:
            raise AnswersError(f"{path}: unknown key {key!r}; valid keys are {', '.join(known)}")
        answers[key] = normalise_value(known[key], value, source=str(path))
    return answers


def _decode(text: str, *, path: Path) -> dict[str, Any]:
    use_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    if use_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise AnswersError(
                f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
        if not isinstance(data, dict):
            raise AnswersError(f"{path}: expected a JSON object of answers")
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AnswersError(f"{path}: not valid TOML: {error}") from None


def read_answers_file(path: Path) -> Answers:
    """Read an answers file, with one-line errors for a missing or unreadable file."""
    from fwpick.answerfile import read_answers_file as read_checked  # FIFOs, size, BOM...

    return validate_answers(read_checked(path), path=path)


def merge(
    *, flags: Mapping[str, str | None], file_answers: Mapping[str, str], use_defaults: bool
) -> tuple[Answers, list[Question]]:
    """Combine the sources in rising priority: defaults, file, flags.

    Returns the answers so far and the questions still unanswered, in order.
    """
    merged: Answers = dict(knowledge().defaults) if use_defaults else {}
    merged.update(file_answers)
    for key, value in flags.items():
        if value is not None:
            merged[key] = normalise_value(knowledge().question(key), value, source=f"--{key}")
    missing = [question for question in knowledge().questions if question.id not in merged]
    return merged, missing


def to_toml(answers: Mapping[str, str]) -> str:
    """Answers as TOML that `--answers` reads back."""
    lines = ["# fwpick answers: reuse with `fwpick advise --answers FILE`"]
    for question in knowledge().questions:
        if question.id in answers:
            lines.append(f"{question.id} = {json.dumps(answers[question.id])}")
    return "\n".join(lines) + "\n"


def collect(
    *,
    flags: dict[str, str | None],
    answers_file: Path | None,
    use_defaults: bool,
    interactive: bool,
    console: Console | None,
    stream: TextIO | None = None,
) -> Answers:
    """All answers from defaults, file, flags, then prompts (only when `interactive`).

    Without a terminal a missing answer is an error naming the flags, never a wait.
    """
    file_answers = read_answers_file(answers_file) if answers_file else {}
    answers, missing = merge(flags=flags, file_answers=file_answers, use_defaults=use_defaults)
    if not missing:
        return answers
    if not interactive:
        flag_list = " ".join(f"{question.flag} {'|'.join(question.values)}" for question in missing)
        raise AnswersError(
            f"no terminal to ask on; missing answers: {flag_list} "
            "(or pass --answers FILE or --defaults)"
        )
    from fwpick.prompts import ask  # rich's prompt machinery, only for a person

    if console is None:
        raise AnswersError("interactive answers need a console to ask on")
    return ask(missing, answers, console=console, stream=stream)
