"""The advisor's properties from DESIGN.md and issue 7, each as a table over answers."""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO

import pytest
from rich.console import Console

from fwpick.advice.advisor import advise, dated_note, recommend
from fwpick.advice.knowledge import knowledge
from fwpick.machine.environment import Installed, Note, Platform, notes
from fwpick.machine.hardware import Detected
from fwpick.ui.advice import advice as advice_view

KB = knowledge()
# `auto` stands for a detected value, so the tables range over the concrete ones.
CONCRETE = {q.id: tuple(v for v in q.values if v != "auto") for q in KB.questions}
ALL_ANSWERS = [
    dict(zip(CONCRETE, combo, strict=True)) for combo in itertools.product(*CONCRETE.values())
]
# recommend() also computes every flip; the full table is checked on the cheap score,
# and the full function on an evenly spread sample.
SAMPLE = ALL_ANSWERS[::97]
LINUX = Platform(python=(3, 12), system="Linux", machine="x86_64")


def signed_margin(answers: dict[str, str], *, windows: bool = False) -> int:
    """TensorFlow's points minus PyTorch's, straight from the knowledge file."""
    total = 0
    for question in KB.questions:
        points = question.choice(answers[question.id]).scored(windows=windows).points
        total += points["tensorflow"] - points["torch"]
    return total


def pick(answers: dict[str, str], *, windows: bool = False) -> str:
    margin = signed_margin(answers, windows=windows)
    if margin == 0:
        return KB.tie_framework
    return "tensorflow" if margin > 0 else "torch"


def test_every_combination_is_scored_deterministically_and_traced_to_reasons() -> None:
    for answers in SAMPLE:
        for windows in (False, True):
            result = recommend(answers, windows=windows)
            assert result == recommend(dict(answers), windows=windows)
            for framework in ("torch", "tensorflow"):
                total = sum(r.points[framework] for r in result.reasons)
                assert result.scores[framework] == total
            assert [r.criterion for r in result.reasons] == [q.id for q in KB.questions]
            assert all(r.why and r.sources for r in result.reasons)
            assert result.framework == pick(answers, windows=windows)


@pytest.mark.parametrize(
    ("criterion", "direction"),
    [
        ("scale", +1),  # more scale never moves towards torch
        ("prototyping", -1),  # more prototyping never moves towards tensorflow
        ("experience", +1),  # beginner leans torch more than expert
    ],
)
def test_monotone(criterion: str, direction: int) -> None:
    order = CONCRETE[criterion]
    for answers in ALL_ANSWERS:
        if answers[criterion] != order[0]:
            continue
        margins = [signed_margin({**answers, criterion: value}) for value in order]
        for lower, higher in itertools.pairwise(margins):
            assert (higher - lower) * direction >= 0, (criterion, answers, margins)


@pytest.mark.parametrize("target", ["mobile", "browser", "embedded"])
def test_on_device_targets_lean_tensorflow_more_than_none(target: str) -> None:
    for answers in ALL_ANSWERS:
        if answers["deployment"] == "none":
            assert signed_margin({**answers, "deployment": target}) > signed_margin(answers)


@pytest.mark.parametrize(("criterion", "value"), [("start", "pretrained"), ("domain", "language")])
def test_pretrained_and_language_lean_hard_to_pytorch(criterion: str, value: str) -> None:
    default = KB.question(criterion).default
    for answers in ALL_ANSWERS:
        if answers[criterion] == default:
            shift = signed_margin({**answers, criterion: value}) - signed_margin(answers)
            assert shift <= -3, (criterion, answers)


def test_familiar_tips_every_balanced_case() -> None:
    for answers in ALL_ANSWERS:
        if answers["familiar"] != "none" or abs(signed_margin(answers)) > 1:
            continue
        for framework in ("torch", "tensorflow"):
            assert pick({**answers, "familiar": framework}) == framework


def test_an_existing_stack_is_never_outvoted_by_scale_alone() -> None:
    # Whenever nothing but scale stands against the team's framework, the team's
    # framework wins at every scale: a PyTorch team at large scale stays on PyTorch.
    for answers in ALL_ANSWERS:
        team = answers["familiar"]
        if team == "none" or answers["scale"] != "medium":
            continue
        if signed_margin({**answers, "familiar": "none"}) != 0:
            continue
        for scale in CONCRETE["scale"]:
            assert pick({**answers, "scale": scale}) == team, (answers, scale)


