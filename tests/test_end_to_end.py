"""Generate every framework x task with fwpick, then run the project's own tests and commands.

These use the real frameworks in child processes; without one, its tests skip with a reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import need, run_fwpick
from matrix import DEPLOYMENTS, Matrix, commands_probe, matrix_group

from fwpick.smoke.run import run_smoke

pytestmark = pytest.mark.slow
FRAMEWORK_MARKS = {
    "torch": [pytest.mark.torch, need("torch")],
    "tensorflow": [pytest.mark.tensorflow, need("tensorflow")],
}
# The matrix renders each framework x task with a deployment (tests/matrix.py); the
# README test runs torch-regression-browser and tensorflow-classification-server further
# (distributed runs, exports, every command block).
CASES = [
    pytest.param(
        framework,
        task,
        marks=[*FRAMEWORK_MARKS[framework], matrix_group(task)],
        id=f"{framework}-{task}-{DEPLOYMENTS[framework, task]}",
    )
    for framework, task in DEPLOYMENTS
]
# `python -m demo.train` and `python -m demo.predict` as the README has them, run once
# in each twin's driver.
commands_probe(
    "end_to_end",
    [
        ["train", "--epochs", "1", "--device", "cpu", "--out", "run"],
        ["predict", "--checkpoint", "glob:run/best.*", "--limit", "3", "--device", "cpu"],
    ],
)


@pytest.mark.parametrize(("framework", "task"), CASES)
def test_generated_project_passes_its_smoke_its_tests_and_trains(
    matrix: Matrix, framework: str, task: str
) -> None:
    twin = matrix.twin(framework, task)
    document = twin.document
    smoke = document["smoke"]
    assert isinstance(smoke, dict)
    assert smoke["status"] == "passed", smoke
    assert smoke["framework"] == framework and smoke["device"]["type"] == "cpu"
    assert smoke["loss_last"] < smoke["loss_first"]
    assert smoke["checkpoint_roundtrip"] is True
    assert smoke["export_roundtrip"] is (True if twin.deployment != "none" else None)

    tests = twin.suite()
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout

    commands = iter(twin.commands("end_to_end").values())
    trained = next(commands)
    assert trained["code"] == 0, str(trained["stderr"])[-3000:]
    out = twin.probe_folder("end_to_end") / "run"
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert metrics[0]["epoch"] == 1 and "val_loss" in metrics[0]
    # summary.json: the interface `fwpick bench` reads (see the generated README).
    summary = json.loads((out / "summary.json").read_text())
    assert summary["framework"] == framework and summary["task"] == task
    assert summary["device"]["type"] == "cpu"
    assert set(summary["seconds"]) == {"import", "first_step", "train", "total"}
    assert summary["samples_per_second"] > 0 and summary["steps"] > 0
    assert summary["metrics"]["val_loss"] == metrics[-1]["val_loss"]
    assert any(path.name.startswith("best.") for path in out.iterdir())
    predicted = next(commands)
    assert predicted["code"] == 0, str(predicted["stderr"])[-3000:]
    rows = [json.loads(line) for line in str(predicted["stdout"]).strip().splitlines()]
    assert len(rows) == 3
    assert ("prediction" in rows[0]) if task == "regression" else ("class" in rows[0])


@pytest.fixture(scope="module")
def torch_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("smoke")
    created = run_fwpick(
        "new", "demo", "-f", "torch", "--dir", str(parent), "--no-smoke", "--no-git"
    )
    assert created.returncode == 0, created.stderr
    return parent / "demo"


# Appended to a copy of a generated project: `auto` and `cuda` then pick a GPU that fails
# at its first kernel (as a too-old driver would) or while training (as running out of
# memory would). The generated code has no test hooks; the test brings its own.
FAILING_GPU_DEVICE = """

_FAKE_GPU = object()
_real_pick, _real_prove, _real_describe = pick_device, prove_device, describe


def pick_device(requested="auto"):
    return _real_pick(requested) if requested == "cpu" else _FAKE_GPU


