"""Answer sources: files, flags, defaults, and their one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwpick.advice.answers import merge, parse_answers_text, read_answers_file, to_toml
from fwpick.advice.knowledge import knowledge
from fwpick.base.errors import AnswersError


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "a.toml",
            'scale = "large"\nfamiliar = "TF"\n',
            {"scale": "large", "familiar": "tensorflow"},
        ),
        (
            "a.json",
            '{"prototyping": "HIGH", "familiar": "PyTorch"}',
            {"prototyping": "high", "familiar": "torch"},
        ),
        ("a.txt", '{"scale": "small"}', {"scale": "small"}),
        (
            "a.toml",
            'familiar = "Flax"\ndeployment = "jetson"\ndomain = "forecasting"\nhardware = "MPS"\n',
            {
                "familiar": "jax",
                "deployment": "edge-gpu",
                "domain": "timeseries",
                "hardware": "apple",
            },
        ),
        ("a.toml", 'familiar = "pt"\n', {"familiar": "torch"}),
        (
            ".fwpick.toml",
            '[project]\nname = "x"\n[answers]\ndeployment = "mobile"\n',
            {"deployment": "mobile"},
        ),
    ],
)
def test_answers_files_parse(name: str, text: str, expected: dict[str, str]) -> None:
    assert parse_answers_text(text, path=Path(name)) == expected


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.toml", 'scale = "large"\nscale = \n', "a.toml: not valid TOML: "),
        ("a.toml", 'scale = "large"\nnot toml\n', "(at line 2, column 5)"),
        ("a.json", '{"scale": "large",\n "x": }', "a.json: not valid JSON at line 2, column 7"),
        ("a.json", '["large"]', "expected a JSON object"),
        ("a.toml", 'size = "large"', "unknown key 'size'; valid keys are scale, prototyping"),
        (
            "a.toml",
            'scale = "huge"',
            "'huge' is not a valid answer for scale; choose from small, medium, large",
        ),
        (
            "a.toml",
            'hardware = "gpu"',
            "'gpu' is not a valid answer for hardware (did you mean nvidia (or amd, apple)?)",
        ),
        ("a.toml", 'hardware = "CUDA"', "(did you mean nvidia?)"),
        ("a.toml", 'deployment = "edge"', "(did you mean edge-gpu (or embedded)?)"),
        ("a.toml", 'domain = "timeserie"', "(did you mean timeseries?)"),
    ],
)
def test_bad_answers_files_name_the_problem(name: str, text: str, message: str) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers_text(text, path=Path(name))
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="answers file not found"):
        read_answers_file(tmp_path / "nope.toml")


def test_priority_is_defaults_then_file_then_flags() -> None:
    answers, missing = merge(
        flags={"scale": "small", "familiar": None},
        file_answers={"scale": "large", "deployment": "browser"},
        use_defaults=True,
    )
    assert missing == []
    assert answers == {**knowledge().defaults, "scale": "small", "deployment": "browser"}


def test_missing_answers_are_reported_in_questionnaire_order() -> None:
    _, missing = merge(flags={"familiar": "tf"}, file_answers={}, use_defaults=False)
    assert [q.id for q in missing] == [
        "scale",
        "prototyping",
        "deployment",
        "experience",
        "start",
        "domain",
        "hardware",
    ]


def test_saved_answers_read_back(tmp_path: Path) -> None:
    answers = {**knowledge().defaults, "scale": "large"}
    path = tmp_path / "answers.toml"
    path.write_text(to_toml(answers))
    assert read_answers_file(path) == answers


def test_the_new_answers_exist_with_their_meaning() -> None:
    kb = knowledge()
    assert "jax" in kb.question("familiar").values
    assert "timeseries" in kb.question("domain").values
    deployment = kb.question("deployment")
    assert {"edge-gpu", "embedded"} <= set(deployment.values)
    assert "Jetson" in deployment.choice("edge-gpu").label
    assert "microcontrollers" in deployment.choice("embedded").label
    # Aliases never collide: one spelling means one value.
    for question in kb.questions:
        spelled = [s for c in question.choices for s in (c.value, *c.aliases)]
        assert len(spelled) == len(set(spelled)), question.id


def test_saved_new_answers_read_back(tmp_path: Path) -> None:
    answers = {
        **knowledge().defaults,
        "familiar": "jax",
        "domain": "timeseries",
        "deployment": "edge-gpu",
    }
    path = tmp_path / "answers.toml"
    path.write_text(to_toml(answers))
    assert read_answers_file(path) == answers
