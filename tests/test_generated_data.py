"""The generated projects meet messy data: a catalogue of bad inputs, in both twins.

Issue 19 (item 1) and issue 20: every mistake in a user's data is one line naming the
file, the line or the image and what is wrong, exit code 1, no traceback, the same
message in both twins, and the user's files untouched. A few cases that must succeed
(a byte-order mark, 16-bit images, mixed image sizes) check what was loaded.

The case files are written once into one folder that both twins read, so their messages
are compared exactly. Each project runs every case in one driver process (one framework
import), calling the command's main() as `python -m PKG.COMMAND` would; one case per
project also runs as a real process, to prove the exit code and stderr of the real thing.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fwpick.generate.names import project_name
from fwpick.generate.render import ProjectSpec, plan, stage

pytestmark = [pytest.mark.slow]
FRAMEWORKS = ("torch", "tensorflow")
KINDS = {  # project kind -> (task, input)
    "tabular": ("classification", "tabular"),
    "regression": ("regression", "tabular"),
    "images": ("classification", "images"),
}


def png(pixels: np.ndarray, *, width: int | None = None, height: int | None = None) -> bytes:
    """A grey-scale 8-bit PNG; `width`/`height` may claim another size than the pixels."""
    h, w = pixels.shape
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels.astype(np.uint8))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width or w, height or h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


GREY = np.full((16, 16), 128, np.uint8)
NOISE = np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(np.uint8)
SMALL = np.full((8, 8), 128, np.uint8)


@dataclass(frozen=True)
class Case:
    """One input: what to write, the command, and what must come out."""

    name: str
    kind: str
    write: Callable[[Path], list[str]]  # writes into a folder; returns the argv after COMMAND
    message: str  # in the one line; "" for a case that must succeed
    command: str = "train"
    code: int = 1


def csv(text: str | bytes, name: str = "rows.csv") -> Callable[[Path], list[str]]:
    def write(where: Path) -> list[str]:
        path = where / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return ["--data", str(path)]

    return write


def npz(**arrays: Any) -> Callable[[Path], list[str]]:
    def write(where: Path) -> list[str]:
        np.savez(where / "data.npz", **arrays)
        return ["--data", str(where / "data.npz")]

    return write


def raw(name: str, content: bytes) -> Callable[[Path], list[str]]:
    def write(where: Path) -> list[str]:
        (where / name).write_bytes(content)
        return ["--data", str(where / name)]

    return write


def images(files: dict[str, bytes]) -> Callable[[Path], list[str]]:
    def write(where: Path) -> list[str]:
        return ["--data", str(folder(where / "photos", files))]

    return write


def symlink_loop(where: Path) -> list[str]:
    folder(where / "photos", {"a/1.png": png(GREY), "b/1.png": png(GREY)})
    os.symlink("loop.png", where / "photos" / "b" / "loop.png")  # a link to itself
    return ["--data", str(where / "photos")]


def empty_folder(where: Path) -> list[str]:
    (where / "photos").mkdir()
    return ["--data", str(where / "photos")]


def pickled(where: Path) -> list[str]:
    np.savez(where / "data.npz", x=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    return ["--data", str(where / "data.npz")]


def truncated(where: Path) -> list[str]:
    np.savez(where / "full.npz", x=np.zeros((20, 4)), y=np.arange(20) % 2)
    (where / "data.npz").write_bytes((where / "full.npz").read_bytes()[:300])
    (where / "full.npz").unlink()
    return ["--data", str(where / "data.npz")]


def predict_on(data: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    """predict with the checkpoint the `trained` case wrote (the synthetic data's model)."""

    def write(where: Path) -> list[str]:
        checkpoint = where.parent / "trained" / "run"
        return [*data(where), "--checkpoint", str(checkpoint), "--device", "cpu"]

    return write


def sixteen_bit(where: Path) -> list[str]:
    from PIL import Image

    ramp = (np.arange(64, dtype=np.uint16) * 1000).reshape(8, 8)
    for name in ("a", "b"):
        (where / "photos" / name).mkdir(parents=True)
        Image.fromarray(ramp).save(where / "photos" / name / "1.png")
    return ["--data", str(where / "photos")]


ROWS = "".join(f"{i},{i % 3},{'abc'[i % 2]}\n" for i in range(12))
NUMBERS = "".join(f"{i},{i % 3},{i * 2}\n" for i in range(12))
CASES = [
    # CSV files, read by data._read_csv in all three kinds of project.
    *(
        case
        for kind, rows in (("tabular", ROWS), ("regression", NUMBERS))
        for case in (
            Case(
                "nan cell",
                kind,
                csv(rows + "1,nan,a\n"),
                "line 13, column 2: nan is not a finite number",
            ),
            Case(
                "inf cell",
                kind,
                csv(rows + "inf,1,a\n"),
                "line 13, column 1: inf is not a finite number",
            ),
            Case(
                "string cell",
                kind,
                csv(rows + "1,x2,a\n"),
                "line 13, column 2: 'x2' is not a number",
            ),
            Case("ragged row", kind, csv(rows + "1,2\n"), "line 13 has 2 columns, the first row 3"),
            Case("empty file", kind, csv(""), "no data rows"),
            Case("header only", kind, csv("a,b,label\n"), "no data rows"),
            Case("one column", kind, csv("1\n2\n"), "one column; needs the input columns"),
            Case(
                "latin-1 header",
                kind,
                csv("caf\xe9,b,y\n".encode("latin-1") + rows.encode()),
                "not UTF-8 text (byte 0xe9 at offset 3)",
            ),
            Case(
                "one row",
                kind,
                csv(rows.splitlines()[0] + "\n"),
                "1 data row; training needs at least 2",
            ),
            Case("bom without header", kind, csv(b"\xef\xbb\xbf" + rows.encode()), ""),
            Case(
                "missing file",
                kind,
                lambda where: ["--data", str(where / "nope.csv")],
                "no such file",
            ),
            Case(
                "a folder",
                kind,
                lambda where: ["--data", str(where)],
                "a folder; give a .csv or .npz file",
            ),
            Case("unsupported suffix", kind, raw("rows.txt", b"1,2,3\n"), "unsupported data file"),
            Case(
                "npz without y",
                kind,
                npz(x=np.zeros((4, 2))),
                "needs arrays named 'x' and 'y' (found: x)",
            ),
            Case(
                "npz pickled", kind, pickled, "holds Python objects (pickled), which are not loaded"
            ),
            Case("npz truncated", kind, truncated, "not a readable .npz file"),
            Case(
                "npz all nan",
                kind,
                npz(x=np.full((4, 2), np.nan), y=np.arange(4) % 2),
                "x[0]: nan is not a finite number",
            ),
            Case("npz no rows", kind, npz(x=np.zeros((0, 2)), y=np.zeros(0)), "x has no rows"),
            Case(
                "npz strings as x",
                kind,
                npz(x=np.array([["a", "b"], ["c", "d"]]), y=np.arange(2)),
                "x holds <U1 values; it must hold numbers",
            ),
            Case(
                "npz 3-d x",
                kind,
                npz(x=np.zeros((4, 2, 2)), y=np.arange(4) % 2),
                "expected x of shape (N, features), got (4, 2, 2)",
            ),
        )
    ),
    Case(
        "label 7.5",
        "tabular",
        csv(NUMBERS + "1,2,7.5\n"),
        "line 13: the label 7.5 is not a whole number",
    ),
    Case(
        "one class",
        "tabular",
        csv("1,2,a\n3,4,a\n"),
        "every label is 'a'; a classifier needs 2 classes or more",
    ),
    Case("empty label", "tabular", csv("1,2,a\n3,4,\n5,6,b\n"), "line 2: the label is empty"),
    Case(
        "too many classes",
        "tabular",
        csv("".join(f"{i},{i}\n" for i in range(1500))),
        "1500 distinct labels (more than 1000)",
    ),
    Case(
        "string target",
        "regression",
        csv(NUMBERS + "1,2,high\n"),
        "line 13: target 'high' is not a number",
    ),
    Case(
        "nan target",
        "regression",
        csv(NUMBERS + "1,2,nan\n"),
        "line 13, column 1: nan is not a finite number",
    ),
    Case(
        "npz two targets",
        "regression",
        npz(x=np.zeros((4, 2)), y=np.zeros((4, 2))),
        "expected one target per row, got y of shape (4, 2)",
    ),
    # Image folders, read by images.py; and image .npz files.
    Case("empty folder", "images", empty_folder, "at least 2 classes; found none"),
    Case(
        "class without images",
        "images",
        images({"a/1.png": png(GREY), "b/notes.txt": b"x"}),
        "found a (1), b (0)",
    ),
    Case(
        "one class folder", "images", images({"a/1.png": png(GREY)}), "least 2 classes; found a (1)"
    ),
    Case(
        "corrupt png",
        "images",
        images({"a/1.png": png(GREY), "b/1.png": b"\x89PNG\r\n\x1a\nnot really"}),
        "b/1.png: not an image Pillow can read",
    ),
    Case(
        "zero-byte png",
        "images",
        images({"a/1.png": png(GREY), "b/1.png": b""}),
        "b/1.png: not an image Pillow can read",
    ),
    Case(
        "truncated png",
        "images",
        images({"a/1.png": png(GREY), "b/1.png": png(NOISE)[:120]}),
        "b/1.png: cannot decode it",
    ),
    Case(
        "symlink loop",
        "images",
        symlink_loop,
        "loop.png: cannot read it (Too many levels of symbolic links)",
    ),
    Case(
        "decompression bomb",
        "images",
        images(
            {
                "a/1.png": png(GREY),
                "b/1.png": png(GREY),
                "b/2.png": png(SMALL, width=10000, height=10000),
            }
        ),
        "b/2.png: more pixels than Pillow's limit of 89478485",
    ),
    Case("16-bit png", "images", sixteen_bit, ""),
    Case(
        "mixed sizes",
        "images",
        images({"a/1.png": png(GREY), "a/2.png": png(SMALL), "b/1.png": png(GREY)}),
        "",
    ),
    Case(
        "label -1 with classes",
        "images",
        npz(x=np.zeros((4, 8, 8)), y=np.array([0, 1, -1, 0]), classes=np.array(["a", "b"])),
        "y[2]: the label -1 is not a class index 0..1",
    ),
    Case(
        "label 1e9 with classes",
        "images",
        npz(x=np.zeros((4, 8, 8)), y=np.array([0, 1, 10**9, 0]), classes=np.array(["a", "b"])),
        "y[2]: the label 1000000000 is not a class index 0..1",
    ),
    Case(
        "npz 5-d x",
        "images",
        npz(x=np.zeros((4, 8, 8, 3, 1)), y=np.arange(4) % 2),
        "expected x of shape (N, height, width[, 1 or 3])",
    ),
    Case(
        "too small for the model",
        "images",
        npz(x=np.zeros((4, 2, 2)), y=np.arange(4) % 2),
        "images of 2x2 pixels are too small for the CNN",
    ),
    Case(
        "16-bit npz out of range",
        "images",
        npz(x=np.full((4, 8, 8), 70000.0), y=np.arange(4) % 2),
        "pixel values go from 70000.0 to 70000.0",
    ),
]
# predict: the checkpoint trained by the `trained` case (synthetic data, defaults).
TRAINED = {kind: Case("trained", kind, lambda where: ["--epochs", "1"], "") for kind in KINDS}
PREDICT = [
    Case(
        "predict: other image size",
        "images",
        predict_on(images({"x/1.png": png(SMALL)})),
        "8x8 pixels, but the model was trained on 16x16 images",
        "predict",
    ),
    Case(
        "predict: other columns",
        "tabular",
        predict_on(csv("1,2,3,4\n")),
        "the model takes 8 input columns (plus the target when training), found 4",
        "predict",
    ),
    Case(
        "predict: nan",
        "regression",
        predict_on(csv("1,nan\n")),
        "line 1, column 2: nan is not a finite number",
        "predict",
    ),
]

DRIVER = """
import contextlib, importlib, io, json, sys, traceback
cases, report = json.load(open(sys.argv[1])), sys.argv[2]
results = {}
for case in cases:
    module = importlib.import_module(case["package"] + "." + case["command"])
    err, code, trace = io.StringIO(), None, None
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = module.main(case["argv"])
    except SystemExit as stop:  # what python -m would exit with, and print
        code = 1 if isinstance(stop.code, str) else (stop.code or 0)
        if isinstance(stop.code, str):
            err.write(stop.code + "\\n")
    except BaseException:
        trace = traceback.format_exc()
    results.setdefault(case["kind"], {})[case["name"]] = {
        "code": code, "stderr": err.getvalue(), "traceback": trace
    }
json.dump(results, open(report, "w"))
"""


def digest(root: Path) -> dict[str, str]:
    """Every file under `root` (links not followed) and a hash of its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[str(path)] = "link:" + os.readlink(path)
        elif path.is_file():
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class Catalogue:
    """Each kind's cases, written once, and each twin's results."""

    root: Path
    argv: dict[tuple[str, str], list[str]]  # (kind, case) -> argv
    before: dict[str, str]
    results: dict[tuple[str, str], dict[str, Any]]  # (framework, kind) -> results
    projects: dict[tuple[str, str], Path]


def cases_of(kind: str) -> list[Case]:
    return [TRAINED[kind], *(case for case in [*CASES, *PREDICT] if case.kind == kind)]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    root = tmp_path_factory.mktemp("catalogue")
    argv: dict[tuple[str, str], list[str]] = {}
    for kind in KINDS:
        for case in cases_of(kind):
            where = root / "cases" / kind / case.name.replace(" ", "_").replace(":", "")
            where.mkdir(parents=True)
            argv[(kind, case.name)] = case.write(where)
    before = digest(root / "cases")
    results: dict[tuple[str, str], dict[str, Any]] = {}
    projects: dict[tuple[str, str], Path] = {}
    for framework in FRAMEWORKS:
        if not _installed(framework):
            continue
        # One driver process per framework runs the cases of its three projects (three
        # packages side by side on its path): the framework is imported once, not thrice.
        cases = []
        for kind, (task, data_input) in KINDS.items():
            package = f"{kind}_{framework}"
            project = root / "projects" / package
            spec = ProjectSpec(
                name=project_name(package), framework=framework, task=task, input=data_input
            )
            stage(plan(spec), project)
            projects[(framework, kind)] = project
            for case in cases_of(kind):
                case_argv = list(argv[(kind, case.name)])
                if case.command == "train":
                    out = root / "runs" / framework / kind / case.name.replace(" ", "_")
                    if case.name == "trained":  # where the predict cases find it
                        out = root / "cases" / kind / "trained" / "run"
                    case_argv += ["--device", "cpu", "--out", str(out)]
                    if case.name != "trained":
                        case_argv += ["--epochs", "1"]
                else:
                    checkpoint = case_argv.index("--checkpoint") + 1
                    name = "best.pt" if framework == "torch" else "best.keras"
                    case_argv[checkpoint] = str(Path(case_argv[checkpoint]) / name)
                cases.append(
                    {
                        "kind": kind,
                        "package": package,
                        "name": case.name,
                        "command": case.command,
                        "argv": case_argv,
                    }
                )
        driven = root / "projects" / f"driver-{framework}"
        driven.mkdir()
        (driven / "cases.json").write_text(json.dumps(cases))
        path = os.pathsep.join(str(projects[(framework, kind)] / "src") for kind in KINDS)
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, "cases.json", "results.json"],
            cwd=driven,
            env={**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "2"},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        for kind, found in json.loads((driven / "results.json").read_text()).items():
            results[(framework, kind)] = found
    if not results:
        pytest.skip("neither torch nor tensorflow is installed")
    return Catalogue(root, argv, before, results, projects)


def _installed(framework: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(framework) is not None


ALL = [*CASES, *PREDICT]


@pytest.mark.parametrize("case", ALL, ids=[f"{case.kind}: {case.name}" for case in ALL])
def test_each_bad_input_is_one_line_and_exit_1_in_both_twins(
    catalogue: Catalogue, case: Case
) -> None:
    messages = {}
    for framework in FRAMEWORKS:
        if (framework, case.kind) not in catalogue.results:
            continue
        result = catalogue.results[(framework, case.kind)][case.name]
        assert result["traceback"] is None, f"{framework}: {result['traceback']}"
        lines = result["stderr"].strip().splitlines()
        if not case.message:
            assert result["code"] == 0, f"{framework}: {result['stderr']}"
            continue
        assert result["code"] == case.code, f"{framework}: {result}"
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{framework}: {lines}"
        assert case.message in lines[0], f"{framework}: {lines[0]}"
        messages[framework] = lines[0]
    assert len(set(messages.values())) <= 1, messages  # the same words in both twins


def test_the_users_files_are_byte_identical_afterwards(catalogue: Catalogue) -> None:
    after = digest(catalogue.root / "cases")
    created = {path for path in after if "/trained/run/" in path}
    assert {path: after[path] for path in after if path not in created} == catalogue.before


def test_what_loaded_is_right_and_the_run_folders_hold_valid_json(catalogue: Catalogue) -> None:
    for (framework, kind), _ in catalogue.results.items():
        runs = catalogue.root / "runs" / framework / kind
        for path in runs.rglob("*.json"):
            json.loads(path.read_text())  # a failure at load leaves no run folder at all
        for path in runs.rglob("*.jsonl"):
            for line in path.read_text().splitlines():
                json.loads(line)
        if kind == "images":
            spec = json.loads((runs / "16-bit_png" / "data.json").read_text())
            assert spec["input_shape"] == [8, 8, 1]
            mixed = json.loads((runs / "mixed_sizes" / "data.json").read_text())
            assert mixed["input_shape"] == [16, 16, 1] and mixed["resized"]  # most common size
        else:  # all 12 rows: the byte-order mark did not turn the first into a header
            summary = json.loads((runs / "bom_without_header" / "summary.json").read_text())
            assert summary["samples"] == 10  # 12 rows, 2 held out, 1 epoch


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_real_process_prints_one_line_and_exits_1(catalogue: Catalogue, framework: str) -> None:
    if (framework, "tabular") not in catalogue.projects:
        pytest.skip(f"{framework} is not installed")
    project = catalogue.projects[(framework, "tabular")]
    data = catalogue.argv[("tabular", "nan cell")][1]
    done = subprocess.run(
        [sys.executable, "-m", project.name + ".train", "--data", data, "--device", "cpu"],
        cwd=catalogue.root,
        env={**os.environ, "PYTHONPATH": str(project / "src"), "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    # (TensorFlow's C++ start-up lines may come first; they are not ours to silence.)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert errors == [f"error: {data}: line 13, column 2: nan is not a finite number"]
    assert not (catalogue.root / "runs" / "latest").exists()


# Issue 20: the project's own tests check behaviour, so a user who swaps the model keeps
# them green. An MLP replaces the CNN (it trains fine on these images, as on digits).
SWAPS = {
    "torch": '''

def build_model(spec: data.Spec = data.SYNTHETIC) -> nn.Module:
    """Swapped in by fwpick's test: an MLP instead of the CNN."""
    height, width, channels = spec.input_shape
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(height * width * channels, 64),
        nn.ReLU(),
        nn.Linear(64, spec.num_classes),
    )
''',
    "tensorflow": '''

def build_model(spec: data.Spec = data.SYNTHETIC) -> keras.Model:
    """Swapped in by fwpick's test: an MLP instead of the CNN."""
    return keras.Sequential(
        [
            keras.Input(shape=spec.input_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(spec.num_classes, name="logits"),
        ]
    )
''',
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_swapped_model_keeps_the_projects_own_tests_green(tmp_path: Path, framework: str) -> None:
    if not _installed(framework):
        pytest.skip(f"{framework} is not installed")
    spec = ProjectSpec(
        name=project_name("swapped"), framework=framework, task="classification", input="images"
    )
    stage(plan(spec), tmp_path / "swapped")
    model = tmp_path / "swapped" / "src" / "swapped" / "model.py"
    model.write_text(model.read_text() + SWAPS[framework])  # the later build_model wins
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"],
        cwd=tmp_path / "swapped",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "swapped" / "src")},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
