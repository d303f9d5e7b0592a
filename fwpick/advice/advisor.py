"""The advice: the verdict plus what this machine adds to it and what to run next.

The verdict itself is verdict.py's pure function; this module reads the machine (without
importing a framework) for the notes, the install step and the detected accelerator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from fwpick.advice.knowledge import Alternative, Source, knowledge
from fwpick.advice.verdict import (
    Flip,
    InsteadVerdict,
    Reason,
    Recommendation,
    recommend,
    sources_json,
)
from fwpick.base.frameworks import InstallCommand, install_command
from fwpick.machine.environment import (
    Installed,
    Note,
    Platform,
    dist_info_version,
    installed,
    notes,
)
from fwpick.machine.hardware import Detected, detect

__all__ = [
    "Advice",
    "Flip",
    "InsteadVerdict",
    "Reason",
    "Recommendation",
    "advise",
    "dated_note",
    "install_needed",
    "next_command",
    "recommend",
]

# After this long past knowledge.toml's date, the advice says it may be dated.
STALE_AFTER = dt.timedelta(days=365)


class Advice(NamedTuple):
    """A recommendation plus what this machine adds to it and what to run next."""

    recommendation: Recommendation
    notes: tuple[Note, ...]
    next_command: str
    install: InstallCommand
    # Whether the install step is still to take: the framework is missing, or the
    # build installed here does not serve the accelerator that was answered.
    install_needed: bool
    alternatives: tuple[Alternative, ...]
    detected: Detected | None
    knowledge_date: dt.date
    schema: int

    def alternative_sources(self, alternative: Alternative) -> tuple[Source, ...]:
        """The evidence for one alternative."""
        return knowledge().cite(alternative.sources)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick advise --json` document (its JSON Schema: `--json-schema`)."""
        return {
            "schema": self.schema,
            **self.recommendation.to_json(),
            "detected": self.detected.to_json() if self.detected else None,
            "alternatives": [
                {
                    "name": alternative.name,
                    "why": alternative.why,
                    "sources": sources_json(self.alternative_sources(alternative)),
                }
                for alternative in self.alternatives
            ],
            "notes": [note.to_json() for note in self.notes],
            "install": {**self.install.to_json(), "needed": self.install_needed},
            "next": self.next_command,
            "knowledge_date": self.knowledge_date.isoformat(),
        }


def next_command(recommendation: Recommendation, *, name: str = "my_project") -> str:
    """The `fwpick new` command that generates the recommended project.

    Every deployment answer is passed on as it is: the templates start embedded targets
    from the on-device (LiteRT) export and Jetson targets from the ONNX/server export.
    """
    command = f"fwpick new {name} --framework {recommendation.framework}"
    deployment = recommendation.answers.get("deployment", "none")
    return command + (f" --deployment {deployment}" if deployment != "none" else "")


def install_needed(mine: Installed, *, framework: str, hardware: str, answered: bool) -> bool:
    """Whether to show the install step: missing, or a build that cannot use the answer.

    Only an answered accelerator counts (a detected one is what this machine has, and
    the installed build was chosen for it). The build is read from package metadata:
    torch's local version (`+cpu`, `+rocm6.4`) and the TensorFlow distribution's name.
    """
    if mine.version is None:
        return True
    if not answered:
        return False
    if framework == "torch":
        local = mine.version.partition("+")[2]
        if hardware == "nvidia":
            return local == "cpu" or local.startswith("rocm")
        if hardware == "amd":
            return not local.startswith("rocm")
        if hardware == "tpu":
            return dist_info_version("torch_tpu") is None
        return False
    if hardware == "nvidia":
        return mine.distribution == "tensorflow-cpu"
    if hardware == "tpu":
        return dist_info_version("tensorflow_tpu") is None
    return False


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
    mine: Installed | None = None,
) -> Advice:
    """Recommend for `answers` and add this machine's caveats (no framework is imported)."""
    kb = knowledge()
    # The questions' answers only: an answers file may also carry `cluster`, which
    # shapes the project's files and not the recommendation.
    answers = {
        question.id: answers[question.id] for question in kb.questions if question.id in answers
    }
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
    mine = mine or installed(framework)
    found = notes(
        framework=framework,
        deployment=recommendation.answers["deployment"],
        mine=mine,
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
        install_needed=install_needed(
            mine, framework=framework, hardware=hardware, answered=not auto
        ),
        alternatives=alternatives,
        detected=detected,
        knowledge_date=kb.knowledge_date,
        schema=kb.schema,
    )
