"""The advisor's properties from DESIGN.md, each as a table over answers."""

from __future__ import annotations

import itertools

import pytest

from fwpick.advisor import advise, recommend
from fwpick.environment import Installed, Platform, notes
from fwpick.questions import knowledge

KB = knowledge()
ALL_ANSWERS = [
    dict(zip([q.id for q in KB.questions], combo, strict=True))
    for combo in itertools.product(*(q.values for q in KB.questions))
]


def signed_margin(answers: dict[str, str]) -> int:
    """TensorFlow's score minus PyTorch's: positive leans TensorFlow."""
    scores = recommend(answers).scores
    return scores["tensorflow"] - scores["torch"]


def test_every_combination_is_scored_deterministically() -> None:
    for answers in ALL_ANSWERS:
        assert recommend(answers) == recommend(dict(answers))


def test_every_point_is_traced_to_a_reason() -> None:
    for answers in ALL_ANSWERS:
        result = recommend(answers)
        for framework in ("torch", "tensorflow"):
            assert result.scores[framework] == sum(r.points[framework] for r in result.reasons)
        assert [r.criterion for r in result.reasons] == [q.id for q in KB.questions]
        assert all(r.why for r in result.reasons)


@pytest.mark.parametrize(
    ("criterion", "direction"),
    [
        ("scale", +1),  # more scale never moves towards torch
        ("prototyping", -1),  # more prototyping never moves towards tensorflow
        ("experience", +1),  # beginner leans torch more than expert
    ],
)
def test_monotone(criterion: str, direction: int) -> None:
    order = KB.question(criterion).values
    for answers in ALL_ANSWERS:
        margins = [signed_margin({**answers, criterion: value}) for value in order]
        for lower, higher in itertools.pairwise(margins):
            assert (higher - lower) * direction >= 0, (criterion, answers, margins)


@pytest.mark.parametrize("target", ["mobile", "browser"])
def test_mobile_and_browser_lean_tensorflow_more_than_none(target: str) -> None:
    for answers in ALL_ANSWERS:
        assert signed_margin({**answers, "deployment": target}) > signed_margin(
            {**answers, "deployment": "none"}
        )


def test_familiar_tips_every_balanced_case() -> None:
    for answers in ALL_ANSWERS:
        if answers["familiar"] != "none" or abs(signed_margin(answers)) > 1:
            continue
        for framework in ("torch", "tensorflow"):
            assert recommend({**answers, "familiar": framework}).framework == framework


FAQ_CASES = [
    # The comparison document's FAQ: beginner or research -> PyTorch.
    ({"experience": "beginner", "prototyping": "high"}, "torch"),
    # Large datasets and high performance in production -> TensorFlow.
    ({"scale": "large", "deployment": "server"}, "tensorflow"),
    ({"scale": "large", "deployment": "server", "prototyping": "low"}, "tensorflow"),
    # Flexibility and fast prototyping -> PyTorch.
    ({"prototyping": "high"}, "torch"),
    ({"prototyping": "high", "experience": "expert"}, "torch"),
    # Deploying into a web page or a phone.
    ({"deployment": "browser"}, "tensorflow"),
    ({"deployment": "mobile", "experience": "expert"}, "tensorflow"),
]


@pytest.mark.parametrize(("overrides", "expected"), FAQ_CASES)
def test_faq_cases(overrides: dict[str, str], expected: str) -> None:
    assert recommend({**KB.defaults, **overrides}).framework == expected


def test_close_calls_say_so_and_clear_cases_do_not() -> None:
    assert recommend(KB.defaults).confidence == "low"
    strong = {**KB.defaults, "scale": "large", "deployment": "browser", "experience": "expert"}
    assert recommend(strong).confidence == "high"
    for answers in ALL_ANSWERS:
        result = recommend(answers)
        assert (result.confidence == "low") == (result.margin <= KB.confidence_low)


def test_a_tie_is_broken_openly() -> None:
    tie = {**KB.defaults, "experience": "expert"}
    result = recommend(tie)
    assert result.margin == 0
    assert result.framework == KB.tie_framework
    assert result.tie_break and result.confidence == "low"


def test_flips_are_exactly_the_single_changes_that_change_the_answer() -> None:
    for answers in ALL_ANSWERS[::7]:
        result = recommend(answers)
        expected = {
            (q.id, value)
            for q in KB.questions
            for value in q.values
            if value != answers[q.id]
            and recommend({**answers, q.id: value}).framework != result.framework
        }
        assert {(f.criterion, f.to) for f in result.flips} == expected


def test_default_advice_names_the_next_command() -> None:
    result = advise(KB.defaults)
    assert result.next_command == "fwpick new my_project --framework torch"
    server = advise({**KB.defaults, "scale": "large", "deployment": "server"})
    assert server.next_command == (
        "fwpick new my_project --framework tensorflow --deployment server"
    )


NOTE_CASES = [
    # (framework, deployment, system, machine, python, installed?, expected fragment)
    ("tensorflow", "none", "Windows", "amd64", (3, 12), False, "no GPU support on native Windows"),
    ("tensorflow", "none", "Darwin", "arm64", (3, 12), True, "tensorflow-metal"),
    ("tensorflow", "none", "Linux", "x86_64", (3, 14), True, "outside what current tensorflow"),
    ("tensorflow", "none", "Linux", "x86_64", (3, 12), False, "not installed"),
    ("torch", "none", "Darwin", "arm64", (3, 12), True, "MPS"),
    ("torch", "server", "Linux", "x86_64", (3, 12), True, "TorchServe is archived"),
    ("torch", "mobile", "Linux", "x86_64", (3, 12), True, "TorchScript is deprecated"),
    ("torch", "none", "Linux", "x86_64", (3, 12), True, "2.13.0 is installed"),
]


@pytest.mark.parametrize(
    ("framework", "deployment", "system", "machine", "python", "present", "fragment"), NOTE_CASES
)
def test_environment_notes(
    framework: str,
    deployment: str,
    system: str,
    machine: str,
    python: tuple[int, int],
    present: bool,
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
    assert any(fragment in note for note in found), found
