"""How results look at a terminal: rich renderables built from result objects."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwpick.advisor import DISPLAY_NAMES, Recommendation

CONFIDENCE_STYLE = {"low": "yellow", "medium": "cyan", "high": "green"}


def _points(value: int) -> str:
    return f"+{value}" if value else "·"


def advice(recommendation: Recommendation, *, notes: Sequence[str], next_command: str) -> RenderableType:
    """The advisor's answer: verdict, the score table with reasons, flips, notes, next step."""
    name = DISPLAY_NAMES[recommendation.framework]
    style = CONFIDENCE_STYLE[recommendation.confidence]
    verdict = Text.assemble(
        ("Recommendation: ", "bold"),
        (name, "bold green"),
        f"  (margin {recommendation.margin}, confidence ",
        (recommendation.confidence, style),
        ")",
    )
    table = Table(show_lines=False, expand=False, title_justify="left")
    table.add_column("criterion")
    table.add_column("answer")
    table.add_column("PyTorch", justify="right")
    table.add_column("TensorFlow", justify="right")
    table.add_column("why", overflow="fold", ratio=1)
    for reason in recommendation.reasons:
        table.add_row(
            reason.criterion,
            reason.answer,
            _points(reason.points["torch"]),
            _points(reason.points["tensorflow"]),
            reason.why,
        )
    table.add_section()
    table.add_row(
        "total", "", str(recommendation.scores["torch"]),
        str(recommendation.scores["tensorflow"]), "",
        style="bold",
    )
    parts: list[RenderableType] = [verdict, table]
    if recommendation.confidence == "low":
        parts.append(Text("This is a close call: either framework is a sound choice here.",
                          style="yellow"))
    if recommendation.tie_break:
        parts.append(Text(f"Tie: {recommendation.tie_break}.", style="yellow"))
    if recommendation.flips:
        parts.append(Text("What would change it (one answer at a time):", style="bold"))
        for flip in recommendation.flips:
            parts.append(Text(
                f"  --{flip.criterion} {flip.to} (instead of {flip.answer}) "
                f"-> {DISPLAY_NAMES[flip.framework]} by {flip.margin}"
            ))
    else:
        parts.append(Text("No single answer would change it.", style="bold"))
    if notes:
        parts.append(Text("Notes:", style="bold"))
        parts.extend(Text(f"  - {note}") for note in notes)
    parts.append(Text.assemble(("Next: ", "bold"), (next_command, "cyan")))
    return Group(*parts)
