"""`fwpick advise` and the CLI's contract: exit codes, stdout/stderr split, JSON."""

from __future__ import annotations

import functools
import json
import sys
from io import StringIO
from pathlib import Path

import pytest
from conftest import run_fwpick
from rich.console import Console
from typer.testing import CliRunner

from fwpick.advice.answers import collect
from fwpick.advice.knowledge import knowledge
from fwpick.base.errors import AnswersError
from fwpick.cli.app import app
from fwpick.machine.environment import installed
from fwpick.ui.consoles import out_console
from fwpick.ui.prompts import ask

runner = CliRunner()


def test_defaults_json_is_one_document_with_the_contract_keys() -> None:
    result = runner.invoke(app, ["advise", "--defaults", "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    for key in (
        "framework",
        "scores",
        "margin",
        "confidence",
        "answers",
        "reasons",
        "flips",
        "notes",
        "next",
        "schema",
        "knowledge_date",
        "alternatives",
        "detected",
        "install",
        "instead",
        "decided_by",
    ):
        assert key in document
    assert isinstance(document["schema"], int)
    assert document["framework"] == "torch"
    assert set(document["scores"]) == {"torch", "tensorflow"}
    for reason in document["reasons"]:
        assert {"criterion", "favours", "weight", "why", "sources"} <= set(reason)
        assert all({"id", "title", "url"} <= set(source) for source in reason["sources"])
        if reason["weight"]:
            assert reason["sources"] or "judgement" in reason["why"]
    assert all(set(note) == {"code", "text"} for note in document["notes"])
    assert document["answers"]["hardware"] == "auto"
    assert document["detected"]["hardware"] in {"cpu", "nvidia", "amd", "apple", "tpu"}
    assert document["install"]["command"].startswith("python -m pip install ")


def test_flips_say_when_they_rest_on_the_tie_break() -> None:
    result = runner.invoke(
        app, ["advise", "--defaults", "--hardware", "cpu", "--prototyping", "low", "--json"]
    )
    flips = json.loads(result.stdout)["flips"]
    assert 0 < len(flips) <= 5
    assert all(flip["tie"] == (flip["decided_by"] == "tie") for flip in flips)
    assert any(flip["tie"] for flip in flips)


def test_sources_lists_the_evidence_with_brackets_and_whole_titles() -> None:
    as_json = runner.invoke(app, ["advise", "--sources", "--json"])
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert document["knowledge_date"] == knowledge().knowledge_date.isoformat()
    assert {source["id"] for source in document["sources"]} == set(knowledge().sources)
    facts = {s["id"]: s["registry"] for s in document["sources"]}
    assert facts["torch-tpu"] == {
        "index": "pypi",
        "package": "torch-tpu",
        "version": "0.2.0",
        "date": "2026-10-19",
    }
    out_console.cache_clear()
    text = runner.invoke(app, ["advise", "--sources"], env={"COLUMNS": "80"})
    out_console.cache_clear()
    assert text.exit_code == 0
    words = text.stdout.split()
    for source in knowledge().sources.values():
        assert source.url in words  # never cut
        for word in source.title.split():
            assert word in words, word  # titles whole, "[tpu]" and all
    assert "'jax[tpu]'" in text.stdout


ONE_SCREEN = [
    [],
    [
        "--hardware",
        "cpu",
        "--start",
        "pretrained",
        "--domain",
        "tabular",
        "--deployment",
        "browser",
    ],
    ["--hardware", "tpu", "--familiar", "jax", "--scale", "large", "--domain", "language"],
    ["--hardware", "nvidia", "--deployment", "embedded", "--domain", "audio", "--scale", "small"],
    [
        "--hardware",
        "apple",
        "--start",
        "pretrained",
        "--domain",
        "language",
        "--deployment",
        "browser",
    ],
    [
        "--hardware",
        "nvidia",
        "--deployment",
        "edge-gpu",
        "--familiar",
        "tensorflow",
        "--prototyping",
        "high",
    ],
]


@pytest.mark.parametrize("extra", ONE_SCREEN)
def test_the_default_output_fits_one_screen_at_80_columns(extra: list[str]) -> None:
    out_console.cache_clear()  # the console reads COLUMNS when it is made
    result = runner.invoke(app, ["advise", "--defaults", *extra], env={"COLUMNS": "80"})
    out_console.cache_clear()
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) <= 24, result.stdout
    assert all(len(line.rstrip()) <= 80 for line in lines if not line.startswith("    "))
    document = json.loads(runner.invoke(app, ["advise", "--defaults", *extra, "--json"]).stdout)
    if document["instead"]:
        assert lines[0].startswith(f"Consider {document['instead']['name'].split()[0]}")
        assert "between the two:" in " ".join(lines[:2])
    for reason in document["reasons"]:
        if reason["weight"]:
            assert reason["short"] in result.stdout