def prove_device(device):
    if device is not _FAKE_GPU:
        _real_prove(device)
    elif {stage!r} == "kernel":
        raise RuntimeError({message!r})


def describe(device):
    return {{"type": "cuda", "name": "fake"}} if device is _FAKE_GPU else _real_describe(device)
"""
FAILING_GPU_TRAIN = """

_RealLearner = Learner


class Learner(_RealLearner):
    def __init__(self, lr, picked, **kwargs):
        from . import device

        if picked is device._FAKE_GPU:
            raise RuntimeError({message!r})
        super().__init__(lr, picked, **kwargs)
"""


def with_failing_gpu(project: Path, copy: Path, stage: str, message: str) -> Path:
    """A copy of `project` whose device and train modules simulate a failing GPU."""
    shutil.copytree(project, copy)
    package = copy / "src" / "demo"
    for module, code in (("device", FAILING_GPU_DEVICE), ("train", FAILING_GPU_TRAIN)):
        path = package / f"{module}.py"
        path.write_text(path.read_text() + code.format(stage=stage, message=message))
    return copy


@pytest.mark.torch
@need("torch")
@pytest.mark.parametrize(
    ("stage", "message", "where"),
    [
        ("kernel", "no kernel image is available", "failed its first kernel"),
        ("train", "CUDA out of memory", "failed while training"),
    ],
)
def test_failing_accelerator_falls_back_to_cpu_with_exit_4(
    torch_project: Path, tmp_path: Path, stage: str, message: str, where: str
) -> None:
    project = with_failing_gpu(torch_project, tmp_path / "demo", stage, message)
    result = run_fwpick("smoke", str(project), "--json")
    assert result.returncode == 4, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "fallback"
    assert report["device"]["type"] == "cpu"
    assert report["fallback_reason"] == f"cuda {where}: RuntimeError: {message}"
    explicit = run_fwpick("smoke", str(project), "--device", "cuda", "--json")
    assert explicit.returncode == 3
    assert json.loads(explicit.stdout)["status"] == "failed"


@pytest.mark.torch
@need("torch")
def test_explicit_device_that_is_absent_fails_with_exit_3(torch_project: Path) -> None:
    result = run_fwpick("smoke", str(torch_project), "--device", "cuda", "--json")
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert report["status"] == "failed" and report["error"]


@pytest.mark.torch
@need("torch")
def test_broken_training_is_reported_as_failed_with_the_error(
    torch_project: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(torch_project), str(broken)], check=True)
    model = broken / "src/demo/model.py"
    # The model's forward pass raises (whatever its body is): training cannot succeed.
    model.write_text(
        re.sub(
            r"(\n(\s*)def forward\(self.*?:\n)",
            r"\1\2    raise RuntimeError('broken on purpose')\n",
            model.read_text(),
            count=1,
        )
    )
    assert "broken on purpose" in model.read_text()
    result = run_fwpick("smoke", str(broken))
    assert result.returncode == 3
    assert "broken on purpose" in result.stdout


def fake_project(root: Path, smoke_source: str) -> Path:
    """A minimal project whose smoke entry is `smoke_source`, for the runner's own paths.

    Its framework is `json`: any importable module passes the is-it-installed check.
    """
    (root / "src/fake").mkdir(parents=True)
    (root / "src/fake/__init__.py").write_text("")
    (root / "src/fake/smoke.py").write_text(smoke_source)
    (root / ".fwpick.toml").write_text(
        '[project]\npackage = "fake"\nframework = "json"\ntask = "regression"\n'
    )
    return root


HANG_ON_AUTO = """
import json, sys, time
if sys.argv[sys.argv.index("--device") + 1] == "auto":
    while True:  # an accelerator that never answers
        time.sleep(1)
