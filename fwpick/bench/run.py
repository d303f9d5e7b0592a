"""`fwpick bench`: train the twin projects for the same work on this machine, side by side.

Each framework trains in its own child process (`python -m PKG.train --max-steps N`)
and reports `OUT/summary.json`; this module schedules the runs (a warm-up each, then
interleaved repeats), and gathers the numbers into a `BenchResult`. The fwpick process
never imports a framework.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fwpick.advice.advisor import advise
from fwpick.advice.knowledge import knowledge
from fwpick.base.children import FailureKind, classify
from fwpick.base.errors import BenchError
from fwpick.base.frameworks import FRAMEWORKS, REGISTRY, Device, Task
from fwpick.base.staging import staging
from fwpick.bench.inputs import (
    install_command,
    installed,
    interpreter,
    load_average,
    machine_facts,
    read_project,
)
from fwpick.bench.process import ChildResult, run_child
from fwpick.bench.results import BenchResult, Row, row_from_runs
from fwpick.bench.stats import Comparison, Measured, calibrated_steps, compare, conclusion, schedule
from fwpick.contract.project_file import ProjectFile
from fwpick.contract.summary import Summary, read_summary, train_command
from fwpick.generate.names import project_name
from fwpick.generate.render import ProjectSpec, plan, stage

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_SECONDS = 3.0
WARMUP_STEPS = 30
TWIN_NAME = "bench_twin"


@dataclass(frozen=True)
class BenchOptions:
    """Everything `fwpick bench` was asked to do."""

    tasks: tuple[Task, ...] | None = None  # None: the project's task, or regression
    device: Device = Device.auto
    steps: int | None = None
    seconds: float | None = None  # neither: DEFAULT_SECONDS of training per run
    batch_size: int | None = None
    repeats: int = 3
    python: str | None = None
    project: Path | None = None
    answers: Mapping[str, str] | None = None
    answers_source: str | None = None  # where `answers` came from, for the sentence
    timeout: float = 300


@dataclass(frozen=True)
class Progress:
    """What the benchmark is doing now, for a live display."""

    task: str
    phase: str
    framework: str | None
    done: int
    total: int


OnProgress = Callable[[Progress], None]


def run_bench(options: BenchOptions, *, on_progress: OnProgress = lambda _: None) -> BenchResult:
    """Benchmark both frameworks on each task; the result holds every number and the verdict."""
    # A bad --python fails here, before any work, and within --timeout like every child.
    found = interpreter(options.python, timeout=options.timeout)
    python = found.executable
    own, answers = read_project(options.project) if options.project else (None, {})
    tasks = _tasks(options.tasks, own)
    if options.answers is not None:
        answers, source = dict(options.answers), options.answers_source
    else:
        source = f"{own.root / '.fwpick.toml'}" if own and answers else None
    available = installed(found)
    machine = machine_facts(python, found.version)
    counter = _Counter(len(tasks) * len(available) * (1 + options.repeats), on_progress)
    rows: list[Row] = []
    # Removed however the run ends (signals included); a folder left by a bench that was
    # SIGKILLed is removed by the next one (fwpick.base.staging).
    with staging(Path(tempfile.gettempdir()), "bench") as scratch:
        (scratch / "tmp").mkdir()
        for task in tasks:
            projects = _projects(task, own, answers, scratch)
            bench = _TaskBench(task, projects, options, python, scratch, counter)
            by_framework = {row.framework: row for row in bench.run(available)}
            for framework in FRAMEWORKS:
                row = by_framework.get(framework)
                # Missing, or found on disk but not importable (a broken install): either
                # way the row says "not installed", with the command that installs it.
                if row is None or framework in bench.missing:
                    row = _missing_row(task, framework, python, options.device)
                rows.append(row)
    complete = {**knowledge().defaults, **answers}
    return _result(options, tasks, machine, rows, complete, source)


def _tasks(requested: tuple[Task, ...] | None, own: ProjectFile | None) -> tuple[str, ...]:
    if own is None:
        return requested or (Task.regression,)
    if requested and requested != (own.task,):
        raise BenchError(
            f"{own.root} is a {own.task} project; leave out --task or pass --task {own.task}"
        )
    return (own.task,)


def _projects(
    task: str, own: ProjectFile | None, answers: Mapping[str, str], scratch: Path
) -> dict[str, ProjectFile]:
    """The project per framework: the user's own where given, else a twin rendered here."""
    name = project_name(TWIN_NAME)
    projects: dict[str, ProjectFile] = {}
    for framework in FRAMEWORKS:
        if own is not None and own.framework == framework:
            projects[framework] = own
            continue
        root = scratch / f"{task}-{framework}"
        stage(plan(ProjectSpec(name=name, framework=framework, task=task, answers=answers)), root)
        projects[framework] = ProjectFile(root, name.package, framework, task)
    return projects


