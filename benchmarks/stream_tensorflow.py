"""The TensorFlow twin's streaming path (--workers N) against a hand-written Keras one.

It renders the TensorFlow image-classification project (as train_throughput.py does),
writes an image folder once (small RGB PNGs, one subfolder per class), and then runs,
interleaved, three trainings on it with the same model, batch size, epochs and lr:

- generated, in memory: `python -m demo.train --data FOLDER` (decoded once, up front);
- generated, streamed: the same with `--workers N` (decoded from disk as training goes);
- hand-written, streamed: what a Keras user writes for an image folder,
  `keras.utils.image_dataset_from_directory` (tf.io decoding in a parallel map) rescaled
  to [0, 1], prefetched, into plain `model.fit` with the validation split.

Each is timed the same way: the steady-state samples per second of the training epochs
after the first, evaluation excluded (the generated runs' summary.json; a callback that
stops the clock where validation starts in the hand-written one). Each round rotates
which runs first, so a slow spell on a shared machine hits all three. It prints every
round and the medians of streamed / hand-written (target >= 0.9) and streamed / in-memory.

    .venv/bin/python benchmarks/stream_tensorflow.py [--rounds 3] [--images 4000] [--workers 2]

Not a test: timings vary with the machine and its load; run it on an idle machine. On a
busy one, `--clock cpu` counts each run's CPU seconds (all its threads) instead: the work
a sample costs, steady under load, but blind to what parallel decoding gains on the wall.
`--templates DIR` renders an older commit's templates, for a before/after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fwpick.advice.knowledge import knowledge  # noqa: E402
from fwpick.generate.names import project_name  # noqa: E402
from fwpick.generate.render import ProjectSpec, plan, stage  # noqa: E402

CLASSES, SIZE = 10, 32  # 10 class folders of 32x32 RGB images
EPOCHS, BATCH, LR = 4, 64, 0.001

# The hand-written run. FOLDER, EPOCHS, BATCH, LR and SIZE are filled in. The model is
# the generated one's layers (model.py), so only the input pipeline differs.
KERAS = """
import json, os, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import keras, tensorflow as tf

