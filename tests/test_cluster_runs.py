"""The twins run for real under the engines that can run here: SLURM, and an Indexed Job's
two processes on 127.0.0.1.

A session fixture starts a one-node SLURM (munged, slurmctld, slurmd from Debian's
packages, as root, on 127.0.0.1, in a temporary folder) and stops it afterwards. Each
twin's own cluster/slurm/train.sbatch is submitted with `sbatch --wait`: two CPU tasks
train together, only rank 0 writes the run folder, and the final weights equal those of
one process trained on the same global batch. Each twin's job is also requeued the way
the time limit does it (USR1 to the batch shell) and resumes from its last epoch.

Where SLURM cannot start (not root, packages missing) the tests skip with the reason;
with FWPICK_REQUIRE_SLURM=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import need

from fwpick.advice.knowledge import knowledge
from fwpick.generate.names import project_name
from fwpick.generate.render import ProjectSpec, plan, stage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster")]
DAEMONS = ("munged", "slurmctld", "slurmd")
# Float32 sums in another order (two half-batch gradients averaged by the all-reduce
# instead of one whole-batch gradient) differ in the last bits; 1e-5 is far above that
# and far below what one optimizer step more or less would change.
TOLERANCE = 1e-5
# The data: 1000 rows of the twins' own synthetic data, so 800 training rows, which every
# global batch here splits evenly between the 2 processes (with 819, the synthetic
# default, the last batch of each epoch would be split unevenly or dropped, and the runs
# would differ by design, not by error). Tiny batches make the PyTorch epochs long
# enough (about 2 s) to requeue the job inside one.
ROWS = 1000
DATA = ("--data", "rows.csv", "--device", "cpu")
TORCH_ARGS = (*DATA, "--epochs", "2", "--batch-size", "2")
# The requeue test signals the job once its first epoch is written: three more epochs
# leave the signal time to arrive before the run ends, however fast the machine is.
REQUEUE_EPOCHS = 4
REQUEUE_ARGS = (*DATA, "--epochs", str(REQUEUE_EPOCHS), "--batch-size", "2")
TF_REQUEUE_ARGS = (*DATA, "--epochs", str(REQUEUE_EPOCHS), "--batch-size", "4")
TF_ARGS = (*DATA, "--epochs", "2", "--max-steps", "30")


def unavailable(reason: str) -> None:
    """Skip with the reason, or fail where SLURM must run (CI)."""
    if os.environ.get("FWPICK_REQUIRE_SLURM") == "1":
        pytest.fail(f"SLURM is required here (FWPICK_REQUIRE_SLURM=1): {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_port_pair() -> int:
    """A port p with p + 1 free too: TensorFlow's two workers on one host listen on both."""
    for _ in range(100):
        port = free_port()
        if port > 65535 - 64:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("0.0.0.0", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two free ports in a row")


SLURM_CONF = """\
ClusterName=fwpick{suffix}
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (120 s by
# default, slurm.conf(5)); 5 s keeps the requeue test short.
AuthInfo=socket={root}/munge.socket,cred_expire=5
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Look for startable jobs every second, not every minute: a requeued job starts at once.
SchedulerParameters=sched_interval=1,bf_interval=1
# A requeued job's processes get KillWait seconds between SIGTERM and SIGKILL (30 by
# default); the twins finish their step and exit on SIGTERM well within 5.
KillWait=5
# `sbatch --wait` polls every 2 s, then 8, then 32 while that is under MinJobAge / 2
# (sbatch.c, _job_wait): 4 keeps it at 2 s, and returned a 20 s job after 22 s, not 42.
MinJobAge=4
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
"""


@dataclass(frozen=True)
class Slurm:
    """A running one-node SLURM: its configuration file and the environment to reach it."""

    conf: Path

    def env(self, project: Path) -> dict[str, str]:
        """What sbatch and the job see: this SLURM, this interpreter, the project's src.

        MASTER_PORT is a free one: each test worker runs a SLURM of its own, whose job ids
        both start at 1, and cluster.py derives the port from the job id when none is set
        (two jobs 1 at once collided on port 20001: "Could not start gRPC server").
        """
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        return {
            **os.environ,
            "SLURM_CONF": str(self.conf),
            "PATH": path,
            "PYTHONPATH": str(project / "src"),
            "MASTER_PORT": str(free_port_pair()),
        }

    @contextlib.contextmanager
    def submit(self, project: Path, args: tuple[str, ...]) -> Iterator[subprocess.Popen[str]]:
        """The twin's own train.sbatch under `sbatch --wait` on two tasks, with `args`.

        Output and errors in one pipe; an sbatch still waiting when the block ends (a failed
        assertion, a timeout) is killed and reaped, so it does not outlive the test.
        """
        submit = subprocess.Popen(
            [
                "sbatch",
                "--wait",
                "--ntasks-per-node=2",
                "--cpus-per-task=1",
                "cluster/slurm/train.sbatch",
                *args,
            ],
            cwd=project,
            env=self.env(project),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield submit
        finally:
            if submit.poll() is None:
                submit.kill()
                submit.wait()

    def run(self, *args: str, project: Path, timeout: float = 60) -> str:
        result = subprocess.run(
            args,
            cwd=project,
            env=self.env(project),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _stop(pids: dict[str, int | None]) -> None:
    """End the daemons this fixture started, by their own pids, and wait for them."""
    for pid in pids.values():
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for name, pid in pids.items():
        while pid is not None and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"{name} (pid {pid}) did not stop on SIGTERM")


@pytest.fixture(scope="session")
def slurm() -> Iterator[Slurm]:
    """munged, slurmctld and slurmd on 127.0.0.1 for this session; nothing left after."""
    missing = [name for name in (*DAEMONS, "sbatch", "scancel", "srun") if not shutil.which(name)]
    if missing:
        unavailable(f"SLURM is not installed ({', '.join(missing)} missing; .ci/setup installs it)")
    if os.geteuid() != 0:
        unavailable("a one-node SLURM is started as root only")
    # A short path: munge's socket name must fit in a sockaddr_un (108 bytes).
    root = Path(f"/tmp/fwpick-slurm-{os.getpid()}")
    shutil.rmtree(root, ignore_errors=True)
    for folder in ("state", "spool"):
        (root / folder).mkdir(parents=True)
    key = root / "munge.key"
    key.write_bytes(secrets.token_bytes(128))
    key.chmod(0o600)
    conf = root / "slurm.conf"
    conf.write_text(
        SLURM_CONF.format(
            root=root,
            suffix=os.getpid(),
            cpus=os.cpu_count() or 1,
            ctld_port=free_port(),
            slurmd_port=free_port(),
        )
    )
    pids: dict[str, int | None] = {}
    commands = {
        "munged": [
            "munged",
            "--force",
            f"--key-file={key}",
            f"--socket={root}/munge.socket",
            f"--pid-file={root}/munged.pid",
            f"--log-file={root}/munged.log",
            f"--seed-file={root}/munge.seed",
        ],
        "slurmctld": ["slurmctld", "-f", str(conf)],
        "slurmd": ["slurmd", "-f", str(conf), "-N", "localhost"],
    }
    try:
        for name, command in commands.items():
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=30, check=False
            )
            pids[name] = _pid(root / f"{name}.pid")
            if result.returncode != 0:
                log = root / f"{name}.log"
                tail = log.read_text()[-800:] if log.exists() else result.stderr
                unavailable(f"{name} did not start: {tail.strip()}")
        env = {**os.environ, "SLURM_CONF": str(conf)}
        deadline = time.monotonic() + 30
        state = ""
        while time.monotonic() < deadline and state != "idle":
            time.sleep(0.5)
            state = subprocess.run(
                ["sinfo", "-h", "-o", "%T"],
                env=env,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        if state != "idle":
            unavailable(f"the SLURM node is {state or 'not there'} after 30 s")
        yield Slurm(conf)
    finally:
        for name in DAEMONS:  # the pid files are written once a daemon is up
            pids[name] = pids.get(name) or _pid(root / f"{name}.pid")
        _stop(pids)
        shutil.rmtree(root, ignore_errors=True)


def render(framework: str, folder: Path) -> Path:
    """The regression twin with its SLURM files, and rows.csv: ROWS rows of its data."""
    answers = {**knowledge().defaults, "cluster": "slurm"}
    spec = ProjectSpec(project_name("demo"), framework, "regression", answers=answers)
    stage(plan(spec), folder)
    subprocess.run(
        [sys.executable, "-m", "demo.data", "--write", "all.csv"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder / "src")},
        capture_output=True,
        timeout=60,
        check=True,
    )
    lines = (folder / "all.csv").read_text().splitlines(keepends=True)
    (folder / "rows.csv").write_text("".join(lines[: ROWS + 1]))  # the header, ROWS rows
    return folder


def train_alone(project: Path, out: str, args: tuple[str, ...]) -> None:
    """One process, the same global batch: the reference for the weights."""
    result = subprocess.run(
        [sys.executable, "-m", "demo.train", *args, "--out", out],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


TORCH_WEIGHTS = """
import json, sys, torch
for path in sys.argv[1:]:
    state = torch.load(path, weights_only=False)["model_state"]
    print(json.dumps([value for tensor in state.values() for value in tensor.flatten().tolist()]))
"""


def weights(*paths: Path) -> list[list[float]]:
    """Each checkpoint's weights, flattened (the model's own variables, not the optimizer's).

    A .keras file is a zip holding model.weights.h5, read here with h5py (no TensorFlow
    import); a .pt file needs torch, in one child for all of them.
    """
    if paths[0].suffix == ".keras":
        import h5py  # Keras' own dependency

        found = []
        for path in paths:
            with zipfile.ZipFile(path) as archive:
                data = io.BytesIO(archive.read("model.weights.h5"))
            with h5py.File(data) as h5:
                layers = h5["layers"]
                names: list[str] = []
                layers.visit(names.append)  # in name order, as saved
                values = [
                    value
                    for name in names
                    if isinstance(layers[name], h5py.Dataset)
                    for value in layers[name][()].ravel().tolist()
                ]
            found.append(values)
        return found
    result = subprocess.run(
        [sys.executable, "-c", TORCH_WEIGHTS, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_same_weights(job: Path, alone: Path) -> None:
    distributed, single = weights(job, alone)
    assert len(distributed) == len(single)
    worst = max(abs(a - b) for a, b in zip(distributed, single, strict=True))
    print(f"weights: {len(single)} values, largest difference {worst:.2e} (tolerance {TOLERANCE})")
    assert worst <= TOLERANCE, (distributed, single)


@need("torch")
@pytest.mark.torch
def test_the_torch_twin_trains_on_two_slurm_tasks_and_resumes_when_requeued(
    slurm: Slurm, tmp_path: Path
) -> None:
    project = render("torch", tmp_path / "torch")
    requeued_and_resumed(slurm, project, "last.pt", REQUEUE_ARGS)


def requeued_and_resumed(slurm: Slurm, project: Path, last: str, args: tuple[str, ...]) -> None:
    """Submit on two tasks, requeue as the time limit does, and check what the run kept.

    `last` is the twin's checkpoint that --resume loads; `args` train REQUEUE_EPOCHS.
    """
    with slurm.submit(project, args) as submit:
        # As the time limit does it (--signal=B:USR1@120): USR1 to the batch shell, once
        # the first epoch is in the run folder and the second is under way.
        def first_epoch_kept() -> Path | None:
            """The run folder once epoch 1 is in metrics.jsonl and in `last`."""
            for metrics in project.glob("runs/slurm-*/metrics.jsonl"):
                if metrics.read_text().strip() and (metrics.parent / last).exists():
                    return metrics.parent
            return None

        deadline = time.monotonic() + 120
        while (run := first_epoch_kept()) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert run is not None, "no epoch finished"
        job = run.name.removeprefix("slurm-")
        slurm.run("scancel", "--signal=USR1", "--batch", job, project=project)
        # Only now, so that the wait above starts as soon as the job does (a reference run
        # first could outlast the whole job on a quiet machine, and the signal come late).
        train_alone(project, "runs/alone", args)  # meanwhile, on the core left
        output, _ = submit.communicate(timeout=300)
    print(f"$ sbatch --wait ... train.sbatch {' '.join(args)}\n{output}")
    log = (project / f"slurm-{job}.out").read_text()
    print("\n".join(line for line in log.splitlines() if not line.startswith(("I0000", "W0000"))))
    assert submit.returncode == 0, output + log
    assert f"Submitted batch job {job}" in output
    run = project / f"runs/slurm-{job}"
    # Two ranks trained together (the process group of 2 forms only when both join), and
    # only rank 0 printed: the line appears once per attempt.
    assert log.count("replicas: 2") == 2, log
    assert "time limit near: requeueing job" in log
    assert f"requeued (restart 1): resuming runs/slurm-{job}" in log
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    epochs = [record["epoch"] for record in history]
    assert epochs == list(range(1, REQUEUE_EPOCHS + 1))  # none twice, none lost
    assert json.loads((run / "config.json").read_text())["resume"] == f"runs/slurm-{job}"
    assert_rank_zero_wrote(run, project / "runs/alone")
    assert_same_weights(run / last, project / "runs/alone" / last)


def assert_rank_zero_wrote(run: Path, alone: Path) -> None:
    """The job's run folder holds what one process writes, nothing from another rank."""
    assert sorted(path.name for path in run.iterdir()) == sorted(
        path.name for path in alone.iterdir()
    )
    assert not list(run.parent.glob("*worker*")) and not list(run.glob("**/*worker*"))


@need("tensorflow")
@pytest.mark.tensorflow
def test_the_tensorflow_twin_resumes_on_two_slurm_tasks_when_requeued(
    slurm: Slurm, tmp_path: Path
) -> None:
    # Both workers load the same last.keras (--resume under TF_CONFIG) and go on together.
    # Batches of 4: half the steps of REQUEUE_ARGS' 2, still 2-3 s an epoch (42 s for the
    # test with batches of 2).
    project = render("tensorflow", tmp_path / "tensorflow")
    requeued_and_resumed(slurm, project, "last.keras", TF_REQUEUE_ARGS)


@need("torch")
@pytest.mark.torch
def test_an_indexed_job_runs_as_two_processes_on_localhost(tmp_path: Path) -> None:
    """What Kubernetes does, by hand: JOB_COMPLETION_INDEX 0 and 1, JOB_HOSTS twice here."""
    project = render("torch", tmp_path / "torch")
    args = TF_ARGS  # 30 steps of 32 rows, over two epochs
    hosts = {"JOB_HOSTS": "127.0.0.1,127.0.0.1", "MASTER_PORT": str(free_port())}
    env = {**os.environ, "PYTHONPATH": str(project / "src"), **hosts}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "demo.train", *args, "--out", "runs/indexed"],
            cwd=project,
            env={**env, "JOB_COMPLETION_INDEX": str(index)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (0, 1)
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    assert "replicas: 2" in outputs[0][0]
    assert outputs[1][0] == ""  # rank 1 prints nothing
    train_alone(project, "runs/alone", args)
    assert_rank_zero_wrote(project / "runs/indexed", project / "runs/alone")
    assert_same_weights(project / "runs/indexed/last.pt", project / "runs/alone/last.pt")
