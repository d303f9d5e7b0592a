"""Start-up cost of fwpick against the floor of importing its own dependencies.

Target (issue 7): `fwpick advise --defaults --json` wall time at most 1.2x the time of
`python -c "import typer, rich, jinja2"`, hardware detection included.

    python benchmarks/startup.py [--runs 21]

The commands run interleaved (floor, advise, help, floor, ...), so a busy machine
slows all of them alike, and the ratio is the median of the per-round ratios.
Prints a JSON object; exits 1 when over the target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TARGET = 1.2
FLOOR = "floor: import typer, rich, jinja2"
ADVISE = "fwpick advise --defaults --json"
HELP = "fwpick --help"
COMMANDS = {
    FLOOR: [sys.executable, "-c", "import typer, rich, jinja2"],
    ADVISE: [sys.executable, "-m", "fwpick", "advise", "--defaults", "--json"],
    HELP: [sys.executable, "-m", "fwpick", "--help"],
}


def seconds(command: list[str]) -> float:
    # Users run from compiled bytecode: let the warm-up write __pycache__ even where
    # the environment says not to (every run would otherwise recompile fwpick).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache
        seconds(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(seconds(command))
    ratios = {
        name: statistics.median(t / f for t, f in zip(times[name], times[FLOOR], strict=True))
        for name in (ADVISE, HELP)
    }
    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "runs": args.runs,
                "median_seconds": {
                    name: round(statistics.median(t), 4) for name, t in times.items()
                },
                "ratio_advise_to_floor": round(ratios[ADVISE], 3),
                "ratio_help_to_floor": round(ratios[HELP], 3),
                "target": TARGET,
                "ok": ratios[ADVISE] <= TARGET,
            },
            indent=2,
        )
    )
    return 0 if ratios[ADVISE] <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
