"""`fwpick advise --json-schema` is a valid draft 2020-12 schema that real outputs meet."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_personas import PERSONAS
from typer.testing import CliRunner

from fwpick.advice.advisor import advise
from fwpick.advice.knowledge import knowledge
from fwpick.cli.app import app
from fwpick.machine.environment import Platform
from fwpick.machine.hardware import Detected

runner = CliRunner()
KB = knowledge()


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    result = runner.invoke(app, ["advise", "--json-schema"])
    assert result.exit_code == 0
    schema: dict[str, Any] = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_cli_output_meets_the_schema(validator: Draft202012Validator) -> None:
    for args in (["--defaults"], ["--defaults", "--hardware", "tpu", "--familiar", "jax"]):
        document = json.loads(runner.invoke(app, ["advise", *args, "--json"]).stdout)
        validator.validate(document)


@pytest.mark.parametrize("system", ["Linux", "Windows", "Darwin"])
def test_every_persona_and_a_spread_of_answers_meet_the_schema(
    validator: Draft202012Validator, system: str
) -> None:
    where = Platform(
        python=(3, 12), system=system, machine="arm64" if system == "Darwin" else "x86_64"
    )
    concrete = [tuple(v for v in q.values if v != "auto") for q in KB.questions]
    spread = [dict(zip(KB.defaults, combo, strict=True)) for combo in itertools.product(*concrete)][
        ::1999
    ]
    personas = [
        {**KB.defaults, **{k: v for k, v in row[1].items() if k != "os"}} for row in PERSONAS
    ]
    for answers in [*personas, *spread, {**KB.defaults, "hardware": "auto"}]:
        result = advise(
            answers, where=where, detected=Detected("nvidia", "nvidia-smi"), today=KB.knowledge_date
        )
        errors = sorted(validator.iter_errors(result.to_json()), key=str)
        assert not errors, (answers, [e.message for e in errors[:3]])


def test_the_schema_refuses_a_document_that_breaks_the_contract(
    validator: Draft202012Validator,
) -> None:
    document = json.loads(runner.invoke(app, ["advise", "--defaults", "--json"]).stdout)
    assert not validator.is_valid({**document, "framework": "jax"})
    assert not validator.is_valid({**document, "instead": {"name": "JAX"}})
    assert not validator.is_valid({**document, "flips": document["flips"] * 6})
