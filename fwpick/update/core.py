"""`fwpick update`: read the project, render its base and the current templates, decide, write."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwpick import __version__
from fwpick.advice.answers import merge as merge_answers
from fwpick.advice.answers import validate_answers
from fwpick.base import clusters
from fwpick.base.compat import tomllib
from fwpick.base.errors import FwpickError, ProjectFileError
from fwpick.contract.project_file import MARKER, ProjectFile, file_digest, read_project
from fwpick.generate.names import ProjectName
from fwpick.generate.render import ProjectSpec
from fwpick.update import apply as applying
from fwpick.update import archive, gitrepo
from fwpick.update.decide import Change, Context, Outcome, decide_all, read_ours
from fwpick.update.sources import Frozen, Installed, Source


class UpdateError(FwpickError):
    """The project cannot be updated as asked (a refusal that says what to do instead)."""


class BaseMismatchError(UpdateError):
    """The re-rendered base is not what `new` recorded in the manifest."""


@dataclass(frozen=True)
class Catalog:
    """Where template versions come from: the released archives and the installed set."""

    archives: Path | None = None  # None: the ones in the package
    current: Source = field(default_factory=Installed)

    def source(self, version: str) -> Source:
        """The renderer of `version`: the installed set for the current one, else its archive."""
        if version == self.current.version:
            return self.current
        frozen = archive.load(version, self.archives)
        if frozen is None:
            known = ", ".join([*archive.released(self.archives), self.current.version])
            raise UpdateError(
                f"this fwpick has no templates of template_version {version} (it knows {known})"
            )
        return Frozen(frozen)


@dataclass(frozen=True)
class UpdateOptions:
    """What `fwpick update` was asked to do."""

    root: Path
    flags: Mapping[str, str | None] = field(default_factory=dict)
    cluster: str | None = None  # --cluster: not a question, but an answer that adds files
    framework: str | None = None
    task: str | None = None
    restore_deleted: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class UpdateResult:
    """What an update did (or, with --dry-run, would do)."""

    project: Path
    from_version: str
    to_version: str
    changes: tuple[Change, ...]
    answers_changed: Mapping[str, tuple[str | None, str]] = field(default_factory=dict)
    dry_run: bool = False
    adopted: bool = False  # no manifest: the base could not be checked

    @property
    def conflicts(self) -> list[str]:
        """Paths left with conflict markers (unmerged in the index)."""
        return [change.path for change in self.changes if change.outcome is Outcome.conflict]

    @property
    def changed(self) -> list[Change]:
        """The changes that write, remove or mark something."""
        return [change for change in self.changes if change.touches]

    @property
    def shown(self) -> list[Change]:
        """What a person is told about: every change, and every file left alone on purpose."""
        quiet = (Outcome.unchanged, Outcome.kept)
        return [
            change
            for change in self.changes
            if change.touches or (change.outcome not in quiet and change.note)
        ]

    def diff(self) -> str:
        """A unified diff of every file the update writes or removes."""
        chunks: list[str] = []
        for change in self.changes:
            if change.source is not None:
                chunks.append(_diff(change.source, change.source_before, None))
            if change.content != change.before:
                chunks.append(_diff(change.path, change.before, change.content))
        return "".join(chunks)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick update --json` document."""
        return {
            "project": str(self.project),
            "from_version": self.from_version,
            "to_version": self.to_version,
            "dry_run": self.dry_run,
            "adopted": self.adopted,
            "status": "conflicts"
            if self.conflicts
            else "updated"
            if self.changed
            else "up-to-date",
            "conflicts": self.conflicts,
            "answers_changed": {
                key: {"from": old, "to": new} for key, (old, new) in self.answers_changed.items()
            },
            "files": [
                {
                    "path": change.path,
                    "outcome": change.outcome.value,
                    "note": change.note,
                    "renamed_from": change.source,
                }
                for change in self.changes
            ],
        }