print(json.dumps({
    "status": "passed", "framework": "json", "framework_version": "1",
    "device": {"type": "cpu", "name": "cpu"}, "steps": 2, "loss_first": 1.0, "loss_last": 0.5,
    "checkpoint_roundtrip": True, "export_roundtrip": None,
    "seconds": {"import": 0.0, "first_step": 0.0, "total": 0.1},
    "fallback_reason": None, "error": None,
}))
"""


def test_a_hanging_smoke_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    project = fake_project(tmp_path / "hang", "import time\nwhile True:\n    time.sleep(1)\n")
    result = run_fwpick(
        "smoke", str(project), "--device", "cpu", "--timeout", "3", "--json", timeout=60
    )
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert report["error"] == "timed out after 3s" and report["cause"] == "timeout"


def test_a_hang_on_auto_is_retried_on_cpu_as_a_fallback(tmp_path: Path) -> None:
    project = fake_project(tmp_path / "hang", HANG_ON_AUTO)
    result = run_fwpick("smoke", str(project), "--timeout", "3", "--json", timeout=60)
    assert result.returncode == 4, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "fallback"
    assert "hung past the 3s timeout" in report["fallback_reason"]


def test_phases_and_the_stderr_tail_reach_fwpick(tmp_path: Path) -> None:
    # A smoke entry that dies without a report: fwpick says so and shows its stderr.
    crash = (
        "import sys\n"
        "print('fwpick-phase: import', file=sys.stderr, flush=True)\n"
        "print('Traceback: something broke', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    project = fake_project(tmp_path / "crash", crash)
    result = run_fwpick("smoke", str(project), "--device", "cpu", "--json")
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert report["error"] == (
        "the smoke entry exited 1 without a report: Traceback: something broke"
    )
    assert report["stderr_tail"] == "Traceback: something broke"  # phase lines are not in it
    shown = run_fwpick("smoke", str(project), "--device", "cpu", "--verbose")
    assert "last lines of the smoke test's stderr" in shown.stdout
    assert "Traceback: something broke" in shown.stdout
    phases: list[str] = []
    run_smoke(project, device="cpu", on_phase=phases.append)
    assert phases == ["import"]


def test_smoke_of_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    result = run_fwpick("smoke", str(tmp_path))
    assert result.returncode == 1
    assert "is not a project generated by fwpick" in result.stderr


def free_ports(count: int) -> list[int]:
    """Ports on the loopback interface that nothing listens on right now."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.fixture(scope="module")
def tf_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TensorFlow regression project, rendered once for the two-worker tests."""
    folder = tmp_path_factory.mktemp("two-workers")
    rendered = run_fwpick("new", "demo", "-f", "tf", "--dir", str(folder), "--no-smoke", "--no-git")
    assert rendered.returncode == 0, rendered.stderr
    return folder / "demo"


class Workers:
    """Two training processes on this machine standing in for two machines (TF_CONFIG).

    Their output goes to files (not pipes, which a chatty TensorFlow could fill while the
    test waits), one pair per worker in `logs`; `out(index)` is each one's run folder.
    """

    def __init__(self, project: Path, logs: Path, *args: str) -> None:
        self.logs = logs
        workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
        self.processes: list[subprocess.Popen[bytes]] = []
        for index in range(2):
            tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
            command = [sys.executable, "-m", "demo.train", "--device", "cpu"]
            with (
                (logs / f"stdout{index}").open("wb") as stdout,
                (logs / f"stderr{index}").open("wb") as stderr,
            ):
                self.processes.append(
                    subprocess.Popen(
                        [*command, "--out", str(self.out(index)), *args],
                        cwd=project,
                        stdout=stdout,
                        stderr=stderr,
                        env={
                            **os.environ,
                            "PYTHONPATH": str(project / "src"),
                            "TF_CONFIG": json.dumps(tf_config),
                        },
                    )
                )

    def out(self, index: int) -> Path:
        """Worker `index`'s --out folder (only the chief, worker 0, writes into it)."""
        return self.logs / f"worker{index}"

    def stdout(self, index: int) -> str:
        """What worker `index` has printed so far."""
        return (self.logs / f"stdout{index}").read_text()

    def stderr_lines(self, index: int) -> list[str]:
        """Worker `index`'s stderr without TensorFlow's own log lines (absl, oneDNN)."""
        text = (self.logs / f"stderr{index}").read_text()
        tensorflow = re.compile(r"^(WARNING: All log messages|[IWE]\d{4} )")
        return [line for line in text.splitlines() if not tensorflow.match(line)]

    def wait(self, timeout: float) -> list[int]:
        """Both exit codes; a worker still running after `timeout` seconds fails the test."""
        deadline = time.monotonic() + timeout
        try:
            return [
                process.wait(timeout=max(deadline - time.monotonic(), 1))
                for process in self.processes
            ]
        finally:
            for process in self.processes:  # a worker stuck waiting for its peer must not linger
                process.kill()
                process.wait()


