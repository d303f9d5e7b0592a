"""The pristine templates of a released `template_version`, as one text archive in the wheel.

A project's base (what fwpick generated for it) is re-rendered from the archive of the
version it records, so the archive must hold everything that shaped that render: the
template files exactly as they were, and the values the render took from fwpick's code
rather than from the templates (the framework registry's requirement, checkpoint names
and install command, the deployment aliases). It is JSON: text in the wheel and in git,
readable in review, and parsed without running anything. Every path is checked when the
archive is read and when it is frozen: relative, no `..`, no links, no devices.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fwpick.base.errors import FwpickError

FORMAT = 1
# Folders of a templates tree that are build products, never templates.
SKIPPED = (".compiled", "__pycache__")
# The largest archive a release writes is ~0.4 MB; anything far beyond is not one.
MAX_BYTES = 8 * 1024 * 1024
_VERSION = re.compile(r"[1-9][0-9]{0,5}")


class ArchiveError(FwpickError):
    """A template archive is missing, malformed, or holds a path that is not safe."""


@dataclass(frozen=True)
class Template:
    """One file of a templates tree: its bytes and whether it was executable."""

    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class Archive:
    """A frozen template set: the files, and the code-side values its render used."""

    version: str
    files: Mapping[str, Template]
    # framework -> the context values that came from fwpick.base.frameworks.REGISTRY.
    registry: Mapping[str, Mapping[str, str]]
    # deployment answer -> the export it renders (embedded -> mobile, ...).
    deployment_aliases: Mapping[str, str] = field(default_factory=dict)
    # Whether `new` appended the manifest of hashes to .fwpick.toml (version 3 on).
    marker_manifest: bool = True
    source: str = ""

    def digest(self) -> str:
        """sha256 over every path, mode and byte: the archive's identity."""
        digest = hashlib.sha256()
        for path in sorted(self.files):
            template = self.files[path]
            digest.update(f"{path}\0{int(template.executable)}\0{len(template.data)}\0".encode())
            digest.update(template.data)
        return digest.hexdigest()


def check_version(version: str) -> str:
    """`version` if it is a template version (a positive integer), else ArchiveError."""
    if not _VERSION.fullmatch(version):
        raise ArchiveError(f"template version {version!r} is not a positive whole number")
    return version


def check_path(path: str, *, what: str = "archive") -> str:
    """`path` if it is a plain relative POSIX path inside the tree, else ArchiveError."""
    pure = PurePosixPath(path)
    bad = (
        not path
        or "\\" in path
        or "\0" in path
        or path != pure.as_posix()
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in pure.parts)
        or ":" in pure.parts[0]
    )
    if bad:
        raise ArchiveError(f"the {what} holds an unsafe path {path!r}")
    return path


def _encode(template: Template) -> dict[str, str]:
    entry = {"mode": "755" if template.executable else "644"}
    try:
        entry["text"] = template.data.decode("utf-8")
    except UnicodeDecodeError:
        entry["base64"] = base64.b64encode(template.data).decode("ascii")
    return entry