keras.utils.set_random_seed(0)
train, val = keras.utils.image_dataset_from_directory(
    FOLDER, image_size=(SIZE, SIZE), batch_size=BATCH, validation_split=0.2,
    subset="both", seed=0,
)
rescale = lambda x, y: (x / 255.0, y)
train = train.map(rescale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
val = val.map(rescale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
model = keras.Sequential([
    keras.Input((SIZE, SIZE, 3)),
    keras.layers.Conv2D(16, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
    keras.layers.Conv2D(32, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
    keras.layers.Flatten(), keras.layers.Dense(CLASSES),
])
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
model.compile(keras.optimizers.Adam(LR), loss, metrics=["accuracy"], jit_compile=False)

class Clock(keras.callbacks.Callback):  # each epoch's training part, as timing.py counts
    seconds, samples = [], []
    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.batches = time.perf_counter(), 0
    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1
    def on_test_begin(self, logs=None):
        self.seconds.append(time.perf_counter() - self.start)
        self.samples.append(self.batches * BATCH)

model.fit(train, validation_data=val, epochs=EPOCHS, verbose=0, callbacks=[Clock()])
rows = sum(len(y) for _, y in train)  # the last batch may be smaller than BATCH
samples = [min(count, rows) for count in Clock.samples]
print(json.dumps({"samples_per_second": sum(samples[1:]) / sum(Clock.seconds[1:])}))
"""


# --clock cpu: both time with time.perf_counter; make it count the process's CPU seconds.
CPU_CLOCK = "import time\ntime.perf_counter = time.process_time\n"


def write_images(folder: Path, count: int) -> None:
    """`count` PNGs in CLASSES folders: noise with a bright square placed by the class."""
    rng = np.random.default_rng(0)
    for index in range(count):
        label = index % CLASSES
        pixels = rng.integers(0, 96, size=(SIZE, SIZE, 3))
        row, col = divmod(label, 5)
        pixels[row * 16 : row * 16 + 8, col * 6 : col * 6 + 6] += 150
        (folder / f"class{label}").mkdir(parents=True, exist_ok=True)
        path = folder / f"class{label}" / f"{index:05d}.png"
        Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="render and write into this folder (reused)")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: samples per CPU-second of the whole process (all its threads): the work "
        "each sample costs, steadier than the wall on a busy machine, blind to parallelism",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        help="render from this templates folder, e.g. an older commit's for a before/after: "
        "git archive COMMIT templates | tar -x -C /tmp/old",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        bench(folder, args.rounds, args.images, args.workers, args.clock, args.templates)


def bench(
    folder: Path,
    rounds: int,
    images: int,
    workers: int,
    clock: str = "wall",
    templates: Path | None = None,
) -> None:
    """`rounds` rounds of the three runs; prints each and the medians of the ratios."""
    project, pictures = folder / "tensorflow-classification", folder / "images"
    spec = ProjectSpec(
        name=project_name("demo"),
        framework="tensorflow",
        task="classification",
        answers=knowledge().defaults,
    )
    if project.exists():
        import shutil

        shutil.rmtree(project)
    stage(plan(spec, root=templates), project)
    if not pictures.exists():
        write_images(pictures, images)
    options = [
        "--data", str(pictures), "--device", "cpu", "--epochs", str(EPOCHS),
        "--batch-size", str(BATCH), "--lr", str(LR), "--out", str(project / "run"),
    ]  # fmt: skip
    source = KERAS
    for name, value in (
        ("FOLDER", repr(str(pictures))),
        ("EPOCHS", EPOCHS),
        ("BATCH", BATCH),
        ("LR", LR),
        ("SIZE", SIZE),
        ("CLASSES", CLASSES),
    ):
        source = source.replace(name, str(value))

    def train(*extra: str) -> list[str]:
        if clock == "wall":
            return [sys.executable, "-m", "demo.train", *options, *extra]
        argv = ["demo/train.py", *options, *extra]
        run_train = f"import runpy, sys\nsys.argv = {argv!r}\n"
        run_train += "runpy.run_module('demo.train', run_name='__main__', alter_sys=True)\n"
        return [sys.executable, "-c", CPU_CLOCK + run_train]

    hand = source if clock == "wall" else CPU_CLOCK + source
    commands = {
        "in-memory": train(),
        "streamed": train("--workers", str(workers)),
        "hand-written": [sys.executable, "-c", hand],
    }
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    ratios: dict[str, list[float]] = {"streamed/hand": [], "streamed/in-memory": []}
    for round_ in range(rounds):
        names = list(commands)
        names = names[round_ % 3 :] + names[: round_ % 3]  # rotate who goes first
        speed: dict[str, float] = {}
        walls: dict[str, float] = {}
        for name in names:
            walls[name], stdout = run(commands[name], project, env)
            if name == "hand-written":
                speed[name] = json.loads(stdout.splitlines()[-1])["samples_per_second"]
            else:
                summary = json.loads((project / "run" / "summary.json").read_text())
                speed[name] = summary["samples_per_second"]
        ratios["streamed/hand"].append(speed["streamed"] / speed["hand-written"])
        ratios["streamed/in-memory"].append(speed["streamed"] / speed["in-memory"])
        figures = ", ".join(f"{n} {speed[n]:,.0f}/s ({walls[n]:.1f}s)" for n in commands)
        print(
            f"round {round_ + 1}: {figures}; streamed/hand {ratios['streamed/hand'][-1]:.3f}",
            flush=True,
        )
    unit = "CPU-second" if clock == "cpu" else "second"
    print(
        f"\nmedians of samples per {unit} over {rounds} rounds, --workers {workers}, "
        f"{images} images:"
    )
    for name, values in ratios.items():
        print(f"  {name:20} {statistics.median(values):.3f}")


if __name__ == "__main__":
    main()
