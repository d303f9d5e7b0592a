"""A generated project's README runs as written: every command block, in order, verbatim.

One variant per framework (the quick start is the same for every task and deployment but
for the package name). The project gets a fresh venv that sees the frameworks installed
for this interpreter, through a .pth file (nothing is downloaded but pip's build backend,
from the package index); then each ```bash block runs as a script and each ```python
block as a file, with the venv activated, as a reader who did the quick start has it.
Commands this machine cannot run are left out with the reason, and listed when skipped.
The runner is tests/matrix.py's `run_readme`: the README's test block is also the twin's
own suite run for test_end_to_end, so the suite runs once.
"""

from __future__ import annotations

import pytest
from conftest import need
from matrix import DEPLOYMENTS, README_TWINS, Matrix, matrix_group

pytestmark = pytest.mark.slow


@need("torch")
@need("tensorflow")
@pytest.mark.torch
@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("framework", "task"),
    [
        pytest.param(framework, task, marks=matrix_group(task), id=f"{framework}-{task}-{d}")
        for (framework, task), d in DEPLOYMENTS.items()
        if (framework, task) in README_TWINS
    ],
)
def test_every_readme_block_runs_as_written(matrix: Matrix, framework: str, task: str) -> None:
    run = matrix.twin(framework, task).readme()
    # fwpick's "Next:" lines are part of the contract too: its install step is in them.
    stdout = run.created.stdout
    next_lines = stdout[stdout.index("Next:") :].splitlines()[1:]
    assert "python -m pip install -e" in next_lines[1]
    for block in run.blocks:
        assert block.returncode == 0, (
            f"{block.command}\n{block.stdout[-3000:]}{block.stderr[-3000:]}"
        )
    print("left out:", *run.skipped, sep="\n  ")
    print(
        "seconds per block:",
        *(f"{b.seconds:6.1f} {b.command[:70]!r}" for b in run.blocks),
        sep="\n  ",
    )
    assert len(run.blocks) >= 8  # the README was found and its blocks ran
    assert (run.project / "runs" / "latest" / "summary.json").is_file()
