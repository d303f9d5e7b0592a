"""Ask the questions nobody answered yet, at a terminal, with each choice explained."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from fwpick.advice.questions import Answers, Question, normalise_value
from fwpick.base.errors import AnswersError


class _LineStream:
    """Make a stream answer like a terminal: EOF raises, a bare Enter means the default.

    rich's Prompt reads `stream.readline()` verbatim, so without this an exhausted
    stream would silently pick defaults and an empty line would be rejected.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def readline(self) -> str:
        line = self._stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")


def _choices_table(question: Question) -> Table:
    table = Table.grid(padding=(0, 2))
    for choice in question.choices:
        marker = " (default)" if choice.value == question.default else ""
        table.add_row(f"  [bold]{choice.value}[/]", f"{choice.label}{marker}")
    return table


def ask(
    missing: list[Question], answers: Answers, *, console: Console, stream: TextIO | None = None
) -> Answers:
    """Prompt for each missing question on `console`; return the completed answers.

    `stream` replaces the terminal as the input source (tests feed a StringIO).
    """
    completed = dict(answers)
    for number, question in enumerate(missing, start=1):
        console.print(f"\n[bold cyan]{number}/{len(missing)}[/] {question.prompt}")
        console.print(_choices_table(question))
        try:
            raw = Prompt.ask(
                # The values are shown; their aliases (pt, jetson...) answer too. A Text,
                # so the brackets are not read as markup.
                Text(f"  {question.id} [{'/'.join(question.values)}]"),
                choices=list(question.spellings),
                show_choices=False,
                default=question.default,
                case_sensitive=False,
                console=console,
                stream=_LineStream(stream) if stream is not None else None,  # type: ignore[arg-type]
            )
        except EOFError:
            raise AnswersError(
                f"input ended before {question.id} was answered; pass {question.flag}, "
                "--answers FILE or --defaults"
            ) from None
        completed[question.id] = normalise_value(question, raw, source=question.flag)
    return completed
