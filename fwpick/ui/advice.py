"""How the advisor's answer looks at a terminal, wide or narrow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from fwpick.base.frameworks import display_name

if TYPE_CHECKING:
    from fwpick.advice.advisor import Advice, Reason
    from fwpick.advice.knowledge import Source

CONFIDENCE_STYLE = {"low": "yellow", "medium": "cyan", "high": "green"}
# Below this width the score table would squeeze `why` into a sliver; print each
# reason under its criterion instead.
TABLE_MIN_WIDTH = 100
INDENT = "    "


def _points(value: int) -> str:
    return f"+{value}" if value else "·"


def _answer(reason: Reason) -> str:
    return f"{reason.answer} (detected)" if reason.detected else reason.answer


def _cited(reason: Reason) -> Text:
    return Text.assemble(reason.why, (f"  [{', '.join(s.id for s in reason.sources)}]", "dim"))


def _table(advice: Advice) -> Table:
    recommendation = advice.recommendation
    table = Table(show_lines=False, expand=False)
    table.add_column("criterion", no_wrap=True)
    table.add_column("answer", no_wrap=True)
    table.add_column("PyTorch", justify="right", no_wrap=True)
    table.add_column("TensorFlow", justify="right", no_wrap=True)
    # Default overflow wraps at spaces; only a word longer than the column is split.
    table.add_column("why", ratio=1)
    for reason in recommendation.reasons:
        table.add_row(
            reason.criterion,
            _answer(reason),
            _points(reason.points["torch"]),
            _points(reason.points["tensorflow"]),
            _cited(reason),
        )
    table.add_section()
    scores = recommendation.scores
    table.add_row("total", "", str(scores["torch"]), str(scores["tensorflow"]), "", style="bold")
    return table


def _listing(advice: Advice) -> Group:
    """Each criterion on its own line with the reason indented below it."""
    lines: list[RenderableType] = []
    for reason in advice.recommendation.reasons:
        favours = (
            f"+{reason.weight} {display_name(reason.favours)}" if reason.favours else "neutral"
        )
        lines.append(Text.assemble((reason.criterion, "bold"), f" = {_answer(reason)}: ", favours))
        lines.append(Padding(_cited(reason), (0, 0, 0, 4)))
    scores = advice.recommendation.scores
    lines.append(
        Text(f"total: PyTorch {scores['torch']}, TensorFlow {scores['tensorflow']}", style="bold")
    )
    return Group(*lines)


class _Scores:
    """The score breakdown: a table when the terminal is wide, a listing when narrow."""

    def __init__(self, advice: Advice) -> None:
        self.advice = advice

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= TABLE_MIN_WIDTH:
            yield _table(self.advice)
        else:
            yield _listing(self.advice)


def _bullets(items: Iterable[Text]) -> list[RenderableType]:
    """'  - item', with wrapped lines indented under the item's first word."""
    rendered: list[RenderableType] = []
    for item in items:
        # One grid per item, so a short item is not padded to the longest one's width.
        grid = Table.grid()
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row("  - ", item)
        rendered.append(grid)
    return rendered


class _Command:
    """A shell command that stays copyable: wrapped only between words, with `\\`."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - len(INDENT) - 2, 20)
        lines: list[str] = []
        for word in self.command.split(" "):
            if lines and len(lines[-1]) + 1 + len(word) <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        text = " \\\n".join(
            f"{INDENT}{line}" if i == 0 else f"{INDENT}  {line}" for i, line in enumerate(lines)
        )
        yield Text(text, style="cyan", no_wrap=True, overflow="ignore")


def advice(result: Advice, *, show_next: bool = True) -> RenderableType:
    """The advisor's answer: verdict, scores with reasons, flips, alternatives, next steps."""
    recommendation = result.recommendation
    style = CONFIDENCE_STYLE[recommendation.confidence]
    parts: list[RenderableType] = [
        Text.assemble(
            ("Recommendation: ", "bold"),
            (display_name(recommendation.framework), "bold green"),
            f"  (margin {recommendation.margin}, confidence ",
            (recommendation.confidence, style),
            ")",
        ),
        _Scores(result),
    ]
    if result.detected:
        parts.append(
            Text(f"Hardware detected: {result.detected.hardware} ({result.detected.evidence})")
        )
    if recommendation.confidence == "low":
        parts.append(
            Text("This is a close call: either framework is a sound choice here.", style="yellow")
        )
    if recommendation.tie_break:
        parts.append(Text(f"Tie: {recommendation.tie_break.why}.", style="yellow"))
    if recommendation.flips:
        parts.append(Text("What would change it (one answer at a time):", style="bold"))
        for flip in recommendation.flips:
            outcome = "on the tie-break" if flip.tie else f"by {flip.margin}"
            parts.append(
                Text(
                    f"  --{flip.criterion} {flip.to} (instead of {flip.answer}) "
                    f"-> {display_name(flip.framework)} {outcome}"
                )
            )
    else:
        parts.append(Text("No single answer would change it.", style="bold"))
    if result.alternatives:
        parts.append(Text("Also worth a look (does not change the pick):", style="bold"))
        parts.extend(
            _bullets(
                Text.assemble((alternative.name, "bold"), f": {alternative.why}")
                for alternative in result.alternatives
            )
        )
    if result.notes:
        parts.append(Text("Notes:", style="bold"))
        parts.extend(_bullets(Text(note.text) for note in result.notes))
    parts.append(Text("Next steps:", style="bold"))
    name = display_name(recommendation.framework)
    # Already installed (the notes say which version): no install step to take. The JSON
    # keeps `install` either way, for scripts that set up another machine.
    to_install = not any(note.code == "installed" for note in result.notes)
    if to_install:
        parts.extend(_bullets([Text(f"install {name} ({result.install.note}):")]))
        parts.append(_Command(result.install.command))
    if show_next:
        step = "then generate" if to_install else "generate"
        parts.extend(_bullets([Text(f"{step} the starter project:")]))
        parts.append(_Command(result.next_command))
    return Group(*parts)


def sources_table(sources: Sequence[Source]) -> RenderableType:
    """`fwpick advise --sources`: every piece of evidence the advice cites."""
    table = Table(title="Sources behind fwpick's advice")
    table.add_column("id", no_wrap=True)
    table.add_column("what it shows", ratio=2)
    table.add_column("where", ratio=1, overflow="fold")
    for source in sources:
        table.add_row(source.id, source.title, source.url)
    return table
