"""The advisor's properties (docs/design.md, issues 7 and 15), each as a table over answers.

The scoring properties are checked on `score` (the rules that hold in context, before
any constraint decides) over every combination of answers; the whole verdict on an
evenly spread sample. The persona table is tests/test_personas.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from io import StringIO

import pytest
from matrix import once
from rich.console import Console

from fwpick.advice.advisor import advise, dated_note, install_needed, recommend
from fwpick.advice.knowledge import knowledge
from fwpick.advice.verdict import facts_for, score
from fwpick.machine.environment import Installed, Platform, notes
from fwpick.machine.hardware import Detected
from fwpick.ui.advice import advice as advice_view

KB = knowledge()
# `auto` stands for a detected value, so the tables range over the concrete ones.
CONCRETE = {q.id: tuple(v for v in q.values if v != "auto") for q in KB.questions}
ALL_ANSWERS = [
    dict(zip(CONCRETE, combo, strict=True)) for combo in itertools.product(*CONCRETE.values())
]
SAMPLE = ALL_ANSWERS[::397]
LINUX = Platform(python=(3, 12), system="Linux", machine="x86_64")


def signed_margin(answers: dict[str, str], *, windows: bool = False) -> int:
    """TensorFlow's points minus PyTorch's from the rules that hold for these answers."""
    values = tuple(answers[criterion] for criterion in CONCRETE)
    return _margin(values, windows) if windows else MARGINS[values]


@functools.cache
def _margin(values: tuple[str, ...], windows: bool) -> int:
    answers = dict(zip(CONCRETE, values, strict=True))
    totals, _, _ = score(facts_for(answers, detected_hardware="cpu", windows=windows), KB)
    return totals["tensorflow"] - totals["torch"]


# Every combination's margin off Windows. The tables below ask for each many times over
# (each walks all 38,880 and their neighbours), so `score` runs once per combination per
# run (2.5 s): the first xdist worker to ask computes them, the others read its file.
MARGINS: dict[tuple[str, ...], int] = {}


@pytest.fixture(scope="module", autouse=True)
def _every_margin(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    combos = [tuple(answers.values()) for answers in ALL_ANSWERS]
    margins = once(shared, "advisor-margins", lambda: [_margin(c, False) for c in combos])
    assert isinstance(margins, list)
    MARGINS.update(zip(combos, margins, strict=True))


def pick(answers: dict[str, str], *, windows: bool = False) -> str:
    """The framework the scores alone give (no constraint)."""
    margin = signed_margin(answers, windows=windows)
    if margin == 0:
        return KB.tie_framework
    return "tensorflow" if margin > 0 else "torch"


def test_every_combination_is_decided_deterministically_and_traced_to_reasons() -> None:
    for answers in SAMPLE:
        for windows in (False, True):
            result = recommend(answers, windows=windows)
            assert result == recommend(dict(answers), windows=windows)
            for framework in ("torch", "tensorflow"):
                assert result.scores[framework] == sum(r.points[framework] for r in result.reasons)
            # Every criterion is explained by at least one rule (--explain prints them all).
            assert {r.criterion for r in result.reasons} | {
                s.criterion for s in result.set_aside
            } >= set(CONCRETE)
            assert all(r.why for r in result.reasons)
            assert all(r.sources or "judgement" in r.why for r in result.reasons if r.weight)
            if result.decided_by.kind == "constraint":
                assert result.decided_by.sources
            else:
                assert result.framework == pick(answers, windows=windows)
            assert len(result.flips) <= 5


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
    # Balanced: the preferences are within a point and no constraint of the target decides.
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
        if team not in ("torch", "tensorflow") or answers["scale"] != "medium":
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
    result = recommend(answers)
    assert result.framework == expected
    assert result.instead is None and result.decided_by.kind != "constraint"


def test_windows_with_an_nvidia_gpu_counts_against_tensorflow() -> None:
    answers = {**KB.defaults, "hardware": "nvidia"}
    linux, windows = recommend(answers), recommend(answers, windows=True)
    hardware = next(r for r in windows.reasons if r.criterion == "hardware")
    assert hardware.favours == "torch" and "native Windows" in hardware.why
    assert signed_margin(answers, windows=True) < signed_margin(answers)
    assert linux.scores != windows.scores


def test_close_calls_say_so() -> None:
    assert recommend({**KB.defaults, "hardware": "cpu"}).confidence == "low"
    for answers in SAMPLE:
        result = recommend(answers)
        if result.decided_by.kind != "constraint" and result.margin <= KB.confidence_low:
            assert result.confidence in ("low", "medium")  # medium only with a decisive reason
            if result.confidence == "medium":
                assert any(r.decisive for r in result.reasons)


def test_a_tie_is_broken_openly_with_its_evidence() -> None:
    result = recommend({**KB.defaults, "hardware": "cpu"})
    assert result.margin == 0 and result.decided_by.kind == "tie"
    assert result.framework == KB.tie_framework
    assert result.decided_by.sources and result.confidence == "low"
    assert result.to_json()["tie_break"]["sources"]


def test_confidence_comes_from_what_decided() -> None:
    # A team's stack with nothing decisive against it: surer than its margin of 1.
    team = recommend(
        {
            **KB.defaults,
            "hardware": "cpu",
            "familiar": "torch",
            "scale": "large",
            "deployment": "server",
        }
    )
    assert team.margin == 1 and team.confidence == "medium"
    # Decisive reasons on both sides: a lean at most, whatever the margin.
    both = recommend(
        {
            **KB.defaults,
            "hardware": "cpu",
            "familiar": "tensorflow",
            "start": "pretrained",
            "domain": "language",
        }
    )
    assert both.framework == "torch" and both.confidence == "medium"
    # A constraint decides with its own confidence, even when the scores are level.
    mcu = recommend(
        {**KB.defaults, "hardware": "cpu", "deployment": "embedded", "familiar": "none"}
    )
    assert mcu.decided_by.id == "microcontroller" and mcu.confidence == "medium"


def test_flips_are_plausible_verdict_changes_most_decisive_first() -> None:
    for answers in SAMPLE:
        result = recommend(answers)
        current = (result.framework, result.instead.name if result.instead else None)
        for flip in result.flips:
            question = KB.question(flip.criterion)
            assert question.flip, flip  # never the data's kind, the team or its experience
            changed = recommend({**answers, flip.criterion: flip.to})
            assert (changed.framework, changed.instead.name if changed.instead else None) != current
            assert (changed.framework, changed.confidence) == (flip.framework, flip.confidence)
        structural = [f.decided_by == "constraint" or f.instead != current[1] for f in result.flips]
        assert structural == sorted(structural, reverse=True)  # constraints and instead first


def test_a_detected_accelerator_is_no_flip_but_an_answered_one_may_be() -> None:
    answers = {**KB.defaults, "scale": "large"}
    detected = advise(
        answers, where=LINUX, detected=Detected("cpu", "no GPU found"), today=KB.knowledge_date
    )
    assert all(f.criterion != "hardware" for f in detected.recommendation.flips)
    answered = recommend({**answers, "hardware": "cpu"})
    assert any(f.criterion == "hardware" for f in answered.flips)


def test_auto_hardware_is_scored_as_detected_and_said_so() -> None:
    result = advise(
        {**KB.defaults, "familiar": "none", "scale": "large"},
        where=LINUX,
        detected=Detected("tpu", "found /dev/accel0 and libtpu"),
        today=KB.knowledge_date,
    )
    hardware = next(r for r in result.recommendation.reasons if r.criterion == "hardware")
    assert hardware.answer == "tpu" and hardware.detected
    assert result.recommendation.answers["hardware"] == "auto"
    assert result.to_json()["detected"]["hardware"] == "tpu"
    assert result.recommendation.instead and result.recommendation.instead.id == "jax-tpu"


ALTERNATIVE_CASES = [
    ({"hardware": "tpu"}, {"Keras 3 on PyTorch or JAX"}),
    ({"deployment": "browser"}, {"ONNX Runtime"}),
    ({"deployment": "edge-gpu"}, {"ONNX Runtime"}),
    (
        {"familiar": "tensorflow", "start": "pretrained", "domain": "language"},
        {"Keras 3 on PyTorch or JAX"},
    ),
    ({}, set()),
]


@pytest.mark.parametrize(("overrides", "names"), ALTERNATIVE_CASES)
def test_alternatives_show_when_relevant_and_never_change_the_verdict(
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
    jetson = advise({**answers, "deployment": "edge-gpu"}, where=LINUX)
    assert jetson.next_command == "fwpick new my_project --framework torch --deployment edge-gpu"


CPU_TORCH = Installed("torch", "torch", "2.13.0+cpu")
CUDA_TORCH = Installed("torch", "torch", "2.13.0")
CPU_TF = Installed("tensorflow", "tensorflow-cpu", "2.21.0")
MISSING = Installed("torch", None, None)


@pytest.mark.parametrize(
    ("mine", "framework", "hardware", "answered", "needed"),
    [
        (MISSING, "torch", "cpu", False, True),
        (CPU_TORCH, "torch", "cpu", True, False),
        (CPU_TORCH, "torch", "nvidia", True, True),  # the answer, not the host, decides
        (CPU_TORCH, "torch", "nvidia", False, False),  # detected: the build fits this host
        (CUDA_TORCH, "torch", "nvidia", True, False),
        (CPU_TORCH, "torch", "amd", True, True),
        (CPU_TORCH, "torch", "tpu", True, True),
        (CPU_TF, "tensorflow", "nvidia", True, True),
        (CPU_TF, "tensorflow", "cpu", True, False),
    ],
)
def test_the_install_step_follows_the_answers(
    mine: Installed, framework: str, hardware: str, answered: bool, needed: bool
) -> None:
    assert install_needed(mine, framework=framework, hardware=hardware, answered=answered) is needed


@pytest.mark.parametrize("mine", [CPU_TORCH, MISSING])
def test_the_install_step_is_shown_when_needed(mine: Installed) -> None:
    result = advise(
        {**KB.defaults, "hardware": "nvidia"}, where=LINUX, today=KB.knowledge_date, mine=mine
    )
    assert result.install_needed
    console = Console(file=StringIO(), width=80)
    console.print(advice_view(result))
    assert result.install.command in console.file.getvalue()
    assert result.to_json()["install"] == {**result.install.to_json(), "needed": True}
    fitted = advise(
        {**KB.defaults, "hardware": "cpu"}, where=LINUX, today=KB.knowledge_date, mine=CPU_TORCH
    )
    console = Console(file=StringIO(), width=80)
    console.print(advice_view(fitted))
    assert not fitted.install_needed and fitted.install.command not in console.file.getvalue()


NOTE_CASES = [
    # (framework, deployment, system, machine, python, installed?, code, fragment)
    ("tensorflow", "none", "Windows", "amd64", (3, 12), False, "tf-windows-no-gpu", "WSL2"),
    ("tensorflow", "none", "Darwin", "arm64", (3, 12), True, "tf-apple-cpu-only", "2.20"),
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


def test_the_tpu_install_is_torchtpu_and_jetson_renders_the_server_export() -> None:
    from fwpick.base.frameworks import install_command
    from fwpick.generate.names import project_name
    from fwpick.generate.render import ProjectSpec

    tpu = install_command("torch", system="Linux", machine="x86_64", hardware="tpu")
    assert tpu.command == "python -m pip install torch torch-tpu" and "TorchTPU" in tpu.note
    spec = ProjectSpec(
        name=project_name("demo"),
        framework="torch",
        task="regression",
        answers={**KB.defaults, "deployment": "edge-gpu"},
    )
    assert spec.deployment == "server"