def dumps(archive: Archive) -> str:
    """The archive as its JSON text (sorted, one file per line: stable across freezes)."""
    header = {
        "format": FORMAT,
        "template_version": archive.version,
        "source": archive.source,
        "registry": archive.registry,
        "deployment_aliases": archive.deployment_aliases,
        "marker_manifest": archive.marker_manifest,
        "digest": archive.digest(),
    }
    lines = [json.dumps(header, sort_keys=True, ensure_ascii=False)]
    for path in sorted(archive.files):
        entry = {"path": path, **_encode(archive.files[path])}
        lines.append(json.dumps(entry, sort_keys=True, ensure_ascii=False))
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _string_map(value: object, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ArchiveError(f"the archive's {what} is not a table of strings")
    return dict(value)


def loads(text: str, *, where: str = "archive") -> Archive:
    """Parse and check an archive; every problem is one ArchiveError line."""
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ArchiveError(f"{where} is not valid JSON: {error}") from None
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        raise ArchiveError(f"{where} is not a template archive")
    header, *rows = entries
    if header.get("format") != FORMAT:
        raise ArchiveError(
            f"{where} has format {header.get('format')!r}; this fwpick reads {FORMAT}"
        )
    version = check_version(str(header.get("template_version", "")))
    registry_raw = header.get("registry")
    if not isinstance(registry_raw, dict):
        raise ArchiveError(f"{where} has no registry table")
    registry = {str(key): _string_map(value, "registry") for key, value in registry_raw.items()}
    files: dict[str, Template] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("path"), str):
            raise ArchiveError(f"{where} holds an entry without a path")
        path = check_path(row["path"], what=where)
        if path in files:
            raise ArchiveError(f"{where} holds {path!r} twice")
        if row.get("mode") not in ("644", "755"):
            # Only plain files: a link, a device or a FIFO has no place in a template set.
            raise ArchiveError(f"{where}: {path!r} is not a plain file (mode {row.get('mode')!r})")
        if isinstance(row.get("text"), str):
            data = row["text"].encode("utf-8")
        elif isinstance(row.get("base64"), str):
            data = base64.b64decode(row["base64"], validate=True)
        else:
            raise ArchiveError(f"{where}: {path!r} has no content")
        files[path] = Template(data, executable=row["mode"] == "755")
    archive = Archive(
        version=version,
        files=files,
        registry=registry,
        deployment_aliases=_string_map(header.get("deployment_aliases", {}), "aliases"),
        marker_manifest=bool(header.get("marker_manifest", True)),
        source=str(header.get("source", "")),
    )
    if header.get("digest") != archive.digest():
        raise ArchiveError(f"{where} does not match its own digest (edited or damaged)")
    return archive


def folder() -> Path:
    """Where the released archives ship: fwpick/update/archives/ (in the wheel too)."""
    return Path(__file__).resolve().parent / "archives"


def archive_path(version: str, where: Path | None = None) -> Path:
    """The archive file of `version`."""
    return (where or folder()) / f"v{check_version(version)}.json"


def released(where: Path | None = None) -> list[str]:
    """The versions with an archive, oldest first."""
    names = (path.stem[1:] for path in (where or folder()).glob("v*.json"))
    return sorted((name for name in names if _VERSION.fullmatch(name)), key=int)


def load(version: str, where: Path | None = None) -> Archive | None:
    """The archive of `version`, or None when this fwpick ships none for it."""
    path = archive_path(version, where)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        raise ArchiveError(f"{path} is not a template archive (not a plain file, or too big)")
    archive = loads(path.read_text(encoding="utf-8"), where=str(path))
    if archive.version != version:
        raise ArchiveError(f"{path} holds template version {archive.version}, not {version}")
    return archive


def read_tree(root: Path) -> dict[str, Template]:
    """Every file of a templates tree, refusing links, devices and FIFOs.

    `.jinja` files are read as Jinja's FileSystemLoader reads them (UTF-8, universal
    newlines), since that text is what rendered; every other file is kept byte for byte.
    """
    files: dict[str, Template] = {}
    for folder_path, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in SKIPPED)
        here = Path(folder_path)
        for name in sorted([*folders, *names]):
            info = os.lstat(here / name)
            if stat.S_ISLNK(info.st_mode):
                raise ArchiveError(f"{here / name} is a symbolic link; templates are plain files")
            if name in folders:
                continue
            if name.endswith(".pyc"):
                continue
            if not stat.S_ISREG(info.st_mode):
                raise ArchiveError(f"{here / name} is not a plain file")
            relative = check_path((here / name).relative_to(root).as_posix(), what="templates")
            data = (here / name).read_bytes()
            if name.endswith(".jinja"):
                text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
                data = text.encode("utf-8")
            files[relative] = Template(data, executable=bool(info.st_mode & 0o111))
    return files
