"""Maintainer command: freeze the installed templates as the archive of a released version.

    python -m fwpick.update.release 3            # at release time, after the last template edit
    python -m fwpick.update.release 2 --git 07cff63 --no-manifest --alias embedded=mobile

Run it once per release, when the template set of that `template_version` is final, and
commit the archive it writes (fwpick/update/archives/vN.json). Every later fwpick uses it
to re-render what projects of that version were generated with. Before writing, it renders
every framework x task x export from the new archive and compares it with what
`fwpick new` renders from the installed templates: an archive that would not reproduce
`new` is refused. With `--git REV` the templates come from that commit (`git archive`),
which is how version 2, released before archives existed, was frozen; the comparison is
then skipped (the installed code is not that release's), and the tests check that archive
against the hashes of renders made by the code at that commit.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from fwpick import __version__
from fwpick.base.frameworks import FRAMEWORKS, TASKS
from fwpick.generate import render
from fwpick.generate.names import ProjectName
from fwpick.generate.render import ProjectSpec
from fwpick.update.archive import (
    Archive,
    ArchiveError,
    Template,
    archive_path,
    check_version,
    dumps,
    read_tree,
)
from fwpick.update.sources import Installed, registry_values, render_archive

SAMPLE = ProjectName(folder="release-check", package="release_check")
DEPLOYMENTS = ("none", "server", "mobile", "browser", "embedded", "edge-gpu")
# Cluster files render only with `cluster` answered (templates read answers.get("cluster")).
CLUSTERS = ("slurm", "kubernetes")


def sample_specs() -> list[ProjectSpec]:
    """One spec per framework x task x deployment (and cluster): every branch rendered."""
    answers = [{"deployment": deployment} for deployment in DEPLOYMENTS]
    answers += [{"deployment": "none", "cluster": cluster} for cluster in CLUSTERS]
    return [
        ProjectSpec(
            name=SAMPLE,
            framework=framework,
            task=task,
            answers=chosen,
            description="Release check",
            author="fwpick",
        )
        for framework in FRAMEWORKS
        for task in TASKS
        for chosen in answers
    ]


def freeze(
    version: str,
    *,
    files: dict[str, Template] | None = None,
    root: Path | None = None,
    aliases: dict[str, str] | None = None,
    marker_manifest: bool = True,
    source: str = "installed templates",
) -> Archive:
    """An archive of `files` (default: the templates at `root`, the installed ones)."""
    check_version(version)
    root = root or render.templates_root()
    specs = {spec.framework: spec for spec in sample_specs()}
    return Archive(
        version=version,
        files=files if files is not None else read_tree(root),
        registry=registry_values(specs),
        deployment_aliases=aliases
        if aliases is not None
        else {"embedded": "mobile", "edge-gpu": "server"},
        marker_manifest=marker_manifest,
        source=source,
    )


def verify(archive: Archive, *, root: Path | None = None) -> list[str]:
    """The sample renders where `archive` differs from `new` (empty: it reproduces `new`)."""
    current = Installed(root)
    differences: list[str] = []
    for spec in sample_specs():
        try:
            expected = current.render(spec)
        except Exception as error:  # a combination today's templates refuse: skip it
            differences.append(f"{spec.framework}/{spec.task}: new refuses it ({error})")
            continue
        frozen = render_archive(archive, spec, fwpick_version=__version__)
        if frozen != expected:
            changed = sorted(
                path
                for path in set(frozen) | set(expected)
                if frozen.get(path) != expected.get(path)
            )
            shown = "/".join(spec.answers.values())
            differences.append(f"{spec.framework}/{spec.task}/{shown}: {', '.join(changed)}")
    return differences


def tree_from_git(revision: str, repository: Path) -> dict[str, Template]:
    """The `templates/` folder at `revision`, read through `git archive` (no checkout)."""
    data = subprocess.run(
        ["git", "-C", str(repository), "archive", "--format=tar", revision, "templates"],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory() as folder, tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                raise ArchiveError(f"{revision}:{member.name} is not a plain file")
        tar.extractall(folder, filter="data")
        return read_tree(Path(folder) / "templates")


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m fwpick.update.release")
    parser.add_argument("version", help="the template_version being released")
    parser.add_argument("--git", metavar="REV", help="freeze templates/ at this commit")
    parser.add_argument("--no-manifest", action="store_true", help="new wrote no manifest then")
    parser.add_argument("--alias", action="append", default=None, help="deployment=export")
    parser.add_argument("--out", type=Path, help="archives folder (default: the package's)")
    parser.add_argument("--force", action="store_true", help="replace an existing archive")
    options = parser.parse_args(argv)
    aliases = dict(item.split("=", 1) for item in options.alias) if options.alias else None
    repository = Path(render.__file__).resolve().parents[2]
    files = tree_from_git(options.git, repository) if options.git else None
    archive = freeze(
        options.version,
        files=files,
        aliases=aliases,
        marker_manifest=not options.no_manifest,
        source=f"git archive {options.git} templates" if options.git else "installed templates",
    )
    if not options.git:
        if options.version != render.TEMPLATE_VERSION:
            print(f"the installed templates are version {render.TEMPLATE_VERSION}", file=sys.stderr)
            return 1
        differences = verify(archive)
        if differences:
            print("the archive would not reproduce `fwpick new`:", file=sys.stderr)
            print("\n".join(differences), file=sys.stderr)
            return 1
    path = archive_path(options.version, options.out)
    if path.exists() and not options.force:
        print(
            f"{path} exists; a released archive never changes (--force to replace)", file=sys.stderr
        )
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(archive), encoding="utf-8")
    print(f"wrote {path} ({len(archive.files)} files, {path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
