"""The recommendation: a pure function from answers to scores, reasons and flips."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fwpick.environment import Platform, installed, notes
from fwpick.frameworks import FRAMEWORKS
from fwpick.questions import Answers, Knowledge, knowledge

if TYPE_CHECKING:
    from rich.console import RenderableType


@dataclass(frozen=True)
class Reason:
    """One criterion's contribution: the answer, the points per framework, and why."""

    criterion: str
    answer: str
    points: Mapping[str, int]
    why: str

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


@dataclass(frozen=True)
class Flip:
    """A single changed answer that would change the recommended framework."""

    criterion: str
    answer: str
    to: str
    framework: str
    margin: int


@dataclass(frozen=True)
class Recommendation:
    """What the advisor concluded from one full set of answers."""

    framework: str
    scores: Mapping[str, int]
    margin: int
    confidence: str
    answers: Mapping[str, str]
    reasons: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    tie_break: str | None

    def to_json(self) -> dict[str, Any]:
        """The advice part of the JSON document (notes and next are added by the caller)."""
        return {
            "framework": self.framework,
            "scores": dict(self.scores),
            "margin": self.margin,
            "confidence": self.confidence,
            "answers": dict(self.answers),
            "reasons": [
                {
                    "criterion": reason.criterion,
                    "answer": reason.answer,
                    "favours": reason.favours,
                    "weight": reason.weight,
                    "points": dict(reason.points),
                    "why": reason.why,
                }
                for reason in self.reasons
            ],
            "flips": [
                {
                    "criterion": flip.criterion,
                    "from": flip.answer,
                    "to": flip.to,
                    "framework": flip.framework,
                    "margin": flip.margin,
                }
                for flip in self.flips
            ],
            "tie_break": self.tie_break,
        }


def _score(answers: Answers, kb: Knowledge) -> tuple[dict[str, int], tuple[Reason, ...]]:
    reasons = tuple(
        Reason(
            criterion=question.id,
            answer=answers[question.id],
            points=dict(question.choice(answers[question.id]).points),
            why=question.choice(answers[question.id]).why,
        )
        for question in kb.questions
    )
    scores = {framework: sum(r.points[framework] for r in reasons) for framework in FRAMEWORKS}
    return scores, reasons


def _winner(scores: Mapping[str, int], kb: Knowledge) -> str:
    if scores["torch"] == scores["tensorflow"]:
        return kb.tie_framework
    return max(FRAMEWORKS, key=lambda framework: scores[framework])


def _confidence(margin: int, kb: Knowledge) -> str:
    if margin <= kb.confidence_low:
        return "low"
    return "medium" if margin <= kb.confidence_medium else "high"


def recommend(answers: Mapping[str, str], *, kb: Knowledge | None = None) -> Recommendation:
    """Score every framework for a complete set of answers; deterministic and pure."""
    kb = kb or knowledge()
    complete = {question.id: answers[question.id] for question in kb.questions}
    scores, reasons = _score(complete, kb)
    framework = _winner(scores, kb)
    margin = abs(scores["torch"] - scores["tensorflow"])
    flips = []
    for question in kb.questions:
        for choice in question.choices:
            if choice.value == complete[question.id]:
                continue
            changed = {**complete, question.id: choice.value}
            changed_scores, _ = _score(changed, kb)
            changed_framework = _winner(changed_scores, kb)
            if changed_framework != framework:
                flips.append(
                    Flip(
                        criterion=question.id,
                        answer=complete[question.id],
                        to=choice.value,
                        framework=changed_framework,
                        margin=abs(changed_scores["torch"] - changed_scores["tensorflow"]),
                    )
                )
    return Recommendation(
        framework=framework,
        scores=scores,
        margin=margin,
        confidence=_confidence(margin, kb),
        answers=complete,
        reasons=reasons,
        flips=tuple(flips),
        tie_break=kb.tie_why if margin == 0 else None,
    )


@dataclass(frozen=True)
class Advice:
    """A recommendation plus what this machine adds to it and the command to run next."""

    recommendation: Recommendation
    notes: tuple[str, ...]
    next_command: str

    def __rich__(self) -> RenderableType:
        """How rich shows the advice at a terminal (see views.py)."""
        from fwpick.views import advice

        return advice(self.recommendation, notes=self.notes, next_command=self.next_command)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick advise --json` document."""
        return {
            **self.recommendation.to_json(),
            "notes": list(self.notes),
            "next": self.next_command,
        }


def next_command(recommendation: Recommendation, *, name: str = "my_project") -> str:
    """The `fwpick new` command that generates the recommended project."""
    command = f"fwpick new {name} --framework {recommendation.framework}"
    deployment = recommendation.answers.get("deployment", "none")
    return command + (f" --deployment {deployment}" if deployment != "none" else "")


def advise(answers: Mapping[str, str], *, where: Platform | None = None) -> Advice:
    """Recommend for `answers` and add this machine's caveats (no framework is imported)."""
    recommendation = recommend(answers)
    framework_notes = notes(
        framework=recommendation.framework,
        deployment=recommendation.answers["deployment"],
        mine=installed(recommendation.framework),
        where=where or Platform.current(),
    )
    return Advice(recommendation, tuple(framework_notes), next_command(recommendation))
