"""The questionnaire at a real pseudo-terminal, answered like a person would."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import need

pexpect = pytest.importorskip("pexpect", reason="pexpect is needed to drive a terminal")

pytestmark = pytest.mark.terminal


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "xterm"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "fwpick", *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


def prompt(question: str, choices: str, default: str) -> str:
    """The prompt line as a regex; rich may wrap parts of it in bold escape codes."""
    return rf"{question} \S*\[{choices}\]\S* \S*\({default}\)\S*: "


def test_questionnaire_in_a_terminal(tmp_path: Path) -> None:
    saved = tmp_path / "answers.toml"
    child = spawn("advise", "--scale", "large", "--save", str(saved))
    child.expect(r"How often will the model itself change\?")
    child.expect(prompt("prototyping", "low/medium/high", "medium"))
    child.sendline("sometimes")  # not a choice: asked again
    child.expect("Please select one of the available options")
    child.sendline("low")
    child.expect(prompt("deployment", "none/server/mobile/browser/edge-gpu/embedded", "none"))
    child.sendline("server")
    child.expect(prompt("experience", "beginner/intermediate/expert", "intermediate"))
    child.sendline("")  # Enter takes the default
    child.expect(prompt("familiar", "none/torch/tensorflow/jax", "none"))
    child.sendline("TensorFlow")
    child.expect(prompt("start", "scratch/pretrained", "scratch"))
    child.sendline("")
    child.expect(prompt("domain", "general/vision/language/audio/tabular/timeseries", "general"))
    child.sendline("vision")
    child.expect(prompt("hardware", "auto/cpu/nvidia/amd/apple/tpu", "auto"))
    child.sendline("cpu")
    child.expect(r"Recommendation: \S*TensorFlow")
    child.expect(r"fwpick new my_project --framework tensorflow --deployment server")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    replay = spawn("advise", "--answers", str(saved), "--json")
    replay.expect(pexpect.EOF)
    document = json.loads(replay.before[replay.before.index("{") :])
    assert document["answers"] == {
        "scale": "large",
        "prototyping": "low",
        "deployment": "server",
        "experience": "intermediate",
        "familiar": "tensorflow",
        "start": "scratch",
        "domain": "vision",
        "hardware": "cpu",
    }


def test_ctrl_c_at_a_prompt_exits_130() -> None:
    child = spawn("advise")
    child.expect(prompt("scale", "small/medium/large", "medium"))
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_ctrl_d_at_a_prompt_is_a_clear_error() -> None:
    child = spawn("advise")
    child.expect(prompt("scale", "small/medium/large", "medium"))
    child.sendeof()
    child.expect("input ended before scale was answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


@pytest.mark.slow
@pytest.mark.torch
@need("torch")
def test_ctrl_c_during_the_smoke_test_leaves_nothing_behind(tmp_path: Path) -> None:
    # The smoke test runs in the staging folder; Ctrl-C there must remove it and the child.
    child = spawn("new", "demo", "-f", "torch", "--dir", str(tmp_path), "--no-git")
    child.expect("smoke test: ", timeout=60)
    child.sendintr()
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []


def test_a_long_step_shows_the_spinner_and_ctrl_c_takes_it_down(tmp_path: Path) -> None:
    # An interpreter that never answers keeps `new` in its first step: the spinner starts
    # after its delay (ui.progress), and Ctrl-C still ends the run cleanly without torch.
    hanging = tmp_path / "python"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(0o755)
    target = tmp_path / "out"
    child = spawn(
        "new", "demo", "-f", "torch", "--dir", str(target), "--no-git", "--python", str(hanging)
    )
    child.expect(r"\x1b\[\?25l")  # the cursor hidden: rich's live display began
    child.expect("starting|rendering|smoke test")  # the phase it is in
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "\x1b[?25h" in child.before  # the cursor is shown again
    assert "error: interrupted (SIGINT)" in child.before
    assert not target.exists()


def test_a_quick_new_writes_its_result_in_rich_styles(tmp_path: Path) -> None:
    # Written without rich's console (ui.lines), the same bytes rich writes at a terminal.
    child = spawn("new", "demo", "-f", "torch", "--dir", str(tmp_path), "--no-git", "--no-smoke")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    project = tmp_path / "demo"
    assert f"\x1b[1mCreated \x1b[0m\x1b[1m{project}\x1b[0m  (torch, regression" in child.before
    assert f"\x1b[1mNext:\x1b[0m\r\n  cd {project}\r\n" in child.before  # NO_COLOR: no cyan
