"""pyproject.toml's dependency lists, merged by package name rather than by line.

A user who adds `pandas` under the line the template bumps (`torch>=2.7` -> `torch>=2.8`)
has changed a different package, not the same lines. Each list (`[project] dependencies`,
each `[project.optional-dependencies]` extra, each `[dependency-groups]` group, and
`[build-system] requires`) present in all three versions is merged entry by entry, keyed by
the normalised package name (PEP 503); the merged list then replaces that list in all
three texts, so the line merge that follows sees no difference there. A package both
sides changed differently, a name listed twice, or a list written in a shape this reader
does not know is left to the line merge (and its conflict markers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fwpick.base.compat import tomllib

LIST_TABLES = {
    "project": ("dependencies",),
    "build-system": ("requires",),
    "project.optional-dependencies": None,  # every key
    "dependency-groups": None,
}
_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]+\")\s*=\s*\[")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_ENTRY_LINE = re.compile(r"^(\s*)(\"(?:[^\"\\]|\\.)*\"|'[^']*')\s*,?\s*(#.*)?$")


@dataclass(frozen=True)
class Found:
    """One dependency list in a text: where it is and what it holds."""

    start: int  # offset of the key's line
    end: int  # offset just past the closing bracket
    text: str
    values: list[str]


def _closing(text: str, opening: int) -> int | None:
    """The offset of the `]` that closes the `[` at `opening`, skipping strings and comments."""
    depth, index = 0, opening
    while index < len(text):
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in "\"'":
            index = _string_end(text, index)
            if index < 0:
                return None
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _string_end(text: str, start: int) -> int:
    quote, index = text[start], start + 1
    while index < len(text):
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        if text[index] == "\n":
            return -1
        index += 1
    return -1


def find_lists(text: str) -> dict[tuple[str, str], Found]:
    """(table, key) -> each dependency list of a pyproject text."""
    found: dict[tuple[str, str], Found] = {}
    table = ""
    offset = 0
    lines = text.splitlines(keepends=True)
    skip_to = 0
    for line in lines:
        start, offset = offset, offset + len(line)
        if start < skip_to:
            continue
        header = _HEADER.match(line)
        if header:
            table = header.group(1).strip().replace('"', "")
            continue
        key = _KEY.match(line)
        if not key or table not in LIST_TABLES:
            continue
        name = key.group(1).strip('"')
        wanted = LIST_TABLES[table]
        if wanted is not None and name not in wanted:
            continue
        opening = start + key.end() - 1
        closing = _closing(text, opening)
        if closing is None:
            continue
        snippet = text[opening : closing + 1]
        try:
            values = tomllib.loads(f"x = {snippet}")["x"]
        except (tomllib.TOMLDecodeError, ValueError):
            continue
        if isinstance(values, list) and all(isinstance(value, str) for value in values):
            found[(table, name)] = Found(start, closing + 1, text[start : closing + 1], values)
        skip_to = closing + 1
    return found


def package(requirement: str) -> str:
    """The PEP 503 normalised name a requirement is about."""
    match = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else requirement


def _keyed(values: list[str]) -> dict[str, str] | None:
    keyed = {package(value): value for value in values}
    return keyed if len(keyed) == len(values) else None


def merge_values(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """The merged list in the user's order, theirs' additions after their predecessor."""
    keyed = [_keyed(values) for values in (base, ours, theirs)]
    if any(side is None for side in keyed):
        return None
    b, o, t = (side or {} for side in keyed)
    decided: dict[str, str | None] = {}
    for name in [*o, *(name for name in t if name not in o), *(n for n in b if n not in o)]:
        old, mine, new = b.get(name), o.get(name), t.get(name)
        if mine == new or old == new:
            decided[name] = mine
        elif mine == old:
            decided[name] = new
        else:
            return None  # both changed this package differently: the line merge says so
    order = [name for name in o]
    for index, name in enumerate(t):
        if name in order:
            continue
        before = next((p for p in reversed(list(t)[:index]) if p in order), None)
        order.insert(order.index(before) + 1 if before else len(order), name)
    return [value for name in order if (value := decided.get(name)) is not None]


def _render(found: Found, values: list[str], sources: list[dict[str, str]]) -> str | None:
    """The list written as the user wrote theirs: one entry a line, or all on one line."""
    head_end = found.text.index("[") + 1
    head = found.text[:head_end]
    body = found.text[head_end:-1]
    if "\n" not in found.text:
        return head + ", ".join(_quote(value) for value in values) + "]"
    lines = body.split("\n")
    entry_lines = [
        line for line in lines[1:-1] if line.strip() and not line.strip().startswith("#")
    ]
    if not all(_ENTRY_LINE.match(line) for line in entry_lines):
        return None
    indent = _ENTRY_LINE.match(entry_lines[0]).group(1) if entry_lines else "    "  # type: ignore[union-attr]
    written: dict[str, str] = {}
    pending: list[str] = []
    for line in lines[1:-1]:
        match = _ENTRY_LINE.match(line)
        if match:
            value = tomllib.loads(f"x = {match.group(2)}")["x"]
            written[package(value)] = "\n".join([*pending, line])
            pending = []
        else:
            pending.append(line)
    out = [lines[0]]
    for value in values:
        name = package(value)
        mine = written.get(name)
        if mine is not None and value in sources[0].values():
            out.append(mine)
        else:
            comment = sources[1].get(name, "")
            out.append(comment + f"{indent}{_quote(value)},")
    out.extend(pending)
    out.append(lines[-1])
    return head + "\n".join(out) + "]"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _comments_of(found: Found) -> dict[str, str]:
    """package -> the comment lines just above its entry (theirs', for added entries)."""
    result: dict[str, str] = {}
    pending: list[str] = []
    for line in found.text.split("\n")[1:]:
        match = _ENTRY_LINE.match(line)
        if match:
            value = tomllib.loads(f"x = {match.group(2)}")["x"]
            result[package(value)] = "".join(f"{comment}\n" for comment in pending)
            pending = []
        elif line.strip().startswith("#"):
            pending.append(line)
        else:
            pending = []
    return result


def align(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bytes, bytes]:
    """The three texts with every list that merges by name replaced by its merged form."""
    try:
        texts = [data.decode("utf-8") for data in (base, ours, theirs)]
    except UnicodeDecodeError:
        return base, ours, theirs
    lists = [find_lists(text) for text in texts]
    replacements: dict[tuple[str, str], str] = {}
    for key in lists[1]:
        if not all(key in side for side in lists):
            continue
        b, o, t = (side[key] for side in lists)
        if o.values == t.values:
            continue
        merged = merge_values(b.values, o.values, t.values)
        if merged is None:
            continue
        mine = {package(value): value for value in o.values}
        rendered = _render(o, merged, [mine, _comments_of(t)])
        if rendered is not None:
            replacements[key] = rendered
    if not replacements:
        return base, ours, theirs
    results = []
    for text, found in zip(texts, lists, strict=True):
        for key in sorted(replacements, key=lambda k: found[k].start, reverse=True):
            spot = found[key]
            text = text[: spot.start] + replacements[key] + text[spot.end :]
        results.append(text.encode("utf-8"))
    return results[0], results[1], results[2]
