"""The generated projects' defaults against scikit-learn's obvious baselines, on real data.

For each of scikit-learn's bundled data sets (nothing is downloaded) it writes the file
a user would have, trains each twin on it with no option but `--data` (and `--device
cpu --out`), and fits the baseline on the very same split: the project's own
`data.load` and `data.split`, imported from the rendered project (NumPy only), so both
see the same training and held-out rows. The baseline is StandardScaler then
LogisticRegression (classification) or Ridge (regression), scikit-learn's defaults.

    .venv/bin/python benchmarks/baselines.py [--frameworks torch tensorflow] [--only wine]
    .venv/bin/python benchmarks/baselines.py --write "a 2-core x86_64 CPU, ..."  # README

It prints a Markdown table (the README's) with the held-out metric of the checkpoint that
predict loads (`best`: the epoch with the lowest val_loss) and each run's wall time.
scikit-learn is a dev dependency of fwpick (pip install -e '.[dev]'), never of the
generated projects.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fwpick.generate.names import project_name  # noqa: E402
from fwpick.generate.render import ProjectSpec, plan, stage, templates_root  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One data set: how to write it, and which project trains on it."""

    name: str
    kind: str  # what the table says about it
    task: str
    input: str
    write: Callable[[Path], Path]


def _digits(folder: Path) -> Path:
    # 8 x 8 grey-scale digits, 0..16; written as the 8-bit images a user would have.
    from sklearn.datasets import load_digits

    digits = load_digits()
    path = folder / "digits.npz"
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    np.savez(path, x=images, y=digits.target)
    return path


def _table(loader: str, *, names: bool = False, **options: Any) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader)(**options)
        target = bunch.target
        if names:  # class names in the last column, as most CSV files have them
            target = np.asarray(bunch.target_names)[bunch.target]
        path = folder / f"{loader}{'_'.join([''] + [str(v) for v in options.values()])}.csv"
        header = ",".join([*(str(name).replace(",", " ") for name in bunch.feature_names), "y"])
        rows = [
            ",".join([*(f"{value:.9g}" for value in features), str(label)])
            for features, label in zip(bunch.data, target, strict=True)
        ]
        path.write_text("\n".join([header, *rows]) + "\n")
        return path

    return write


CASES = (
    Case("digits", "8x8 images, 10 classes", "classification", "images", _digits),
    Case(
        "wine",
        "13 features, 3 classes",
        "classification",
        "tabular",
        _table("load_wine", names=True),
    ),
    Case(
        "breast_cancer",
        "30 features, 2 classes",
        "classification",
        "tabular",
        _table("load_breast_cancer", names=True),
    ),
    Case("diabetes", "10 features, scaled", "regression", "tabular", _table("load_diabetes")),
    Case(
        "diabetes (natural units)",
        "10 features, raw",
        "regression",
        "tabular",
        _table("load_diabetes", scaled=False),
    ),
)
# Written under the table by --write (the generated README's partial).
NOTE = """
Held-out metric of the `best` checkpoint (what `predict` loads) on 20% of each set, split
as this project splits it (stratified for classes); `s`: wall seconds of the whole run,
Python and framework start-up included, on {machine}. digits is read as 8-bit 8x8
images (the CNN), wine and breast_cancer as CSV files with class names (the MLP),
diabetes as a CSV with its scaled features and again in natural units (age in years,
blood pressure in mm Hg).
"""
README_PARTIAL = REPO / "templates" / "common" / "_baselines.md.jinja"
PACKAGES = {
    ("classification", "images"): "bench_images",
    ("classification", "tabular"): "bench_tabular",
    ("regression", "tabular"): "bench_regression",
}


def render(folder: Path, framework: str, task: str, data_input: str, root: Path) -> Path:
    """A project for framework x task x input in folder/FRAMEWORK/PACKAGE."""
    package = PACKAGES[(task, data_input)]
    target = folder / framework / package
    if not target.exists():
        spec = ProjectSpec(
            name=project_name(package), framework=framework, task=task, input=data_input
        )
        stage(plan(spec, root=root), target)
    return target


def train(project: Path, data: Path, out: Path, extra: list[str]) -> tuple[dict[str, float], float]:
    """Train with the defaults; the best epoch's metrics and the run's wall time."""
    package = project.name
    command = [sys.executable, "-m", f"{package}.train", "--data", str(data), *extra]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--device", "cpu", "--out", str(out)],
        cwd=project,
        env={
            "PYTHONPATH": str(project / "src"),
            "PATH": "/usr/bin:/bin",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{package} on {data.name} failed:\n{result.stderr[-2000:]}")
    epochs = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    # The checkpoint predict loads: the lowest val_loss, ties to the later epoch.
    best = min(reversed(epochs), key=lambda record: record["val_loss"])
    return best, seconds


def baseline(project: Path, data: Path, task: str) -> float:
    """The scikit-learn baseline's held-out metric, on the project's own split."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    sys.path.insert(0, str(project / "src"))
    try:
        module = importlib.import_module(f"{project.name}.data")
    finally:
        sys.path.pop(0)
    train_set, held_out = module.split(module.load(data), seed=0)
    x_train, x_val = (part.x.reshape(len(part.x), -1) for part in (train_set, held_out))
    if task == "classification":
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        model.fit(x_train, train_set.y)
        return float((model.predict(x_val) == held_out.y).mean())
    model = make_pipeline(StandardScaler(), Ridge())
    model.fit(x_train, train_set.y.ravel())
    return float(np.abs(model.predict(x_val) - held_out.y.ravel()).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", nargs="+", default=["torch", "tensorflow"])
    parser.add_argument("--only", nargs="+", default=None, help="data set names")
    parser.add_argument("--templates", type=Path, default=None, help="(default: fwpick's)")
    parser.add_argument(
        "--train-args", default="", help="more train options, to try other settings"
    )
    parser.add_argument(
        "--write",
        metavar="MACHINE",
        default=None,
        help="also write the table into the generated README's partial, describing the "
        "machine as MACHINE (e.g. 'a 2-core x86_64 CPU, torch 2.13, TensorFlow 2.21')",
    )
    args = parser.parse_args(argv)
    root = args.templates or templates_root()
    cases = [case for case in CASES if args.only is None or case.name in args.only]
    header = ["data set", "what", "metric", "baseline"]
    for framework in args.frameworks:
        header += [framework, f"{framework} s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    print("\n".join(lines))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for case in cases:
            data = case.write(folder)
            first = render(folder, args.frameworks[0], case.task, case.input, root)
            score = baseline(first, data, case.task)
            metric = "val_accuracy" if case.task == "classification" else "val_mae"
            row = [case.name, case.kind, metric, f"{score:.3f}"]
            for framework in args.frameworks:
                project = render(folder, framework, case.task, case.input, root)
                out = folder / "runs" / framework / case.name.replace(" ", "_")
                best, seconds = train(project, data, out, args.train_args.split())
                row += [f"{best[metric]:.3f}", f"{seconds:.1f}"]
            lines.append("| " + " | ".join(row) + " |")
            print(lines[-1], flush=True)
    if args.write:
        README_PARTIAL.write_text("\n".join(lines) + "\n" + NOTE.format(machine=args.write))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
