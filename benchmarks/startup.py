"""Start-up cost of fwpick against the floor of importing its own dependencies.

Target (issue 2): `fwpick advise --defaults --json` wall time at most 1.3x the time of
`python -c "import typer, rich, jinja2"`, measured in the same run.

    python benchmarks/startup.py [--runs 15]

Prints a JSON object with the medians and the ratio; exits 1 when over the target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TARGET = 1.3
COMMANDS = {
    "floor: import typer, rich, jinja2": [sys.executable, "-c", "import typer, rich, jinja2"],
    "fwpick advise --defaults --json": [
        sys.executable, "-m", "fwpick", "advise", "--defaults", "--json",
    ],
    "fwpick --help": [sys.executable, "-m", "fwpick", "--help"],
}


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of `runs` runs, after one warm-up run (file cache)."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(command, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    medians = {name: median_seconds(command, args.runs) for name, command in COMMANDS.items()}
    floor = medians["floor: import typer, rich, jinja2"]
    ratio = medians["fwpick advise --defaults --json"] / floor
    print(json.dumps({
        "python": sys.version.split()[0],
        "runs": args.runs,
        "median_seconds": {name: round(value, 4) for name, value in medians.items()},
        "ratio_advise_to_floor": round(ratio, 3),
        "ratio_help_to_floor": round(medians["fwpick --help"] / floor, 3),
        "target": TARGET,
        "ok": ratio <= TARGET,
    }, indent=2))
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