@pytest.mark.tensorflow
@need("tensorflow")
def test_tensorflow_project_trains_with_two_local_workers(tf_project: Path, tmp_path: Path) -> None:
    # Two processes on this machine stand in for two machines: TF_CONFIG names both,
    # and MultiWorkerMirroredStrategy runs the custom loop (Keras fit is broken there).
    workers = Workers(tf_project, tmp_path, "--epochs", "1")
    codes = workers.wait(timeout=300)
    assert codes == [0, 0], workers.stderr_lines(0)[-20:] + workers.stderr_lines(1)[-20:]
    # Only the chief (worker 0) prints and writes the run folder.
    assert "replicas: 2" in workers.stdout(0)
    assert workers.stdout(1) == ""
    assert (workers.out(0) / "best.keras").is_file()
    assert not (workers.out(1) / "best.keras").exists()


@pytest.mark.tensorflow
@need("tensorflow")
def test_tensorflow_two_local_workers_resume_as_if_never_stopped(
    tf_project: Path, tmp_path: Path
) -> None:
    # What a requeued SLURM job does: both workers load the same `last` (a shared run
    # folder; only the chief writes) and go on from the epoch after it, with its data.
    def two_workers(name: str, *args: str) -> Workers:
        (tmp_path / name).mkdir()
        workers = Workers(tf_project, tmp_path / name, *args)
        codes = workers.wait(timeout=300)
        assert codes == [0, 0], workers.stderr_lines(0)[-20:] + workers.stderr_lines(1)[-20:]
        return workers

    run = two_workers("first", "--epochs", "2").out(0)
    resumed = two_workers("resumed", "--epochs", "3", "--resume", str(run))
    assert "resumed " + str(run) + " after epoch 2" in resumed.stdout(0)
    assert resumed.stdout(1) == ""
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [record["epoch"] for record in history] == [1, 2, 3]
    assert json.loads((run / "summary.json").read_text())["steps"] == 3 * 26  # 819 rows / 32
    unbroken = two_workers("unbroken", "--epochs", "3").out(0)
    expected = json.loads((unbroken / "metrics.jsonl").read_text().splitlines()[-1])
    # Bit-exact in fwpick's runs (1.260632038116455 both, two CPU workers): the same
    # weights, optimizer state, batches and all-reduce order; 1e-4 leaves room for a
    # collective that sums in another order.
    assert history[-1]["val_loss"] == pytest.approx(expected["val_loss"], rel=1e-4)


