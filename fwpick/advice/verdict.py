"""The recommendation: a pure function from answers to a verdict, its reasons and flips.

Order of decision (knowledge.toml holds the data): the rules that hold in the context
of all the answers give points; a hard constraint of the target decides the framework
before those points are summed; otherwise the scores do (a tie goes to the tie
framework). Separately, a verdict beyond the two (`instead`) may fit better.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from fwpick.advice.knowledge import (
    CONFIDENCES,
    Constraint,
    Instead,
    Knowledge,
    Source,
    knowledge,
    matches,
)
from fwpick.base.frameworks import FRAMEWORKS

MAX_FLIPS = 5


def sources_json(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    """Sources as `{id, title, url}` objects."""
    return [{"id": s.id, "title": s.title, "url": s.url} for s in sources]


def facts_for(
    answers: Mapping[str, str], *, detected_hardware: str, windows: bool
) -> dict[str, str]:
    """What the rules' conditions read: the answers, `auto` resolved, and the OS."""
    facts = dict(answers)
    if facts.get("hardware") == "auto":
        facts["hardware"] = detected_hardware
    facts["os"] = "windows" if windows else "other"
    return facts


class Reason(NamedTuple):
    """One rule that counts here: its criterion and answer, points, why and evidence."""

    rule: str
    criterion: str
    answer: str
    points: Mapping[str, int]
    short: str
    why: str
    sources: tuple[Source, ...]
    decisive: bool = False
    # True when the answer was `auto` and fwpick detected this value.
    detected: bool = False

    @property
    def favours(self) -> str | None:
        """The framework this rule gives more points to, or None when neutral."""
        torch, tensorflow = self.points["torch"], self.points["tensorflow"]
        if torch == tensorflow:
            return None
        return "torch" if torch > tensorflow else "tensorflow"

    @property
    def weight(self) -> int:
        """How many points this rule moves the margin by."""
        return abs(self.points["torch"] - self.points["tensorflow"])

    def to_json(self) -> dict[str, Any]:
        """One entry of `reasons` in `fwpick advise --json`."""
        return {
            "criterion": self.criterion,
            "answer": self.answer,
            "rule": self.rule,
            "detected": self.detected,
            "favours": self.favours,
            "weight": self.weight,
            "decisive": self.decisive,
            "points": dict(self.points),
            "short": self.short,
            "why": self.why,
            "sources": sources_json(self.sources),
        }


class SetAside(NamedTuple):
    """A rule whose situation matched but that does not count in this context."""

    rule: str
    criterion: str
    why: str


class Decision(NamedTuple):
    """What decided the framework: a constraint, the scores, or the tie-break."""

    kind: str  # constraint | scores | tie
    id: str | None
    why: str
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, Any]:
        """`decided_by` in `fwpick advise --json`."""
        return {
            "kind": self.kind,
            "id": self.id,
            "why": self.why,
            "sources": sources_json(self.sources),
        }


class InsteadVerdict(NamedTuple):
    """Something outside the two that fits better, with how sure fwpick is of it."""

    id: str
    name: str
    why: str
    sources: tuple[Source, ...]
    confidence: str

    def to_json(self) -> dict[str, Any]:
        """`instead` in `fwpick advise --json`."""
        return {
            "name": self.name,
            "why": self.why,
            "sources": sources_json(self.sources),
            "confidence": self.confidence,
        }


class Flip(NamedTuple):
    """One plausible changed answer that would change the verdict."""

    criterion: str
    answer: str
    to: str
    framework: str
    instead: str | None
    confidence: str
    margin: int
    decided_by: str

    @property
    def tie(self) -> bool:
        """True when the changed verdict rests on the tie-break."""
        return self.decided_by == "tie"

    def to_json(self) -> dict[str, Any]:
        """One entry of `flips` in `fwpick advise --json`."""
        return {
            "criterion": self.criterion,
            "from": self.answer,
            "to": self.to,
            "framework": self.framework,
            "instead": self.instead,
            "confidence": self.confidence,
            "margin": self.margin,
            "decided_by": self.decided_by,
            "tie": self.tie,
        }


