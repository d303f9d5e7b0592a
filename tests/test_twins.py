"""The PyTorch and TensorFlow twins of each task keep one contract.

Same options (`--help`), same output lines, same run folders and summary keys, same
model size and smoke report: rendered from the real templates and run with the real
frameworks, side by side.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import need
from matrix import Matrix, matrix_group, probe

from fwpick.base.frameworks import FRAMEWORKS, REGISTRY
from fwpick.generate.render import TASKS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.torch,
    pytest.mark.tensorflow,
    need("torch"),
    need("tensorflow"),
]
# Numbers vary between frameworks and runs (losses, timings); the words around them may not.
NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")
# Runs each command as `python -m demo.COMMAND ARGS` would (runpy is what -m uses), in the
# session's driver of each twin (tests/matrix.py), and prints what each wrote on stdout.
DRIVER = """
import contextlib, io, json, runpy, sys
outputs = {}
for command in COMMANDS:
    sys.argv = ["demo/" + command[0] + ".py", *command[1:]]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        try:
            runpy.run_module("demo." + command[0], run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            assert exit.code in (0, None), (command, exit.code)
    outputs[" ".join(command)] = stdout.getvalue()
from demo import config, device, train
from demo.model import count_parameters
outputs["parameters"] = count_parameters(train.Learner(config.DEFAULT_LR, device.cpu()).model)
print(json.dumps(outputs))
"""
COMMANDS = [
    ["train", "--help"],
    ["predict", "--help"],
    ["smoke", "--help"],
    ["train", "--epochs", "2", "--batch-size", "50", "--device", "cpu", "--out", "run"],
    ["smoke", "--device", "cpu", "--steps", "4"],
    # The options that write more (or say more): the same lines and files in both.
    [
        "train", "--epochs", "2", "--batch-size", "50", "--device", "cpu",
        "--amp", "--tensorboard", "--out", "run_more",
    ],
]  # fmt: skip
probe("twins", DRIVER.replace("COMMANDS", repr(COMMANDS)))


def neutral(text: str, framework: str) -> str:
    """`text` without what may differ: numbers, the checkpoints' suffix (best.pt: best.CKPT)."""
    suffix = Path(REGISTRY[framework].checkpoint_name).suffix
    return NUMBER.sub("N", re.sub(rf"\b(best|last){re.escape(suffix)}\b", r"\1.CKPT", text))


@pytest.mark.parametrize("task", [pytest.param(t, marks=matrix_group(t)) for t in TASKS])
def test_twins_have_the_same_options_output_run_folders_and_model(
    matrix: Matrix, task: str
) -> None:
    twins = {fw: matrix.twin(fw, task) for fw in FRAMEWORKS}
    seen: dict[str, dict[str, object]] = {fw: {} for fw in FRAMEWORKS}
    for framework, twin in twins.items():
        facts = seen[framework]
        project = twin.probe_folder("twins")
        outputs = json.loads(twin.probe("twins"))
        for command in COMMANDS[:3]:
            facts[" ".join(command)] = neutral(outputs[" ".join(command)], framework)
        facts["train output"] = neutral(outputs[" ".join(COMMANDS[3])], framework)
        run = project / "run"
        facts["run folder"] = sorted(neutral(path.name, framework) for path in run.iterdir())
        metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        facts["metrics keys"] = [sorted(row) for row in metrics]
        summary = json.loads((run / "summary.json").read_text())
        facts["summary keys"] = sorted(summary)
        facts["summary counts"] = [summary[key] for key in ("batch_size", "steps", "samples")]
        facts["summary seconds"] = sorted(summary["seconds"])
        facts["summary metrics"] = sorted(summary["metrics"])
        facts["config.json"] = json.loads((run / "config.json").read_text())
        facts["data.json"] = json.loads((run / "data.json").read_text())
        facts["parameters"] = outputs["parameters"]
        (report,) = [json.loads(line) for line in outputs[" ".join(COMMANDS[4])].splitlines()]
        facts["smoke keys"] = sorted(report)
        facts["smoke"] = [report[k] for k in ("status", "task", "steps", "checkpoint_roundtrip")]
        facts["train --amp --tensorboard output"] = neutral(
            outputs[" ".join(COMMANDS[5])], framework
        )
        more = project / "run_more"
        facts["--amp --tensorboard run folder"] = sorted(
            neutral(path.name, framework) for path in more.iterdir()
        )
        # One event file (named by time, host and process, so only its prefix compares).
        facts["event files"] = [
            path.name.startswith("events.out.tfevents.")
            for path in (more / "tensorboard").iterdir()
        ]
        facts["--amp precision"] = json.loads((more / "summary.json").read_text())["precision"]
    torch, tensorflow = seen["torch"], seen["tensorflow"]
    assert "--max-steps" in str(torch["train --help"])  # the comparison is not vacuous
    assert str(torch["train output"]).count("epoch N/N: train_loss N, val_loss N") == 2
    assert torch["run folder"] == [
        "best.CKPT",
        "config.json",
        "data.json",
        "last.CKPT",
        "metrics.jsonl",
        "summary.json",
    ]
    assert torch["--amp --tensorboard run folder"] == [*torch["run folder"], "tensorboard"]
    assert "amp: off on the CPU" in str(torch["train --amp --tensorboard output"])
    assert str(torch["train --amp --tensorboard output"]).endswith("summary.json, tensorboard/\n")
    assert torch["event files"] == [True]
    for fact in torch:
        assert torch[fact] == tensorflow[fact], fact