FAQ_CASES = [
    # The comparison document's FAQ, when nothing else is known: beginner or research
    # -> PyTorch; large-scale training and production deployment -> TensorFlow.
    ({"experience": "beginner", "prototyping": "high"}, "torch"),
    ({"experience": "beginner"}, "torch"),
    ({"prototyping": "high"}, "torch"),
    ({"prototyping": "high", "experience": "expert"}, "torch"),
    ({"scale": "large", "deployment": "server"}, "tensorflow"),
    ({"scale": "large", "deployment": "server", "prototyping": "low"}, "tensorflow"),
    ({"deployment": "browser"}, "tensorflow"),
    ({"deployment": "mobile", "experience": "expert"}, "tensorflow"),
]


@pytest.mark.parametrize(("overrides", "expected"), FAQ_CASES)
def test_faq_cases(overrides: dict[str, str], expected: str) -> None:
    answers = {**KB.defaults, "hardware": "cpu", **overrides}
    assert recommend(answers).framework == expected


# Realistic users: what an expert would pick for each, and the criterion whose reason
# must appear (favouring that pick) in the advice.
PERSONAS = [
    (
        "team fine-tuning Hugging Face LLMs for a server",
        {
            "scale": "large",
            "deployment": "server",
            "experience": "expert",
            "start": "pretrained",
            "domain": "language",
            "hardware": "nvidia",
        },
        "torch",
        "high",
        "start",
    ),
    (
        "the same LLM team, already on PyTorch",
        {
            "scale": "large",
            "deployment": "server",
            "experience": "expert",
            "start": "pretrained",
            "domain": "language",
            "hardware": "nvidia",
            "familiar": "torch",
        },
        "torch",
        "high",
        "familiar",
    ),
    (
        "a TensorFlow team moving to Hugging Face LLM fine-tuning",
        {
            "deployment": "server",
            "experience": "expert",
            "familiar": "tensorflow",
            "start": "pretrained",
            "domain": "language",
            "hardware": "nvidia",
        },
        "torch",
        "medium",
        "domain",
    ),
    (
        "PyTorch team training recommendation models across many machines",
        {
            "scale": "large",
            "deployment": "server",
            "experience": "expert",
            "familiar": "torch",
            "hardware": "nvidia",
        },
        "torch",
        "low",
        "familiar",
    ),
    (
        "TensorFlow team shipping a settled model on phones",
        {
            "prototyping": "low",
            "deployment": "mobile",
            "familiar": "tensorflow",
            "domain": "vision",
        },
        "tensorflow",
        "high",
        "familiar",
    ),
    (
        "student learning deep learning on a laptop",
        {"scale": "small", "prototyping": "high", "experience": "beginner", "hardware": "cpu"},
        "torch",
        "high",
        "experience",
    ),
    (
        "researcher trying new vision architectures",
        {"prototyping": "high", "experience": "expert", "domain": "vision", "hardware": "nvidia"},
        "torch",
        "medium",
        "prototyping",
    ),
    (
        "firmware team putting a keyword spotter on a microcontroller",
        {
            "scale": "small",
            "prototyping": "low",
            "deployment": "embedded",
            "domain": "audio",
            "hardware": "cpu",
        },
        "tensorflow",
        "low",
        "deployment",
    ),
    (
        "startup training on Cloud TPUs at scale",
        {"scale": "large", "prototyping": "low", "experience": "expert", "hardware": "tpu"},
        "tensorflow",
        "high",
        "hardware",
    ),
    (
        "Mac user fine-tuning a pretrained image model",
        {"scale": "small", "start": "pretrained", "domain": "vision", "hardware": "apple"},
        "torch",
        "high",
        "hardware",
    ),
    (
        "data scientist with tabular churn data",
        {"scale": "small", "domain": "tabular", "hardware": "cpu"},
        "torch",
        "low",
        "scale",
    ),
    (
        "speech team fine-tuning Whisper for a service",
        {"deployment": "server", "start": "pretrained", "domain": "audio", "hardware": "nvidia"},
        "torch",
        "medium",
        "start",
    ),
    (
        "team on AMD Instinct GPUs training their own model",
        {"scale": "medium", "prototyping": "high", "hardware": "amd"},
        "torch",
        "medium",
        "hardware",
    ),
    (
        "web developer who wants a model in the browser, no team stack",
        {
            "scale": "small",
            "prototyping": "low",
            "deployment": "browser",
            "experience": "expert",
            "hardware": "cpu",
        },
        "tensorflow",
        "low",
        "deployment",
    ),
]