def _diff(path: str, before: bytes | None, after: bytes | None) -> str:
    def lines(data: bytes | None) -> list[str]:
        return [] if data is None else data.decode("utf-8", "replace").splitlines(keepends=True)

    old = f"a/{path}" if before is not None else "/dev/null"
    new = f"b/{path}" if after is not None else "/dev/null"
    text = "".join(difflib.unified_diff(lines(before), lines(after), old, new))
    return text if text.endswith("\n") or not text else text + "\n\\ No newline at end of file\n"


@dataclass(frozen=True)
class CheckResult:
    """`fwpick update --check`: is the project behind the installed templates?"""

    project: Path
    version: str
    current: str

    @property
    def behind(self) -> bool:
        """Whether an update would bring newer templates."""
        return int(self.version) < int(self.current)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick update --check --json` document."""
        return {
            "project": str(self.project),
            "template_version": self.version,
            "current": self.current,
            "behind": self.behind,
        }


def _recorded_version(marker: ProjectFile) -> str:
    version = marker.template_version
    if version is None:
        raise ProjectFileError(
            f"{marker.marker} records no template_version, so fwpick cannot tell which "
            "templates generated this project"
        )
    return archive.check_version(version)


def check(root: Path, *, catalog: Catalog | None = None) -> CheckResult:
    """Compare the recorded template_version with the installed one; reads one file."""
    catalog = catalog or Catalog()
    marker = read_project(root)
    return CheckResult(root, _recorded_version(marker), catalog.current.version)


def _pyproject_texts(root: Path) -> tuple[str, str]:
    """A project of version 2 recorded no description or author: read them from pyproject."""
    ours = read_ours(root, "pyproject.toml").data
    if ours is None:
        return "", ""
    try:
        project = tomllib.loads(ours.decode("utf-8")).get("project", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "", ""
    description = project.get("description", "")
    authors = project.get("authors") or [{}]
    author = authors[0].get("name", "") if isinstance(authors[0], dict) else ""
    return (description if isinstance(description, str) else ""), str(author)


def _spec(marker: ProjectFile, root: Path) -> ProjectSpec:
    fallback_description, fallback_author = _pyproject_texts(root)
    spec = ProjectSpec(
        name=ProjectName(folder=marker.name or root.name, package=marker.package),
        framework=marker.framework,
        task=marker.task,
        answers={str(key): str(value) for key, value in marker.answers.items()},
        description=marker.description if marker.description is not None else fallback_description,
        author=marker.author if marker.author is not None else fallback_author,
    )
    # Fields newer templates record in [project] (the data input...), when the spec has them.
    extra: dict[str, Any] = {
        spec_field.name: marker.table[spec_field.name]
        for spec_field in dataclasses.fields(ProjectSpec)
        if spec_field.name not in ("name", "framework", "task", "answers", "description", "author")
        and isinstance(marker.table.get(spec_field.name), str)
    }
    return dataclasses.replace(spec, **extra) if extra else spec


def _refuse_switch(marker: ProjectFile, options: UpdateOptions) -> None:
    framework = options.framework or marker.framework
    task = options.task or marker.task
    if (framework, task) == (marker.framework, marker.task):
        return
    what = "framework" if framework != marker.framework else "task"
    flags = " ".join(f"--{key} {value}" for key, value in sorted(marker.answers.items()))
    name = f"{marker.name or marker.root.name}-{framework}"
    raise UpdateError(
        f"fwpick update keeps the {what} ({marker.framework} {marker.task}); a project of "
        f"another {what} is a new project: fwpick new {name} --framework {framework} "
        f"--task {task} {flags}".rstrip()
    )


def prepare(
    options: UpdateOptions,
    *,
    catalog: Catalog | None = None,
    on_phase: Callable[[str], None] = lambda _: None,
) -> UpdateResult:
    """Decide every file's outcome; writes nothing."""
    catalog = catalog or Catalog()
    root = options.root
    on_phase("reading the project")
    marker = read_project(root)
    version = _recorded_version(marker)
    current = catalog.current.version
    if int(version) > int(current):
        raise UpdateError(
            f"{root} was generated with template_version {version}, newer than this fwpick's "
            f"{current}; upgrade fwpick (pip install -U fwpick)"
        )
    _refuse_switch(marker, options)
    spec = _spec(marker, root)
    on_phase(f"rendering template version {version}")
    base = catalog.source(version).render(spec, fwpick_version=marker.fwpick_version or __version__)
    if marker.manifest is not None:
        _check_base(base, marker.manifest, version)
    recorded = validate_answers(spec.answers, path=marker.marker)
    answers, _ = merge_answers(flags=options.flags, file_answers=recorded, use_defaults=True)
    asked = dict(options.flags)
    if options.cluster is not None:
        answers[clusters.KEY] = asked[clusters.KEY] = options.cluster
    changed = {
        key: (spec.answers.get(key), value)
        for key, value in answers.items()
        if spec.answers.get(key) != value and asked.get(key) is not None
    }
    on_phase(f"rendering template version {current}")
    theirs = catalog.current.render(
        dataclasses.replace(spec, answers=answers), fwpick_version=__version__
    )
    for path in (*base, *theirs):
        archive.check_path(path, what="render")
    on_phase("merging")
    ours = {path: read_ours(root, path) for path in {*base, *theirs}}
    labels = ("yours", f"template v{version}", f"template v{current}")
    changes = decide_all(base, theirs, ours, Context(root, labels, options.restore_deleted))
    return UpdateResult(
        project=root,
        from_version=version,
        to_version=current,
        changes=tuple(changes),
        answers_changed=changed,
        dry_run=options.dry_run,
        adopted=marker.manifest is None,
    )


def _check_base(base: Mapping[str, bytes], manifest: Mapping[str, str], version: str) -> None:
    rendered = {path: file_digest(data) for path, data in base.items() if path != MARKER}
    if rendered == dict(manifest):
        return
    differ = sorted(
        path for path in set(rendered) | set(manifest) if rendered.get(path) != manifest.get(path)
    )
    raise BaseMismatchError(
        f"the templates of version {version} do not render what .fwpick.toml's [manifest] "
        f"records ({len(differ)} file(s): {', '.join(differ[:5])}); the base would be wrong, so "
        "nothing was merged (restore .fwpick.toml from git if its [answers] or [manifest] "
        "were edited)"
    )


def update_project(
    options: UpdateOptions,
    *,
    catalog: Catalog | None = None,
    on_phase: Callable[[str], None] = lambda _: None,
) -> UpdateResult:
    """`fwpick update`: prepare, refuse what is unsafe, then write all or nothing."""
    repository = None if options.dry_run else _repository(options.root)
    result = prepare(options, catalog=catalog, on_phase=on_phase)
    touching = [change for change in result.changes if change.touches]
    if options.dry_run or not touching or repository is None:
        return result
    on_phase("checking git status")
    paths = sorted({path for change in touching for path in change.paths})
    dirty = gitrepo.dirty(repository, paths)
    if dirty:
        shown = ", ".join(dirty[:8]) + (f" and {len(dirty) - 8} more" if len(dirty) > 8 else "")
        raise UpdateError(
            f"uncommitted changes in {shown}, which the update would change; commit them "
            "(or stash them), then run fwpick update again"
        )
    applying.apply(
        repository,
        touching,
        versions=(result.from_version, result.to_version),
        on_phase=on_phase,
    )
    return result


def _repository(root: Path) -> gitrepo.Repository:
    read_project(root)  # a folder that is no project says so first
    repository = gitrepo.find(root)
    if repository is None:
        raise UpdateError(
            f"{root} is not in a git repository; fwpick update merges into committed work so "
            "that every change can be reviewed and undone: git init && git add -A && "
            "git commit -m 'before fwpick update', then run it again"
        )
    return repository


def undo(root: Path, *, on_phase: Callable[[str], None] = lambda _: None) -> list[str]:
    """`fwpick update --undo`: the project as it was before the last update."""
    return applying.undo(_repository(root), on_phase=on_phase)
