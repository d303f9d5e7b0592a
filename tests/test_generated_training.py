"""The generated twins' training, checkpoints and exports meet mistakes with one line (issue 19).

A catalogue of cases, run in both twins of each task by the session's driver (one
process per project, tests/matrix.py): bad options are usage errors (exit 2), a loss
that stops being finite ends the run (exit 1), a checkpoint that is not the project's
own is refused in one line (exit 1) by `--resume`, predict and export, and an export
that cannot be written says so. Each case checks the exit code, one line on stderr, no
traceback, the user's files byte-identical and strict JSON in the run folder. Then real
SIGINT, SIGTERM and SIGHUP reach a training process mid-run, and `--resume` goes on
from what it kept, with the command it printed.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import need
from matrix import Matrix, matrix_group, probe

pytestmark = [pytest.mark.slow, pytest.mark.torch, pytest.mark.tensorflow]

# Runs each case as `python -m demo.COMMAND ARGS` would (runpy is what -m uses) and
# records what a user would see: the exit code, stderr, a traceback if one escaped, and
# whether the files the case names are unchanged and the run folder's JSON is strict.
CASES = r"""
import contextlib, hashlib, io, json, os, pickle, runpy, sys, traceback, zipfile
from pathlib import Path
from demo import config

SUFFIX = Path(config.CHECKPOINT_NAME).suffix
TORCH = SUFFIX == ".pt"


def strict(text):
    def refuse(constant):
        raise ValueError(constant)
    return json.loads(text, parse_constant=refuse)