class _Counter:
    """Counts runs for the progress display."""

    def __init__(self, total: int, on_progress: OnProgress) -> None:
        self.total, self.done, self.on_progress = total, 0, on_progress

    def starting(self, task: str, phase: str, framework: str) -> None:
        self.on_progress(Progress(task, phase, framework, self.done, self.total))

    def finished(self) -> None:
        self.done += 1


@dataclass
class _TaskBench:
    """The runs of one task: warm-up (and device fallback), calibration, repeats."""

    task: str
    projects: Mapping[str, ProjectFile]
    options: BenchOptions
    python: str
    scratch: Path
    counter: _Counter
    devices: dict[str, Device] = field(default_factory=dict)
    fallback: dict[str, str] = field(default_factory=dict)
    # Frameworks whose own module was missing when a child imported it (a broken install).
    missing: set[str] = field(default_factory=set)

    def run(self, frameworks: Sequence[str]) -> list[Row]:
        """Warm up, pick the step count, run the interleaved repeats, summarise per framework."""
        options = self.options
        warm_steps = min(options.steps or WARMUP_STEPS, WARMUP_STEPS)
        failures: dict[str, str] = {}
        warm: dict[str, Summary] = {}
        for framework in frameworks:
            summary, error = self._warm_up(framework, warm_steps)
            if summary is None:
                failures[framework] = error
                self.counter.total -= options.repeats  # no repeats for a failed warm-up
            else:
                warm[framework] = summary
        steps = options.steps or calibrated_steps(
            options.seconds or DEFAULT_SECONDS,
            [s.samples_per_second or 0.0 for s in warm.values()],
            max((s.batch_size or 1 for s in warm.values()), default=1),
        )
        runs: dict[str, list[tuple[Summary, ChildResult]]] = {f: [] for f in warm}
        for repeat, framework in schedule(list(warm), options.repeats):
            if framework in failures:
                continue
            label = f"repeat {repeat}/{options.repeats}"
            child, summary = self._train(framework, steps, label, self.devices[framework])
            if summary is None:
                failures[framework] = self._error(framework, child)
            else:
                runs[framework].append((summary, child))
        return [
            row_from_runs(
                self.task,
                framework,
                runs.get(framework, []),
                error=failures.get(framework),
                fallback_reason=self.fallback.get(framework),
            )
            for framework in frameworks
        ]

    def _warm_up(self, framework: str, steps: int) -> tuple[Summary | None, str]:
        """The first run: fills caches, proves the device, and falls back like the smoke test."""
        device = self.options.device
        child, summary = self._train(framework, steps, "warm-up", device)
        error = self._error(framework, child)
        missing = framework in self.missing
        if summary is None and device == Device.auto and not missing:
            reason = f"the run with --device auto failed: {error}"
            self.counter.total += 1
            child, summary = self._train(framework, steps, "warm-up on cpu (fallback)", Device.cpu)
            if summary is not None:
                self.fallback[framework] = reason
                device = Device.cpu
        self.devices[framework] = device
        return summary, "" if summary is not None else self._error(framework, child)

    def _error(self, framework: str, child: ChildResult) -> str:
        """Why a run gave no summary, in one line; notes a framework that is not there."""
        failure = classify(child.returncode, child.log_tail)
        if failure is None:
            return "training finished but wrote no usable summary.json"
        if failure.kind is FailureKind.TIMEOUT:
            return f"timed out after {self.options.timeout:g}s (--timeout)"
        if failure.kind is FailureKind.USAGE:
            return (
                "this project's train does not take fwpick's flags (made by an older "
                f"fwpick?); regenerate it: {failure.detail}"
            )
        if failure.module == REGISTRY[framework].import_name:
            self.missing.add(framework)
        return f"exit {child.returncode}: {failure.detail}"

    def _train(
        self, framework: str, steps: int, label: str, device: Device
    ) -> tuple[ChildResult, Summary | None]:
        project = self.projects[framework]
        slug = "-".join(re.findall(r"[a-z0-9]+", label))
        out = self.scratch / "runs" / f"{self.counter.done:03d}-{self.task}-{framework}-{slug}"
        out.mkdir(parents=True)
        command = train_command(
            self.python,
            project.package,
            max_steps=steps,
            device=str(device),
            out=out,
            batch_size=self.options.batch_size,
        )
        self.counter.starting(self.task, label, framework)
        child = run_child(
            command,
            cwd=project.root,
            env=_child_env(project.root, self.scratch),
            log=out.parent / f"{out.name}.log",
            timeout=self.options.timeout,
        )
        self.counter.finished()
        return child, _summary(out, child)


