"""Generated training loops against minimal hand-written ones, on this machine's CPU.

For each framework x task it renders the starter project, writes one .npz data set, and
then runs, interleaved, `python -m demo.train --data DATA` (reading the steady-state
`samples_per_second` of its summary.json) and a minimal hand-written loop that trains the
same model on the same rows with the same batch size, epochs, optimizer and input
pipeline idiom (torch: in-memory tensors sliced by a shuffled index; Keras: tf.data with
shuffle, batch and prefetch into plain `fit`), timed the same way: training epochs after
the first, evaluation excluded. Each pair alternates which runs first, so a slow spell
on a shared machine hits both. It prints every pair and the median ratio
generated / hand-written per framework x task (the target is >= 0.95).

    .venv/bin/python benchmarks/train_throughput.py [--pairs 5] [--only torch-regression]

Not a test: timings vary with the machine and its load; run it on an idle machine. On a
shared, busy one, `--clock cpu` times both by CPU seconds on one thread each: the same
work, without the noise of other programs taking the CPU in between.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np
from _harness import Run, fill, hand_command, interleaved, render, train_command, training_rows

# Rows and epochs per task: enough for every run to last well over 5 s on a laptop CPU.
WORK = {
    "regression": {"rows": 60_000, "epochs": 4, "batch_size": 32, "lr": 0.05},
    "classification": {"rows": 8_000, "epochs": 4, "batch_size": 64, "lr": 0.001},
}

# The minimal loops. They read DATA, ROWS (the training rows: the generated project holds
# out 20% for validation, which both exclude from the timing), EPOCHS, BATCH and LR.
TORCH = """
import json, time
import numpy as np, torch
from torch import nn

archive = np.load(DATA)
x, y = archive["x"][:ROWS], archive["y"][:ROWS]
torch.manual_seed(0)
if TASK == "regression":
    x, y = torch.as_tensor(x), torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    model, loss_fn = nn.Linear(2, 1), nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
else:
    x = torch.as_tensor(x).permute(0, 3, 1, 2).contiguous()
    y = torch.as_tensor(y, dtype=torch.int64)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 4),
    )
    loss_fn, optimizer = nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=LR)
seconds = []
for epoch in range(EPOCHS):
    start = time.perf_counter()
    order = torch.randperm(len(x))
    for i in range(0, len(x), BATCH):
        index = order[i : i + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    loss.item()
    seconds.append(time.perf_counter() - start)
print(json.dumps({"samples_per_second": len(x) * (EPOCHS - 1) / sum(seconds[1:])}))
"""
KERAS = """
import json, os, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import keras, numpy as np, tensorflow as tf

archive = np.load(DATA)
x, y = archive["x"][:ROWS], archive["y"][:ROWS]
keras.utils.set_random_seed(0)
if TASK == "regression":
    y = y.reshape(-1, 1)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(LR), "mse", metrics=["mae"], jit_compile=False)
else:
    model = keras.Sequential([
        keras.Input((16, 16, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(4),
    ])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(LR), loss, metrics=["accuracy"], jit_compile=False)
data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=0)
data = data.batch(BATCH).prefetch(tf.data.AUTOTUNE)

class Clock(keras.callbacks.Callback):
    seconds = []
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)

model.fit(data, epochs=EPOCHS, verbose=0, callbacks=[Clock()])
print(json.dumps({"samples_per_second": len(x) * (EPOCHS - 1) / sum(Clock.seconds[1:])}))
"""


def write_data(path: Path, task: str, rows: int) -> None:
    """The project's own synthetic data, at benchmark size."""
    rng = np.random.default_rng(0)
    if task == "regression":
        x = rng.normal(size=(rows, 2)).astype(np.float32)
        y = x @ np.array([[2.0], [-3.4]], np.float32) + 4.2
    else:
        y = rng.integers(0, 4, size=rows)
        x = rng.normal(scale=0.1, size=(rows, 16, 16, 1))
        for label in range(4):
            row, col = divmod(label, 2)
            x[y == label, row * 8 : row * 8 + 8, col * 8 : col * 8 + 8] += 1.0
        x = np.clip(x, 0, 1).astype(np.float32)
    np.savez(path, x=x, y=y)


def bench(
    framework: str, task: str, pairs: int, folder: Path, threads: int | None, clock: str
) -> list[tuple[float, ...]]:
    """`pairs` interleaved (generated, hand-written) runs; each row is one pair's figures."""
    work = WORK[task]
    project = render(framework, task, folder / f"{framework}-{task}")
    data = folder / f"{task}.npz"
    if not data.exists():
        write_data(data, task, work["rows"])
    source = fill(
        TORCH if framework == "torch" else KERAS,
        DATA=repr(str(data)),
        ROWS=training_rows(work["rows"]),
        EPOCHS=work["epochs"],
        BATCH=work["batch_size"],
        LR=work["lr"],
        TASK=repr(task),
    )
    options = [
        "--data", str(data), "--device", "cpu", "--epochs", str(work["epochs"]),
        "--batch-size", str(work["batch_size"]), "--lr", str(work["lr"]),
        "--out", str(project / "run"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    if threads:  # the same thread pools for both, fewer to fight over on a busy machine
        for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env[name] = str(threads)
    runs = {
        "generated": Run(train_command(options, clock), env, project / "run" / "summary.json"),
        "hand": Run(hand_command(source, clock), env),
    }
    rows = []
    for pair in interleaved(runs, pairs, project):
        gen_speed, hand_speed = pair.speeds["generated"], pair.speeds["hand"]
        gen_wall, hand_wall = pair.walls["generated"], pair.walls["hand"]
        rows.append((gen_speed / hand_speed, gen_speed, hand_speed, gen_wall, hand_wall))
        print(
            f"  {framework}-{task} pair {pair.number}: ratio {gen_speed / hand_speed:.3f}  "
            f"generated {gen_speed:,.0f}/s in {gen_wall:.1f}s, "
            f"hand-written {hand_speed:,.0f}/s in {hand_wall:.1f}s",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--only", action="append", help="framework-task, e.g. torch-regression")
    parser.add_argument("--threads", type=int, default=None, help="pin both to N CPU threads")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: time by process CPU seconds, for a busy machine (pins 1 thread by default)",
    )
    args = parser.parse_args()
    threads = args.threads or (1 if args.clock == "cpu" else None)
    variants = [(f, t) for f in ("torch", "tensorflow") for t in ("regression", "classification")]
    if args.only:
        variants = [(f, t) for f, t in variants if f"{f}-{t}" in args.only]
    medians = {}
    with tempfile.TemporaryDirectory() as folder:
        for framework, task in variants:
            rows = bench(framework, task, args.pairs, Path(folder), threads, args.clock)
            medians[f"{framework}-{task}"] = statistics.median(row[0] for row in rows)
    unit = "CPU-second" if args.clock == "cpu" else "second"
    print(f"\nmedian samples per {unit}, generated / hand-written (target >= 0.95):")
    for name, ratio in medians.items():
        print(f"  {name:28} {ratio:.3f}")


if __name__ == "__main__":
    main()
