"""How results look at a terminal: rich renderables built from result objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwpick.advisor import Recommendation
from fwpick.frameworks import REGISTRY, display_name

if TYPE_CHECKING:
    from fwpick.project import NewResult
    from fwpick.smoke import SmokeReport

CONFIDENCE_STYLE = {"low": "yellow", "medium": "cyan", "high": "green"}


def _points(value: int) -> str:
    return f"+{value}" if value else "·"


def advice(
    recommendation: Recommendation, *, notes: Sequence[str], next_command: str | None
) -> RenderableType:
    """The advisor's answer: verdict, the score table with reasons, flips, notes, next step."""
    name = display_name(recommendation.framework)
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
        "total",
        "",
        str(recommendation.scores["torch"]),
        str(recommendation.scores["tensorflow"]),
        "",
        style="bold",
    )
    parts: list[RenderableType] = [verdict, table]
    if recommendation.confidence == "low":
        parts.append(
            Text("This is a close call: either framework is a sound choice here.", style="yellow")
        )
    if recommendation.tie_break:
        parts.append(Text(f"Tie: {recommendation.tie_break}.", style="yellow"))
    if recommendation.flips:
        parts.append(Text("What would change it (one answer at a time):", style="bold"))
        for flip in recommendation.flips:
            parts.append(
                Text(
                    f"  --{flip.criterion} {flip.to} (instead of {flip.answer}) "
                    f"-> {display_name(flip.framework)} "
                    + (f"by {flip.margin}" if flip.margin else "on the tie-break")
                )
            )
    else:
        parts.append(Text("No single answer would change it.", style="bold"))
    if notes:
        parts.append(Text("Notes:", style="bold"))
        parts.extend(Text(f"  - {note}") for note in notes)
    if next_command:
        parts.append(Text.assemble(("Next: ", "bold"), (next_command, "cyan")))
    return Group(*parts)


def catalogue_table(entries: Sequence[dict[str, str]]) -> RenderableType:
    """`fwpick list`: what can be generated."""
    table = Table(title="fwpick new NAME --framework F --task T")
    table.add_column("framework")
    table.add_column("task")
    table.add_column("what the starter model does")
    for entry in entries:
        table.add_row(entry["framework"], entry["task"], entry["description"])
    return table


STATUS_STYLE = {"passed": "green", "fallback": "yellow", "skipped": "yellow", "failed": "red"}


def smoke_report(report: SmokeReport) -> RenderableType:
    """A smoke report as a table, with the child's stderr tail when it failed."""
    data = report.data
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    status = Text(data["status"], style=STATUS_STYLE.get(data["status"], "red"))
    table.add_row("status", status)
    version = data.get("framework_version") or "not installed"
    table.add_row("framework", f"{data.get('framework')} {version}")
    if data.get("device"):
        table.add_row("device", f"{data['device'].get('type')} ({data['device'].get('name')})")
    if data.get("steps"):
        table.add_row(
            "training",
            f"{data['steps']} steps, loss {_num(data.get('loss_first'))}"
            f" -> {_num(data.get('loss_last'))}",
        )
    for key, label in (("checkpoint_roundtrip", "checkpoint"), ("export_roundtrip", "export")):
        if data.get(key) is not None:
            table.add_row(label, "round trip ok" if data[key] else "round trip FAILED")
    seconds = data.get("seconds") or {}
    if seconds.get("total") is not None:
        table.add_row(
            "seconds",
            f"import {_num(seconds.get('import'))}, first step "
            f"{_num(seconds.get('first_step'))}, total {_num(seconds['total'])}",
        )
    if data.get("fallback_reason"):
        table.add_row("fell back", Text(str(data["fallback_reason"]), style="yellow"))
    if data.get("error"):
        table.add_row("error", Text(str(data["error"]), style="red"))
    if report.install_command:
        table.add_row("install", Text(report.install_command, style="cyan"))
    parts: list[RenderableType] = [Text("Smoke test", style="bold"), table]
    if data["status"] == "failed" and report.stderr_tail:
        parts += [
            Text("last lines of the smoke test's stderr:", style="bold"),
            Text(report.stderr_tail, style="dim"),
        ]
    return Group(*parts)


def _num(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def new_result(result: NewResult) -> RenderableType:
    """`fwpick new`: what was written where, the smoke test, and what to run next."""
    parts: list[RenderableType] = []
    if result.advice:
        # The advice's own "next" command is the one being run: leave it out.
        parts.append(
            advice(result.advice.recommendation, notes=result.advice.notes, next_command=None)
        )
    verb = "Would create" if result.dry_run else "Created"
    parts.append(
        Text.assemble(
            (f"{verb} ", "bold"),
            (str(result.project), "bold cyan"),
            f"  ({result.framework}, {result.task}, {len(result.files)} files)",
        )
    )
    if result.dry_run:
        parts.extend(Text(f"  {path}") for path in result.files)
        return Group(*parts)
    for kept in result.kept_aside:
        parts.append(Text(f"  your file was kept as {kept}", style="yellow"))
    if result.smoke:
        parts.append(smoke_report(result.smoke))
    package = next((path.split("/")[1] for path in result.files if path.startswith("src/")), "")
    parts.append(Text("Next:", style="bold"))
    # A project installed in its own venv (--venv) needs activating; otherwise installing.
    setup = ". .venv/bin/activate" if result.python else REGISTRY[result.framework].install_project
    steps = [f"cd {result.project}", setup, f"python -m {package}.train", "python -m pytest"]
    parts.append(Text("\n".join(f"  {step}" for step in steps), style="cyan"))
    return Group(*parts)


def environment_table(report: dict[str, Any]) -> RenderableType:
    """`fwpick env` as a short table per framework."""
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