@pytest.mark.tensorflow
@need("tensorflow")
def test_tensorflow_two_local_workers_stop_together_on_sigterm(
    tf_project: Path, tmp_path: Path
) -> None:
    # What a Slurm time limit does: SIGTERM to every worker of the job at once. Each
    # notes it between other steps; they agree on one step to stop after, so neither is
    # left waiting in an all-reduce for the other.
    workers = Workers(tf_project, tmp_path, "--epochs", "200")
    deadline = time.monotonic() + 300  # TensorFlow's start on a loaded 2-core machine
    while "epoch 1/200" not in workers.stdout(0):  # both are training by now
        assert time.monotonic() < deadline, workers.stderr_lines(0)[-20:]
        assert all(process.poll() is None for process in workers.processes)
        time.sleep(0.1)
    sent = time.monotonic()
    for process in workers.processes:
        process.send_signal(signal.SIGTERM)
    # 200 epochs take minutes; stopped at a step, both are gone in a few seconds (~2 s
    # on a quiet machine, mostly TensorFlow's exit); 60 s leaves room for a loaded one.
    codes = workers.wait(timeout=60)
    seconds = time.monotonic() - sent
    assert codes == [143, 143], (seconds, workers.stderr_lines(0)[-20:])
    (line,) = workers.stderr_lines(0)  # the chief's one line
    assert line.startswith("interrupted by SIGTERM in epoch ") and "go on with: " in line
    assert workers.stderr_lines(1) == []  # the other worker says nothing
    summary = json.loads((workers.out(0) / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["steps"] > 0


@pytest.mark.tensorflow
@need("tensorflow")
def test_tensorflow_two_local_workers_stop_at_the_step_of_a_non_finite_loss(
    tf_project: Path, tmp_path: Path
) -> None:
    # The loss is summed over the workers, so both see the same inf or nan at the same
    # step, and stop there (not at the end of the epoch) as one process does.
    workers = Workers(tf_project, tmp_path, "--epochs", "3", "--lr", "1e30")
    codes = workers.wait(timeout=300)
    assert codes == [1, 1], workers.stderr_lines(0)[-20:] + workers.stderr_lines(1)[-20:]
    (line,) = workers.stderr_lines(0)
    assert line.startswith("error: the training loss is ")
    assert "at epoch 1, step " in line and line.endswith("no checkpoint was written")
    assert workers.stderr_lines(1) == []
    summary = json.loads((workers.out(0) / "summary.json").read_text())
    assert summary["status"] == "diverged"


# Each rank of a torchrun run goes through this script: torchrun does not report its
# workers' exit codes when a signal stops it, so each writes main()'s (and its pid).
RANK_SCRIPT = """\
import os
import sys
from pathlib import Path

from demo.train import main

folder, rank = Path(os.environ["RANKS"]), os.environ["RANK"]
(folder / f"pid{rank}").write_text(str(os.getpid()))
code = main(sys.argv[1:])
(folder / f"code{rank}").write_text(str(code))
raise SystemExit(code)
"""


class Ranks:
    """torchrun with two CPU processes (ranks) of a generated torch project.

    torchrun writes each rank's stdout and stderr to its own files (--log-dir, -r 3) and
    the two training processes run in their own sessions (as torchrun starts them); the
    run folder is `folder / "run"`.
    """

    def __init__(self, project: Path, folder: Path, *args: str) -> None:
        self.folder = folder
        (folder / "rank.py").write_text(RANK_SCRIPT)
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
        command += ["--nproc_per_node=2", "--log-dir", str(folder / "logs"), "-r", "3"]
        command += [str(folder / "rank.py"), "--device", "cpu", "--out", str(folder / "run")]
        with (folder / "torchrun.log").open("wb") as output:
            self.torchrun = subprocess.Popen(
                [*command, *args],
                cwd=project,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(project / "src"), "RANKS": str(folder)},
                start_new_session=True,  # its own process group, as a scheduler's job step
            )

    def log(self, rank: int, stream: str) -> str:
        """What rank `rank` has written to `stream` ("stdout" or "stderr") so far."""
        paths = list((self.folder / "logs").glob(f"*/attempt_0/{rank}/{stream}.log"))
        return paths[0].read_text() if paths else ""

    def stderr_lines(self, rank: int) -> list[str]:
        return self.log(rank, "stderr").splitlines()

    def wait_for(self, text: str, timeout: float) -> None:
        """Wait until rank 0 prints `text` (both ranks train by then)."""
        deadline = time.monotonic() + timeout
        while text not in self.log(0, "stdout"):
            assert self.torchrun.poll() is None, (self.folder / "torchrun.log").read_text()
            assert time.monotonic() < deadline, (self.folder / "torchrun.log").read_text()
            time.sleep(0.1)

    def pid(self, rank: int) -> int:
        return int((self.folder / f"pid{rank}").read_text())

    def codes(self, timeout: float) -> list[int | None]:
        """Both ranks' exit codes (None: it crashed, or is still running after `timeout`)."""
        try:
            self.torchrun.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:  # a rank stuck waiting for its peer must not linger (nor torchrun)
            for rank in (0, 1):
                if (self.folder / f"pid{rank}").exists():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid(rank), signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.torchrun.pid, signal.SIGKILL)
            self.torchrun.wait()
        files = [self.folder / f"code{rank}" for rank in (0, 1)]
        return [int(path.read_text()) if path.exists() else None for path in files]

    def summary(self) -> dict[str, object]:
        return dict(json.loads((self.folder / "run" / "summary.json").read_text()))


