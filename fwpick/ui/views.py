"""How results look at a terminal: rich renderables built from result objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fwpick.base.frameworks import REGISTRY
from fwpick.ui.lines import Lines, Piece, join

if TYPE_CHECKING:
    from rich.console import RenderableType

    from fwpick.contract.smoke_report import SmokeReport
    from fwpick.generate.project import NewResult

# rich (its console, text and tables) and the advice view are imported by the views that
# draw them: `fwpick new`'s plain result is Lines only, which need no rich (ui/lines.py),
# and its run is timed against importing typer, rich and jinja2 alone (issue 16,
# benchmarks/startup.py).


def catalogue_table(entries: Sequence[dict[str, str]]) -> RenderableType:
    """`fwpick list`: what can be generated."""
    from rich.table import Table

    table = Table(title="fwpick new NAME --framework F --task T --input I")
    table.add_column("framework")
    table.add_column("task")
    table.add_column("input")
    table.add_column("what the starter model does")
    for entry in entries:
        table.add_row(entry["framework"], entry["task"], entry["input"], entry["description"])
    return table


STATUS_STYLE = {"passed": "green", "fallback": "yellow", "skipped": "yellow", "failed": "red"}


def smoke_report(report: SmokeReport) -> RenderableType:
    """A smoke report as a table, with the child's stderr tail when it failed."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("status", Text(report.status, style=STATUS_STYLE[report.status]))
    version = report.framework_version or "not installed"
    table.add_row("framework", f"{report.framework} {version}")
    if report.device:
        table.add_row("device", f"{report.device.type} ({report.device.name})")
    if report.steps:
        table.add_row(
            "training",
            f"{report.steps} steps, loss {_num(report.loss_first)} -> {_num(report.loss_last)}",
        )
    for value, label in (
        (report.checkpoint_roundtrip, "checkpoint"),
        (report.export_roundtrip, "export"),
    ):
        if value is not None:
            table.add_row(label, "round trip ok" if value else "round trip FAILED")
    seconds = report.seconds
    if seconds.total is not None:
        table.add_row(
            "seconds",
            f"import {_num(seconds.import_)}, first step {_num(seconds.first_step)}, "
            f"total {_num(seconds.total)}",
        )
    if report.fallback_reason:
        table.add_row("fell back", Text(report.fallback_reason, style="yellow"))
    if report.error:
        table.add_row("error", Text(report.error, style="red"))
    if report.install_command:
        table.add_row("install", Text(report.install_command, style="cyan"))
    parts: list[RenderableType] = [Text("Smoke test", style="bold"), table]
    if report.status == "failed" and report.stderr_tail:
        parts += [
            Text("last lines of the smoke test's stderr:", style="bold"),
            Text(report.stderr_tail, style="dim"),
        ]
    return Group(*parts)


def _num(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def new_result(result: NewResult) -> Lines | RenderableType:
    """`fwpick new`: what was written where, the smoke test, and what to run next.

    Lines, unless the advice or the smoke report (tables) is part of it.
    """
    parts: list[Lines | RenderableType] = []
    if result.advice:
        from fwpick.ui.advice import advice

        # The advice's own "next" command is the one being run: leave it out.
        parts.append(advice(result.advice, show_next=False))
    verb = "Would create" if result.dry_run else "Created"
    rows: list[tuple[Piece, ...]] = [
        (
            (f"{verb} ", "bold"),
            (str(result.project), "bold cyan"),
            (
                f"  ({result.framework}, {result.task}, {result.input}, {len(result.files)} files)",
                "",
            ),
        )
    ]
    if result.dry_run:
        rows.extend(((f"  {path}", ""),) for path in result.files)
        return join(*parts, Lines(tuple(rows)))
    rows.extend(((f"  your file was kept as {kept}", "yellow"),) for kept in result.kept_aside)
    parts.append(Lines(tuple(rows)))
    if result.smoke:
        parts.append(smoke_report(result.smoke))
    package = next((path.split("/")[1] for path in result.files if path.startswith("src/")), "")
    # A project installed in its own venv (--venv) needs activating; otherwise installing.
    setup = ". .venv/bin/activate" if result.python else REGISTRY[result.framework].install_project
    steps = [f"cd {result.project}", setup, f"python -m {package}.train", "python -m pytest"]
    next_rows = (("Next:", "bold"),), (("\n".join(f"  {step}" for step in steps), "cyan"),)
    return join(*parts, Lines(next_rows))


def environment_table(report: dict[str, Any]) -> RenderableType:
    """`fwpick env` as a short table per framework."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    python, system = report["python"], report["os"]
    header = Text(
        f"Python {python['version']} ({python['executable']}) on "
        f"{system['system']} {system['release']} {system['machine']}; NVIDIA driver: "
        f"{'yes' if report['nvidia_driver'] else 'no'}"
    )
    table = Table()
    table.add_column("framework")
    table.add_column("version")
    table.add_column("devices it can use")
    table.add_column("caveats", overflow="fold")
    for name, entry in report["frameworks"].items():
        devices = ", ".join(
            device["name"]
            if device["type"] == "cpu"
            else f"{device['type']}: {device['name']}"
            + (f" (sm {device['capability']})" if device.get("capability") else "")
            for device in entry["devices"]
        )
        version = entry["version"] or ("not installed" if not entry["installed"] else "?")
        notes = [
            *entry["caveats"],
            *([entry["install"]] if "install" in entry else []),
            *([entry["error"]] if "error" in entry else []),
        ]
        table.add_row(name, version, devices or "-", "\n".join(notes))
    return Group(header, table)
