"""The two renders an update compares a project with: its version's, and the current one.

A released version renders from its archive (fwpick/update/archives/vN.json); the current
version renders from the templates installed with this fwpick, exactly as `fwpick new`
does. The archive render reuses today's Jinja settings, filters and context, with the
values that came from fwpick's code at that release (the registry, the deployment
aliases, the version numbers) put back on top; `python -m fwpick.update.release` checks,
when it freezes a version, that this reproduces `new` for every framework, task and export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import jinja2

from fwpick import __version__
from fwpick.base.errors import TemplateError
from fwpick.contract.project_file import MARKER, manifest_table
from fwpick.generate import render
from fwpick.generate.render import ProjectSpec
from fwpick.update.archive import Archive, ArchiveError, check_path

# The context values an archive freezes per framework (they live in the registry's code).
REGISTRY_KEYS = (
    "framework_display",
    "framework_requirement",
    "checkpoint_name",
    "last_checkpoint_name",
    "install_project",
)


class Source(Protocol):
    """A template version that can render a project: {relative path: bytes}."""

    @property
    def version(self) -> str:
        """The template_version it renders."""
        ...

    def render(self, spec: ProjectSpec, *, fwpick_version: str) -> dict[str, bytes]:
        """Every file of the project `spec` describes."""
        ...


@dataclass(frozen=True)
class Installed:
    """The templates installed with this fwpick: what `fwpick new` writes today."""

    root: Path | None = None

    @property
    def version(self) -> str:
        """render.TEMPLATE_VERSION, read at call time."""
        return render.TEMPLATE_VERSION

    def render(self, spec: ProjectSpec, *, fwpick_version: str = __version__) -> dict[str, bytes]:
        """`render.plan`, unchanged (the fwpick version is always this one's)."""
        return render.plan(spec, root=self.root)


@dataclass(frozen=True)
class Frozen:
    """A released template version, from its archive."""

    archive: Archive

    @property
    def version(self) -> str:
        """The archive's template_version."""
        return self.archive.version

    def render(self, spec: ProjectSpec, *, fwpick_version: str) -> dict[str, bytes]:
        """The project as that release rendered it (see the module's docstring)."""
        return render_archive(self.archive, spec, fwpick_version=fwpick_version)


def _variables(archive: Archive, spec: ProjectSpec, fwpick_version: str) -> dict[str, object]:
    if spec.framework not in archive.registry:
        raise TemplateError(f"template version {archive.version} has no {spec.framework} templates")
    variables = render.context(spec)
    frozen = archive.registry[spec.framework]
    variables.update({key: frozen[key] for key in REGISTRY_KEYS if key in frozen})
    answer = str(spec.answers.get("deployment", "none"))
    deployment = archive.deployment_aliases.get(answer, answer)
    variables.update(
        deployment=deployment,
        has_export=deployment != "none",
        template_version=archive.version,
        fwpick_version=fwpick_version,
    )
    return variables


def render_archive(archive: Archive, spec: ProjectSpec, *, fwpick_version: str) -> dict[str, bytes]:
    """Render `archive` for `spec` the way `render.plan` renders the installed templates."""
    texts: dict[str, str] = {}
    for path, template in archive.files.items():
        if path.endswith(".jinja"):
            try:
                texts[path] = template.data.decode("utf-8")
            except UnicodeDecodeError:
                raise ArchiveError(f"archive template {path} is not UTF-8") from None
    live = render.environment(render.templates_root())
    env = live.overlay(loader=jinja2.DictLoader(texts))
    variables = _variables(archive, spec, fwpick_version)
    files: dict[str, bytes] = {}
    for layer in (*render.LAYERS, spec.framework):
        prefix = f"{layer}/"
        for path in sorted(name for name in archive.files if name.startswith(prefix)):
            relative = path.removeprefix(prefix)
            name = relative.rsplit("/", 1)[-1]
            if name.startswith("_") and not name.startswith("__"):
                continue  # a partial, pulled in by {% include %}
            target = check_path(
                relative.replace(render.PACKAGE_PLACEHOLDER, spec.name.package), what="render"
            )
            if not relative.endswith(".jinja"):
                files[target] = archive.files[path].data
                continue
            target = target.removesuffix(".jinja")
            text = env.get_template(path).render(variables)
            if text.strip():
                files[target] = text.encode("utf-8")
            else:
                files.pop(target, None)
    files = dict(sorted(files.items()))
    if archive.marker_manifest and MARKER in files:
        files[MARKER] += manifest_table(files).encode("utf-8")
    return files


def registry_values(spec_for: Mapping[str, ProjectSpec]) -> dict[str, dict[str, str]]:
    """framework -> today's REGISTRY_KEYS values, as `render.context` gives them."""
    values: dict[str, dict[str, str]] = {}
    for framework, spec in spec_for.items():
        context = render.context(spec)
        values[framework] = {key: str(context[key]) for key in REGISTRY_KEYS}
    return values
