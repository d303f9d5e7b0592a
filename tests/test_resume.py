"""`--resume RUN` continues a run exactly, in both twins (issue 10, item 2).

Each twin trains 4 epochs in one go, then 2 epochs plus a resumed 2; the final weights
and the last metrics line must agree. Regression on the small synthetic data, all three
runs in the session's driver of each twin (tests/matrix.py), where the framework is
imported once for every test that needs it.
"""

from __future__ import annotations

import json

import pytest
from conftest import need
from matrix import Matrix, matrix_group, probe

# Float sums may be reordered between runs; anything beyond this is a real difference.
ATOL = 1e-5
DRIVER = """
import json
from pathlib import Path
import numpy as np
from demo import config, device, train

import contextlib, io

# A folder without a checkpoint is a one-line usage error (exit 2), not a traceback.
try:
    with contextlib.redirect_stderr(io.StringIO()) as err:
        config.parse_train_args(["--resume", "nowhere"])
except SystemExit as stop:
    assert stop.code == 2 and "--resume nowhere: no last." in err.getvalue(), err.getvalue()
else:
    raise AssertionError("--resume of a folder without a checkpoint was accepted")

argv = ["--batch-size", "100", "--device", "cpu"]
assert train.main([*argv, "--epochs", "4", "--out", "straight"]) == 0
assert train.main([*argv, "--epochs", "2", "--out", "split"]) == 0
assert train.main([*argv, "--epochs", "4", "--resume", "split"]) == 0
result = {}
for run in ("straight", "split"):
    learner = train.Learner.load(Path(run) / config.LAST_CHECKPOINT_NAME, device.cpu())
    model = learner.model
    if hasattr(model, "get_weights"):  # Keras
        weights = model.get_weights()
    else:  # torch
        weights = [tensor.detach().numpy() for tensor in model.parameters()]
    lines = (Path(run) / "metrics.jsonl").read_text().splitlines()
    result[run] = {
        "weights": np.concatenate([np.ravel(w) for w in weights]).tolist(),
        "metrics": [json.loads(line) for line in lines],
    }
print("RESULT " + json.dumps(result))
"""
probe("resume", DRIVER, tasks=("regression",))


@pytest.mark.slow
@matrix_group("regression")
@pytest.mark.parametrize(
    "framework",
    [
        pytest.param("torch", marks=[pytest.mark.torch, need("torch")]),
        pytest.param("tensorflow", marks=[pytest.mark.tensorflow, need("tensorflow")]),
    ],
)
def test_two_epochs_plus_a_resumed_two_equal_four_in_one_go(matrix: Matrix, framework: str) -> None:
    stdout = matrix.twin(framework, "regression").probe("resume")
    (line,) = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    runs = json.loads(line.removeprefix("RESULT "))
    straight, resumed = runs["straight"], runs["split"]
    assert "resumed split after epoch 2" in stdout
    assert [record["epoch"] for record in resumed["metrics"]] == [1, 2, 3, 4]
    assert len(straight["weights"]) == len(resumed["weights"]) == 3  # 2 weights and a bias
    difference = max(
        abs(a - b) for a, b in zip(straight["weights"], resumed["weights"], strict=True)
    )
    assert difference <= ATOL, (difference, straight["weights"], resumed["weights"])
    assert resumed["metrics"][-1] == pytest.approx(straight["metrics"][-1], rel=1e-4, abs=ATOL)