@pytest.mark.torch
@need("torch")
@pytest.mark.parametrize("whom", ["torchrun's group", "rank 0 alone"])
def test_torchrun_ranks_stop_after_the_same_step_on_sigterm(
    torch_project: Path, tmp_path: Path, whom: str
) -> None:
    # SIGTERM to torchrun's process group is what a scheduler does; torchrun passes it on
    # to each rank, one after the other, so they note it between different steps. Sent to
    # rank 0 alone, rank 1 never gets it: it stops only because each step's all-reduce
    # told it (distributed.Stops). Before, rank 1 trained on into a collective rank 0 had
    # left and died of gloo's "Connection closed by peer".
    ranks = Ranks(torch_project, tmp_path, "--epochs", "400")
    ranks.wait_for("epoch 1/400", timeout=300)  # torch's start on a loaded 2-core machine
    if whom == "rank 0 alone":
        os.kill(ranks.pid(0), signal.SIGTERM)
    else:
        os.killpg(ranks.torchrun.pid, signal.SIGTERM)
    # 400 epochs take minutes; stopped at a step, both are gone in seconds.
    codes = ranks.codes(timeout=60)
    assert codes == [143, 143], ranks.log(0, "stderr")[-3000:] + ranks.log(1, "stderr")[-3000:]
    # No traceback from our ranks. (torchrun's own output, not checked, may carry its
    # SignalException or ChildFailedError report: that is torchrun's, not the ranks'.)
    (line,) = ranks.stderr_lines(0)  # rank 0's one line
    assert line.startswith("interrupted by SIGTERM in epoch ") and "go on with: " in line
    assert ranks.stderr_lines(1) == []  # rank 1 says nothing
    summary = ranks.summary()
    assert summary["status"] == "interrupted" and isinstance(summary["steps"], int)
    assert summary["steps"] > 0


@pytest.mark.torch
@need("torch")
def test_torchrun_ranks_stop_at_the_step_of_a_non_finite_loss(
    torch_project: Path, tmp_path: Path
) -> None:
    # The loss is summed over the ranks in each step's all-reduce, so both see the same
    # inf or nan at the same step and stop there, as one process does.
    ranks = Ranks(torch_project, tmp_path, "--epochs", "3", "--lr", "1e30")
    codes = ranks.codes(timeout=300)
    assert codes == [1, 1], ranks.log(0, "stderr")[-3000:] + ranks.log(1, "stderr")[-3000:]
    (line,) = ranks.stderr_lines(0)
    assert line.startswith("error: the training loss is ")
    assert "at epoch 1, step " in line and line.endswith("no checkpoint was written")
    assert ranks.stderr_lines(1) == []
    assert ranks.summary()["status"] == "diverged"


@pytest.mark.torch
@need("torch")
def test_venv_option_installs_the_project_and_smokes_inside_it(tmp_path: Path) -> None:
    # The dev set-up's constraints keep pip on the CPU build of torch this machine carries.
    constraints = Path(__file__).resolve().parent.parent / ".ci" / "constraints.txt"
    result = run_fwpick(
        "new",
        "vt",
        "-f",
        "torch",
        "--dir",
        str(tmp_path),
        "--no-git",
        "--venv",
        "--device",
        "cpu",
        "--json",
        env={"PIP_CONSTRAINT": str(constraints)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(result.stdout)
    venv_python = tmp_path / "vt" / ".venv" / "bin" / "python"
    assert document["python"] == str(venv_python)
    assert document["smoke"]["status"] == "passed"
    # The project is installed in its own venv: importable from anywhere.
    check = subprocess.run(
        [str(venv_python), "-c", "import vt.train"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
