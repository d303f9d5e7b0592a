"""The benchmark's results as plain data: one row per framework and task, and the whole report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fwpick.base.errors import ExitCode
from fwpick.bench.stats import Comparison, Measured, Spread

if TYPE_CHECKING:
    from fwpick.bench.process import ChildResult
    from fwpick.contract.summary import Summary

SCHEMA = 1
# measured: numbers from every repeat; fallback: measured on the CPU after the device
# chosen by --device auto failed; not_installed: the framework is missing for --python;
# failed: a run failed (the device asked for explicitly, a timeout, a crash).
STATUSES = ("measured", "fallback", "not_installed", "failed")


@dataclass(frozen=True)
class Row:
    """One framework on one task: medians (with min and max) of the measured repeats."""

    task: str
    framework: str
    status: str
    version: str | None = None
    device: Mapping[str, str] | None = None
    steps: int | None = None
    batch_size: int | None = None
    import_seconds: Spread | None = None
    first_step_seconds: Spread | None = None
    # import + first step, per run: how long until the framework has trained at all.
    startup_seconds: Spread | None = None
    train_seconds: Spread | None = None
    samples_per_second: Spread | None = None
    peak_memory_mb: Spread | None = None
    loss_last: float | None = None
    install_command: str | None = None
    fallback_reason: str | None = None
    error: str | None = None

    @property
    def measured(self) -> Measured | None:
        """What a comparison needs, when this row has numbers."""
        if self.status not in ("measured", "fallback") or self.samples_per_second is None:
            return None
        return Measured(
            self.samples_per_second,
            (self.device or {}).get("type", "?"),
            self.steps or 0,
            self.train_seconds,
        )

    def to_json(self) -> dict[str, Any]:
        """The row in `fwpick bench --json`."""

        def spread(value: Spread | None) -> dict[str, Any] | None:
            return value.to_json() if value else None

        return {
            "task": self.task,
            "framework": self.framework,
            "status": self.status,
            "framework_version": self.version,
            "device": dict(self.device) if self.device else None,
            "steps": self.steps,
            "batch_size": self.batch_size,
            "seconds": {
                "import": spread(self.import_seconds),
                "first_step": spread(self.first_step_seconds),
                "startup": spread(self.startup_seconds),
                "train": spread(self.train_seconds),
            },
            "samples_per_second": spread(self.samples_per_second),
            "peak_memory_mb": spread(self.peak_memory_mb),
            "loss_last": self.loss_last,
            "install_command": self.install_command,
            "fallback_reason": self.fallback_reason,
            "error": self.error,
        }


def row_from_runs(
    task: str,
    framework: str,
    runs: Sequence[tuple[Summary, ChildResult]],
    *,
    error: str | None,
    fallback_reason: str | None,
) -> Row:
    """Summarise the measured runs of one framework (their summary.json and process facts)."""
    if error is not None or not runs:
        return Row(
            task=task,
            framework=framework,
            status="failed",
            fallback_reason=fallback_reason,
            error=error or "no run finished",
        )
    summaries = [summary for summary, _ in runs]
    last = summaries[-1]

    def startup(summary: Summary) -> float | None:
        imported, first = summary.import_seconds, summary.first_step_seconds
        return None if imported is None or first is None else imported + first

    return Row(
        task=task,
        framework=framework,
        status="fallback" if fallback_reason else "measured",
        version=last.framework_version,
        device=dict(last.device) if last.device else {"type": "?", "name": "?"},
        steps=last.steps,
        batch_size=last.batch_size,
        import_seconds=Spread.of([summary.import_seconds for summary in summaries]),
        first_step_seconds=Spread.of([summary.first_step_seconds for summary in summaries]),
        startup_seconds=Spread.of([startup(summary) for summary in summaries]),
        train_seconds=Spread.of([summary.train_seconds for summary in summaries]),
        samples_per_second=Spread.of([summary.samples_per_second for summary in summaries]),
        peak_memory_mb=Spread.of([child.peak_rss_mb for _, child in runs]),
        loss_last=last.loss_last,
        fallback_reason=fallback_reason,
    )


@dataclass(frozen=True)
class BenchResult:
    """Everything `fwpick bench` measured and concluded."""

    settings: Mapping[str, Any]
    machine: Mapping[str, Any]
    rows: tuple[Row, ...]
    comparisons: tuple[Comparison, ...]
    advice: Mapping[str, Any]
    conclusion: str

    @property
    def exit_code(self) -> ExitCode:
        """3 when a framework that is installed failed, 4 after a CPU fallback, else 0."""
        statuses = {row.status for row in self.rows}
        if "failed" in statuses:
            return ExitCode.SMOKE_FAILED
        if "fallback" in statuses:
            return ExitCode.SMOKE_FALLBACK
        return ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        """The `fwpick bench --json` document: the numbers only."""
        return {
            "schema": SCHEMA,
            "machine": dict(self.machine),
            "settings": dict(self.settings),
            "results": [row.to_json() for row in self.rows],
            "comparisons": [comparison.to_json() for comparison in self.comparisons],
            "advice": dict(self.advice),
            "conclusion": self.conclusion,
        }
