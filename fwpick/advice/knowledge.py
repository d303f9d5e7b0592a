"""The advisor's knowledge, loaded once from knowledge.json and checked as it loads.

knowledge.toml is the source of truth (with the argument for each rule beside it);
`python -m fwpick.advice.knowledge` compiles it to knowledge.json, and
`python -m fwpick.advice.knowledge --check-registry` re-asks the package registries for
every version and date it states (a maintainer's command: it needs the network).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from fwpick.advice.questions import Answers, Choice, Question
from fwpick.advice.registry import RegistryFact
from fwpick.base.frameworks import FRAMEWORKS, REGISTRY

# A condition: every key must match; its value is the tuple of answers that match.
Condition = Mapping[str, tuple[str, ...]]
CONFIDENCES = ("low", "medium", "high")


def matches(conditions: Sequence[Condition], facts: Mapping[str, str]) -> bool:
    """Whether any condition holds for these facts (answers, `os`, `framework`)."""
    return any(
        all(facts.get(key) in values for key, values in condition.items())
        for condition in conditions
    )


class Source(NamedTuple):
    """Evidence for a claim: what it shows and where to read it."""

    id: str
    title: str
    url: str
    registry: RegistryFact | None = None


class Rule(NamedTuple):
    """Points for one criterion, in the context where they hold, and why."""

    id: str
    criterion: str
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    unless_why: str
    points: Mapping[str, int]
    short: str
    why: str
    sources: tuple[str, ...]
    decisive: bool

    def matched(self, facts: Mapping[str, str]) -> bool:
        """Whether the rule's situation is this one (before `unless`)."""
        return matches(self.when, facts)

    def applies(self, facts: Mapping[str, str]) -> bool:
        """Whether the rule counts for these facts."""
        return self.matched(facts) and not matches(self.unless, facts)


class Constraint(NamedTuple):
    """A fact of the target that decides the framework before preferences are summed."""

    id: str
    criterion: str
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    framework: str
    confidence: str
    why: str
    sources: tuple[str, ...]

    def applies(self, facts: Mapping[str, str]) -> bool:
        """Whether this constraint decides for these facts."""
        return matches(self.when, facts) and not matches(self.unless, facts)


class Instead(NamedTuple):
    """Something outside the two frameworks that fits these answers clearly better."""

    id: str
    name: str
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    confidence: str
    # The most confidence the choice between the two frameworks keeps once this fits.
    between: str
    why: str
    sources: tuple[str, ...]

    def applies(self, facts: Mapping[str, str]) -> bool:
        """Whether this verdict fits these facts."""
        return matches(self.when, facts) and not matches(self.unless, facts)


class Alternative(NamedTuple):
    """Worth a look when the answers make it relevant; it never changes the verdict."""

    name: str
    why: str
    sources: tuple[str, ...]
    when: tuple[Condition, ...]

    def relevant(self, answers: Mapping[str, str], framework: str) -> bool:
        """Whether these answers (and this pick) make the alternative worth showing."""
        return matches(self.when, {**answers, "framework": framework})


class Knowledge(NamedTuple):
    """The questionnaire plus the rules, constraints, verdicts and evidence."""

    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    constraints: tuple[Constraint, ...]
    instead: tuple[Instead, ...]
    alternatives: tuple[Alternative, ...]
    sources: Mapping[str, Source]
    # Situations no expert would propose as a flip.
    implausible: tuple[Condition, ...]
    confidence_low: int
    confidence_medium: int
    tie_framework: str
    tie_why: str
    tie_sources: tuple[str, ...]
    knowledge_date: dt.date
    schema: int

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(question for question in self.questions if question.id == question_id)

    @property
    def defaults(self) -> Answers:
        """Every question answered with its default."""
        return {question.id: question.default for question in self.questions}

    def cite(self, ids: Sequence[str]) -> tuple[Source, ...]:
        """The Source objects for these ids."""
        return tuple(self.sources[source_id] for source_id in ids)


def _conditions(raw: Any, *, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"knowledge.toml: {where} must be a list of tables")
    return tuple(
        {
            str(key): tuple(value) if isinstance(value, list) else (str(value),)
            for key, value in condition.items()
        }
        for condition in raw
    )


def _question(item: Mapping[str, Any], hints: Mapping[str, list[str]]) -> Question:
    choices = []
    for raw in item["choices"]:
        aliases = list(raw.get("aliases", ()))
        if item["id"] == "familiar" and raw["value"] in REGISTRY:
            # The framework spellings have one home: the framework registry.
            aliases += [a for a in REGISTRY[raw["value"]].aliases if a != raw["value"]]
        choices.append(Choice(raw["value"], raw["label"], tuple(aliases)))
    values = {choice.value for choice in choices}
    own_hints = {
        word: tuple(v for v in meant if v in values)
        for word, meant in hints.items()
        if any(v in values for v in meant)
    }
    return Question(
        id=item["id"],
        prompt=item["prompt"],
        default=item["default"],
        choices=tuple(choices),
        flip=bool(item.get("flip", True)),
        hints=own_hints,
    )


def _rule(raw: Mapping[str, Any]) -> Rule:
    rule = Rule(
        id=raw["id"],
        criterion=raw["criterion"],
        when=_conditions(raw["when"], where=f"rule {raw['id']}"),
        unless=_conditions(raw.get("unless", []), where=f"rule {raw['id']}"),
        unless_why=str(raw.get("unless_why", "")),
        points={str(framework): int(raw[str(framework)]) for framework in FRAMEWORKS},
        short=str(raw["short"]),
        why=str(raw["why"]),
        sources=tuple(raw["sources"]),
        decisive=bool(raw.get("decisive", False)),
    )
    if len(rule.short) > 40:
        raise ValueError(
            f"knowledge.toml: rule {rule.id}: `short` is over 40 characters (one line)"
        )
    if rule.unless and not rule.unless_why:
        raise ValueError(f"knowledge.toml: rule {rule.id} has `unless` but no `unless_why`")
    return rule


