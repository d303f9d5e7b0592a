"""The questionnaire model: questions, their choices and aliases, and reading one answer."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import NamedTuple

from fwpick.base.errors import AnswersError

Answers = dict[str, str]


class Choice(NamedTuple):
    """One answer to a question, the words that mean it too, and what it means."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


class Question(NamedTuple):
    """A question of the questionnaire; `id` is also the flag and the answers-file key."""

    id: str
    prompt: str
    default: str
    choices: tuple[Choice, ...]
    # Whether changing this answer is a plausible "what would change it" (the kind of
    # data is a fact about the problem; so is the team's experience).
    flip: bool = True
    # Near misses that are not aliases, with the values they probably mean.
    hints: Mapping[str, tuple[str, ...]] = {}

    @property
    def flag(self) -> str:
        """The command-line flag that answers this question."""
        return f"--{self.id}"

    @property
    def values(self) -> tuple[str, ...]:
        """The valid answers, in order from one end of the scale to the other."""
        return tuple(choice.value for choice in self.choices)

    @property
    def spellings(self) -> dict[str, str]:
        """Every accepted spelling (value or alias, lower case) -> its value."""
        accepted = {choice.value: choice.value for choice in self.choices}
        for choice in self.choices:
            accepted.update(dict.fromkeys(choice.aliases, choice.value))
        return accepted

    def choice(self, value: str) -> Choice:
        """The Choice for `value` (already validated)."""
        return next(choice for choice in self.choices if choice.value == value)

    def canonical(self, raw: object) -> str | None:
        """The value `raw` means (case-insensitive, aliases allowed), or None."""
        return self.spellings.get(str(raw).strip().lower())

    def suggestion(self, raw: object) -> str:
        """' (did you mean X?)' for a near miss, or ''."""
        text = str(raw).strip().lower()
        meant = list(self.hints.get(text, ()))
        if not meant:
            close = difflib.get_close_matches(text, self.spellings, n=1, cutoff=0.6)
            meant = [self.spellings[close[0]]] if close else []
        if not meant:
            return ""
        others = f" (or {', '.join(meant[1:])})" if len(meant) > 1 else ""
        return f" (did you mean {meant[0]}{others}?)"

    def refusal(self, raw: object) -> str:
        """Why `raw` is no answer to this question: the hint and the valid choices."""
        return (
            f"{raw!r} is not a valid answer for {self.id}{self.suggestion(raw)}; "
            f"choose from {', '.join(self.values)}"
        )


def normalise_value(question: Question, raw: object, *, source: str) -> str:
    """Validate one answer (case-insensitive; aliases allowed) or raise with a hint."""
    value = question.canonical(raw)
    if value is None:
        raise AnswersError(f"{source}: {question.refusal(raw)}")
    return value
