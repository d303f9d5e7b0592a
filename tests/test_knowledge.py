"""knowledge.toml is the source of truth; knowledge.json is its compiled form."""

from __future__ import annotations

from importlib import resources

from fwpick.advice.knowledge import compiled_json, knowledge, parse, read_toml


def test_compiled_json_matches_the_toml() -> None:
    # After editing knowledge.toml, run `python -m fwpick.advice.knowledge` to recompile.
    compiled = resources.files("fwpick.advice").joinpath("knowledge.json").read_text(encoding="utf-8")
    assert compiled == compiled_json(read_toml())


def test_the_toml_checks() -> None:
    assert parse(read_toml()) == knowledge()
