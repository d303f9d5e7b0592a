"""How the advisor's answer looks at a terminal: one screen by default, all with --explain.

Every string from the knowledge or the machine goes into a `Text`, never into markup,
so `[tpu]` or `[and-cuda]` print as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from fwpick.base.frameworks import display_name

if TYPE_CHECKING:
    from fwpick.advice.advisor import Advice, Flip, Reason
    from fwpick.advice.knowledge import Source

CONFIDENCE_STYLE = {"low": "yellow", "medium": "cyan", "high": "green"}
# Below this width the --explain table would squeeze `why` into a sliver; print each
# reason under its criterion instead.
TABLE_MIN_WIDTH = 100
INDENT = "    "
# Environment notes worth a line even on the one-screen view.
WARNINGS = {"python-unsupported", "knowledge-dated", "tf-windows-no-gpu"}


def _points(value: int) -> str:
    return f"+{value}" if value else "·"


def _answer(reason: Reason) -> str:
    return f"{reason.answer} (detected)" if reason.detected else reason.answer


def _cited(reason: Reason) -> Text:
    ids = ", ".join(s.id for s in reason.sources)
    if not ids and reason.weight and "judgement" not in reason.why:
        ids = "fwpick's judgement"
    return Text.assemble(reason.why, (f"  ({ids})" if ids else "", "dim"))


def _hanging(label: str, text: str | Text, *, style: str = "bold") -> Table:
    """`label text`, with wrapped lines indented under the text's first word."""
    grid = Table.grid()
    grid.add_column(no_wrap=True, style=style)
    grid.add_column()
    grid.add_row(label, text)
    return grid


def _bullets(items: Iterable[Text]) -> list[RenderableType]:
    """'  - item', one grid per item so a short item is not padded to the longest."""
    return [_hanging("  - ", item, style="") for item in items]


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


def _headline(result: Advice) -> Text:
    rec = result.recommendation
    name = display_name(rec.framework)
    confidence = (rec.confidence, CONFIDENCE_STYLE[rec.confidence])
    if rec.instead:
        return Text.assemble(
            ("Consider ", "bold"),
            (rec.instead.name, "bold magenta"),
            (" first; between the two: ", "bold"),
            (name, "bold green"),
            " (confidence ",
            confidence,
            ")",
        )
    basis = (
        "decided by the target" if rec.decided_by.kind == "constraint" else f"margin {rec.margin}"
    )
    return Text.assemble(
        ("Recommendation: ", "bold"),
        (name, "bold green"),
        f" ({basis}, confidence ",
        confidence,
        ")",
    )


def _decided(result: Advice) -> list[RenderableType]:
    rec = result.recommendation
    parts: list[RenderableType] = []
    if rec.instead:
        parts.append(
            _hanging(f"  Why ({rec.instead.confidence} confidence): ", Text(rec.instead.why))
        )
    decided = rec.decided_by
    if decided.kind == "constraint":
        parts.append(Text.assemble(("Decided before any score: ", "bold"), decided.why))
    elif decided.kind == "tie":
        parts.append(Text(f"Close call, tie broken: {decided.why}.", style="yellow"))
    elif rec.confidence == "low" and not rec.instead:
        parts.append(Text("Close call: either framework is a sound choice here.", style="yellow"))
    return parts


def _scored(result: Advice) -> list[RenderableType]:
    scored = result.recommendation.scored
    if not scored:
        return [Text("No criterion scored: nothing here separates the two.")]
    width = max(len(f"{r.criterion}={_answer(r)}") for r in scored)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(no_wrap=True, min_width=width)
    grid.add_column()
    for reason in scored:
        assert reason.favours is not None  # scored: weight > 0
        grid.add_row(
            " ",
            f"+{reason.weight} {display_name(reason.favours)}",
            f"{reason.criterion}={_answer(reason)}",
            Text(reason.short),
        )
    return [Text("Reasons that scored:", style="bold"), grid]


def _flip_outcome(flip: Flip) -> str:
    name = display_name(flip.framework)
    if flip.instead:
        return f"consider {flip.instead} first; {name} ({flip.confidence})"
    return f"{name} ({flip.confidence}{', tie-break' if flip.tie else ''})"


def _flips(result: Advice) -> list[RenderableType]:
    flips = result.recommendation.flips
    if not flips:
        return [Text("No plausible single change would change it.", style="bold")]
    lines: list[RenderableType] = [
        Text("What would change it (one answer at a time):", style="bold")
    ]
    for flip in flips:
        lines.append(
            _hanging(f"  --{flip.criterion} {flip.to} -> ", Text(_flip_outcome(flip)), style="")
        )
    return lines


