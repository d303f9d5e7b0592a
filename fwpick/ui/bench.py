"""How a benchmark looks: the side-by-side table, bar charts, notes, and the same as Markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwpick.base.frameworks import display_name
from fwpick.bench.results import BenchResult, Row
from fwpick.bench.stats import Spread

BAR_WIDTH = 36
EIGHTHS = " ▏▎▍▌▋▊▉"
# Markdown headers; the terminal breaks the long ones over two lines to fit 80 columns.
COLUMNS = (
    "task",
    "framework",
    "device",
    "import s",
    "first step s",
    "samples/s (min-max)",
    "peak MB",
    "final loss",
)
TERMINAL_HEADERS = dict(
    zip(
        COLUMNS,
        ("task", "framework", "device", "import\ns", "first\nstep s", "samples/s\n(min-max)",
         "peak\nMB", "final\nloss"),
        strict=True,
    )
)  # fmt: skip
CAPTION = (
    "medians of the measured repeats; first step: that step alone (allocation, tracing); "
    "samples/s: steady state, after the first epoch (or the first step)"
)
SMALL_MODELS = (
    "The starter models are small, so these numbers weigh each framework's per-step "
    "overhead on this machine more than its raw compute; a large model may rank differently."
)


def bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of `value` on a scale where `top` fills `width` cells (1/8 steps)."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(min(value / top, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _median(spread: Spread | None, fmt: Callable[[float], str] = _number) -> str:
    return fmt(spread.median) if spread else "-"


def _range(spread: Spread | None, gap: str) -> str:
    if spread is None:
        return "-"
    if spread.count < 2:
        return f"{_number(spread.median)}{gap}(1 run)"
    return f"{_number(spread.median)}{gap}({_number(spread.low)}-{_number(spread.high)})"


def _cells(row: Row, *, gap: str = " ") -> list[str]:
    """The table cells of one row as plain strings; `gap` "\n" stacks them for a terminal."""
    name = display_name(row.framework)
    framework = f"{name}{gap}{row.version}" if row.version else name
    if row.status == "not_installed":
        return [row.task, framework, "not installed", *["-"] * (len(COLUMNS) - 3)]
    if row.status == "failed":
        return [row.task, framework, "failed", *["-"] * (len(COLUMNS) - 3)]
    device = row.device or {}
    where = device.get("type", "?")
    if device.get("name") and device.get("name") != where:
        where = f"{where}{gap}({device['name']})"
    if row.status == "fallback":
        where += f"{gap}[fallback]"
    loss = f"{row.loss_last:.4g}" if isinstance(row.loss_last, float) else str(row.loss_last)
    return [
        row.task,
        framework,
        where,
        _median(row.import_seconds),
        _median(row.first_step_seconds),
        _range(row.samples_per_second, gap),
        _median(row.peak_memory_mb, lambda v: f"{v:,.0f}"),
        loss,
    ]


def _chart_lines(result: BenchResult, metric: str) -> list[tuple[str, str, str, str]]:
    """(task, framework, bar, value) for each row that has the metric; one scale per task.

    The tasks differ by orders of magnitude (a linear model against a CNN), so a shared
    scale would flatten one of them; within a task the frameworks share the scale.
    """
    picked = [(row, spread) for row in result.rows if (spread := _metric(row, metric)) is not None]
    top: dict[str, float] = {}
    for row, spread in picked:
        top[row.task] = max(top.get(row.task, 0.0), spread.median)
    lines = []
    for row, spread in picked:
        value = _number(spread.median) if metric == "samples" else f"{spread.median:.2f} s"
        drawn = bar(spread.median, top[row.task])
        lines.append((row.task, display_name(row.framework), drawn, value))
    return lines


def _metric(row: Row, metric: str) -> Spread | None:
    return row.samples_per_second if metric == "samples" else row.startup_seconds


CHARTS = (
    ("samples", "steady-state samples/s (median; longer is faster; one scale per task)"),
    ("startup", "time to the first step: import + first step (median s; shorter is better)"),
)


def notes(result: BenchResult) -> list[str]:
    """What the reader must know besides the numbers: missing rows, fallbacks, noise."""
    found = []
    for row in result.rows:
        name = f"{display_name(row.framework)} ({row.task})"
        if row.status == "not_installed":
            found.append(f"{name} is not installed for this Python; install: {row.install_command}")
        elif row.status == "failed":
            found.append(f"{name} failed: {row.error}")
        if row.fallback_reason:
            found.append(f"{name} fell back to the CPU: {row.fallback_reason}")
    for comparison in result.comparisons:
        if not comparison.conclusive:
            found.append(f"{comparison.task}: not conclusive: {'; '.join(comparison.caveats)}")
    machine = result.machine
    load, cpus = machine.get("load_average"), machine.get("cpus")
    if isinstance(load, float) and isinstance(cpus, int) and load > cpus / 2:
        found.append(
            f"The machine was busy when the run started (load average {load:g} on {cpus} "
            "CPUs): expect noise, and compare the spreads before the medians."
        )
    if any(row.measured for row in result.rows):
        found.append(SMALL_MODELS)
    return found


def machine_line(result: BenchResult) -> str:
    """One line naming the machine, the interpreter and the settings the numbers came from."""
    m, s = result.machine, result.settings
    work = f"{s['steps']} steps" if s.get("steps") else f"~{s['seconds']:g} s of training"
    batch = f", batch {s['batch_size']}" if s.get("batch_size") else ""
    return (
        f"{m['system']} {m['machine']}, {m['cpu']} ({m['cpus']} CPUs, load {m['load_average']}), "
        f"Python {m['python']}; device {s['device']}, {work} per run{batch}, "
        f"1 warm-up + {s['repeats']} interleaved repeats per framework"
    )


def bench_report(result: BenchResult) -> RenderableType:
    """The terminal view: table, charts, notes and the closing sentence."""
    tasks = list(dict.fromkeys(row.task for row in result.rows))
    several = len(tasks) > 1  # one task: named in the title instead of a column
    table = Table(
        title=f"fwpick bench: {', '.join(tasks)}",
        title_justify="left",
        caption=CAPTION,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for index, column in enumerate(COLUMNS[0 if several else 1 :], start=0 if several else 1):
        table.add_column(
            TERMINAL_HEADERS[column], justify="right" if index >= 3 else "left", overflow="fold"
        )
    for row in result.rows:
        style = {"not_installed": "yellow", "failed": "red"}.get(row.status)
        cells = _cells(row, gap="\n")
        table.add_row(*(cells if several else cells[1:]), style=style)
    parts: list[RenderableType] = [Text(machine_line(result), style="dim"), table]
    for metric, title in CHARTS:
        lines = _chart_lines(result, metric)
        if not lines:
            continue
        chart = Table(title=title, title_justify="left", box=None, show_header=False)
        for _ in range(4 if several else 3):
            chart.add_column()
        for task, name, drawn, value in lines:
            shown: list[RenderableType] = [name, Text(drawn, style="cyan"), value]
            chart.add_row(*([task, *shown] if several else shown))
        parts += [Text(""), chart]
    parts.append(Text(""))
    parts.extend(Text(f"- {note}", style="yellow") for note in notes(result))
    parts += [Text(""), Text(result.conclusion, style="bold")]
    return Group(*parts)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def markdown(result: BenchResult) -> str:
    """The report as Markdown: machine, table, charts (as text), notes, conclusion."""
    out = ["# fwpick bench", "", machine_line(result), "", f"Table: {CAPTION}.", ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "|".join("---:" if i >= 3 else "---" for i in range(len(COLUMNS))) + "|")
    out.extend("| " + " | ".join(_md_cell(c) for c in _cells(row)) + " |" for row in result.rows)
    for metric, title in CHARTS:
        lines = _chart_lines(result, metric)
        if not lines:
            continue
        task_w = max(len(line[0]) for line in lines)
        name_w = max(len(line[1]) for line in lines)
        out += ["", f"**{title}**", "", "```text"]
        out += [f"{t:<{task_w}}  {n:<{name_w}}  {b:<{BAR_WIDTH}}  {v}" for t, n, b, v in lines]
        out.append("```")
    found = notes(result)
    if found:
        out.append("")
        out.extend(f"- {note}" for note in found)
    out += ["", result.conclusion, ""]
    return "\n".join(out)
