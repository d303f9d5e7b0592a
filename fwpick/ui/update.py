"""How `fwpick update`'s results look at a terminal."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from fwpick.update.core import CheckResult, UpdateResult
from fwpick.update.decide import Outcome

STYLES = {
    Outcome.conflict: "bold red",
    Outcome.updated: "green",
    Outcome.added: "green",
    Outcome.merged: "cyan",
    Outcome.renamed: "cyan",
    Outcome.restored: "green",
    Outcome.removed: "yellow",
    Outcome.rewritten: "dim",
}


def update_result(result: UpdateResult) -> Group:
    """One line per file that changes (or is worth a word), then what to do next."""
    project = result.project
    would = "would change" if result.dry_run else "changed"
    head = Text.assemble(
        ("fwpick update ", "bold"),
        f"{project}: template version {result.from_version} -> {result.to_version}",
    )
    parts: list[Text | Table] = [head]
    for key, (old, new) in result.answers_changed.items():
        parts.append(Text(f"  answer {key}: {old} -> {new}"))
    if result.adopted and result.from_version != result.to_version:
        parts.append(
            Text(
                "  adopted: no manifest in .fwpick.toml (generated before fwpick recorded one); "
                "the base is re-rendered from its version and answers",
                style="dim",
            )
        )
    table = Table.grid(padding=(0, 2))
    for change in result.shown:
        table.add_row(
            Text(f"  {change.outcome.value}", style=STYLES.get(change.outcome, "")),
            Text(change.path),
            Text(change.note, style="dim"),
        )
    if result.shown:
        parts.append(table)
    conflicts = result.conflicts
    if conflicts:
        parts.append(
            Text(
                f"{len(conflicts)} file(s) with conflicts: resolve the <<<<<<< ||||||| ======= "
                ">>>>>>> blocks (or `git mergetool`), `git add` them, then commit; "
                "`fwpick update --undo` puts everything back",
                style="bold red",
            )
        )
    elif not result.changed:
        parts.append(Text("up to date: nothing to change"))
    elif result.dry_run:
        parts.append(Text(f"dry run: {len(result.changed)} file(s) {would}; nothing written"))
    else:
        parts.append(
            Text(
                f"{len(result.changed)} file(s) {would}: review with `git diff`, then commit; "
                "`fwpick update --undo` puts everything back"
            )
        )
    return Group(*parts)


def check_result(result: CheckResult) -> Text:
    """`--check`: behind or up to date, in one line."""
    if result.behind:
        return Text(
            f"{result.project}: template version {result.version}, behind {result.current}: "
            "run fwpick update",
            style="yellow",
        )
    return Text(f"{result.project}: template version {result.version}, up to date")


def undo_result(paths: list[str]) -> Text:
    """`--undo`: what was put back."""
    return Text(f"restored {len(paths)} file(s) as they were before the last update")