@pytest.mark.parametrize("columns", [60, 80, 99, 100, 140])
def test_explain_prints_every_criterion_and_breaks_no_word(columns: int) -> None:
    args = [
        "advise",
        "--defaults",
        "--hardware",
        "cpu",
        "--start",
        "pretrained",
        "--domain",
        "tabular",
        "--deployment",
        "browser",
    ]
    out_console.cache_clear()
    result = runner.invoke(app, [*args, "--explain"], env={"COLUMNS": str(columns)})
    out_console.cache_clear()
    assert result.exit_code == 0
    words = set(result.stdout.split())
    document = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert {reason["criterion"] for reason in document["reasons"]} == {
        q.id for q in knowledge().questions
    }
    for reason in document["reasons"]:
        for word in reason["why"].split():
            assert word in words, (columns, word)
    # Narrow terminals get the reasons under each criterion instead of a table.
    assert ("┃" in result.stdout) == (columns >= 100)


def test_human_output_shows_reasons_flips_and_next_command() -> None:
    result = runner.invoke(
        app, ["advise", "--defaults", "--scale", "large", "--deployment", "server"]
    )
    assert result.exit_code == 0
    assert "Recommendation: TensorFlow" in result.stdout
    assert "TensorFlow was built to scale" in result.stdout
    # The install step only when TensorFlow is missing here (the notes say which it is).
    missing = installed("tensorflow").version is None
    assert ("python -m pip install" in result.stdout) == missing
    assert "What would change it" in result.stdout
    assert "fwpick new my_project --framework tensorflow --deployment server" in result.stdout


def test_an_answered_accelerator_shows_its_install_step_on_a_cpu_build() -> None:
    mine = installed("torch")
    if mine.version is None or not mine.version.endswith("+cpu"):
        pytest.skip("needs the CPU build of torch installed (the dev set-up's)")
    result = runner.invoke(app, ["advise", "--defaults", "--hardware", "nvidia", "--json"])
    document = json.loads(result.stdout)
    assert document["framework"] == "torch" and document["install"]["needed"] is True
    shown = runner.invoke(
        app, ["advise", "--defaults", "--hardware", "nvidia"], env={"COLUMNS": "80"}
    )
    assert document["install"]["command"] in shown.stdout


def test_verdicts_beyond_the_two_lead_the_output() -> None:
    args = ["advise", "--defaults", "--hardware", "tpu", "--familiar", "jax"]
    document = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert document["instead"]["name"] == "JAX" and document["framework"] in ("torch", "tensorflow")
    text = runner.invoke(app, args, env={"COLUMNS": "80"}).stdout
    assert text.startswith("Consider JAX first; between the two: ")


