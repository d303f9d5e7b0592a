"""What a benchmark's numbers allow us to say: medians with their range, and when a gap is real.

Pure functions over plain numbers; nothing here runs a process or prints.

The rule for "conclusive" (documented in the README, `fwpick bench`): a comparison of
samples/s between the two frameworks concludes only when

- each framework has at least two measured repeats (one run has no spread to judge);
- neither framework's relative spread, (max - min) / median, exceeds SPREAD_LIMIT;
- the min..max ranges of the two frameworks do not overlap;
- both ran on the same kind of device;
- each run trained at least MIN_STEPS steps for at least MIN_TRAIN_SECONDS.

Otherwise the ratio of the medians is still shown, with the reasons it is only indicative.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fwpick.base.frameworks import FRAMEWORKS, display_name

# Above a 25% spread between the fastest and slowest repeat, a machine is too busy (or
# too variable) for a difference of a few tens of percent to mean anything.
SPREAD_LIMIT = 0.25
# Fewer steps than this, or a shorter training phase, is dominated by start-up effects
# (lazy compilation, caches, the first allocation) rather than the steady state.
MIN_STEPS = 50
MIN_TRAIN_SECONDS = 0.5


@dataclass(frozen=True)
class Spread:
    """The median of some repeated measurements, with their minimum and maximum."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Spread | None:
        """Summarise the values that were measured (None: not measured); None if none were."""
        known = [float(value) for value in values if value is not None]
        if not known:
            return None
        return cls(statistics.median(known), min(known), max(known), len(known))

    @property
    def relative(self) -> float:
        """(max - min) / median: 0.1 means the repeats lie within 10% of the median."""
        if self.median <= 0:
            return 0.0 if self.high == self.low else float("inf")
        return (self.high - self.low) / self.median

    def overlaps(self, other: Spread) -> bool:
        """Whether the two min..max ranges share any value."""
        return self.low <= other.high and other.low <= self.high

    def to_json(self) -> dict[str, Any]:
        """{median, min, max, n}, rounded to what the measurement can carry."""
        return {
            "median": _round(self.median),
            "min": _round(self.low),
            "max": _round(self.high),
            "n": self.count,
        }


def _round(value: float) -> float:
    return float(f"{value:.4g}")


@dataclass(frozen=True)
class Measured:
    """The facts about one framework's repeats that a comparison needs."""

    samples_per_second: Spread
    device_type: str
    steps: int
    train_seconds: Spread | None


@dataclass(frozen=True)
class Comparison:
    """Which framework trained faster on one task, by how much, and whether that stands."""

    task: str
    faster: str
    slower: str
    ratio: float  # faster median / slower median, >= 1
    conclusive: bool
    caveats: tuple[str, ...]  # with the numbers, for the notes and the JSON
    brief: tuple[str, ...] = ()  # the same as short phrases, for the closing sentence

    def to_json(self) -> dict[str, Any]:
        """The comparison in `fwpick bench --json`."""
        return {
            "task": self.task,
            "faster": self.faster,
            "slower": self.slower,
            "ratio": round(self.ratio, 3),
            "conclusive": self.conclusive,
            "caveats": list(self.caveats),
        }


def compare(task: str, measured: Mapping[str, Measured]) -> Comparison | None:
    """Compare the samples/s of the two frameworks; None unless both were measured."""
    if any(framework not in measured for framework in FRAMEWORKS):
        return None
    first, second = (measured[framework] for framework in FRAMEWORKS)
    a, b = FRAMEWORKS
    if first.samples_per_second.median >= second.samples_per_second.median:
        faster, slower = a, b
    else:
        faster, slower = b, a
    top, bottom = measured[faster].samples_per_second, measured[slower].samples_per_second
    ratio = top.median / bottom.median if bottom.median > 0 else float("inf")
    found = _caveats(measured)
    caveats = tuple(full for _, full in found)
    brief = tuple(dict.fromkeys(short for short, _ in found))
    return Comparison(task, faster, slower, ratio, not found, caveats, brief)


