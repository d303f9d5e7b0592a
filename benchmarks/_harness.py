"""What the training benchmarks share: render a twin, fill in a hand-written loop, time rounds.

train_throughput.py, stream_torch.py and stream_tensorflow.py each pit a generated
project's `python -m demo.train` against a minimal hand-written loop. This module renders
the project, runs the contenders in interleaved rounds (each round rotates who goes first,
so a slow spell on a shared machine hits them all) and reads each one's steady-state
samples per second the same way: the generated run's summary.json, the hand-written
loop's last line of JSON. What is measured, and how it is printed, stays in each script.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fwpick.advice.knowledge import knowledge  # noqa: E402
from fwpick.generate.names import project_name  # noqa: E402
from fwpick.generate.render import ProjectSpec, plan, stage  # noqa: E402

# --clock cpu: the generated run and the hand-written loop both time with
# time.perf_counter; this makes it count the process's CPU seconds (all its threads),
# which other programs on a busy machine do not inflate.
CPU_CLOCK = "import time\ntime.perf_counter = time.process_time\n"


def render(framework: str, task: str, project: Path, templates: Path | None = None) -> Path:
    """The `demo` starter for framework x task at `project` (replaced if there), default answers.

    `templates`: another templates folder (an older commit's, for a before/after).
    """
    spec = ProjectSpec(
        name=project_name("demo"), framework=framework, task=task, answers=knowledge().defaults
    )
    if project.exists():
        shutil.rmtree(project)
    stage(plan(spec, root=templates), project)
    return project


def training_rows(rows: int) -> int:
    """How many of `rows` the generated project trains on: data.split holds out 20%."""
    return rows - round(rows * 0.2)


def fill(source: str, **values: object) -> str:
    """`source` with each placeholder NAME (a whole word) replaced by str(value).

    In one pass, so a value (a folder's path, say) is never itself searched for names.
    """
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, values)) + r")\b")
    return pattern.sub(lambda match: str(values[match.group(1)]), source)


def train_command(options: list[str], clock: str = "wall") -> list[str]:
    """`python -m demo.train OPTIONS`, or (clock "cpu") the same module under CPU_CLOCK."""
    if clock == "wall":
        return [sys.executable, "-m", "demo.train", *options]
    run_train = f"import runpy, sys\nsys.argv = {['demo/train.py', *options]!r}\n"
    run_train += "runpy.run_module('demo.train', run_name='__main__', alter_sys=True)\n"
    return [sys.executable, "-c", CPU_CLOCK + run_train]


def hand_command(source: str, clock: str = "wall") -> list[str]:
    """The hand-written loop `source` as `python -c`, under CPU_CLOCK for clock "cpu"."""
    return [sys.executable, "-c", source if clock == "wall" else CPU_CLOCK + source]


@dataclass(frozen=True)
class Run:
    """One contender: its command and environment, and where it reports its speed."""

    command: list[str]
    env: Mapping[str, str]
    # The generated run's summary.json; None: the last line of stdout, a JSON object.
    summary: Path | None = None


@dataclass(frozen=True)
class Round:
    """One round's figures, by contender: samples per second and wall seconds."""

    number: int  # from 1
    speeds: dict[str, float]
    walls: dict[str, float]


def measure(run: Run, cwd: Path) -> tuple[float, float]:
    """Run it once: (wall seconds, steady-state samples per second); exit if it fails."""
    started = time.perf_counter()
    result = subprocess.run(
        run.command, cwd=cwd, env=dict(run.env), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(run.command)} failed:\n{result.stderr[-3000:]}")
    if run.summary is not None:
        report = json.loads(run.summary.read_text())
    else:
        report = json.loads(result.stdout.splitlines()[-1])
    return wall, float(report["samples_per_second"])


def interleaved(runs: Mapping[str, Run], rounds: int, cwd: Path) -> Iterator[Round]:
    """`rounds` rounds of every run, each round starting one further along the list."""
    names = list(runs)
    for index in range(rounds):
        shift = index % len(names)
        speeds, walls = {}, {}
        for name in names[shift:] + names[:shift]:
            walls[name], speeds[name] = measure(runs[name], cwd)
        # In the runs' own order, whichever went first, so each script prints them alike.
        yield Round(index + 1, {n: speeds[n] for n in names}, {n: walls[n] for n in names})
