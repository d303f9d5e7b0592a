"""The generated cluster.py: host lists, task counts, ports, conflicts, both contracts.

cluster.py is standard-library Python, so it is rendered and imported here directly, one
module per twin; no framework is imported. The runs under a real engine (SLURM, and an
Indexed Job's two processes) are in test_cluster_runs.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from fwpick.advice.knowledge import knowledge
from fwpick.generate.names import project_name
from fwpick.generate.render import FRAMEWORKS, ProjectSpec, plan


def render_cluster(framework: str, folder: Path) -> ModuleType:
    """Render `framework`'s cluster.py (--cluster all) and import it as a module."""
    spec = ProjectSpec(
        name=project_name("demo"),
        framework=framework,
        task="regression",
        answers={**knowledge().defaults, "cluster": "all"},
    )
    path = folder / f"cluster_{framework}.py"
    path.write_bytes(plan(spec)["src/demo/cluster.py"])
    module_spec = importlib.util.spec_from_file_location(f"cluster_{framework}", path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module  # dataclasses look their module up
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=FRAMEWORKS)
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Each twin's cluster.py: the same code, with its own FRAMEWORK."""
    module = render_cluster(request.param, tmp_path_factory.mktemp("cluster"))
    framework: str = request.param
    assert framework == module.FRAMEWORK
    return module


def slurm_env(**overrides: str) -> dict[str, str]:
    """What srun sets in task 3 of a 2-node x 2-task step (Slurm 22.05, as seen here)."""
    env = {
        "SLURM_JOB_ID": "123456",
        "SLURM_PROCID": "3",
        "SLURM_LOCALID": "1",
        "SLURM_NODEID": "1",
        "SLURM_STEP_NUM_TASKS": "4",
        "SLURM_STEP_NODELIST": "gpu[01-02]",
        "SLURM_STEP_TASKS_PER_NODE": "2(x2)",
        "SLURM_JOB_NODELIST": "gpu[01-02]",
        "SLURM_TASKS_PER_NODE": "2(x2)",
        "SLURM_NTASKS": "4",
    }
    env.update(overrides)
    return env


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("localhost", ["localhost"]),
        ("gpu[01-03,7]", ["gpu01", "gpu02", "gpu03", "gpu7"]),
        ("a,b[1-2]", ["a", "b1", "b2"]),
        ("node[009-011]", ["node009", "node010", "node011"]),
        ("r[1-2]-n[01-02]", ["r1-n01", "r1-n02", "r2-n01", "r2-n02"]),
        ("train-[0-1].train", ["train-0.train", "train-1.train"]),
        ("127.0.0.1,127.0.0.1", ["127.0.0.1", "127.0.0.1"]),
        ("x[1-2],y,z[5]", ["x1", "x2", "y", "z5"]),
    ],
)
def test_host_lists_expand_as_scontrol_show_hostnames_does(
    cluster: ModuleType, text: str, hosts: list[str]
) -> None:
    assert cluster.expand_hosts(text) == hosts


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("gpu[01-03", "unbalanced"),
        ("gpu01]", "unbalanced"),
        ("gpu[3-1]", "backwards"),
        ("gpu[a-b]", "not a number"),
        ("", "no host"),
    ],
)
def test_a_broken_host_list_is_one_clear_error(cluster: ModuleType, text: str, says: str) -> None:
    with pytest.raises(cluster.ClusterError, match=says):
        cluster.expand_hosts(text)


@pytest.mark.parametrize(
    ("text", "counts"),
    [("2(x3),1", [2, 2, 2, 1]), ("4", [4]), ("1,2", [1, 2]), ("8(x1)", [8])],
)
def test_task_counts_expand(cluster: ModuleType, text: str, counts: list[int]) -> None:
    assert cluster.expand_counts(text) == counts


def test_a_broken_task_count_is_an_error(cluster: ModuleType) -> None:
    with pytest.raises(cluster.ClusterError, match="N or N"):
        cluster.expand_counts("2x3")


def test_a_slurm_task_knows_its_place(cluster: ModuleType) -> None:
    placement = cluster.from_slurm(slurm_env())
    assert (placement.rank, placement.world_size) == (3, 4)
    assert (placement.local_rank, placement.local_world_size) == (1, 2)
    assert placement.hosts == ("gpu01", "gpu01", "gpu02", "gpu02")
    assert placement.port == 20000 + 123456 % 20000  # one port per job id


def test_torch_gets_what_torchrun_would_set(cluster: ModuleType) -> None:
    env = slurm_env()
    added = cluster.apply(env, framework="torch")
    assert added == {
        "RANK": "3",
        "LOCAL_RANK": "1",
        "WORLD_SIZE": "4",
        "LOCAL_WORLD_SIZE": "2",
        "MASTER_ADDR": "gpu01",
        "MASTER_PORT": "23456",
    }
    assert env.items() >= added.items()


def test_tensorflow_gets_tf_config_from_the_same_facts(cluster: ModuleType) -> None:
    env = slurm_env(MASTER_PORT="31000")
    added = cluster.apply(env, framework="tensorflow")
    assert json.loads(added["TF_CONFIG"]) == {
        # Two workers share each host: the second listens on the next port.
        "cluster": {"worker": ["gpu01:31000", "gpu01:31001", "gpu02:31000", "gpu02:31001"]},
        "task": {"type": "worker", "index": 3},
    }


def test_the_rendered_twin_applies_its_own_contract(cluster: ModuleType) -> None:
    added = cluster.apply(slurm_env())
    assert set(added) == (
        {"TF_CONFIG"}
        if cluster.FRAMEWORK == "tensorflow"
        else {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}
    )


