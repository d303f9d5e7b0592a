"""The torch twin streaming an image folder (--workers N) against a hand-written streaming loop.

It renders the torch classification project, writes a folder of small PNGs once (32x32
RGB, 10 classes, one folder per class), and then runs, interleaved, three ways of training
the same model (the project's CNN) on the same training rows with the same batch size,
epochs and optimizer:

- generated, in memory: `python -m demo.train --data FOLDER` (the images decoded once);
- generated, streamed:  `python -m demo.train --data FOLDER --workers N`;
- hand-written, streamed: a minimal torch `Dataset` decoding the same PNGs with Pillow,
  `DataLoader(shuffle=True, num_workers=N, persistent_workers=True)`, the usual loop.

Each is timed the same way: the steady-state samples per second of the training epochs
after the first, evaluation excluded (the generated runs' summary.json, the hand-written
loop's own clock). Every round rotates which runs first, so a slow spell on a shared
machine hits all three. It prints every round and the median ratios; the target is
generated streamed / hand-written streamed >= 0.9.

    .venv/bin/python benchmarks/stream_torch.py [--rounds 3] [--images 3000] [--workers 2]

`--before PROJECT` adds a fourth run to each round: `--workers N` in another rendering of
the project (an earlier version's, say), to show a change's before and after side by side.
`--start-method spawn` starts every DataLoader worker as macOS and Windows do (a fresh
interpreter that imports torch again), `forkserver` as Linux does from Python 3.14 on;
the default is this platform's.

Not a test: timings vary with the machine and its load; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from _harness import Run, fill, interleaved, render, training_rows

SIZE, CLASSES = 32, 10
EPOCHS, BATCH, LR = 4, 64, 0.001

# The hand-written loop. It reads FOLDER, ROWS (how many images the generated project
# trains on: it holds out 20% for validation, which both exclude from the timing),
# WORKERS, EPOCHS, BATCH and LR; the model is the project's SmallCNN, written out.
HAND = """
import json, time
from pathlib import Path
import numpy as np, torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

class Images(Dataset):
    def __init__(self, paths, labels):
        self.paths, self.labels = paths, labels
    def __len__(self):
        return len(self.paths)
    def __getitem__(self, i):
        with Image.open(self.paths[i]) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
        return torch.from_numpy(pixels).permute(2, 0, 1), self.labels[i]

if __name__ == "__main__":
    classes = sorted(p.name for p in Path(FOLDER).iterdir() if p.is_dir())
    files = [
        (path, label)
        for label, name in enumerate(classes)
        for path in sorted(Path(FOLDER, name).glob("*.png"))
    ]
    keep = np.random.default_rng(0).permutation(len(files))[:ROWS]
    paths, labels = [files[i][0] for i in keep], [files[i][1] for i in keep]
    torch.manual_seed(0)
    loader = DataLoader(Images(paths, labels), batch_size=BATCH, shuffle=True,
                        num_workers=WORKERS, persistent_workers=True)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * (SIZE // 4) ** 2, len(classes)),
    )
    loss_fn, optimizer = nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=LR)
    seconds = []
    for epoch in range(EPOCHS):
        start = time.perf_counter()
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        loss.item()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"samples_per_second": len(paths) * (EPOCHS - 1) / sum(seconds[1:])}))
"""


def write_images(folder: Path, count: int) -> None:
    """`count` PNGs of SIZExSIZE RGB noise, with a brighter square where their class says."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for index in range(count):
        label = index % CLASSES
        pixels = rng.integers(0, 100, size=(SIZE, SIZE, 3), dtype=np.uint8)
        row, col = divmod(label, 5)
        pixels[row * 16 : row * 16 + 16, col * 6 : col * 6 + 6] += 120
        path = folder / f"class{label}" / f"{index:05}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folder", type=Path, help="keep the project and images here")
    parser.add_argument("--before", type=Path, help="another rendering of the project to time")
    parser.add_argument("--start-method", choices=("fork", "spawn", "forkserver"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        project = render("torch", "classification", folder / "project")
        images = folder / f"images{args.images}"
        if not images.exists():
            write_images(images, args.images)
        rows = training_rows(args.images)
        source = fill(
            HAND,
            FOLDER=repr(str(images)),
            ROWS=rows,
            WORKERS=args.workers,
            EPOCHS=EPOCHS,
            BATCH=BATCH,
            LR=LR,
            SIZE=SIZE,
        )
        hand_file = folder / "hand.py"  # a file: spawned workers re-import the main module
        hand_file.write_text(source)
        options = [
            "--data", str(images), "--device", "cpu", "--epochs", str(EPOCHS),
            "--batch-size", str(BATCH), "--lr", str(LR), "--early-stopping", "0",
        ]  # fmt: skip
        streamed = [*options, "--workers", str(args.workers), "--out", "run1"]
        commands = {
            "in_memory": [sys.executable, "-m", "demo.train", *options, "--out", "run0"],
            "streamed": [sys.executable, "-m", "demo.train", *streamed],
            "hand": [sys.executable, str(hand_file)],
        }
        paths = {name: str(project / "src") for name in commands}
        if args.before:
            before = [*options, "--workers", str(args.workers), "--out", "run2"]
            commands["before"] = [sys.executable, "-m", "demo.train", *before]
            paths["before"] = str(args.before.resolve() / "src")
        if args.start_method:  # in every process, workers included, before anything starts one
            site = folder / "start_method"
            site.mkdir(exist_ok=True)
            (site / "sitecustomize.py").write_text(
                f"import multiprocessing\nmultiprocessing.set_start_method({args.start_method!r}, "
                "force=True)\n"
            )
            paths = {name: os.pathsep.join([str(site), path]) for name, path in paths.items()}
        runs = {
            name: Run(
                command,
                {**os.environ, "PYTHONPATH": paths[name]},
                # The generated runs' --out is their last argument.
                summary=None if name == "hand" else project / command[-1] / "summary.json",
            )
            for name, command in commands.items()
        }
        rounds: list[dict[str, float]] = []
        names = list(commands)
        for round_ in interleaved(runs, args.rounds, project):
            speeds, walls = round_.speeds, round_.walls
            rounds.append(speeds)
            print(
                f"  round {round_.number}: streamed / hand "
                f"{speeds['streamed'] / speeds['hand']:.3f}  "
                + ", ".join(f"{n} {speeds[n]:,.0f}/s in {walls[n]:.1f}s" for n in names),
                flush=True,
            )
    method = args.start_method or "default"
    print(f"\nmedians over {args.rounds} rounds ({rows} training images, {args.workers} workers,")
    print(f"the {method} start method):")
    # On a shared machine the best round of each is the one least slowed by other programs.
    for name in names:
        median, best = statistics.median(r[name] for r in rounds), max(r[name] for r in rounds)
        print(f"  {name:12} {median:8,.0f} samples/s (best round {best:,.0f})")
    for name in ("streamed", "before") if args.before else ("streamed",):
        ratio = statistics.median(r[name] / r["hand"] for r in rounds)
        best = max(r[name] for r in rounds) / max(r["hand"] for r in rounds)
        print(f"  {name} / hand-written: median {ratio:.3f}, best / best {best:.3f} (target 0.9)")


if __name__ == "__main__":
    main()
