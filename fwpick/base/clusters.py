"""The cluster engines a generated project can be submitted to: `fwpick new --cluster`.

Not a question of the advisor (it changes no recommendation), but an answer all the same:
a flag, an answers-file key (`cluster`), a line of `.fwpick.toml`'s [answers] and of
`advise --save`, so that a project can be generated again with the same files.
"""

from __future__ import annotations

from collections.abc import Mapping

from fwpick.base.errors import AnswersError
from fwpick.base.frameworks import Choice

KEY = "cluster"


class Cluster(Choice):
    """Which engines get files: none, SLURM, Kubernetes, or both."""

    none = "none"
    slurm = "slurm"
    kubernetes = "kubernetes"
    all = "all"


def default_cluster(answers: Mapping[str, str]) -> Cluster:
    """`all` for `scale = large` (many machines), else `none`: one machine needs no engine."""
    return Cluster.all if answers.get("scale") == "large" else Cluster.none


def read_cluster(raw: object, *, source: str) -> Cluster:
    """The Cluster `raw` names (any case), or an AnswersError naming the choices."""
    text = str(raw).strip().lower()
    try:
        return Cluster(text)
    except ValueError:
        choices = ", ".join(choice.value for choice in Cluster)
        raise AnswersError(
            f"{source}: {raw!r} is not a valid answer for {KEY}; choose from {choices}"
        ) from None


def resolve(flag: Cluster | None, answers: Mapping[str, str]) -> Cluster:
    """The flag, else the answers' `cluster` (an answers file), else the default for the scale."""
    if flag is not None:
        return flag
    if KEY in answers:
        return read_cluster(answers[KEY], source=KEY)
    return default_cluster(answers)