@pytest.mark.parametrize(
    ("who", "answers", "expected", "confidence", "must_show"),
    PERSONAS,
    ids=[persona[0] for persona in PERSONAS],
)
def test_personas(
    who: str, answers: dict[str, str], expected: str, confidence: str, must_show: str
) -> None:
    result = recommend({**KB.defaults, "hardware": "cpu", **answers})
    assert result.framework == expected, (who, result.scores)
    assert result.confidence == confidence, (who, result.scores)
    reason = next(r for r in result.reasons if r.criterion == must_show)
    assert reason.favours == expected, (who, reason)


def test_windows_with_an_nvidia_gpu_counts_against_tensorflow() -> None:
    answers = {**KB.defaults, "hardware": "nvidia"}
    linux, windows = recommend(answers), recommend(answers, windows=True)
    hardware = next(r for r in windows.reasons if r.criterion == "hardware")
    assert hardware.favours == "torch" and "native Windows" in hardware.why
    assert signed_margin(answers, windows=True) < signed_margin(answers)
    assert linux.scores != windows.scores


def test_close_calls_say_so_and_clear_cases_do_not() -> None:
    assert recommend({**KB.defaults, "hardware": "cpu"}).confidence == "low"
    for answers in SAMPLE:
        result = recommend(answers)
        assert (result.confidence == "low") == (result.margin <= KB.confidence_low)


def test_a_tie_is_broken_openly_with_its_evidence() -> None:
    result = recommend({**KB.defaults, "hardware": "cpu"})
    assert result.margin == 0
    assert result.framework == KB.tie_framework
    assert result.tie_break and result.tie_break.sources and result.confidence == "low"


def test_flips_are_exactly_the_single_changes_that_change_the_answer() -> None:
    for answers in SAMPLE:
        result = recommend(answers)
        expected = {
            (question, value)
            for question, values in CONCRETE.items()
            for value in values
            if value != answers[question] and pick({**answers, question: value}) != result.framework
        }
        assert {(f.criterion, f.to) for f in result.flips} == expected
        assert all(f.tie == (f.margin == 0) for f in result.flips)


def test_every_choice_cites_known_sources() -> None:
    for question in KB.questions:
        for choice in question.choices:
            assert choice.score.sources, (question.id, choice.value)
            assert all(source in KB.sources for source in choice.score.sources)
    for source in KB.sources.values():
        assert source.title and source.url


def test_auto_hardware_is_scored_as_detected_and_said_so() -> None:
    result = advise(
        {**KB.defaults, "familiar": "none"},
        where=LINUX,
        detected=Detected("tpu", "found /dev/accel0 and libtpu"),
        today=KB.knowledge_date,
    )
    hardware = next(r for r in result.recommendation.reasons if r.criterion == "hardware")
    assert hardware.answer == "tpu" and hardware.detected
    assert result.recommendation.answers["hardware"] == "auto"
    assert result.to_json()["detected"]["hardware"] == "tpu"


ALTERNATIVE_CASES = [
    ({"hardware": "tpu"}, {"JAX", "Keras 3 on PyTorch or JAX"}),
    ({"domain": "tabular"}, {"Gradient boosting (XGBoost, LightGBM, CatBoost)"}),
    ({"deployment": "browser"}, {"ONNX Runtime"}),
    (
        {"familiar": "tensorflow", "start": "pretrained", "domain": "language"},
        {"Keras 3 on PyTorch or JAX"},
    ),
    ({"scale": "large", "prototyping": "high"}, {"JAX"}),
    ({}, set()),
]