class Recommendation(NamedTuple):
    """What the advisor concluded from one full set of answers."""

    framework: str
    scores: Mapping[str, int]
    margin: int
    confidence: str
    answers: Mapping[str, str]
    reasons: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    decided_by: Decision
    instead: InsteadVerdict | None
    set_aside: tuple[SetAside, ...] = ()

    @property
    def scored(self) -> tuple[Reason, ...]:
        """The reasons that moved the score, heaviest first."""
        return tuple(sorted((r for r in self.reasons if r.weight), key=lambda r: -r.weight))

    def to_json(self) -> dict[str, Any]:
        """The advice part of the JSON document (the caller adds the rest)."""
        tie = self.decided_by if self.decided_by.kind == "tie" else None
        return {
            "framework": self.framework,
            "instead": self.instead.to_json() if self.instead else None,
            "scores": dict(self.scores),
            "margin": self.margin,
            "confidence": self.confidence,
            "decided_by": self.decided_by.to_json(),
            "answers": dict(self.answers),
            "reasons": [reason.to_json() for reason in self.reasons],
            "set_aside": [
                {"rule": s.rule, "criterion": s.criterion, "why": s.why} for s in self.set_aside
            ],
            "flips": [flip.to_json() for flip in self.flips],
            "tie_break": ({"why": tie.why, "sources": sources_json(tie.sources)} if tie else None),
        }


def score(
    facts: Mapping[str, str], kb: Knowledge
) -> tuple[dict[str, int], tuple[Reason, ...], tuple[SetAside, ...]]:
    """The points every framework gets from the rules that hold in this context."""
    totals = dict.fromkeys((str(f) for f in FRAMEWORKS), 0)
    reasons, aside = [], []
    for rule in kb.rules:
        if not rule.matched(facts):
            continue
        if not rule.applies(facts):
            aside.append(SetAside(rule.id, rule.criterion, rule.unless_why))
            continue
        for framework in FRAMEWORKS:
            totals[framework] += rule.points[framework]
        reasons.append(
            Reason(
                rule=rule.id,
                criterion=rule.criterion,
                answer=facts[rule.criterion],
                points=dict(rule.points),
                short=rule.short,
                why=rule.why,
                sources=kb.cite(rule.sources),
                decisive=rule.decisive,
            )
        )
    return totals, tuple(reasons), tuple(aside)


def _step(confidence: str, by: int) -> str:
    index = max(0, min(len(CONFIDENCES) - 1, CONFIDENCES.index(confidence) + by))
    return CONFIDENCES[index]


def _at_most(confidence: str, cap: str) -> str:
    return min(confidence, cap, key=CONFIDENCES.index)


def score_confidence(margin: int, winner: str, reasons: tuple[Reason, ...], kb: Knowledge) -> str:
    """Confidence from what decided: the margin, then the decisive reasons on each side.

    A winner that holds a decisive reason (an existing stack, the pretrained ecosystem,
    a platform gap) with none against it is one step surer than its margin; decisive
    reasons on both sides make at most a lean.
    """
    if margin <= kb.confidence_low:
        confidence = "low"
    else:
        confidence = "medium" if margin <= kb.confidence_medium else "high"
    backing = any(r.decisive and r.favours == winner for r in reasons)
    against = any(r.decisive and r.favours not in (None, winner) for r in reasons)
    if backing and against:
        return _at_most(confidence, "medium")
    if backing and margin > 0:
        return _step(confidence, +1)
    return confidence


class Verdict(NamedTuple):
    """The verdict for one set of facts, before flips are searched."""

    framework: str
    confidence: str
    decided_by: Decision
    instead: Instead | None
    scores: dict[str, int]
    reasons: tuple[Reason, ...]
    aside: tuple[SetAside, ...]

    @property
    def margin(self) -> int:
        """How far apart the scores are."""
        return abs(self.scores["torch"] - self.scores["tensorflow"])


