"""`--check-registry`: re-ask PyPI and npm for every version and date the knowledge states.

A maintainer's command, never run in CI or by `fwpick advise`: it needs the network.
Each stated fact is compared with the registry's newest release today (PyPI's
`info.version`, npm's `latest` tag); a moved fact means its claim must be re-read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

TIMEOUT_SECONDS = 15
# Exit codes: nothing moved; something moved; a registry could not be asked.
UNCHANGED, MOVED, UNREACHABLE = 0, 1, 3

Fetch = Callable[[str], Any]


@dataclass(frozen=True)
class RegistryFact:
    """A version and its upload date, as a package registry gave them."""

    index: str  # pypi | npm
    package: str
    version: str
    date: str


class Checked(NamedTuple):
    """One stated fact and what the registry says now (None when it could not be asked)."""

    source: str
    stated: RegistryFact
    version: str | None
    date: str | None
    error: str | None = None

    @property
    def moved(self) -> bool:
        """Whether the registry's newest release differs from the stated one."""
        return self.error is None and (self.version, self.date) != (
            self.stated.version,
            self.stated.date,
        )


def _get_json(url: str) -> Any:
    # Imported here: knowledge.py imports this module at every start, and urllib.request
    # costs ~35 ms (http.client, email) that only this maintainer's command needs.
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.load(response)


def latest(fact: RegistryFact, fetch: Fetch = _get_json) -> tuple[str, str]:
    """The newest version on the fact's registry and the date it was uploaded."""
    import urllib.parse

    if fact.index == "pypi":
        data = fetch(f"https://pypi.org/pypi/{urllib.parse.quote(fact.package)}/json")
        version = str(data["info"]["version"])
        files = data["releases"].get(version) or []
        date = min((f["upload_time"] for f in files), default="")[:10]
        return version, date
    if fact.index == "npm":
        data = fetch(f"https://registry.npmjs.org/{urllib.parse.quote(fact.package, safe='@')}")
        version = str(data["dist-tags"]["latest"])
        return version, str(data.get("time", {}).get(version, ""))[:10]
    raise ValueError(f"unknown registry {fact.index!r} for {fact.package}")


def check(
    facts: Iterable[tuple[str, RegistryFact | None]], fetch: Fetch = _get_json
) -> list[Checked]:
    """Ask the registry about every (source id, stated fact) pair that states one."""
    results = []
    for source_id, fact in facts:
        if fact is None:
            continue
        try:
            version, date = latest(fact, fetch)
        except (OSError, ValueError, KeyError) as error:  # URLError is an OSError
            reason = getattr(error, "reason", None) or error
            results.append(Checked(source_id, fact, None, None, str(reason)))
            continue
        results.append(Checked(source_id, fact, version, date))
    return results


def report(results: list[Checked]) -> tuple[list[str], int]:
    """The lines to print and the exit code."""
    moved = [r for r in results if r.moved]
    failed = [r for r in results if r.error is not None]
    lines = [
        f"checked {len(results)} registry facts: {len(moved)} moved, {len(failed)} unreachable"
    ]
    for r in moved:
        fact = r.stated
        lines.append(
            f"  moved  {fact.index}: {fact.package} {fact.version} ({fact.date}) -> "
            f"{r.version} ({r.date})  [source {r.source}: re-read its claim]"
        )
    for r in failed:
        lines.append(f"  unreachable  {r.stated.index}: {r.stated.package}: {r.error}")
    if failed and len(failed) == len(results):
        lines.append("could not reach the registries (offline?); nothing was checked")
    code = MOVED if moved else (UNREACHABLE if failed else UNCHANGED)
    return lines, code