def _caveats(measured: Mapping[str, Measured]) -> list[tuple[str, str]]:
    """(short phrase, full text) for each reason the comparison does not conclude."""
    found: list[tuple[str, str]] = []
    rates = {framework: facts.samples_per_second for framework, facts in measured.items()}
    if min(rate.count for rate in rates.values()) < 2:
        found.append(("a single repeat", "one repeat cannot show how much the numbers vary"))
    else:
        for framework, rate in rates.items():
            if rate.relative > SPREAD_LIMIT:
                found.append(
                    (
                        f"repeats that varied by more than {SPREAD_LIMIT:.0%}",
                        f"{display_name(framework)}'s samples/s varied by {rate.relative:.0%} "
                        f"between repeats, more than {SPREAD_LIMIT:.0%}",
                    )
                )
        first, second = rates.values()
        if first.overlaps(second):
            found.append(("overlapping ranges", "the two frameworks' min-max ranges overlap"))
    devices = {facts.device_type for facts in measured.values()}
    if len(devices) > 1:
        kinds = ", ".join(sorted(devices))
        found.append(("different devices", f"they ran on different devices ({kinds})"))
    steps = min(facts.steps for facts in measured.values())
    if steps < MIN_STEPS:
        found.append(
            (f"fewer than {MIN_STEPS} steps", f"only {steps} steps per run, fewer than {MIN_STEPS}")
        )
    trained = [facts.train_seconds.median for facts in measured.values() if facts.train_seconds]
    if trained and min(trained) < MIN_TRAIN_SECONDS:
        found.append(
            (
                f"runs shorter than {MIN_TRAIN_SECONDS:g} s",
                f"the faster framework trained for only {min(trained):.2g} s per run",
            )
        )
    return found


def schedule(frameworks: Sequence[str], repeats: int) -> list[tuple[int, str]]:
    """The measured runs, interleaved so that drift in the machine hits both alike.

    (1, torch), (1, tensorflow), (2, torch), (2, tensorflow), ...
    """
    return [(repeat, framework) for repeat in range(1, repeats + 1) for framework in frameworks]


def calibrated_steps(
    seconds: float, rates: Sequence[float], batch_size: int, *, cap: int = 100_000
) -> int:
    """The step count for both frameworks, from their warm-up samples/s.

    About `seconds` of training for the slower one, but never so few that the run is
    "tiny" by the rule above: at least MIN_STEPS, and enough for the faster one to train
    for 1.5 x MIN_TRAIN_SECONDS (warm-up rates are rough).
    """
    known = [rate for rate in rates if rate > 0]
    if not known:
        return MIN_STEPS
    steps = max(
        seconds * min(known) / batch_size,
        1.5 * MIN_TRAIN_SECONDS * max(known) / batch_size,
        MIN_STEPS,
    )
    return min(cap, round(steps))


def conclusion(
    comparisons: Sequence[Comparison],
    *,
    unmeasured: Mapping[str, str],
    recommended: str,
    confidence: str,
    answers_source: str | None,
    favours: Sequence[str],
) -> str:
    """The one closing sentence: the measured ratio and how it bears on the recommendation.

    `unmeasured` maps a framework to why it has no numbers ("is not installed");
    `answers_source` is None for the default answers; `favours` names the criteria that
    gave the recommended framework its lead.
    """
    who = (
        f"for your answers in {answers_source}"
        if answers_source
        else "for the default answers (pass --answers FILE for yours)"
    )
    name = display_name(recommended)
    advice = f"the advisor's {confidence}-confidence recommendation of {name} {who}"
    if not comparisons:
        missing = "; ".join(f"{display_name(f)} {why}" for f, why in unmeasured.items())
        return f"Nothing to compare ({missing}), so this run leaves {advice} as it stands."
    clauses = [_clause(comparison) for comparison in comparisons]
    measured = ", and ".join(clauses) if len(clauses) <= 2 else ", ".join(clauses)
    solid = [comparison for comparison in comparisons if comparison.conclusive]
    shaky = [comparison for comparison in comparisons if not comparison.conclusive]
    if not solid:
        reasons = ", ".join(dict.fromkeys(c for comparison in shaky for c in comparison.brief))
        return (
            f"{_capital(measured)}, but this is only indicative ({reasons}), "
            f"so it does not move {advice}."
        )
    hedge = " where the run is conclusive" if shaky else ""
    if all(comparison.faster == recommended for comparison in solid):
        return f"{_capital(measured)}; that speed{hedge} agrees with {advice}."
    grounds = ", ".join(favours) or "criteria other than speed"
    return (
        f"{_capital(measured)}; {advice} rests on grounds other than speed ({grounds}), "
        "so let this gap count only if training time on this machine is what limits you."
    )


def _clause(comparison: Comparison) -> str:
    return (
        f"{display_name(comparison.faster)} trained the {comparison.task} starter model "
        f"{comparison.ratio:.2f}x as fast as {display_name(comparison.slower)}"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
