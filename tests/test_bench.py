"""`fwpick bench`: statistics, scheduling, views, the child runner, and real short benches."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType

import pytest
from conftest import REPO, need, run_fwpick
from rich.console import Console

from fwpick.advice.advisor import advise
from fwpick.advice.knowledge import knowledge
from fwpick.base.children import FailureKind, classify
from fwpick.base.errors import ExitCode
from fwpick.base.frameworks import Device
from fwpick.bench.process import ChildResult, run_child
from fwpick.bench.results import BenchResult, Row, row_from_runs
from fwpick.bench.stats import (
    MIN_STEPS,
    SPREAD_LIMIT,
    Comparison,
    Measured,
    Spread,
    calibrated_steps,
    compare,
    conclusion,
    schedule,
)
from fwpick.contract.summary import Summary
from fwpick.machine.hardware import install_here
from fwpick.ui.bench import bar, bench_report, markdown

# ---------------------------------------------------------------- statistics


def test_spread_keeps_median_min_max_and_skips_unmeasured_values() -> None:
    spread = Spread.of([3.0, None, 1.0, 2.0, 10.0])
    assert spread == Spread(median=2.5, low=1.0, high=10.0, count=4)
    assert Spread.of([None, None]) is None
    assert Spread.of([4.0]) == Spread(4.0, 4.0, 4.0, 1)
    assert Spread(100.0, 90.0, 110.0, 3).relative == pytest.approx(0.2)
    assert Spread(100.0, 90.0, 110.0, 3).overlaps(Spread(120.0, 110.0, 130.0, 3))
    assert not Spread(100.0, 90.0, 109.0, 3).overlaps(Spread(120.0, 110.0, 130.0, 3))
    assert Spread(1000.0, 999.0, 1001.0, 2).to_json() == {
        "median": 1000.0,
        "min": 999.0,
        "max": 1001.0,
        "n": 2,
    }


def facts(median: float, low: float, high: float, *, n: int = 3, **kw: object) -> Measured:
    return Measured(
        samples_per_second=Spread(median, low, high, n),
        device_type=str(kw.get("device", "cpu")),
        steps=int(kw.get("steps", 200)),  # type: ignore[call-overload]
        train_seconds=Spread(3.0, 2.9, 3.1, n),
    )


@pytest.mark.parametrize(
    ("torch", "tensorflow", "faster", "conclusive", "caveat"),
    [
        (facts(2000, 1950, 2050), facts(1000, 980, 1010), "torch", True, None),
        (facts(1000, 980, 1010), facts(2000, 1950, 2050), "tensorflow", True, None),
        (facts(1100, 900, 1200), facts(1000, 950, 1050), "torch", False, "ranges overlap"),
        (facts(2000, 1950, 2050, n=1), facts(1000, 1000, 1000, n=1), "torch", False, "one repeat"),
        (facts(2000, 1300, 2100), facts(1000, 990, 1010), "torch", False, "varied by 40%"),
        (
            facts(2000, 1950, 2050, device="cuda"),
            facts(1000, 990, 1010),
            "torch",
            False,
            "different devices (cpu, cuda)",
        ),
        (facts(2000, 1950, 2050, steps=10), facts(1000, 990, 1010), "torch", False, "10 steps"),
    ],
)
def test_compare_concludes_only_from_steady_separated_repeats(
    torch: Measured, tensorflow: Measured, faster: str, conclusive: bool, caveat: str | None
) -> None:
    found = compare("regression", {"torch": torch, "tensorflow": tensorflow})
    assert found is not None
    medians = sorted(f.samples_per_second.median for f in (torch, tensorflow))
    assert found.faster == faster and found.ratio == pytest.approx(medians[1] / medians[0])
    assert found.conclusive is conclusive
    if caveat:
        assert any(caveat in text for text in found.caveats), found.caveats
    else:
        assert found.caveats == ()


def test_compare_needs_both_frameworks() -> None:
    assert compare("regression", {"torch": facts(1, 1, 1)}) is None


def test_the_spread_limit_is_a_quarter() -> None:
    # Documented in the README; changing it changes what "conclusive" means.
    assert SPREAD_LIMIT == 0.25


def test_repeats_are_interleaved() -> None:
    assert schedule(["torch", "tensorflow"], 3) == [
        (1, "torch"),
        (1, "tensorflow"),
        (2, "torch"),
        (2, "tensorflow"),
        (3, "torch"),
        (3, "tensorflow"),
    ]


def test_calibration_sizes_the_run_for_the_slower_framework() -> None:
    # 3 s at 640 samples/s with batch 32 -> 60 steps, for both frameworks...
    assert calibrated_steps(3.0, [960.0, 640.0], 32) == 60
    # ...unless the faster one would then train under 1.5 x MIN_TRAIN_SECONDS...
    assert calibrated_steps(3.0, [6400.0, 640.0], 32) == 150
    # ...or the run would have fewer than MIN_STEPS steps.
    assert calibrated_steps(0.1, [640.0], 32) == MIN_STEPS
    assert calibrated_steps(3.0, [0.0], 32) == MIN_STEPS
    assert calibrated_steps(1e9, [1e9], 1, cap=500) == 500


def comparison(faster: str, *, conclusive: bool = True, task: str = "regression") -> Comparison:
    slower = "tensorflow" if faster == "torch" else "torch"
    caveats = () if conclusive else ("the two frameworks' min-max ranges overlap",)
    brief = () if conclusive else ("overlapping ranges",)
    return Comparison(task, faster, slower, 2.5, conclusive, caveats, brief)


def say(comparisons: list[Comparison], source: str | None = "answers.toml") -> str:
    return conclusion(
        comparisons,
        unmeasured={},
        recommended="tensorflow",
        confidence="high",
        answers_source=source,
        favours=["deployment: mobile"],
    )


def test_conclusion_agrees_disagrees_or_declines_in_one_sentence() -> None:
    agrees = say([comparison("tensorflow")])
    assert agrees == (
        "TensorFlow trained the regression starter model 2.50x as fast as PyTorch; that speed "
        "agrees with the advisor's high-confidence recommendation of TensorFlow for your "
        "answers in answers.toml."
    )
    disagrees = say([comparison("torch")])
    assert "recommendation of TensorFlow for your answers in answers.toml rests on" in disagrees
    assert "grounds other than speed (deployment: mobile)" in disagrees
    shaky = say([comparison("torch", conclusive=False)], source=None)
    assert "only indicative (overlapping ranges)" in shaky
    assert "does not move" in shaky and "default answers" in shaky
    for sentence in (agrees, disagrees, shaky):
        assert sentence.count(". ") == 0 and sentence.endswith(".")


def test_conclusion_without_a_comparison_says_why() -> None:
    text = conclusion(
        [],
        unmeasured={"tensorflow": "is not installed"},
        recommended="torch",
        confidence="low",
        answers_source=None,
        favours=[],
    )
    assert text.startswith("Nothing to compare (TensorFlow is not installed)")


# ---------------------------------------------------------------- views


def sample_result() -> BenchResult:
    rows = (
        Row(
            task="regression",
            framework="torch",
            status="measured",
            version="2.13.0",
            device={"type": "cpu", "name": "cpu"},
            steps=200,
            batch_size=32,
            import_seconds=Spread(1.5, 1.4, 1.6, 2),
            first_step_seconds=Spread(0.0035, 0.003, 0.004, 2),
            startup_seconds=Spread(1.75, 1.7, 1.8, 2),
            train_seconds=Spread(2.0, 1.9, 2.1, 2),
            samples_per_second=Spread(4000.0, 3900.0, 4100.0, 2),
            peak_memory_mb=Spread(350.0, 349.0, 351.0, 2),
            loss_last=0.0123,
        ),
        Row(
            task="regression",
            framework="tensorflow",
            status="not_installed",
            install_command="/x/python -m pip install tensorflow>=2.16",
        ),
    )
    return BenchResult(
        settings={"device": "cpu", "steps": 200, "seconds": None, "batch_size": None, "repeats": 2},
        machine={
            "system": "Linux",
            "machine": "x86_64",
            "cpu": "Test CPU",
            "cpus": 2,
            "load_average": 0.1,
            "python": "3.12.0",
        },
        rows=rows,
        comparisons=(),
        advice={"framework": "torch", "confidence": "low", "margin": 1, "answers_from": None},
        conclusion="Nothing to compare (TensorFlow is not installed).",
    )


def test_bar_uses_eighth_blocks_on_a_shared_scale() -> None:
    assert bar(10.0, 10.0, width=4) == "████"
    assert bar(5.0, 10.0, width=4) == "██"
    assert bar(1.0, 10.0, width=4) == "▍"  # 0.4 cells -> 3 eighths
    assert bar(0.0, 10.0) == "" and bar(1.0, 0.0) == ""


def test_markdown_has_the_machine_the_table_the_charts_and_the_sentence() -> None:
    text = markdown(sample_result())
    lines = text.splitlines()
    assert lines[0] == "# fwpick bench"
    assert lines[2] == (
        "Linux x86_64, Test CPU (2 CPUs, load 0.1), Python 3.12.0; device cpu, 200 steps per "
        "run, 1 warm-up + 2 interleaved repeats per framework"
    )
    assert (
        "| regression | PyTorch 2.13.0 | cpu | 1.5 | 0.0035 | 4,000 (3,900-4,100) | 350 | 0.0123 |"
        in lines
    )
    assert "| regression | TensorFlow | not installed | - | - | - | - | - |" in lines
    assert "regression  PyTorch  " + "█" * 36 + "  4,000" in lines
    assert "regression  PyTorch  " + "█" * 36 + "  1.75 s" in lines
    assert any("install: /x/python -m pip install tensorflow>=2.16" in line for line in lines)
    assert lines[-1] == "Nothing to compare (TensorFlow is not installed)."


def test_each_task_gets_its_own_chart_scale() -> None:
    base = sample_result()
    fast, slow = (
        Row(
            task=task,
            framework="torch",
            status="measured",
            device={"type": "cpu", "name": "cpu"},
            samples_per_second=Spread(rate, rate, rate, 2),
        )
        for task, rate in (("regression", 50_000.0), ("classification", 800.0))
    )
    text = markdown(replace(base, rows=(fast, slow)))
    assert "regression      PyTorch  " + "█" * 36 + "  50,000" in text
    assert "classification  PyTorch  " + "█" * 36 + "  800" in text


def test_terminal_view_and_json_carry_the_same_rows() -> None:
    result = sample_result()
    console = Console(record=True, width=80, color_system=None)
    console.print(bench_report(result))
    shown = console.export_text()
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "fwpick bench: regression" in shown and "not installed" in shown
    assert "2.13.0" in shown and "(3,900-4,100)" in shown and "4,000" in shown
    document = json.loads(json.dumps(result.to_json()))
    assert [row["status"] for row in document["results"]] == ["measured", "not_installed"]
    assert document["results"][0]["samples_per_second"]["median"] == 4000.0
    assert result.exit_code == ExitCode.OK


def test_exit_code_reports_failures_before_fallbacks() -> None:
    base = sample_result()
    failed = Row(task="regression", framework="tensorflow", status="failed", error="boom")
    fallback = Row(task="regression", framework="torch", status="fallback")
    assert replace(base, rows=(fallback,)).exit_code == 4
    assert replace(base, rows=(fallback, failed)).exit_code == 3


def summary(sps: float | None, first_step: float | None, loss: float) -> Summary:
    """A summary.json as the twins write it (templates/common/.../runlog.py), as bench reads it."""
    found = Summary.from_json(
        {
            "framework": "torch",
            "framework_version": "2.13.0",
            "task": "regression",
            "device": {"type": "cpu", "name": "x86_64"},
            "batch_size": 32,
            "steps": 100,
            "samples": 3200,
            "seconds": {"import": 1.0, "first_step": first_step, "train": 0.8, "total": 3.0},
            "samples_per_second": sps,
            "loss_last": loss,
            "metrics": {"val_mae": 0.1},
        }
    )
    assert found is not None
    return found


def test_rows_take_medians_over_repeats_and_the_last_runs_loss() -> None:
    runs = [
        (summary(4000.0, 0.01, 0.3), ChildResult(0, 300.0, 3.0, "")),
        (summary(5000.0, 0.03, 0.2), ChildResult(0, 310.0, 3.0, "")),
        (summary(4400.0, None, 0.1), ChildResult(0, 305.0, 3.0, "")),
    ]
    row = row_from_runs("regression", "torch", runs, error=None, fallback_reason=None)
    assert row.status == "measured" and row.version == "2.13.0" and row.steps == 100
    assert row.samples_per_second == Spread(4400.0, 4000.0, 5000.0, 3)
    assert row.peak_memory_mb == Spread(305.0, 300.0, 310.0, 3)
    assert row.first_step_seconds == Spread(0.02, 0.01, 0.03, 2)  # one run had none
    assert row.startup_seconds == Spread(1.02, 1.01, 1.03, 2)
    assert row.loss_last == 0.1
    fell_back = row_from_runs("regression", "torch", runs, error=None, fallback_reason="why")
    assert fell_back.status == "fallback" and fell_back.measured is not None
    failed = row_from_runs("regression", "torch", runs[:1], error="exit 1", fallback_reason=None)
    assert failed.status == "failed" and failed.measured is None and failed.error == "exit 1"


def test_failures_and_fallbacks_are_named_under_the_table() -> None:
    base = sample_result()
    rows = (
        Row(task="regression", framework="torch", status="failed", error="exit 1: boom"),
        Row(
            task="regression",
            framework="tensorflow",
            status="fallback",
            device={"type": "cpu", "name": "x86_64"},
            fallback_reason="the run with --device auto failed: exit 1: no kernel",
        ),
    )
    text = markdown(replace(base, rows=rows))
    assert "| regression | PyTorch | failed | - | - | - | - | - |" in text
    assert "- PyTorch (regression) failed: exit 1: boom" in text
    assert "cpu (x86_64) [fallback]" in text
    assert "TensorFlow (regression) fell back to the CPU: the run with --device auto" in text


# ---------------------------------------------------------------- the child runner


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@linux_only
def test_peak_memory_is_per_child_not_the_maximum_so_far(tmp_path: Path) -> None:
    env = dict(os.environ)
    big = run_child(
        [sys.executable, "-c", "b = b'x' * 200_000_000"],
        cwd=tmp_path,
        env=env,
        log=tmp_path / "big.log",
        timeout=60,
    )
    small = run_child(
        [sys.executable, "-c", "pass"], cwd=tmp_path, env=env, log=tmp_path / "s.log", timeout=60
    )
    assert big.returncode == 0 and small.returncode == 0
    assert big.peak_rss_mb is not None and big.peak_rss_mb > 200
    assert small.peak_rss_mb is not None and small.peak_rss_mb < 100


SPAWNER = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def grandchild_pid(log: Path) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if text.strip():
            return int(text.split()[0])
        time.sleep(0.05)
    raise AssertionError("the child never printed its child's pid")


@linux_only
def test_timeout_kills_the_child_and_what_it_started(tmp_path: Path) -> None:
    log = tmp_path / "spawner.log"
    result = run_child(
        [sys.executable, "-c", SPAWNER], cwd=tmp_path, env=dict(os.environ), log=log, timeout=2
    )
    assert result.timed_out and result.returncode is None
    assert gone(grandchild_pid(log))


@linux_only
def test_an_interrupt_kills_the_child_group_and_propagates(tmp_path: Path) -> None:
    log = tmp_path / "spawner.log"

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(2)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_child(
                [sys.executable, "-c", SPAWNER],
                cwd=tmp_path,
                env=dict(os.environ),
                log=log,
                timeout=60,
            )
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert gone(grandchild_pid(log))


# ---------------------------------------------------------------- the command


def test_seconds_and_steps_are_exclusive() -> None:
    result = run_fwpick("bench", "--seconds", "2", "--steps", "10")
    assert result.returncode == 2
    assert "--seconds or --steps" in result.stderr


def test_a_folder_that_is_not_a_project_is_refused(tmp_path: Path) -> None:
    result = run_fwpick("bench", "--project", str(tmp_path))
    assert result.returncode == 1
    assert "not a project generated by fwpick" in result.stderr


def test_a_bad_answers_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('scale = "galactic"\n')
    result = run_fwpick("bench", "--answers", str(answers))
    assert result.returncode == 1
    assert "not a valid answer for scale" in result.stderr


def test_an_unwritable_report_is_refused_before_measuring(tmp_path: Path) -> None:
    result = run_fwpick("bench", "--save", str(tmp_path / "missing" / "report.md"))
    assert result.returncode == 1
    assert "missing is not a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_interpreter_is_refused() -> None:
    result = run_fwpick("bench", "--python", "/nonexistent/python3")
    assert result.returncode == 1
    assert "--python /nonexistent/python3: no such file" in result.stderr


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv without pip, system site-packages or any framework."""
    folder = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder / "bin" / "python"