def test_master_port_and_address_from_the_environment_win(cluster: ModuleType) -> None:
    env = slurm_env(MASTER_PORT="29999", MASTER_ADDR="gpu01-ib")
    added = cluster.apply(env, framework="torch")
    assert "MASTER_ADDR" not in added and "MASTER_PORT" not in added
    assert added["RANK"] == "3"


@pytest.mark.parametrize("port", ["80", "70000", "http"])
def test_a_bad_master_port_is_refused(cluster: ModuleType, port: str) -> None:
    with pytest.raises(cluster.ClusterError, match="MASTER_PORT"):
        cluster.apply(slurm_env(MASTER_PORT=port), framework="torch")


def test_no_engine_or_one_process_sets_nothing(cluster: ModuleType) -> None:
    assert cluster.apply({}, framework="torch") == {}
    # The batch script itself, outside srun: SLURM_PROCID but no job step.
    batch = {"SLURM_PROCID": "0", "SLURM_NTASKS": "2", "SLURM_JOB_NODELIST": "a"}
    assert cluster.apply(batch, framework="torch") == {}
    one = slurm_env(
        SLURM_PROCID="0",
        SLURM_LOCALID="0",
        SLURM_NODEID="0",
        SLURM_STEP_NUM_TASKS="1",
        SLURM_STEP_NODELIST="a",
        SLURM_STEP_TASKS_PER_NODE="1",
    )
    assert cluster.apply(one, framework="tensorflow") == {}  # no MultiWorker for one


def test_torchrun_under_srun_is_left_alone(cluster: ModuleType) -> None:
    # One torchrun per node: SLURM_PROCID is the node's number, RANK the process's.
    env = slurm_env(TORCHELASTIC_RUN_ID="7", RANK="5", WORLD_SIZE="8", LOCAL_RANK="1")
    assert cluster.apply(env, framework="torch") == {}


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"RANK": "0"}, "RANK=0 but SLURM says 3"),
        ({"WORLD_SIZE": "8"}, "WORLD_SIZE=8 but SLURM says 4"),
        ({"JOB_COMPLETION_INDEX": "0", "JOB_HOSTS": "a,b"}, "which engine"),
        ({"SLURM_STEP_TASKS_PER_NODE": "2,1"}, "do not make 4 tasks"),
        ({"SLURM_STEP_NODELIST": "gpu[01-03]"}, "do not make 4 tasks"),
        # Cyclic distribution: task 3 on the first node, where block order has task 1.
        ({"SLURM_NODEID": "0"}, "distribution=block"),
        ({"SLURM_PROCID": "x"}, "not a whole number"),
    ],
)
def test_conflicting_variables_are_one_clear_error(
    cluster: ModuleType, overrides: dict[str, str], says: str
) -> None:
    with pytest.raises(cluster.ClusterError, match=says):
        cluster.apply(slurm_env(**overrides), framework="torch")


def test_variables_that_agree_are_kept(cluster: ModuleType) -> None:
    env = slurm_env(RANK="3", WORLD_SIZE="4")
    added = cluster.apply(env, framework="torch")
    assert "RANK" not in added and added["LOCAL_RANK"] == "1"


@pytest.mark.parametrize(
    ("tf_config", "says"),
    [
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}, "0 of 2"),
        ("not json", "not JSON"),
    ],
)
def test_a_tf_config_that_disagrees_is_an_error(
    cluster: ModuleType, tf_config: object, says: str
) -> None:
    text = tf_config if isinstance(tf_config, str) else json.dumps(tf_config)
    with pytest.raises(cluster.ClusterError, match=says):
        cluster.apply(slurm_env(TF_CONFIG=text), framework="tensorflow")


def test_a_tf_config_that_agrees_is_kept(cluster: ModuleType) -> None:
    given = {"cluster": {"worker": ["w0:1", "w1:1", "w2:1", "w3:1"]}, "task": {"index": 3}}
    assert cluster.apply(slurm_env(TF_CONFIG=json.dumps(given)), framework="tensorflow") == {}


def test_an_indexed_job_pod_maps_its_index(cluster: ModuleType) -> None:
    env = {"JOB_COMPLETION_INDEX": "1", "JOB_HOSTS": "train-[0-2].train"}
    assert cluster.apply(env, framework="torch") == {
        "RANK": "1",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "3",
        "LOCAL_WORLD_SIZE": "1",
        "MASTER_ADDR": "train-0.train",
        "MASTER_PORT": "29500",
    }
    tf = cluster.apply(dict(env), framework="tensorflow")
    assert json.loads(tf["TF_CONFIG"])["cluster"]["worker"] == [
        "train-0.train:29500",
        "train-1.train:29500",
        "train-2.train:29500",
    ]


def test_an_indexed_job_on_one_host_numbers_its_local_ranks(cluster: ModuleType) -> None:
    env = {"JOB_COMPLETION_INDEX": "1", "JOB_HOSTS": "127.0.0.1,127.0.0.1", "MASTER_PORT": "4000"}
    added = cluster.apply(env, framework="torch")
    assert (added["LOCAL_RANK"], added["LOCAL_WORLD_SIZE"]) == ("1", "2")
    tf = json.loads(cluster.apply({**env}, framework="tensorflow")["TF_CONFIG"])
    assert tf["cluster"]["worker"] == ["127.0.0.1:4000", "127.0.0.1:4001"]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"JOB_COMPLETION_INDEX": "0"}, "JOB_HOSTS is not"),
        ({"JOB_COMPLETION_INDEX": "2", "JOB_HOSTS": "a,b"}, "not one of JOB_HOSTS' 2"),
    ],
)
def test_an_indexed_job_without_its_hosts_is_an_error(
    cluster: ModuleType, env: dict[str, str], says: str
) -> None:
    with pytest.raises(cluster.ClusterError, match=says):
        cluster.apply(env, framework="torch")