def _next_steps(result: Advice, *, show_next: bool) -> list[RenderableType]:
    name = display_name(result.recommendation.framework)
    parts: list[RenderableType] = []
    if result.install_needed:
        parts.append(_hanging("Install: ", Text(f"{name}, {result.install.note}")))
        parts.append(_Command(result.install.command))
    if show_next:
        parts.append(Text("Then generate the starter project:" if parts else "Next:", style="bold"))
        parts.append(_Command(result.next_command))
    return parts


def _table(result: Advice) -> Table:
    table = Table(show_lines=False, expand=False)
    table.add_column("criterion", no_wrap=True)
    table.add_column("answer", no_wrap=True)
    table.add_column("PyTorch", justify="right", no_wrap=True)
    table.add_column("TensorFlow", justify="right", no_wrap=True)
    table.add_column("why", ratio=1)  # wraps at spaces; only an over-long word is split
    for reason in result.recommendation.reasons:
        table.add_row(
            reason.criterion,
            _answer(reason),
            _points(reason.points["torch"]),
            _points(reason.points["tensorflow"]),
            _cited(reason),
        )
    table.add_section()
    scores = result.recommendation.scores
    table.add_row("total", "", str(scores["torch"]), str(scores["tensorflow"]), "", style="bold")
    return table


def _listing(result: Advice) -> Group:
    lines: list[RenderableType] = []
    for reason in result.recommendation.reasons:
        favours = (
            f"+{reason.weight} {display_name(reason.favours)}" if reason.favours else "neutral"
        )
        lines.append(Text.assemble((reason.criterion, "bold"), f" = {_answer(reason)}: ", favours))
        lines.append(Padding(_cited(reason), (0, 0, 0, 4)))
    scores = result.recommendation.scores
    lines.append(
        Text(f"total: PyTorch {scores['torch']}, TensorFlow {scores['tensorflow']}", style="bold")
    )
    return Group(*lines)


class _Every:
    """Every criterion's reasons: a table when the terminal is wide, a listing when narrow."""

    def __init__(self, result: Advice) -> None:
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _table(self.result) if options.max_width >= TABLE_MIN_WIDTH else _listing(self.result)


def _explained(result: Advice) -> list[RenderableType]:
    rec = result.recommendation
    parts: list[RenderableType] = [_Every(result)]
    for aside in rec.set_aside:
        parts.append(Text(f"Not counted: {aside.rule} ({aside.criterion}): {aside.why}."))
    if rec.decided_by.sources:
        ids = ", ".join(s.id for s in rec.decided_by.sources)
        parts.append(Text(f"Decided by {rec.decided_by.kind}: {rec.decided_by.why} ({ids})"))
    if result.detected:
        parts.append(
            Text(f"Hardware detected: {result.detected.hardware} ({result.detected.evidence})")
        )
    if result.alternatives:
        parts.append(Text("Also worth a look (does not change the verdict):", style="bold"))
        parts.extend(
            _bullets(
                Text.assemble((alternative.name, "bold"), f": {alternative.why}")
                for alternative in result.alternatives
            )
        )
    if result.notes:
        parts.append(Text("Notes:", style="bold"))
        parts.extend(_bullets(Text(note.text) for note in result.notes))
    return parts


def advice(result: Advice, *, explain: bool = False, show_next: bool = True) -> RenderableType:
    """The verdict, the reasons that scored, up to 5 flips and the next steps.

    At 80 columns this fits 24 lines (tests/test_cli_advise.py); `explain` adds every
    criterion, the rules set aside, the alternatives and all the notes.
    """
    parts: list[RenderableType] = [_headline(result), *_decided(result)]
    if explain:
        parts.extend(_explained(result))
    else:
        parts.extend(_scored(result))
    parts.extend(_flips(result))
    if not explain:
        warnings = [note for note in result.notes if note.code in WARNINGS]
        parts.extend(_bullets(Text(note.text, style="yellow") for note in warnings))
    parts.extend(_next_steps(result, show_next=show_next))
    if not explain:
        parts.append(
            Text("More: --explain (every criterion, notes), --sources (evidence)", style="dim")
        )
    return Group(*parts)


def sources_list(sources: Sequence[Source]) -> RenderableType:
    """`fwpick advise --sources`: every piece of evidence, titles whole, brackets literal."""
    parts: list[RenderableType] = [Text("Sources behind fwpick's advice", style="bold")]
    for source in sources:
        parts.append(_hanging(f"{source.id}: ", Text(source.title)))
        parts.append(Text(f"{INDENT}{source.url}", no_wrap=True, overflow="ignore", style="cyan"))
        if source.registry:
            fact = source.registry
            parts.append(
                Text(
                    f"{INDENT}{fact.index}: {fact.package} {fact.version} ({fact.date})",
                    style="dim",
                )
            )
    return Group(*parts)
