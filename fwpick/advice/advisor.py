"""The recommendation: a pure function from answers to scores, reasons and flips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from fwpick.advice.knowledge import Alternative, Knowledge, Source, knowledge
from fwpick.base.frameworks import FRAMEWORKS, InstallCommand, install_command
from fwpick.machine.environment import Note, Platform, installed, notes
from fwpick.machine.hardware import Detected, detect

# After this long past knowledge.toml's date, the advice says it may be dated.
STALE_AFTER = dt.timedelta(days=365)


def _sources_json(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"id": s.id, "title": s.title, "url": s.url} for s in sources]


class Reason(NamedTuple):
    """One criterion's contribution: the answer, the points per framework, why, evidence."""

    criterion: str
    answer: str
    points: Mapping[str, int]
    why: str
    sources: tuple[Source, ...]
    # True when the answer was `auto` and fwpick detected this value.
    detected: bool = False

    @property
    def favours(self) -> str | None:
        """The framework this answer gives more points to, or None when neutral."""
        torch, tensorflow = self.points["torch"], self.points["tensorflow"]
        if torch == tensorflow:
            return None
        return "torch" if torch > tensorflow else "tensorflow"

    @property
    def weight(self) -> int:
        """How many points this answer moves the margin by."""
        return abs(self.points["torch"] - self.points["tensorflow"])

    def to_json(self) -> dict[str, Any]:
        """One entry of `reasons` in `fwpick advise --json`."""
        return {
            "criterion": self.criterion,
            "answer": self.answer,
            "detected": self.detected,
            "favours": self.favours,
            "weight": self.weight,
            "points": dict(self.points),
            "why": self.why,
            "sources": _sources_json(self.sources),
        }


class Flip(NamedTuple):
    """A single changed answer that would change the recommended framework."""

    criterion: str
    answer: str
    to: str
    framework: str
    margin: int

    @property
    def tie(self) -> bool:
        """True when the change makes a tie that the tie-break decides."""
        return self.margin == 0


class TieBreak(NamedTuple):
    """Why the tie framework wins when the scores are level."""

    why: str
    sources: tuple[Source, ...]


class Recommendation(NamedTuple):
    """What the advisor concluded from one full set of answers."""

    framework: str
    scores: Mapping[str, int]
    margin: int
    confidence: str
    answers: Mapping[str, str]
    reasons: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    tie_break: TieBreak | None

    def to_json(self) -> dict[str, Any]:
        """The advice part of the JSON document (the caller adds the rest)."""
        return {
            "framework": self.framework,
            "scores": dict(self.scores),
            "margin": self.margin,
            "confidence": self.confidence,
            "answers": dict(self.answers),
            "reasons": [reason.to_json() for reason in self.reasons],
            "flips": [
                {
                    "criterion": flip.criterion,
                    "from": flip.answer,
                    "to": flip.to,
                    "framework": flip.framework,
                    "margin": flip.margin,
                    "tie": flip.tie,
                }
                for flip in self.flips
            ],
            "tie_break": (
                {"why": self.tie_break.why, "sources": _sources_json(self.tie_break.sources)}
                if self.tie_break
                else None
            ),
        }


def _reasons(answers: Mapping[str, str], kb: Knowledge, *, windows: bool) -> tuple[Reason, ...]:
    reasons = []
    for question in kb.questions:
        scored = question.choice(answers[question.id]).scored(windows=windows)
        reasons.append(
            Reason(
                criterion=question.id,
                answer=answers[question.id],
                points=dict(scored.points),
                why=scored.why,
                sources=kb.cite(scored.sources),
            )
        )
    return tuple(reasons)


def _scores(answers: Mapping[str, str], kb: Knowledge, *, windows: bool) -> dict[str, int]:
    totals = dict.fromkeys(FRAMEWORKS, 0)
    for question in kb.questions:
        points = question.choice(answers[question.id]).scored(windows=windows).points
        for framework in FRAMEWORKS:
            totals[framework] += points[framework]
    return totals


def _winner(scores: Mapping[str, int], kb: Knowledge) -> str:
    if scores["torch"] == scores["tensorflow"]:
        return kb.tie_framework
    return max(FRAMEWORKS, key=lambda framework: scores[framework])


def _confidence(margin: int, kb: Knowledge) -> str:
    if margin <= kb.confidence_low:
        return "low"
    return "medium" if margin <= kb.confidence_medium else "high"