@linux_only
def test_missing_frameworks_get_rows_with_the_install_command(
    bare_python: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('scale = "large"\ndeployment = "mobile"\n')
    result = run_fwpick(
        "bench",
        "--python",
        str(bare_python),
        "--steps",
        "5",
        "--answers",
        str(answers),
        "--json",
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    expected = advise({**knowledge().defaults, "scale": "large", "deployment": "mobile"})
    assert document["advice"]["framework"] == expected.recommendation.framework
    assert document["advice"]["answers_from"] == str(answers)
    assert f"for your answers in {answers}" in document["conclusion"]
    rows = {row["framework"]: row for row in document["results"]}
    assert {row["status"] for row in rows.values()} == {"not_installed"}
    # The one install command: this machine's selector build, in the range projects pin.
    torch_command = install_here("torch", python=str(bare_python), device=Device.auto).command
    assert rows["torch"]["install_command"] == torch_command
    assert torch_command.startswith(f"{bare_python} -m pip install 'torch>=")
    assert "tensorflow" in rows["tensorflow"]["install_command"]
    assert rows["torch"]["samples_per_second"] is None
    assert document["comparisons"] == []
    assert document["conclusion"].startswith("Nothing to compare")


def bare_bench(bare_python: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """A quick real bench: no framework for --python, so every row is not_installed."""
    return run_fwpick(
        "bench",
        "--python",
        str(bare_python),
        "--steps",
        "5",
        *extra,
        cwd=home,
        env={"PYTHONPATH": str(REPO)},
    )


@linux_only
def test_save_force_keeps_the_old_report_as_orig_like_new_force(
    bare_python: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    report.write_text("my notes\n")
    refused = bare_bench(bare_python, tmp_path, "--save", "report.md")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: {Path('report.md')} exists; pass --force to keep it as report.md.orig "
        "and write the report there, or choose another path"
    )
    assert sorted(os.listdir(tmp_path)) == ["report.md"]
    for backup in ("report.md.orig", "report.md.orig.1"):
        kept = bare_bench(bare_python, tmp_path, "--save", "report.md", "--force")
        assert kept.returncode == 0, kept.stderr
        assert f"report saved to report.md (the old one is kept as {backup})" in kept.stderr
        assert report.read_text().startswith("# fwpick bench\n")
    assert (tmp_path / "report.md.orig").read_text() == "my notes\n"
    assert (tmp_path / "report.md.orig.1").read_text().startswith("# fwpick bench\n")
    assert sorted(os.listdir(tmp_path)) == ["report.md", "report.md.orig", "report.md.orig.1"]


# What happens to the --save path while the bench measures: the interpreter check runs
# `--python`, a script that changes the path (after the first check) and then runs Python.
CHANGES = {
    "folder-removed": ('rm -rf "$HERE/out"', "out is not a folder"),
    "fifo-appeared": ('mkfifo "$HERE/out/report.md"', "it is a FIFO"),
    "link-appeared": ('ln -s "$HERE/mine.md" "$HERE/out/report.md"', "it is a symbolic link"),
}


@linux_only
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_results_are_shown_when_the_report_cannot_be_saved_after_measuring(
    bare_python: Path, tmp_path: Path, change: str, as_json: bool
) -> None:
    command, reason = CHANGES[change]
    (tmp_path / "out").mkdir()
    (tmp_path / "mine.md").write_text("mine\n")
    python = tmp_path / "python"
    python.write_text(
        f'#!/bin/sh\nHERE="{tmp_path}"\n{command} 2>/dev/null\nexec {bare_python} "$@"\n'
    )
    python.chmod(0o755)
    result = run_fwpick(
        "bench",
        "--python",
        str(python),
        "--steps",
        "5",
        "--save",
        "out/report.md",
        *(["--json"] if as_json else []),
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1, result.stderr
    message = f"cannot write the report {Path('out/report.md')}: "
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: {message}") and reason in last, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if as_json:
        document = json.loads(result.stdout)
        assert {row["status"] for row in document["results"]} == {"not_installed"}
        assert document["conclusion"].startswith("Nothing to compare")
        assert document["error"] == {"message": last.removeprefix("error: "), "exit_code": 1}
    else:
        assert "Nothing to compare" in " ".join(result.stdout.split())
    assert (tmp_path / "mine.md").read_text() == "mine\n"
    if change == "fifo-appeared":
        assert stat.S_ISFIFO(os.lstat(tmp_path / "out/report.md").st_mode)
    if change == "link-appeared":
        assert os.readlink(tmp_path / "out/report.md") == str(tmp_path / "mine.md")
    assert not [name for name in os.listdir(tmp_path) if "fwpick" in name]


@linux_only
def test_bench_never_imports_a_framework_in_the_fwpick_process(bare_python: Path) -> None:
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['fwpick', 'bench', '--python', {str(bare_python)!r}, '--json']\n"
        "try:\n    runpy.run_module('fwpick', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'torch', 'tensorflow', 'keras', 'numpy'})\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stderr.rsplit("HEAVY=", 1)[-1] == ""


# ---------------------------------------------------------------- real short benches


REAL_ROW_KEYS = {
    "task",
    "framework",
    "status",
    "framework_version",
    "device",
    "steps",
    "batch_size",
    "seconds",
    "samples_per_second",
    "peak_memory_mb",
    "loss_last",
    "install_command",
    "fallback_reason",
    "error",
}


@pytest.mark.slow
@pytest.mark.torch
@pytest.mark.tensorflow
@need("torch")
@need("tensorflow")
def test_a_short_real_bench_of_both_frameworks_on_the_cpu(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    result = run_fwpick(
        "bench",
        "--task",
        "regression",
        "--device",
        "cpu",
        "--steps",
        "20",
        "--repeats",
        "2",
        "--json",
        "--save",
        str(report),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {
        "schema",
        "machine",
        "settings",
        "results",
        "comparisons",
        "advice",
        "conclusion",
    }
    rows = {row["framework"]: row for row in document["results"]}
    assert set(rows) == {"torch", "tensorflow"}
    for row in rows.values():
        assert set(row) == REAL_ROW_KEYS
        assert row["status"] == "measured", row
        assert row["device"]["type"] == "cpu" and row["steps"] == 20
        for key in ("samples_per_second", "peak_memory_mb"):
            spread = row[key]
            assert spread["n"] == 2 and 0 < spread["min"] <= spread["median"] <= spread["max"]
        for key in ("import", "first_step", "startup", "train"):
            assert row["seconds"][key]["median"] > 0
        assert isinstance(row["loss_last"], float) and row["loss_last"] == row["loss_last"]
    [found] = document["comparisons"]
    assert found["ratio"] >= 1 and found["conclusive"] is False  # 20 steps is a tiny run
    assert "only 20 steps per run" in " ".join(found["caveats"])
    assert "only indicative" in document["conclusion"]
    assert report.read_text().startswith("# fwpick bench\n")


def bench_processes(marker: str) -> list[int]:
    """Processes whose command line mentions `marker` (the bench's temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return [pid for pid in found if alive(pid)]


@pytest.fixture
def private_tmp(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "tmp"
    folder.mkdir()
    yield folder


@linux_only
@pytest.mark.slow
@pytest.mark.torch
@need("torch")
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_an_interrupted_bench_leaves_nothing_behind(
    private_tmp: Path, signum: int, code: int
) -> None:
    # A shell's background job may start with SIGINT ignored, where Ctrl-C at a terminal
    # would reach fwpick: restore the default disposition, then become fwpick.
    launcher = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
        "os.execv(sys.executable, [sys.executable, '-m', 'fwpick', *sys.argv[1:]])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", launcher, "bench", "--device", "cpu", "--steps", "1000000"],
        env={**os.environ, "TMPDIR": str(private_tmp), "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not bench_processes(str(private_tmp)) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    time.sleep(2)  # mid-import: the child has begun to write its own temporary files
    children = bench_processes(str(private_tmp))
    assert children, "no training child ever started"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "interrupted" in stderr
    assert all(gone(pid) for pid in children)
    assert bench_processes(str(private_tmp)) == []
    assert list(private_tmp.iterdir()) == []


TENSORFLOW_PARTS = ("tensorflow", "tensorboard", "keras", "tf_keras")


@pytest.fixture(scope="module")
def torch_only_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv that sees this environment's packages except TensorFlow (a .pth of links)."""
    import sysconfig

    root = tmp_path_factory.mktemp("torch_only")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    links = root / "site"
    links.mkdir()
    here = Path(sysconfig.get_paths()["purelib"])
    for entry in here.iterdir():
        if not entry.name.lower().startswith(TENSORFLOW_PARTS) and entry.suffix != ".pth":
            (links / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # With FAKE_CUDA set, torch claims a CUDA GPU that this CPU build cannot use: the
    # case of a visible GPU the build does not support, on any machine.
    (root / "hooks").mkdir()
    (root / "hooks" / "bench_fake_cuda.py").write_text(
        "import os\n"
        "if os.environ.get('FAKE_CUDA'):\n"
        "    import torch\n"
        "    torch.cuda.is_available = lambda: True\n"
    )
    Path(purelib, "links.pth").write_text(f"{links}\n{root / 'hooks'}\nimport bench_fake_cuda\n")
    return python


@linux_only
@pytest.mark.slow
@pytest.mark.torch
@need("torch")
@pytest.mark.parametrize(
    ("device", "status", "code"), [("auto", "fallback", 4), ("cuda", "failed", 3)]
)
def test_a_failing_device_falls_back_or_fails_like_the_smoke_test(
    torch_only_python: Path, device: str, status: str, code: int
) -> None:
    # `auto` (and `cuda`) pick a GPU that fails; with TensorFlow hidden, only PyTorch trains.
    result = run_fwpick(
        "bench",
        "--python",
        str(torch_only_python),
        "--device",
        device,
        "--steps",
        "5",
        "--repeats",
        "1",
        "--json",
        env={"FAKE_CUDA": "1"},
        timeout=300,
    )
    assert result.returncode == code, result.stderr
    rows = {row["framework"]: row for row in json.loads(result.stdout)["results"]}
    assert rows["tensorflow"]["status"] == "not_installed"
    assert rows["tensorflow"]["install_command"].startswith(f"{torch_only_python} -m pip")
    torch = rows["torch"]
    assert torch["status"] == status
    if status == "fallback":
        assert torch["device"]["type"] == "cpu"
        assert torch["fallback_reason"].startswith("the run with --device auto failed")
        assert torch["samples_per_second"]["median"] > 0
    else:
        assert torch["samples_per_second"] is None and torch["error"]


@linux_only
@pytest.mark.slow
@pytest.mark.torch
@need("torch")
def test_a_users_project_is_benchmarked_in_place_and_left_as_it_was(
    torch_only_python: Path, tmp_path: Path
) -> None:
    created = run_fwpick(
        "new", "mine", "--framework", "torch", "--deployment", "mobile",
        "--dir", str(tmp_path), "--no-smoke", "--no-git", "--json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    project = tmp_path / "mine"
    before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
    wrong = run_fwpick("bench", "--project", str(project), "--task", "classification")
    assert wrong.returncode == 1 and "is a regression project" in wrong.stderr
    result = run_fwpick(
        "bench", "--project", str(project), "--python", str(torch_only_python),
        "--device", "cpu", "--steps", "5", "--repeats", "1", "--json",
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["settings"]["tasks"] == ["regression"]
    rows = {row["framework"]: row for row in document["results"]}
    assert rows["torch"]["status"] == "measured" and rows["tensorflow"]["status"] == "not_installed"
    # The project's own answers (deployment: mobile) feed the closing sentence.
    assert document["advice"]["answers_from"] == str(project / ".fwpick.toml")
    assert str(project / ".fwpick.toml") in document["conclusion"]
    after = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
    assert after == before


@pytest.mark.parametrize(
    ("returncode", "output", "kind", "module"),
    [
        (0, "", None, None),
        (None, "", FailureKind.TIMEOUT, None),
        (1, "Traceback...\nModuleNotFoundError: No module named 'torch.nn'\n", "missing", "torch"),
        (1, "ImportError: cannot import name 'x' from 'y'\n", FailureKind.IMPORT_ERROR, None),
        (
            2,
            "usage: train.py [-h]\ntrain.py: error: unrecognized arguments: --max-steps 5\n",
            FailureKind.USAGE,
            None,
        ),
        (-9, "", FailureKind.CRASH, None),
        (1, "RuntimeError: CUDA error\n", FailureKind.CRASH, None),
    ],
)
def test_one_classifier_reads_a_childs_failure_into_a_kind(
    returncode: int | None, output: str, kind: object, module: str | None
) -> None:
    failure = classify(returncode, output)
    if kind is None:
        assert failure is None
        return
    assert failure is not None
    assert failure.kind is (FailureKind.MISSING_MODULE if kind == "missing" else kind)
    assert failure.module == module
    assert failure.detail
