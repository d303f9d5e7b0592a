"""The questionnaire model: questions, their choices, and what one answer is worth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from fwpick.base import frameworks
from fwpick.base.errors import AnswersError

Answers = dict[str, str]


class Points(NamedTuple):
    """The points one answer gives each framework, why, and the evidence for it."""

    points: Mapping[str, int]
    why: str
    sources: tuple[str, ...]


class Choice(NamedTuple):
    """One answer to a question, with its points; `on_windows` replaces them there."""

    value: str
    label: str
    score: Points
    on_windows: Points | None = None

    def scored(self, *, windows: bool) -> Points:
        """The points that apply on this platform."""
        return self.on_windows if (windows and self.on_windows) else self.score


class Question(NamedTuple):
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