def recommend(
    answers: Mapping[str, str],
    *,
    kb: Knowledge | None = None,
    detected_hardware: str = "cpu",
    windows: bool = False,
) -> Recommendation:
    """Score every framework for a complete set of answers; deterministic and pure.

    `hardware: auto` is scored as `detected_hardware`; `windows` selects the points
    that differ on native Windows (TensorFlow has no GPU there).
    """
    kb = kb or knowledge()
    given = {question.id: answers[question.id] for question in kb.questions}
    auto = given.get("hardware") == "auto"
    scored = {**given, "hardware": detected_hardware} if auto else given
    scores = _scores(scored, kb, windows=windows)
    reasons = tuple(
        Reason(r.criterion, r.answer, r.points, r.why, r.sources, detected=True)
        if auto and r.criterion == "hardware"
        else r
        for r in _reasons(scored, kb, windows=windows)
    )
    framework = _winner(scores, kb)
    margin = abs(scores["torch"] - scores["tensorflow"])
    flips = []
    for question in kb.questions:
        for choice in question.choices:
            # `auto` means the detected value, which is no change.
            if choice.value in (scored[question.id], "auto"):
                continue
            changed = _scores({**scored, question.id: choice.value}, kb, windows=windows)
            changed_framework = _winner(changed, kb)
            if changed_framework != framework:
                flips.append(
                    Flip(
                        criterion=question.id,
                        answer=scored[question.id],
                        to=choice.value,
                        framework=changed_framework,
                        margin=abs(changed["torch"] - changed["tensorflow"]),
                    )
                )
    return Recommendation(
        framework=framework,
        scores=scores,
        margin=margin,
        confidence=_confidence(margin, kb),
        answers=given,
        reasons=reasons,
        flips=tuple(flips),
        tie_break=TieBreak(kb.tie.why, kb.cite(kb.tie.sources)) if margin == 0 else None,
    )


class Advice(NamedTuple):
    """A recommendation plus what this machine adds to it and what to run next."""

    recommendation: Recommendation
    notes: tuple[Note, ...]
    next_command: str
    install: InstallCommand
    alternatives: tuple[Alternative, ...]
    detected: Detected | None
    knowledge_date: dt.date
    schema: int

    def alternative_sources(self, alternative: Alternative) -> tuple[Source, ...]:
        """The evidence for one alternative."""
        return knowledge().cite(alternative.sources)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick advise --json` document."""
        return {
            "schema": self.schema,
            **self.recommendation.to_json(),
            "detected": self.detected.to_json() if self.detected else None,
            "alternatives": [
                {
                    "name": alternative.name,
                    "why": alternative.why,
                    "sources": _sources_json(self.alternative_sources(alternative)),
                }
                for alternative in self.alternatives
            ],
            "notes": [note.to_json() for note in self.notes],
            "install": self.install.to_json(),
            "next": self.next_command,
            "knowledge_date": self.knowledge_date.isoformat(),
        }


def next_command(recommendation: Recommendation, *, name: str = "my_project") -> str:
    """The `fwpick new` command that generates the recommended project."""
    command = f"fwpick new {name} --framework {recommendation.framework}"
    deployment = recommendation.answers.get("deployment", "none")
    # The starter projects export for server, mobile and browser; embedded targets
    # start from the mobile (LiteRT) export.
    if deployment == "embedded":
        deployment = "mobile"
    return command + (f" --deployment {deployment}" if deployment != "none" else "")


def dated_note(knowledge_date: dt.date, today: dt.date) -> Note | None:
    """A note when the knowledge is more than STALE_AFTER old."""
    if today - knowledge_date <= STALE_AFTER:
        return None
    return Note(
        "knowledge-dated",
        f"fwpick's framework facts were checked on {knowledge_date.isoformat()}, over a "
        "year ago: the advice may be dated (see `fwpick advise --sources`).",
    )


def advise(
    answers: Mapping[str, str],
    *,
    where: Platform | None = None,
    detected: Detected | None = None,
    today: dt.date | None = None,
) -> Advice:
    """Recommend for `answers` and add this machine's caveats (no framework is imported)."""
    kb = knowledge()
    where = where or Platform.current()
    auto = answers.get("hardware", "auto") == "auto"
    detected = (detected or detect(where)) if auto else None
    recommendation = recommend(
        answers,
        kb=kb,
        detected_hardware=detected.hardware if detected else "cpu",
        windows=where.system == "Windows",
    )
    framework = recommendation.framework
    hardware = detected.hardware if detected else recommendation.answers["hardware"]
    found = notes(
        framework=framework,
        deployment=recommendation.answers["deployment"],
        mine=installed(framework),
        where=where,
    )
    stale = dated_note(kb.knowledge_date, today or dt.date.today())
    if stale:
        found.append(stale)
    install = install_command(
        framework,
        system=where.system,
        machine=where.machine,
        hardware=hardware,
        rocm_version=detected.rocm_version if detected else None,
    )
    alternatives = tuple(
        alternative
        for alternative in kb.alternatives
        if alternative.relevant({**recommendation.answers, "hardware": hardware}, framework)
    )
    return Advice(
        recommendation=recommendation,
        notes=tuple(found),
        next_command=next_command(recommendation),
        install=install,
        alternatives=alternatives,
        detected=detected,
        knowledge_date=kb.knowledge_date,
        schema=kb.schema,
    )