def _child_env(root: Path, scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The frameworks' own temporary files (torch's inductor cache, for one) go inside the
    # bench's folder, shared by its runs and removed with it: nothing is left behind.
    env["TMPDIR"] = str(scratch / "tmp")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "src"), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave a user's --project as it was
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter, not speed
    return env


def _summary(out: Path, child: ChildResult) -> Summary | None:
    # samples_per_second is null when a run is too short for a steady state (one step):
    # still a run that worked, with the other numbers.
    return read_summary(out) if child.returncode == 0 else None


def _missing_row(task: str, framework: str, python: str, device: Device) -> Row:
    command = install_command(framework, python, device)
    return Row(task=task, framework=framework, status="not_installed", install_command=command)


def _result(
    options: BenchOptions,
    tasks: tuple[str, ...],
    machine: dict[str, Any],
    rows: list[Row],
    answers: Mapping[str, str],
    source: str | None,
) -> BenchResult:
    comparisons: list[Comparison] = []
    unmeasured: dict[str, str] = {}
    for task in tasks:
        measured: dict[str, Measured] = {}
        for row in rows:
            if row.task != task:
                continue
            if row.measured is not None:
                measured[row.framework] = row.measured
            else:
                unmeasured[row.framework] = {
                    "not_installed": "is not installed",
                    "failed": "failed",
                }.get(row.status, "ran too few steps for a steady-state rate")
        found = compare(task, measured)
        if found:
            comparisons.append(found)
    advice = advise(answers).recommendation
    favours = [
        f"{reason.criterion}: {reason.answer}"
        for reason in sorted(advice.reasons, key=lambda reason: -reason.weight)
        if reason.favours == advice.framework
    ][:2]
    sentence = conclusion(
        comparisons,
        unmeasured=unmeasured,
        recommended=advice.framework,
        confidence=advice.confidence,
        answers_source=source,
        favours=favours,
    )
    settings = {
        "tasks": list(tasks),
        "device": options.device,
        "steps": options.steps,
        "seconds": None if options.steps else (options.seconds or DEFAULT_SECONDS),
        "batch_size": options.batch_size,
        "repeats": options.repeats,
        "warmup_steps": min(options.steps or WARMUP_STEPS, WARMUP_STEPS),
        "timeout": options.timeout,
        "project": str(options.project) if options.project else None,
    }
    return BenchResult(
        settings=settings,
        machine={**machine, "load_average_end": load_average()},
        rows=tuple(rows),
        comparisons=tuple(comparisons),
        advice={
            "framework": advice.framework,
            "confidence": advice.confidence,
            "margin": advice.margin,
            "answers_from": source,
        },
        conclusion=sentence,
    )