@pytest.mark.parametrize(("overrides", "names"), ALTERNATIVE_CASES)
def test_alternatives_show_when_relevant_and_never_change_the_pick(
    overrides: dict[str, str], names: set[str]
) -> None:
    answers = {**KB.defaults, "hardware": "cpu", **overrides}
    result = advise(answers, where=LINUX, today=KB.knowledge_date)
    assert {alternative.name for alternative in result.alternatives} == names
    assert result.recommendation == recommend(answers)


def test_advice_says_when_its_knowledge_may_be_dated() -> None:
    date = KB.knowledge_date
    assert dated_note(date, date + dt.timedelta(days=365)) is None
    stale = dated_note(date, date + dt.timedelta(days=366))
    assert stale and stale.code == "knowledge-dated" and date.isoformat() in stale.text
    result = advise(KB.defaults, where=LINUX, today=date + dt.timedelta(days=400))
    assert "knowledge-dated" in {note.code for note in result.notes}


def test_default_advice_names_the_install_and_next_commands() -> None:
    answers = {**KB.defaults, "hardware": "cpu"}
    result = advise(answers, where=LINUX, today=KB.knowledge_date)
    assert result.next_command == "fwpick new my_project --framework torch"
    assert result.install.command == (
        "python -m pip install torch --index-url https://download.pytorch.org/whl/cpu"
    )
    server = advise(
        {**answers, "scale": "large", "deployment": "server"}, where=LINUX, today=KB.knowledge_date
    )
    assert server.next_command == "fwpick new my_project --framework tensorflow --deployment server"
    assert server.install.command == "python -m pip install tensorflow-cpu"
    embedded = advise({**answers, "deployment": "embedded"}, where=LINUX)
    assert embedded.next_command.endswith("--deployment mobile")


@pytest.mark.parametrize("installed", [True, False])
def test_the_install_step_is_shown_only_when_the_framework_is_missing(installed: bool) -> None:
    result = advise({**KB.defaults, "hardware": "cpu"}, where=LINUX, today=KB.knowledge_date)
    code = "installed" if installed else "not-installed"
    result = result._replace(notes=(Note(code, "..."),))
    console = Console(file=StringIO(), width=120)
    console.print(advice_view(result))
    steps = console.file.getvalue().split("Next steps:")[1]
    assert (result.install.command in steps) is not installed
    assert ("then generate" in steps) is not installed
    assert result.to_json()["install"]["command"] == result.install.command  # JSON keeps it


NOTE_CASES = [
    # (framework, deployment, system, machine, python, installed?, code, fragment)
    ("tensorflow", "none", "Windows", "amd64", (3, 12), False, "tf-windows-no-gpu", "WSL2"),
    ("tensorflow", "none", "Darwin", "arm64", (3, 12), True, "tf-apple-cpu-only", "2.18"),
    ("tensorflow", "none", "Linux", "x86_64", (3, 14), True, "python-unsupported", "TensorFlow"),
    ("tensorflow", "none", "Linux", "x86_64", (3, 10), True, "installed", "TensorFlow 2.13.0"),
    ("tensorflow", "none", "Linux", "x86_64", (3, 12), False, "not-installed", "TensorFlow"),
    ("torch", "none", "Darwin", "arm64", (3, 12), True, "torch-apple-mps", "MPS"),
    ("torch", "server", "Linux", "x86_64", (3, 12), True, "torchserve-limited", "limited"),
    ("torch", "mobile", "Linux", "x86_64", (3, 12), True, "torchscript-deprecated", "export"),
    ("torch", "none", "Linux", "x86_64", (3, 9), True, "python-unsupported", "PyTorch"),
]


@pytest.mark.parametrize(
    ("framework", "deployment", "system", "machine", "python", "present", "code", "fragment"),
    NOTE_CASES,
)
def test_environment_notes(
    framework: str,
    deployment: str,
    system: str,
    machine: str,
    python: tuple[int, int],
    present: bool,
    code: str,
    fragment: str,
) -> None:
    mine = (
        Installed(framework, framework, "2.13.0") if present else Installed(framework, None, None)
    )
    found = notes(
        framework=framework,
        deployment=deployment,
        mine=mine,
        where=Platform(python=python, system=system, machine=machine),
    )
    matching = [note for note in found if note.code == code]
    assert matching and fragment in matching[0].text, found
    # Notes speak of PyTorch and TensorFlow, never the internal ids.
    assert all(" torch " not in f" {note.text} " for note in found)
