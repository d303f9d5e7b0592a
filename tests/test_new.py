"""`fwpick new` through the CLI: targets, dry runs, --force, auto, JSON, exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import new_args, run_fwpick


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    result = run_fwpick(*new_args("demo", "PyTorch", tmp_path, "--dry-run", "--json"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["framework"] == "torch" and document["dry_run"] is True
    assert "src/demo/train.py" in document["files"]
    assert document["smoke"] is None
    assert list(tmp_path.iterdir()) == []


def test_new_without_smoke_writes_the_project_and_a_repository(tmp_path: Path) -> None:
    result = run_fwpick(
        "new",
        "demo",
        "--framework",
        "tf",
        "--task",
        "classification",
        "--dir",
        str(tmp_path),
        "--no-smoke",
        "--git",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    project = tmp_path / "demo"
    assert document["project"] == str(project)
    assert sorted(document["files"]) == [f for f in listing(project) if not f.startswith(".git/")]
    assert (project / ".git").is_dir() and document["git"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no staging folder left


def test_auto_uses_the_advisor_with_the_same_answer_sources(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"scale": "large", "deployment": "browser"}))
    result = run_fwpick(
        "new",
        "webapp",
        "--dir",
        str(tmp_path),
        "--answers",
        str(answers),
        "--defaults",
        "--no-smoke",
        "--no-git",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["framework"] == "tensorflow"
    assert document["advice"]["framework"] == "tensorflow"
    assert "src/webapp/export.py" in document["files"]  # deployment adds an export path
    marker = (tmp_path / "webapp/.fwpick.toml").read_text()
    assert 'deployment = "browser"' in marker and 'framework = "tensorflow"' in marker


def test_auto_without_answers_and_without_a_terminal_fails_at_once(tmp_path: Path) -> None:
    result = run_fwpick("new", "demo", "--dir", str(tmp_path), timeout=30)
    assert result.returncode == 1
    assert "missing answers" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["new", "../x"], 1, "is a path, not a name"),
        (["new", "json"], 1, "standard-library module"),
        # A bad flag value is a usage error, like a bad --task (it was exit 1 until 2026-11).
        (["new", "demo", "--framework", "jax"], 2, "unknown framework 'jax'"),
        (["new", "demo", "-f", "torch", "--task", "detection"], 2, "Invalid value for '--task'"),
        (["new", "demo", "-f", "torch", "--smoke", "sometimes"], 2, "--smoke require"),
    ],
)
def test_bad_input(tmp_path: Path, args: list[str], code: int, fragment: str) -> None:
    result = run_fwpick(*args, "--dir", str(tmp_path))
    assert result.returncode == code, result.stderr
    assert fragment in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_project_is_refused_then_force_keeps_user_files(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "notes.txt").write_text("mine")
    (project / "README.md").write_text("my readme")
    refused = run_fwpick(*new_args("demo", "torch", tmp_path, "--no-smoke"))
    assert refused.returncode == 1
    assert "exists and is not empty" in refused.stderr
    assert listing(project) == ["README.md", "notes.txt"]
    forced = run_fwpick(
        *new_args("demo", "torch", tmp_path, "--no-smoke", "--no-git", "--force", "--json")
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["kept_aside"] == ["README.md.orig"]
    assert (project / "notes.txt").read_text() == "mine"
    assert (project / "README.md.orig").read_text() == "my readme"
    assert (project / "src/demo/train.py").is_file()


def test_list_through_python_m_fwpick(tmp_path: Path) -> None:
    # The other CLI tests run the entry point in-process; this one proves `python -m fwpick`.
    result = run_fwpick("list", "--json", process=True)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert {(e["framework"], e["task"]) for e in entries} == {
        ("torch", "regression"),
        ("torch", "classification"),
        ("tensorflow", "regression"),
        ("tensorflow", "classification"),
    }


def test_input_picks_tabular_or_images_and_is_recorded(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('domain = "tabular"\n')
    base = ["new", "--dir", str(tmp_path), "-f", "torch", "--no-smoke", "--no-git", "--json"]
    # domain = tabular picks --input tabular for classification; a flag beats it.
    picked = run_fwpick(*base, "tab", "--task", "classification", "--answers", str(answers))
    assert picked.returncode == 0, picked.stderr
    assert json.loads(picked.stdout)["input"] == "tabular"
    marker = (tmp_path / "tab" / ".fwpick.toml").read_text()
    assert 'task = "classification"' in marker and 'input = "tabular"' in marker
    assert "class MLP" in (tmp_path / "tab" / "src" / "tab" / "model.py").read_text()
    flagged = run_fwpick(
        *base, "img", "--task", "classification", "--input", "IMAGES", "--answers", str(answers)
    )
    assert json.loads(flagged.stdout)["input"] == "images"
    assert json.loads(run_fwpick(*base, "reg").stdout)["input"] == "tabular"
    # Regression reads tabular data only: another input is a usage error, nothing written.
    refused = run_fwpick(*base, "bad", "--task", "regression", "--input", "images")
    assert refused.returncode == 2 and "--task regression takes tabular" in refused.stderr
    assert not (tmp_path / "bad").exists()
    listed = json.loads(run_fwpick("list", "--json").stdout)
    assert ("torch", "classification", "tabular") in {
        (e["framework"], e["task"], e["input"]) for e in listed
    }


@pytest.mark.slow
def test_a_failed_venv_keeps_the_project_removes_the_venv_and_quotes_pip(tmp_path: Path) -> None:
    # pip with no index and no config: installing the project's build backend fails.
    offline = {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(tmp_path / "no-wheels-here"),
    }
    result = run_fwpick(
        *new_args("demo", "torch", tmp_path, "--no-git", "--venv", "--json"),
        env=offline,
        timeout=300,
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: created {tmp_path / 'demo'}, but pip")
    assert "ERROR: " in lines[0]  # pip's own words
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == 3 and "ERROR: " in error["message"]
    assert (tmp_path / "demo/pyproject.toml").is_file()
    assert not (tmp_path / "demo/.venv").exists()
    assert sorted(os.listdir(tmp_path)) == ["demo"]