@pytest.mark.parametrize(
    ("flag", "raw", "value"),
    [
        ("--familiar", "pt", "torch"),
        ("--familiar", "TF", "tensorflow"),
        ("--familiar", "flax", "jax"),
        ("--deployment", "jetson", "edge-gpu"),
        ("--domain", "forecasting", "timeseries"),
        ("--hardware", "mps", "apple"),
    ],
)
def test_aliases_are_accepted_as_flags(flag: str, raw: str, value: str) -> None:
    result = runner.invoke(app, ["advise", "--defaults", flag, raw, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answers"][flag.removeprefix("--")] == value


def test_flags_are_case_insensitive_and_beat_the_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"scale": "small", "prototyping": "high"}))
    result = runner.invoke(
        app, ["advise", "--answers", str(answers), "--scale", "LARGE", "--defaults", "--json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["answers"]["scale"] == "large"
    assert json.loads(result.stdout)["answers"]["prototyping"] == "high"


def test_save_writes_answers_that_read_back(tmp_path: Path) -> None:
    saved = tmp_path / "answers.toml"
    first = runner.invoke(
        app, ["advise", "--defaults", "--familiar", "tensorflow", "--json", "--save", str(saved)]
    )
    second = runner.invoke(app, ["advise", "--answers", str(saved), "--json"])
    assert first.exit_code == second.exit_code == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["advise", "--scale", "huge"], 2, "Invalid value for '--scale'"),
        (["advise", "--answers", "missing.toml"], 1, "answers file not found: missing.toml"),
        (["advise", "--scale", "large"], 1, "missing answers: --prototyping low|medium|high"),
        (["advise", "--defaults", "--bogus"], 2, "No such option"),
        (["advise", "--defaults", "--hardware", "gpu"], 2, "did you mean nvidia"),
        (["advise", "--defaults", "--hardware", "cuda"], 2, "did you mean nvidia?"),
        (
            ["advise", "--defaults", "--deployment", "edge"],
            2,
            "did you mean edge-gpu (or embedded)?",
        ),
    ],
)
def test_bad_input_exit_codes(args: list[str], code: int, fragment: str) -> None:
    result = run_fwpick(*args)
    assert result.returncode == code
    assert fragment in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_bad_answers_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('scale = "large"\nfamiliar = "rust"\n')
    result = run_fwpick("advise", "--answers", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "'rust' is not a valid answer for familiar" in result.stderr


def test_closed_stdin_never_waits() -> None:
    # stdin is an empty pipe: not a terminal, so fwpick must fail at once.
    result = run_fwpick("advise", timeout=30)
    assert result.returncode == 1
    assert "no terminal to ask on" in result.stderr


def test_prompts_read_from_a_stream_and_retry_invalid_answers() -> None:
    console = Console(file=StringIO(), force_terminal=False)
    answers = collect(
        flags={"scale": "large"},
        answers_file=None,
        use_defaults=False,
        ask=functools.partial(
            ask,
            console=console,
            stream=StringIO("sometimes\nhigh\nMOBILE\nbeginner\ntorch\npretrained\n\nnvidia\n"),
        ),
    )
    assert answers == {
        "scale": "large",
        "prototyping": "high",
        "deployment": "mobile",
        "experience": "beginner",
        "familiar": "torch",
        "start": "pretrained",
        "domain": "general",  # a bare Enter takes the default
        "hardware": "nvidia",
    }


def test_input_that_ends_early_is_an_error_not_a_hang() -> None:
    console = Console(file=StringIO(), force_terminal=False)
    with pytest.raises(AnswersError, match="input ended before deployment was answered"):
        collect(
            flags={},
            answers_file=None,
            use_defaults=False,
            ask=functools.partial(ask, console=console, stream=StringIO("small\nlow\n")),
        )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("fwpick ")


@pytest.mark.parametrize("argv", [["--help"], ["advise", "--defaults", "--json"]])
def test_the_cli_never_imports_a_framework(argv: list[str]) -> None:
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['fwpick', *{argv!r}]\n"
        "try:\n    runpy.run_module('fwpick', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'torch', 'tensorflow', 'keras', 'numpy'})\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY=" in result.stderr
    assert result.stderr.rsplit("HEAVY=", 1)[1] == ""


def test_every_question_has_a_flag_on_advise() -> None:
    help_text = runner.invoke(app, ["advise", "--help"], env={"COLUMNS": "200"}).stdout
    for question in knowledge().questions:
        assert question.flag in help_text
        for value in question.values:
            assert value in help_text


@pytest.mark.parametrize("command", ["advise", "new"])
def test_narrow_help_never_breaks_a_choice(command: str) -> None:
    help_text = run_fwpick(command, "--help", env={"COLUMNS": "70", "TERM": "dumb"}).stdout
    words = set(help_text.replace("│", " ").split())
    for question in knowledge().questions:
        for value in question.values:
            assert value in words, (command, question.id, value)
