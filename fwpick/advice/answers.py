"""Answers from their sources: defaults, an answers file, flags, then prompts."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from fwpick.advice.knowledge import knowledge
from fwpick.advice.questions import Answers, Question, normalise_value
from fwpick.base import clusters
from fwpick.base.errors import AnswersError

# Asks a person for the missing questions and returns the completed answers (ui.prompts).
Asker = Callable[[list[Question], Answers], Answers]


def parse_answers_text(text: str, *, path: Path) -> Answers:
    """Parse an answers file's text (TOML or JSON, by suffix) into validated answers."""
    from fwpick.advice.answerfile import parse_text

    return validate_answers(parse_text(text, path), path=path)


def validate_answers(data: Mapping[str, object], *, path: Path) -> Answers:
    """Check every key and value of a decoded answers file against the questionnaire."""
    known = {question.id: question for question in knowledge().questions}
    answers: Answers = {}
    for key, value in data.items():
        if key == clusters.KEY:  # not a question, but an answer files carry (base/clusters.py)
            answers[key] = clusters.read_cluster(value, source=str(path)).value
            continue
        if key not in known:
            valid = ", ".join([*known, clusters.KEY])
            raise AnswersError(f"{path}: unknown key {key!r}; valid keys are {valid}")
        answers[key] = normalise_value(known[key], value, source=str(path))
    return answers


def read_answers_file(path: Path) -> Answers:
    """Read an answers file, with one-line errors for a missing or unreadable file."""
    from fwpick.advice.answerfile import read_answers_file as read_checked  # FIFOs, size, BOM...

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
    for key in [*(question.id for question in knowledge().questions), clusters.KEY]:
        if key in answers:
            lines.append(f"{key} = {json.dumps(answers[key])}")
    return "\n".join(lines) + "\n"


def collect(
    *,
    flags: dict[str, str | None],
    answers_file: Path | None,
    use_defaults: bool,
    ask: Asker | None,
) -> Answers:
    """All answers from defaults, file, flags, then `ask` (None: nobody can answer).

    Without a terminal a missing answer is an error naming the flags, never a wait.
    """
    file_answers = read_answers_file(answers_file) if answers_file else {}
    answers, missing = merge(flags=flags, file_answers=file_answers, use_defaults=use_defaults)
    if not missing:
        return answers
    if ask is None:
        flag_list = " ".join(f"{question.flag} {'|'.join(question.values)}" for question in missing)
        raise AnswersError(
            f"no terminal to ask on; missing answers: {flag_list} "
            "(or pass --answers FILE or --defaults)"
        )
    return ask(missing, answers)
