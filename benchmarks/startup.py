"""Start-up cost of fwpick's quick commands against the floor of importing its dependencies.

Targets (issue 16), each against the floor `python -c "import typer, rich, jinja2"`:
`fwpick new NAME --framework torch|tensorflow --no-smoke` at most 1.3x (templates compiled
ahead of time, git init included, as a user runs it), and `fwpick advise --defaults --json`
(hardware detection included) at most 1.05x.

    python benchmarks/startup.py [--runs 21] [--templates compiled|source] [--clock wall|cpu]
                                 [--terminal]

First the checkout's templates are compiled ahead of time into templates/.compiled, as a
wheel or editable install build does; `--templates source` removes that set instead, which
measures fwpick compiling every template at run time (as before issue 16). The commands run
interleaved, each round starting one command later than the last, so a busy machine slows
all of them alike; each ratio is the median of the per-round ratios to that round's floor,
with the quartiles beside it. `new` writes into a fresh folder each time. Prints a JSON
object; exits 1 when a ratio is over its target.

`--clock cpu` times each run by the CPU it used (user + system, its children such as `git
init` included) instead of the wall clock: on a shared machine another process's load
stretches wall times unevenly, CPU time much less. It cannot see work done side by side
(the wall clock is what a user waits for, and what the targets are set on).

By default each command's output goes to a pipe, as in a script. `--terminal` gives it a
pseudo-terminal instead, as a person at one sees it: `new` then writes its result in rich's
colours and styles (still without rich's console, fwpick/ui/lines.py) and arms its progress
spinner, which starts only if a step lasts half a second (fwpick/ui/progress.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fwpick.generate.compiled import FOLDER
from fwpick.generate.render import compile_templates, templates_root

FLOOR = "floor: import typer, rich, jinja2"
ADVISE = "fwpick advise --defaults --json"
HELP = "fwpick --help"
NEW = "fwpick new demo --framework {} --no-smoke"
NEW_TORCH = NEW.format("torch")
NEW_TENSORFLOW = NEW.format("tensorflow")
NEW_NO_GIT = NEW_TORCH + " --no-git"  # how much of `new` is `git init` (no rev-parse:
# whether the folder is in a repository is walked in Python; git only decides odd cases)
FWPICK = [sys.executable, "-m", "fwpick"]
COMMANDS = {
    FLOOR: [sys.executable, "-c", "import typer, rich, jinja2"],
    ADVISE: [*FWPICK, "advise", "--defaults", "--json"],
    HELP: [*FWPICK, "--help"],
    NEW_TORCH: [*FWPICK, *NEW_TORCH.split()[1:]],
    NEW_TENSORFLOW: [*FWPICK, *NEW_TENSORFLOW.split()[1:]],
    NEW_NO_GIT: [*FWPICK, *NEW_NO_GIT.split()[1:]],
}
TARGETS = {NEW_TORCH: 1.3, NEW_TENSORFLOW: 1.3, ADVISE: 1.05}


def _cpu() -> float:
    """CPU seconds (user + system) used so far by this process's waited-for children."""
    import resource  # POSIX only, and only for --clock cpu

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seconds(command: list[str], cwd: Path, *, clock: str = "wall", terminal: bool = False) -> float:
    """The time of one run of `command` in `cwd` (a fresh folder: `new` writes there).

    `terminal`: stdout and stderr are a pseudo-terminal, as for a person at one.
    """
    # Users run from compiled bytecode: let the warm-up write __pycache__ even where
    # the environment says not to (every run would otherwise recompile fwpick and the
    # compiled templates).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    cwd.mkdir(parents=True)
    read = _cpu if clock == "cpu" else time.perf_counter
    if not terminal:
        start = read()
        subprocess.run(command, capture_output=True, check=True, env=env, cwd=cwd)
        return read() - start
    import pty  # POSIX only, and only for --terminal
    import threading

    leader, follower = pty.openpty()
    # Drained while the command runs, so a full terminal buffer never holds it up.
    drain = threading.Thread(target=_drain, args=(leader,), daemon=True)
    drain.start()
    try:
        start = read()
        subprocess.run(command, stdout=follower, stderr=follower, check=True, env=env, cwd=cwd)
        return read() - start
    finally:
        os.close(follower)
        drain.join(timeout=5)
        os.close(leader)


def _drain(descriptor: int) -> None:
    """Read a terminal's output until it closes (the output itself is not used)."""
    try:
        while os.read(descriptor, 65536):
            pass
    except OSError:  # EIO: the other side closed
        pass


def prepare(templates: str) -> int:
    """Compile the checkout's templates ahead of time, or remove them; how many compiled."""
    if templates == "compiled":
        return len(compile_templates())
    shutil.rmtree(templates_root() / FOLDER, ignore_errors=True)
    return 0


def quartiles(values: list[float]) -> list[float]:
    """The lower and upper quartile, rounded."""
    low, _, high = statistics.quantiles(values, n=4)
    return [round(low, 3), round(high, 3)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--templates", choices=["compiled", "source"], default="compiled")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument(
        "--terminal",
        action="store_true",
        help="run each command with stdout and stderr on a pseudo-terminal",
    )
    args = parser.parse_args()
    compiled = prepare(args.templates)
    load = os.getloadavg()[0]
    names = list(COMMANDS)
    times: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="fwpick-startup-") as scratch:
        folders = (Path(scratch) / str(index) for index in range(10**9))
        for command in COMMANDS.values():  # warm the file cache and __pycache__
            seconds(command, next(folders), terminal=args.terminal)
        for round_ in range(args.runs):
            for offset in range(len(names)):
                name = names[(round_ + offset) % len(names)]
                took = seconds(
                    COMMANDS[name], next(folders), clock=args.clock, terminal=args.terminal
                )
                times[name].append(took)
    per_round = {
        name: [t / f for t, f in zip(times[name], times[FLOOR], strict=True)]
        for name in names
        if name != FLOOR
    }
    ratios = {name: statistics.median(values) for name, values in per_round.items()}
    ok = all(ratios[name] <= target for name, target in TARGETS.items())
    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "cpus": os.cpu_count(),
                "load_average_at_start": round(load, 2),
                "runs": args.runs,
                "templates": f"{args.templates} ({compiled} compiled ahead of time)",
                "clock": args.clock,
                "stdout": "terminal" if args.terminal else "pipe",
                "median_seconds": {
                    name: round(statistics.median(t), 4) for name, t in times.items()
                },
                "ratio_to_floor": {name: round(value, 3) for name, value in ratios.items()},
                "ratio_quartiles": {name: quartiles(v) for name, v in per_round.items()},
                "targets": TARGETS,
                "ok": ok,
            },
            indent=2,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
