"""Smoke-test wall time against the floor: import the framework and run one training step.

Target (issue 4): `fwpick smoke` on a freshly generated project takes at most 1.5x the
floor, for each framework and task, on the same machine in the same run.

    python benchmarks/smoke_floor.py [--runs 3] [--frameworks torch tensorflow]

Generates each project with `fwpick new --no-smoke` into a temporary folder, then
times (median of --runs) three commands per project: the floor script below, the
project's own `python -m PKG.smoke --device cpu`, and `fwpick smoke --device cpu`.
Prints one JSON document; exits 1 when a ratio is over the target.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5
# The least any smoke test must do: import the framework, build the same kind of model,
# take one optimiser step on a batch of synthetic data, and read the loss back.
FLOOR = {
    ("torch", "regression"): """
import torch
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
x, y = torch.randn(64, 2), torch.randn(64, 1)
loss = torch.nn.functional.mse_loss(model(x), y)
loss.backward(); optimizer.step(); print(loss.item())
""",
    ("torch", "classification"): """
import torch
from torch import nn
model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(16 * 8 * 8, 4))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x, y = torch.rand(64, 1, 16, 16), torch.randint(0, 4, (64,))
loss = nn.functional.cross_entropy(model(x), y)
loss.backward(); optimizer.step(); print(loss.item())
""",
    ("tensorflow", "regression"): """
import os; os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf, keras
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(0.05)
x, y = tf.random.normal((64, 2)), tf.random.normal((64, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                              model.trainable_variables))
print(float(loss))
""",
    ("tensorflow", "classification"): """
import os; os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf, keras
model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(16, 3, padding="same",
    activation="relu"), keras.layers.MaxPooling2D(), keras.layers.Flatten(),
    keras.layers.Dense(4)])
optimizer = keras.optimizers.Adam(1e-3)
x, y = tf.random.uniform((64, 16, 16, 1)), tf.random.uniform((64,), 0, 4, tf.int64)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    loss = loss_fn(y, model(x, training=True))
optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                              model.trainable_variables))
print(float(loss))
""",
}


def seconds(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, runs: int
) -> float:
    """Median wall time over `runs` runs, after one warm-up (file cache)."""
    times = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
        if attempt:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--frameworks", nargs="+", default=["torch", "tensorflow"])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as parent:
        for (framework, task), floor_code in FLOOR.items():
            if framework not in args.frameworks:
                continue
            if importlib.util.find_spec(framework) is None:
                results.append({"framework": framework, "task": task, "skipped": "not installed"})
                continue
            name = f"bench_{framework}_{task}"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "fwpick",
                    "new",
                    name,
                    "-f",
                    framework,
                    "--task",
                    task,
                    "--dir",
                    parent,
                    "--no-smoke",
                    "--no-git",
                ],
                check=True,
                capture_output=True,
            )
            project = Path(parent) / name
            env = {**os.environ, "PYTHONPATH": str(project / "src")}
            floor = seconds([sys.executable, "-c", floor_code], runs=args.runs)
            entry = seconds(
                [sys.executable, "-m", f"{name}.smoke", "--device", "cpu"],
                cwd=project,
                env=env,
                runs=args.runs,
            )
            whole = seconds(
                [
                    sys.executable,
                    "-m",
                    "fwpick",
                    "smoke",
                    str(project),
                    "--device",
                    "cpu",
                    "--json",
                ],
                runs=args.runs,
            )
            results.append(
                {
                    "framework": framework,
                    "task": task,
                    "floor_s": round(floor, 3),
                    "smoke_entry_s": round(entry, 3),
                    "fwpick_smoke_s": round(whole, 3),
                    "ratio_entry": round(entry / floor, 3),
                    "ratio_fwpick": round(whole / floor, 3),
                }
            )
    ok = all(r.get("ratio_fwpick", 0) <= TARGET for r in results)
    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "runs": args.runs,
                "target": TARGET,
                "results": results,
                "ok": ok,
            },
            indent=2,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
