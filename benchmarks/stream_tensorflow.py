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
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np
from _harness import Run, fill, hand_command, interleaved, render, train_command
from PIL import Image

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
    project = render(
        "tensorflow", "classification", folder / "tensorflow-classification", templates
    )
    pictures = folder / "images"
    if not pictures.exists():
        write_images(pictures, images)
    options = [
        "--data", str(pictures), "--device", "cpu", "--epochs", str(EPOCHS),
        "--batch-size", str(BATCH), "--lr", str(LR), "--out", str(project / "run"),
    ]  # fmt: skip
    source = fill(
        KERAS,
        FOLDER=repr(str(pictures)),
        EPOCHS=EPOCHS,
        BATCH=BATCH,
        LR=LR,
        SIZE=SIZE,
        CLASSES=CLASSES,
    )
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    summary = project / "run" / "summary.json"
    runs = {
        "in-memory": Run(train_command(options, clock), env, summary),
        "streamed": Run(train_command([*options, "--workers", str(workers)], clock), env, summary),
        "hand-written": Run(hand_command(source, clock), env),
    }
    ratios: dict[str, list[float]] = {"streamed/hand": [], "streamed/in-memory": []}
    for round_ in interleaved(runs, rounds, project):
        speed, walls = round_.speeds, round_.walls
        ratios["streamed/hand"].append(speed["streamed"] / speed["hand-written"])
        ratios["streamed/in-memory"].append(speed["streamed"] / speed["in-memory"])
        figures = ", ".join(f"{n} {speed[n]:,.0f}/s ({walls[n]:.1f}s)" for n in runs)
        print(
            f"round {round_.number}: {figures}; streamed/hand {ratios['streamed/hand'][-1]:.3f}",
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