def decide(facts: Mapping[str, str], kb: Knowledge) -> Verdict:
    """Constraints first, then the scores; `instead` caps the two-framework confidence."""
    scores, reasons, aside = score(facts, kb)
    constraint: Constraint | None = next((c for c in kb.constraints if c.applies(facts)), None)
    margin = abs(scores["torch"] - scores["tensorflow"])
    if constraint:
        framework, confidence = constraint.framework, constraint.confidence
        decided = Decision("constraint", constraint.id, constraint.why, kb.cite(constraint.sources))
    elif margin == 0:
        framework = kb.tie_framework
        confidence = "low"
        decided = Decision("tie", None, kb.tie_why, kb.cite(kb.tie_sources))
    else:
        framework = str(max(FRAMEWORKS, key=lambda f: scores[f]))
        confidence = score_confidence(margin, framework, reasons, kb)
        decided = Decision("scores", None, "the reasons below, summed", ())
    instead = next((i for i in kb.instead if i.applies(facts)), None)
    if instead:
        confidence = _at_most(confidence, instead.between)
    return Verdict(framework, confidence, decided, instead, scores, reasons, aside)


def _flips(
    answers: Mapping[str, str], facts: Mapping[str, str], verdict: Verdict, kb: Knowledge
) -> tuple[Flip, ...]:
    """The plausible single changes that change the verdict, most decisive first."""
    current = (verdict.framework, verdict.instead.id if verdict.instead else None)
    found = []
    for question in kb.questions:
        # The machine fwpick detected is a fact, not a choice; an answered one may change.
        if not question.flip or (question.id == "hardware" and answers["hardware"] == "auto"):
            continue
        for value in question.values:
            if value in (facts[question.id], "auto"):
                continue
            if matches(kb.implausible, {**facts, question.id: value}):
                continue
            changed = decide({**facts, question.id: value}, kb)
            outcome = (changed.framework, changed.instead.id if changed.instead else None)
            if outcome == current:
                continue
            found.append(
                Flip(
                    criterion=question.id,
                    answer=answers[question.id],
                    to=value,
                    framework=changed.framework,
                    instead=changed.instead.name if changed.instead else None,
                    confidence=changed.confidence,
                    margin=changed.margin,
                    decided_by=changed.decided_by.kind,
                )
            )

    def rank(flip: Flip) -> tuple[int, int, int]:
        structural = flip.decided_by == "constraint" or flip.instead != (
            verdict.instead.name if verdict.instead else None
        )
        return (0 if structural else 1, -CONFIDENCES.index(flip.confidence), -flip.margin)

    return tuple(sorted(found, key=rank)[:MAX_FLIPS])


def recommend(
    answers: Mapping[str, str],
    *,
    kb: Knowledge | None = None,
    detected_hardware: str = "cpu",
    windows: bool = False,
) -> Recommendation:
    """The verdict for a complete set of answers; deterministic and pure.

    `hardware: auto` is read as `detected_hardware`; `windows` selects the rules that
    hold on native Windows (TensorFlow has no GPU there).
    """
    kb = kb or knowledge()
    given = {question.id: answers[question.id] for question in kb.questions}
    facts = facts_for(given, detected_hardware=detected_hardware, windows=windows)
    verdict = decide(facts, kb)
    auto = given["hardware"] == "auto"
    reasons = tuple(
        r._replace(detected=True) if auto and r.criterion == "hardware" else r
        for r in verdict.reasons
    )
    instead = verdict.instead
    return Recommendation(
        framework=verdict.framework,
        scores=verdict.scores,
        margin=verdict.margin,
        confidence=verdict.confidence,
        answers=given,
        reasons=reasons,
        flips=_flips(given, facts, verdict, kb),
        decided_by=verdict.decided_by,
        instead=(
            InsteadVerdict(
                instead.id, instead.name, instead.why, kb.cite(instead.sources), instead.confidence
            )
            if instead
            else None
        ),
        set_aside=verdict.aside,
    )