def _source(source_id: str, entry: Mapping[str, Any]) -> Source:
    registry = entry.get("registry")
    return Source(
        id=source_id,
        title=entry["title"],
        url=entry["url"],
        registry=RegistryFact(**registry) if registry else None,
    )


def parse(raw: Mapping[str, Any]) -> Knowledge:
    """Build Knowledge from the decoded TOML; refuse what would mislead."""
    hints = {str(word): list(meant) for word, meant in raw.get("hints", {}).items()}
    questions = tuple(_question(item, hints) for item in raw["questions"])
    constraints = tuple(
        Constraint(
            id=item["id"],
            criterion=item["criterion"],
            when=_conditions(item["when"], where=f"constraint {item['id']}"),
            unless=_conditions(item.get("unless", []), where=f"constraint {item['id']}"),
            framework=item["framework"],
            confidence=item["confidence"],
            why=item["why"],
            sources=tuple(item["sources"]),
        )
        for item in raw.get("constraints", ())
    )
    instead = tuple(
        Instead(
            id=item["id"],
            name=item["name"],
            when=_conditions(item["when"], where=f"instead {item['id']}"),
            unless=_conditions(item.get("unless", []), where=f"instead {item['id']}"),
            confidence=item["confidence"],
            between=item["between"],
            why=item["why"],
            sources=tuple(item["sources"]),
        )
        for item in raw.get("instead", ())
    )
    alternatives = tuple(
        Alternative(
            name=item["name"],
            why=item["why"],
            sources=tuple(item["sources"]),
            when=_conditions(item["when"], where=f"alternative {item['name']}"),
        )
        for item in raw.get("alternatives", ())
    )
    kb = Knowledge(
        questions=questions,
        rules=tuple(_rule(item) for item in raw["rules"]),
        constraints=constraints,
        instead=instead,
        alternatives=alternatives,
        sources={key: _source(key, entry) for key, entry in raw["sources"].items()},
        implausible=_conditions(raw.get("implausible", []), where="implausible"),
        confidence_low=int(raw["confidence"]["low"]),
        confidence_medium=int(raw["confidence"]["medium"]),
        tie_framework=raw["tie"]["framework"],
        tie_why=raw["tie"]["why"],
        tie_sources=tuple(raw["tie"]["sources"]),
        knowledge_date=dt.date.fromisoformat(str(raw["knowledge_date"])),
        schema=int(raw["schema"]),
    )
    _check(kb)
    return kb


def _check(kb: Knowledge) -> None:
    """Every cited source exists, every rule with points cites one, every answer is explained."""
    cited: set[str] = set(kb.tie_sources)
    for rule in kb.rules:
        cited.update(rule.sources)
        if any(rule.points.values()) and not rule.sources and "judgement" not in rule.why:
            raise ValueError(f"knowledge.toml: rule {rule.id} scores without a source")
    evidence: list[tuple[str, tuple[str, ...]]] = [
        *((f"constraint {c.id}", c.sources) for c in kb.constraints),
        *((f"instead {i.id}", i.sources) for i in kb.instead),
        *((f"alternative {a.name}", a.sources) for a in kb.alternatives),
    ]
    for where, sources in evidence:
        if not sources:
            raise ValueError(f"knowledge.toml: {where} has no sources")
        cited.update(sources)
    for confidence in [c.confidence for c in kb.constraints] + [i.confidence for i in kb.instead]:
        if confidence not in CONFIDENCES:
            raise ValueError(f"knowledge.toml: confidence {confidence!r} is not low|medium|high")
    unknown = sorted(cited - set(kb.sources))
    if unknown:
        raise ValueError(f"knowledge.toml cites unknown sources: {', '.join(unknown)}")
    criteria = {question.id for question in kb.questions}
    for rule in kb.rules:
        if rule.criterion not in criteria:
            raise ValueError(f"knowledge.toml: rule {rule.id} explains unknown {rule.criterion}")


# Beside this module in a checkout and in the installed wheel (pip unpacks it); a path,
# not importlib.resources, whose import and reader (zipfile) cost every start ~3 ms.
HERE = Path(__file__).parent


def read_toml() -> dict[str, Any]:
    """knowledge.toml, the source of truth (with the argument for each rule)."""
    from fwpick.base.compat import tomllib  # only the maintainer's compile step parses it

    return tomllib.loads((HERE / "knowledge.toml").read_text(encoding="utf-8"))


def compiled_json(raw: Mapping[str, Any]) -> str:
    """knowledge.json's exact text for the decoded knowledge.toml."""
    return json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@cache
def knowledge() -> Knowledge:
    """Load and check the knowledge once per process.

    It is read from knowledge.json, the TOML compiled by `python -m fwpick.advice.knowledge`:
    parsing the TOML costs ~17 ms of every start (pure-Python tomllib), the JSON
    ~0.2 ms. tests/test_knowledge.py fails when the two disagree.
    """
    return parse(json.loads((HERE / "knowledge.json").read_text(encoding="utf-8")))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m fwpick.advice.knowledge [--check-registry]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    raw = read_toml()
    kb = parse(raw)  # refuse to compile knowledge that does not check
    if args == ["--check-registry"]:
        from fwpick.advice.registry import check, report

        lines, code = report(check((s.id, s.registry) for s in kb.sources.values()))
        print("\n".join(lines))
        return code
    if args:
        print("usage: python -m fwpick.advice.knowledge [--check-registry]", file=sys.stderr)
        return 2
    target = Path(__file__).with_name("knowledge.json")
    target.write_text(compiled_json(raw), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
