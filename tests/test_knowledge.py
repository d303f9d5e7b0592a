"""knowledge.toml is the source of truth; knowledge.json is its compiled form; the
maintainer's `--check-registry` compares stated versions with the registries."""

from __future__ import annotations

import urllib.error
from importlib import resources
from typing import Any

import pytest

from fwpick.advice import registry
from fwpick.advice.knowledge import (
    compiled_json,
    knowledge,
    main,
    parse,
    read_toml,
)
from fwpick.advice.registry import RegistryFact

KB = knowledge()


def test_compiled_json_matches_the_toml() -> None:
    # After editing knowledge.toml, run `python -m fwpick.advice.knowledge` to recompile.
    compiled = (
        resources.files("fwpick.advice").joinpath("knowledge.json").read_text(encoding="utf-8")
    )
    assert compiled == compiled_json(read_toml())


def test_the_toml_checks() -> None:
    assert parse(read_toml()) == knowledge()


def test_every_source_is_a_public_url_and_every_claim_cites_one() -> None:
    for source in KB.sources.values():
        assert source.url.startswith("https://"), source
        assert source.title
    cited = {s for rule in KB.rules for s in rule.sources}
    cited |= {s for item in (*KB.constraints, *KB.instead, *KB.alternatives) for s in item.sources}
    assert cited | set(KB.tie_sources) == set(KB.sources)  # no unused evidence either
    for rule in KB.rules:
        assert len(rule.short) <= 40
        if any(rule.points.values()):
            assert rule.sources or "judgement" in rule.why, rule.id


def test_refuses_knowledge_that_would_mislead() -> None:
    raw = read_toml()
    raw["rules"][0] = {**raw["rules"][0], "sources": ["nowhere"]}
    with pytest.raises(ValueError, match="unknown sources: nowhere"):
        parse(raw)
    raw = read_toml()
    scoring = next(i for i, r in enumerate(raw["rules"]) if r["torch"] or r["tensorflow"])
    raw["rules"][scoring] = {**raw["rules"][scoring], "sources": [], "why": "because"}
    with pytest.raises(ValueError, match="scores without a source"):
        parse(raw)


def pypi(version: str, date: str) -> dict[str, Any]:
    """The part of a PyPI JSON document the check reads."""
    return {
        "info": {"version": version},
        "releases": {version: [{"upload_time": f"{date}T10:00:00"}]},
    }


FACT = RegistryFact("pypi", "torch-tpu", "0.2.0", "2026-10-19")
NPM = RegistryFact("npm", "@litertjs/core", "2.5.3", "2026-07-19")


def test_check_registry_lists_what_moved() -> None:
    documents = {
        "https://pypi.org/pypi/torch-tpu/json": pypi("0.3.0", "2027-01-05"),
        "https://registry.npmjs.org/@litertjs/core": {
            "dist-tags": {"latest": "2.5.3"},
            "time": {"2.5.3": "2026-07-19T01:43:33Z"},
        },
    }
    results = registry.check([("torch-tpu", FACT), ("litert-js", NPM)], fetch=documents.__getitem__)
    assert [r.moved for r in results] == [True, False]
    lines, code = registry.report(results)
    assert code == registry.MOVED
    assert "torch-tpu 0.2.0 (2026-10-19) -> 0.3.0 (2027-01-05)" in lines[1]


def test_check_registry_fails_gracefully_offline() -> None:
    def offline(url: str) -> Any:
        raise urllib.error.URLError("Name or service not known")

    results = registry.check([("torch-tpu", FACT)], fetch=offline)
    lines, code = registry.report(results)
    assert code == registry.UNREACHABLE
    assert "offline?" in lines[-1] and "Name or service not known" in lines[1]


def test_the_maintainer_command_refuses_unknown_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--bogus"]) == 2
    assert "usage" in capsys.readouterr().err