def json_ok(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return True
    try:
        for path in folder.iterdir():
            if path.suffix == ".json":
                strict(path.read_text())
            elif path.suffix == ".jsonl":
                [strict(line) for line in path.read_text().splitlines()]
    except ValueError:
        return False
    return True


def digest(paths):
    found = {}
    for path in map(Path, paths):
        for file in sorted([path] if path.is_file() else path.rglob("*") if path.is_dir() else []):
            if file.is_file():
                found[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def run(command, argv):
    sys.argv = [f"demo/{command}.py", *argv]
    err, code, trace = io.StringIO(), 0, None
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            runpy.run_module(f"demo.{command}", run_name="__main__", alter_sys=True)
        except SystemExit as stop:
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        except BaseException:
            trace, code = traceback.format_exc(), None
    return code, err.getvalue(), trace


results = {}


def case(name, command, argv, *, files=(), out=None):
    before = digest(files)
    code, err, trace = run(command, argv)
    results[name] = {
        "code": code, "stderr": err, "traceback": trace,
        "same": digest(files) == before, "json": json_ok(out) if out else True,
    }


class RunsCode:  # unpickling it would run a command: weights_only and safe mode refuse it
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


# A good run to take checkpoints from.
assert run("train", ["--epochs", "2", "--device", "cpu", "--out", "good"])[0] == 0
good = Path("good") / config.CHECKPOINT_NAME

# Options: usage errors, exit 2.
for name, argv in {
    "lr nan": ["--lr", "nan"], "lr -1": ["--lr", "-1"], "lr inf": ["--lr", "inf"],
    "lr 0": ["--lr", "0"], "lr 1e999": ["--lr", "1e999"], "lr word": ["--lr", "fast"],
    "clip nan": ["--clip-grad", "nan"], "clip -1": ["--clip-grad", "-1"],
    "epochs 0": ["--epochs", "0"], "epochs 1.5": ["--epochs", "1.5"],
    "batch 0": ["--batch-size", "0"], "max steps 0": ["--max-steps", "0"],
    "seed -1": ["--seed", "-1"], "seed 2**32": ["--seed", str(2**32)],
    "out is a file": ["--out", "good/config.json"],
    "resume nowhere": ["--resume", "nowhere"],
}.items():
    case(f"train {name}", "train", [*argv, "--device", "cpu"], files=["good"])
case("predict seed -1", "predict", ["--checkpoint", str(good), "--seed", "-1"], files=["good"])

# A loss that stops being finite: exit 1, nothing kept from it, the run folder valid JSON.
diverges = "train lr 1e30 diverges"
case(diverges, "train", ["--lr", "1e30", "--device", "cpu", "--out", "nan-run"], out="nan-run")
results[diverges]["status"] = strict(Path("nan-run/summary.json").read_text())["status"]
results[diverges]["best"] = (Path("nan-run") / config.CHECKPOINT_NAME).exists()

# Checkpoints that are not the project's own, for --resume, predict and export.
Path("bad").mkdir()
real = good.read_bytes()
makers = {
    "missing": None,
    "empty": b"",
    "truncated": real[: len(real) // 3],
    "text": b'{"weights": [1, 2, 3]}\n',
    "crafted pickle": pickle.dumps(RunsCode()),
    "folder": "folder",
}
if TORCH:  # the other framework's checkpoint: a .keras zip
    keras_zip = io.BytesIO()
    with zipfile.ZipFile(keras_zip, "w") as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    makers["foreign framework"] = keras_zip.getvalue()
    import torch
    crafted = io.BytesIO()
    torch.save({"model_state": RunsCode()}, crafted)
    makers["crafted torch file"] = crafted.getvalue()
else:  # a torch file: a zip with the pickle torch.load reads
    torch_zip = io.BytesIO()
    with zipfile.ZipFile(torch_zip, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"model_state": {}}))
    makers["foreign framework"] = torch_zip.getvalue()
    import keras
    inputs = keras.Input((2,))
    lambda_model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    lambda_model.compile(optimizer="sgd", loss="mse")
    lambda_model.save("bad/lambda.keras")
    makers["crafted keras lambda"] = Path("bad/lambda.keras").read_bytes()

for kind, content in makers.items():
    run_folder = Path("bad") / kind.replace(" ", "-")
    run_folder.mkdir()
    target = run_folder / config.LAST_CHECKPOINT_NAME
    if content == "folder":
        target.mkdir()
    elif content is not None:
        target.write_bytes(content)
    (run_folder / "config.json").write_text("{}")  # what a user's folder may hold
    if target.exists():
        case(f"resume {kind}", "train", ["--resume", str(run_folder), "--device", "cpu"],
             files=[run_folder], out=run_folder)
    case(f"predict {kind}", "predict", ["--checkpoint", str(target), "--device", "cpu"],
         files=[run_folder])
    if Path(os.environ["FWPICK_TEST_PROJECT"], "src/demo/export.py").exists():
        case(f"export {kind}", "export", ["--checkpoint", str(target), "--out", "exported"],
             files=[run_folder])

# Exports that cannot be written: one line, the checkpoint untouched.
if Path(os.environ["FWPICK_TEST_PROJECT"], "src/demo/export.py").exists():
    Path("blocked").write_text("a file where the folder would go\n")
    case("export under a file", "export", ["--checkpoint", str(good), "--out", "blocked/out"],
         files=["good", "blocked"])
    if os.geteuid() != 0:  # root writes into read-only folders anyway
        Path("read-only").mkdir()
        Path("read-only").chmod(0o555)
        case("export read-only", "export", ["--checkpoint", str(good), "--out", "read-only"],
             files=["good"])
results["__pwned__"] = Path("PWNED").exists()
print(json.dumps(results))
"""
probe("training catalogue", CASES)

# Real signals to a real training process: it finishes its step, keeps `last`, exits
# 128 + the signal's number with one line, and the command it prints resumes the run.
SIGNALS = r"""
import contextlib, io, json, os, re, runpy, shlex, signal, subprocess, sys, time
from pathlib import Path
from demo import config

results = {}
for name in ("SIGINT", "SIGTERM", "SIGHUP"):
    out = Path(name)
    argv = ["--epochs", "400", "--batch-size", "8", "--device", "cpu", "--out", str(out)]
    child = subprocess.Popen([sys.executable, "-m", "demo.train", *argv],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (out / config.LAST_CHECKPOINT_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # into a later epoch
    child.send_signal(getattr(signal, name))
    _, stderr = child.communicate(timeout=300)
    lines = [line for line in stderr.splitlines()
             if not re.match(r"(WARNING: All log messages before absl|[IWE]\d{4} )", line)]
    metrics = (out / "metrics.jsonl").read_text().splitlines()
    summary = json.loads((out / "summary.json").read_text())
    command = lines[-1].split("go on with: ", 1)[-1] if lines else ""
    words = shlex.split(command)
    resumed = None
    if words[:3] == ["python", "-m", "demo.train"]:
        words[words.index("--epochs") + 1] = str(len(metrics) + 1)  # one more epoch, not 400
        sys.argv = ["demo/train.py", *words[3:]]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                runpy.run_module("demo.train", run_name="__main__", alter_sys=True)
            except SystemExit as stop:
                resumed = stop.code
        resumed = {"code": resumed, "stdout": printed.getvalue(),
                   "metrics": (out / "metrics.jsonl").read_text().splitlines()}
    results[name] = {"code": child.returncode, "lines": lines, "epochs_kept": len(metrics),
                     "status": summary["status"], "resumed": resumed}
print(json.dumps(results))
"""
probe("training signals", SIGNALS, tasks=("regression",))

TWINS = [
    pytest.param(fw, task, marks=[matrix_group(task), need(fw)], id=f"{fw}-{task}")
    for task in ("regression", "classification")
    for fw in ("torch", "tensorflow")
]
USAGE = re.compile(r"^train\.py: error: argument --|^predict\.py: error: argument --|: error: --")


def one_line(stderr: str) -> str:
    """The single line a case printed after any usage text; fails on more."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if lines and lines[0].startswith("usage: "):  # argparse prints its usage first
        lines = [line for line in lines if not line.startswith((" ", "usage: "))]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(("framework", "task"), TWINS)
def test_every_case_is_one_line_and_its_exit_code(
    matrix: Matrix, framework: str, task: str
) -> None:
    results = json.loads(matrix.twin(framework, task).probe("training catalogue"))
    assert results.pop("__pwned__") is False  # no crafted file ran its code
    for name, result in results.items():
        assert result["traceback"] is None, (name, result["traceback"])
        assert result["same"], f"{name}: the user's files changed"
        assert result["json"], f"{name}: the run folder holds a file that is not strict JSON"
        line = one_line(result["stderr"])
        assert "Traceback" not in result["stderr"], name
        usage = name.startswith(("train ", "predict seed")) or name == "resume folder"
        if usage and "diverges" not in name:  # a folder where the checkpoint goes: usage too
            assert result["code"] == 2, (name, result)
            assert USAGE.search(line), (name, line)
        elif "diverges" in name:
            assert result["code"] == 1, (name, result)
            assert re.match(r"error: the training loss is (nan|-?inf) at epoch 1, step \d+: ", line)
            assert "--lr" in line and line.endswith("no checkpoint was written"), line
            assert result["status"] == "diverged" and result["best"] is False
        else:
            assert result["code"] == 1, (name, result)
            assert line.startswith("error: "), (name, line)
            if not name.startswith("export under") and not name.startswith("export read"):
                assert "expected a " in line and "written by `python -m demo.train`" in line, line
    expected = 18 + 1 + 6 * 3 + 2 * 3 - 1  # options, divergence, bad checkpoints x commands
    assert len(results) >= expected - 12, sorted(results)  # export cases only where it exists


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param(fw, marks=[matrix_group("regression"), need(fw)])
        for fw in ("torch", "tensorflow")
    ],
)
def test_a_real_signal_keeps_last_and_the_printed_command_resumes(
    matrix: Matrix, framework: str
) -> None:
    results = json.loads(matrix.twin(framework, "regression").probe("training signals"))
    for name, code in {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129}.items():
        result = results[name]
        assert result["code"] == code, (name, result)
        (line,) = result["lines"]
        kept = result["epochs_kept"]
        assert kept >= 1, result
        assert line.startswith(f"interrupted by {name} in epoch {kept + 1}: "), line
        assert f"keeps epoch {kept}; go on with: python -m demo.train --resume {name} " in line
        assert result["status"] == "interrupted"
        resumed = result["resumed"]
        assert resumed["code"] in (0, None), resumed
        assert f"resumed {name} after epoch {kept}" in resumed["stdout"]
        epochs = [json.loads(row)["epoch"] for row in resumed["metrics"]]
        assert epochs == list(range(1, kept + 2)), epochs
