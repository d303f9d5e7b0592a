"""The advisor's knowledge, loaded once from knowledge.toml and checked as it loads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from fwpick.advice.questions import Answers, Choice, Points, Question
from fwpick.base.compat import tomllib
from fwpick.base.frameworks import FRAMEWORKS


class Source(NamedTuple):
    """Evidence for a reason: what it says and where to read it."""

    id: str
    title: str
    url: str


class Alternative(NamedTuple):
    """Something other than the two frameworks, shown when the answers make it relevant."""

    name: str
    why: str
    sources: tuple[str, ...]
    # Any condition shows it; a condition matches when every key equals the answer
    # (`framework` means the recommended framework).
    when: tuple[Mapping[str, str], ...]

    def relevant(self, answers: Mapping[str, str], framework: str) -> bool:
        """Whether these answers (and this pick) make the alternative worth showing."""
        facts = {**answers, "framework": framework}
        return any(
            all(facts.get(key) == value for key, value in condition.items())
            for condition in self.when
        )


class Knowledge(NamedTuple):
    """The questionnaire plus the scoring settings, alternatives and evidence."""

    questions: tuple[Question, ...]
    confidence_low: int
    confidence_medium: int
    tie: Points
    tie_framework: str
    alternatives: tuple[Alternative, ...]
    sources: Mapping[str, Source]
    knowledge_date: dt.date
    schema: int

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(question for question in self.questions if question.id == question_id)

    @property
    def defaults(self) -> Answers:
        """Every question answered with its default."""
        return {question.id: question.default for question in self.questions}

    def cite(self, ids: tuple[str, ...]) -> tuple[Source, ...]:
        """The Source objects for these ids."""
        return tuple(self.sources[source_id] for source_id in ids)


def _points(raw: Mapping[str, Any], *, where: str) -> Points:
    sources = tuple(raw.get("sources", ()))
    if not sources:
        raise ValueError(f"knowledge.toml: {where} has no sources")
    return Points(
        points={framework: int(raw[framework]) for framework in FRAMEWORKS},
        why=str(raw["why"]),
        sources=sources,
    )


def _choice(raw: Mapping[str, Any], *, question_id: str) -> Choice:
    where = f"{question_id}={raw['value']}"
    windows = raw.get("on_windows")
    return Choice(
        value=raw["value"],
        label=raw["label"],
        score=_points(raw, where=where),
        on_windows=_points(windows, where=f"{where} (on_windows)") if windows else None,
    )


def parse(raw: Mapping[str, Any]) -> Knowledge:
    """Build Knowledge from the decoded TOML; every cited source id must exist."""
    questions = tuple(
        Question(
            id=item["id"],
            prompt=item["prompt"],
            default=item["default"],
            choices=tuple(_choice(choice, question_id=item["id"]) for choice in item["choices"]),
        )
        for item in raw["questions"]
    )
    sources = {
        source_id: Source(id=source_id, title=entry["title"], url=entry["url"])
        for source_id, entry in raw["sources"].items()
    }
    alternatives = tuple(
        Alternative(
            name=entry["name"],
            why=entry["why"],
            sources=tuple(entry["sources"]),
            when=tuple(dict(condition) for condition in entry["when"]),
        )
        for entry in raw.get("alternatives", ())
    )
    kb = Knowledge(
        questions=questions,
        confidence_low=int(raw["confidence"]["low"]),
        confidence_medium=int(raw["confidence"]["medium"]),
        tie=Points(points={}, why=raw["tie"]["why"], sources=tuple(raw["tie"]["sources"])),
        tie_framework=raw["tie"]["framework"],
        alternatives=alternatives,
        sources=sources,
        knowledge_date=dt.date.fromisoformat(str(raw["knowledge_date"])),
        schema=int(raw["schema"]),
    )
    cited = {s for q in questions for c in q.choices for s in c.score.sources}
    cited |= {s for q in questions for c in q.choices if c.on_windows for s in c.on_windows.sources}
    cited |= {s for a in alternatives for s in a.sources} | set(kb.tie.sources)
    unknown = sorted(cited - set(sources))
    if unknown:
        raise ValueError(f"knowledge.toml cites unknown sources: {', '.join(unknown)}")
    return kb


def read_toml() -> dict[str, Any]:
    """knowledge.toml, the source of truth (with the argument for each weight)."""
    text = resources.files("fwpick.advice").joinpath("knowledge.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


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
    text = resources.files("fwpick.advice").joinpath("knowledge.json").read_text(encoding="utf-8")
    return parse(json.loads(text))


def main() -> None:
    """`python -m fwpick.advice.knowledge`: recompile knowledge.json after editing the TOML."""
    raw = read_toml()
    parse(raw)  # refuse to compile knowledge that does not check
    target = Path(__file__).with_name("knowledge.json")
    target.write_text(compiled_json(raw), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
