"""`fwpick update`: three-way merges per file, in git, all or nothing (issue 18)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
from pathlib import Path

import pytest
from conftest import run_fwpick
from update_helpers import (
    catalog_for,
    commit,
    generate,
    git,
    snapshot,
    synthetic,
)

from fwpick.base.errors import ExitCode, FwpickError, Interrupted
from fwpick.update import archive
from fwpick.update.core import (
    BaseMismatchError,
    Catalog,
    UpdateError,
    UpdateOptions,
    prepare,
    undo,
    update_project,
)
from fwpick.update.decide import Outcome
from fwpick.update.gitrepo import GitError
from fwpick.update.sources import Frozen, Installed

V2 = Frozen(archive.load("2"))  # type: ignore[arg-type]

BASE = {
    "common/README.md.jinja": "# {{ project_name }}\n\nintro\n\n## Train\n\npython -m train\n",
    "common/src/__package__/helpers.py.jinja": (
        '"""Helpers."""\n\n\ndef one() -> int:\n    return 1\n\n\n'
        "def two() -> int:\n    return 2\n\n\ndef three() -> int:\n    return 3\n"
    ),
    "common/src/__package__/old.py.jinja": '"""Dropped later."""\nVALUE = 1\n',
    "common/src/__package__/doomed.py.jinja": '"""Dropped later too."""\nVALUE = 2\n',
    "common/notes.txt": "line one\nline two\nline three\nline four\n",
    "common/assets/logo.bin": b"\x89PNG\x00\x01\x02",
    "common/cluster/site.env": "PARTITION=gpu\n",
    "torch/src/__package__/train.py.jinja": "STEPS = 10\nEPOCHS = 2\nLR = 0.1\n",
}


def _new() -> dict[str, str | bytes]:
    """The templates one version later: edits, a rename, drops, additions."""
    files: dict[str, str | bytes] = dict(BASE)
    files["common/README.md.jinja"] = BASE["common/README.md.jinja"] + "\n## Export\n\nnew\n"
    helpers = str(files.pop("common/src/__package__/helpers.py.jinja"))
    files["common/src/__package__/utils.py.jinja"] = helpers.replace("return 3", "return 33")
    del files["common/src/__package__/old.py.jinja"]
    del files["common/src/__package__/doomed.py.jinja"]
    files["common/notes.txt"] = "line one\nline two, better\nline three\nline four\n"
    files["common/assets/logo.bin"] = b"\x89PNG\x00\x09\x09"
    files["common/cluster/site.env"] = "PARTITION=gpu\nACCOUNT=\n"
    files["common/NEW.md"] = "brand new\n"
    files["torch/src/__package__/train.py.jinja"] = str(
        BASE["torch/src/__package__/train.py.jinja"]
    ).replace("LR = 0.1", "LR = 0.01")
    return files


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Catalog]:
    """A project of synthetic version 1, and a catalog whose current version is 2."""
    old, new = synthetic("1", BASE), synthetic("2", _new())
    catalog = catalog_for(tmp_path / "archives", old, current=new)
    return generate(tmp_path / "demo", Frozen(old)), catalog


def _outcomes(result: object) -> dict[str, str]:
    return {change.path: change.outcome.value for change in result.changes}  # type: ignore[attr-defined]


def test_fresh_project_is_a_byte_identical_no_op(tmp_path: Path) -> None:
    project = generate(tmp_path / "demo", Installed())
    before = snapshot(project)
    result = update_project(UpdateOptions(project))
    assert result.changed == [] and result.from_version == result.to_version
    assert snapshot(project) == before


def test_clean_merge_keeps_every_edit_and_a_second_update_is_a_no_op(
    pair: tuple[Path, Catalog],
) -> None:
    project, catalog = pair
    train = project / "src/demo/train.py"
    train.write_text(train.read_text().replace("STEPS = 10", "STEPS = 500"))
    notes = project / "notes.txt"
    notes.write_text(notes.read_text().replace("line four", "line four, mine"))
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("intro", "our intro"))
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    outcomes = _outcomes(result)
    assert result.conflicts == []
    assert outcomes["src/demo/train.py"] == "merged"
    assert train.read_text() == "STEPS = 500\nEPOCHS = 2\nLR = 0.01\n"
    assert notes.read_text() == "line one\nline two, better\nline three\nline four, mine\n"
    assert "our intro" in readme.read_text() and "## Export" in readme.read_text()
    commit(project, "updated")
    before = snapshot(project)
    again = update_project(UpdateOptions(project), catalog=catalog)
    assert again.changed == [] and snapshot(project) == before


def test_identical_edits_and_identical_additions_are_no_conflict(
    pair: tuple[Path, Catalog],
) -> None:
    project, catalog = pair
    (project / "notes.txt").write_text("line one\nline two, better\nline three\nline four\n")
    (project / "NEW.md").write_text("brand new\n")
    commit(project)
    outcomes = _outcomes(update_project(UpdateOptions(project), catalog=catalog))
    assert outcomes["notes.txt"] == "unchanged" and outcomes["NEW.md"] == "unchanged"


def test_overlapping_edits_conflict_in_git_and_undo_restores_everything(
    pair: tuple[Path, Catalog],
) -> None:
    project, catalog = pair
    (project / "notes.txt").write_text("line one\nline two, mine\nline three\nline four\n")
    (project / "NEW.md").write_text("my own new file\n")  # both added, differently
    commit(project)
    before = snapshot(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    assert sorted(result.conflicts) == ["NEW.md", "notes.txt"]
    text = (project / "notes.txt").read_text()
    assert text == (
        "line one\n<<<<<<< yours\nline two, mine\n||||||| template v1\nline two\n=======\n"
        "line two, better\n>>>>>>> template v2\nline three\nline four\n"
    )
    status = git(project, "status", "--porcelain")
    assert "UU notes.txt" in status and "AA NEW.md" in status
    stages = git(project, "ls-files", "-s", "notes.txt").splitlines()
    assert [line.split()[2] for line in stages] == ["1", "2", "3"]
    blobs = {line.split()[2]: git(project, "cat-file", "-p", line.split()[1]) for line in stages}
    assert blobs == {
        "1": "line one\nline two\nline three\nline four\n",
        "2": "line one\nline two, mine\nline three\nline four\n",
        "3": "line one\nline two, better\nline three\nline four\n",
    }
    assert undo(project) and snapshot(project) == before
    with pytest.raises(FwpickError, match="no fwpick update to undo"):
        undo(project)


def test_the_conflict_exit_code_is_documented_and_distinct() -> None:
    codes = [code.value for code in ExitCode]
    assert len(codes) == len(set(codes))
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for code in (ExitCode.UPDATE_CONFLICTS, ExitCode.UPDATE_BEHIND):
        assert f"| {int(code)} |" in readme


def test_renames_drops_and_deletions(pair: tuple[Path, Catalog]) -> None:
    project, catalog = pair
    helpers = project / "src/demo/helpers.py"
    helpers.write_text(helpers.read_text().replace("return 1", "return 100"))
    doomed = project / "src/demo/doomed.py"
    doomed.write_text(doomed.read_text() + "MINE = True\n")
    (project / "README.md").unlink()
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    outcomes = _outcomes(result)
    assert outcomes["src/demo/utils.py"] == "renamed"
    assert not helpers.exists()
    utils = (project / "src/demo/utils.py").read_text()
    assert "return 100" in utils and "return 33" in utils
    assert outcomes["src/demo/old.py"] == "removed" and not (project / "src/demo/old.py").exists()
    assert outcomes["src/demo/doomed.py"] == "kept-dropped" and "MINE" in doomed.read_text()
    assert outcomes["README.md"] == "deleted" and not (project / "README.md").exists()


def test_restore_deleted_brings_a_deleted_file_back(pair: tuple[Path, Catalog]) -> None:
    project, catalog = pair
    (project / "README.md").unlink()
    commit(project)
    options = UpdateOptions(project, restore_deleted=True)
    assert _outcomes(update_project(options, catalog=catalog))["README.md"] == "restored"
    assert "## Export" in (project / "README.md").read_text()


def test_binary_files_exec_bits_and_site_values(pair: tuple[Path, Catalog]) -> None:
    project, catalog = pair
    os.chmod(project / "src/demo/train.py", 0o755)
    (project / "cluster/site.env").write_text("PARTITION=a100\n")
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    outcomes = _outcomes(result)
    assert outcomes["assets/logo.bin"] == "updated"
    assert (project / "assets/logo.bin").read_bytes() == b"\x89PNG\x00\x09\x09"
    assert stat.S_IMODE((project / "src/demo/train.py").stat().st_mode) == 0o755
    assert outcomes["cluster/site.env"] == "protected"
    assert (project / "cluster/site.env").read_text() == "PARTITION=a100\n"


def test_a_binary_file_both_changed_keeps_yours_and_is_unmerged(
    pair: tuple[Path, Catalog],
) -> None:
    project, catalog = pair
    (project / "assets/logo.bin").write_bytes(b"\x89PNG\x00mine")
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    assert result.conflicts == ["assets/logo.bin"]
    assert (project / "assets/logo.bin").read_bytes() == b"\x89PNG\x00mine"
    assert "UU assets/logo.bin" in git(project, "status", "--porcelain")


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: data.rstrip(b"\n"), id="no-final-newline"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="bom"),
    ],
)
def test_line_endings_final_newline_and_bom_survive(pair: tuple[Path, Catalog], convert) -> None:  # type: ignore[no-untyped-def]
    project, catalog = pair
    notes = project / "notes.txt"
    notes.write_bytes(convert(notes.read_bytes()))
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    assert _outcomes(result)["notes.txt"] == "updated"
    assert notes.read_bytes() == convert(b"line one\nline two, better\nline three\nline four\n")


def test_no_writing_through_a_symbolic_link(pair: tuple[Path, Catalog], tmp_path: Path) -> None:
    project, catalog = pair
    outside = tmp_path / "outside.txt"
    outside.write_text("line one\nline two\nline three\nline four\n")
    (project / "notes.txt").unlink()
    (project / "notes.txt").symlink_to(outside)
    commit(project)
    result = update_project(UpdateOptions(project), catalog=catalog)
    assert _outcomes(result)["notes.txt"] == "skipped"
    assert outside.read_text() == "line one\nline two\nline three\nline four\n"


def test_refusals(pair: tuple[Path, Catalog], tmp_path: Path) -> None:
    project, catalog = pair
    (project / "notes.txt").write_text("uncommitted\n")
    with pytest.raises(UpdateError, match=r"uncommitted changes in notes\.txt"):
        update_project(UpdateOptions(project), catalog=catalog)
    with pytest.raises(UpdateError, match="fwpick new demo-tensorflow --framework tensorflow"):
        update_project(UpdateOptions(project, framework="tensorflow"), catalog=catalog)
    with pytest.raises(UpdateError, match="keeps the task"):
        update_project(UpdateOptions(project, task="classification"), catalog=catalog)
    bare = tmp_path / "bare"
    bare.mkdir()
    for path in project.iterdir():
        if path.name != ".git" and path.is_file():
            (bare / path.name).write_bytes(path.read_bytes())
    with pytest.raises(UpdateError, match="not in a git repository"):
        update_project(UpdateOptions(bare), catalog=catalog)


def test_a_tampered_base_is_refused(pair: tuple[Path, Catalog]) -> None:
    project, catalog = pair
    marker = project / ".fwpick.toml"
    marker.write_text(marker.read_text().replace('name = "demo"', 'name = "other"'))
    commit(project)
    before = snapshot(project)
    with pytest.raises(BaseMismatchError, match="do not render what"):
        update_project(UpdateOptions(project), catalog=catalog)
    assert snapshot(project) == before


def test_a_changed_answer_re_renders_and_adds_files(tmp_path: Path) -> None:
    project = generate(tmp_path / "demo", Installed())
    result = update_project(UpdateOptions(project, flags={"deployment": "server"}))
    assert result.answers_changed == {"deployment": ("none", "server")}
    assert _outcomes(result)["src/demo/export.py"] == "added"
    assert 'deployment = "server"' in (project / ".fwpick.toml").read_text()


def test_a_changed_cluster_answer_adds_the_cluster_files(tmp_path: Path) -> None:
    # `--cluster` is not a question of the advisor, but an answer all the same (issue 17).
    project = generate(tmp_path / "demo", Installed())
    assert not (project / "cluster").exists()
    changed = run_fwpick("update", str(project), "--cluster", "slurm", "--json")
    assert changed.returncode == 0, changed.stderr
    document = json.loads(changed.stdout)
    files = {entry["path"]: entry["outcome"] for entry in document["files"]}
    for added in ("cluster/slurm/train.sbatch", "cluster/site.env", "src/demo/cluster.py"):
        assert files[added] == Outcome.added.value
        assert (project / added).is_file()
    assert "cluster/kubernetes/job.yaml" not in files  # slurm only
    assert 'cluster = "slurm"' in (project / ".fwpick.toml").read_text()
    commit(project)
    assert run_fwpick("update", str(project), "--check").returncode == 0  # nothing left behind


def test_pyproject_dependencies_merge_by_package_name(tmp_path: Path) -> None:
    project = generate(tmp_path / "demo", V2)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '    "numpy>=1.26",\n', '    "numpy>=1.26",\n    "pandas>=2.2",\n'
        )
    )
    commit(project)
    result = update_project(UpdateOptions(project))
    assert _outcomes(result)["pyproject.toml"] == "merged"
    from fwpick.base.compat import tomllib

    data = tomllib.loads(pyproject.read_text())
    assert "pandas>=2.2" in data["project"]["dependencies"]
    assert data["project"]["optional-dependencies"]["dev"][-1] == "mypy>=1.10"


def test_ruff_format_over_the_project_gives_no_conflicts(tmp_path: Path) -> None:
    import subprocess
    import sys

    project = generate(tmp_path / "demo", V2)
    (project / "ruff.toml").write_text("line-length = 60\n")
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "format", "--quiet", "."], cwd=project, check=True)
    commit(project, "ruff format, line-length 60")
    result = update_project(UpdateOptions(project))
    assert result.conflicts == []
    train = (project / "src/demo/train.py").read_bytes()
    formatted = subprocess.run(
        [str(ruff), "format", "--stdin-filename", "src/demo/train.py", "-"],
        input=train,
        cwd=project,
        capture_output=True,
        check=True,
    ).stdout
    assert train == formatted  # the template's new code, in the user's format


def test_v2_to_an_intermediate_version_to_current_equals_v2_to_current(tmp_path: Path) -> None:
    from update_helpers import real_templates

    from fwpick.update.archive import Template
    from fwpick.update.release import freeze

    middle_files = dict(real_templates())
    readme = "common/README.md.jinja"
    middle_files[readme] = Template(middle_files[readme].data + b"\nAn intermediate line.\n")
    middle = freeze("3", files=middle_files, source="test")
    current = freeze("4", source="test")  # today's templates, numbered after the middle one
    v2 = archive.load("2")
    assert v2 is not None
    stepwise, direct = tmp_path / "stepwise", tmp_path / "direct"
    for project in (generate(stepwise, V2), generate(direct, V2)):
        train = project / "src/demo/config.py"
        train.write_text("# house settings\n" + train.read_text())
        commit(project)
    first = catalog_for(tmp_path / "a1", v2, current=middle)
    assert update_project(UpdateOptions(stepwise), catalog=first).conflicts == []
    assert "An intermediate line." in (stepwise / "README.md").read_text()
    commit(stepwise)
    second = catalog_for(tmp_path / "a2", v2, middle, current=current)
    assert update_project(UpdateOptions(stepwise), catalog=second).conflicts == []
    assert update_project(UpdateOptions(direct), catalog=second).conflicts == []
    assert snapshot(stepwise)["files"] == snapshot(direct)["files"]


def test_the_v2_archive_renders_what_the_released_code_rendered() -> None:
    """Digests of renders made by fwpick at 07cff63 itself (its own render.plan)."""
    from fwpick.generate.names import ProjectName
    from fwpick.generate.render import ProjectSpec
    from fwpick.update.sources import render_archive

    expected = {
        "torch/regression/none": "e58c10e7465fba715137d5a7",
        "torch/regression/mobile": "2e77896e308ea889e178f102",
        "torch/classification/server": "4dd3fec3f75355ddc11a6272",
        "torch/classification/embedded": "547812f41c2753f2c427e892",
        "tensorflow/regression/browser": "f0efb2edcfab034237b3baa2",
        "tensorflow/regression/none": "d97ba66ca35de1185cc5bb0c",
        "tensorflow/classification/mobile": "fa1f1d9a574eed599b28a58a",
        "tensorflow/classification/none": "d3b17e9a556530f14d68404c",
    }
    v2 = archive.load("2")
    assert v2 is not None
    for key, digest in expected.items():
        framework, task, deployment = key.split("/")
        files = render_archive(
            v2,
            ProjectSpec(
                name=ProjectName("release-check", "release_check"),
                framework=framework,
                task=task,
                answers={"deployment": deployment, "scale": "medium"},
                description="Release check",
                author="fwpick",
            ),
            fwpick_version="0.1.0",
        )
        lines = "".join(
            f"{path}\0{hashlib.sha256(data).hexdigest()}\n" for path, data in sorted(files.items())
        )
        assert hashlib.sha256(lines.encode()).hexdigest()[:24] == digest, key


def test_freezing_the_installed_templates_reproduces_new() -> None:
    from fwpick.update.release import freeze, verify

    frozen = freeze("3")
    assert verify(frozen) == []
    assert archive.loads(archive.dumps(frozen)).digest() == frozen.digest()


@pytest.mark.parametrize(
    "path", ["../escape", "/abs", "a/../../b", "a\\b", "", "a//b", "./a", "C:/x"]
)
def test_archive_paths_are_checked(path: str) -> None:
    with pytest.raises(archive.ArchiveError):
        archive.check_path(path)


def test_archives_refuse_links_and_devices(tmp_path: Path) -> None:
    frozen = synthetic("1", {"common/a.txt": "a\n"})
    rows = json.loads(archive.dumps(frozen))
    rows[1]["mode"] = "120000"  # a symbolic link's mode
    with pytest.raises(archive.ArchiveError, match="not a plain file"):
        archive.loads(json.dumps(rows))
    rows[1]["mode"], rows[1]["text"] = "644", "edited"
    with pytest.raises(archive.ArchiveError, match="digest"):
        archive.loads(json.dumps(rows))
    tree = tmp_path / "templates"
    (tree / "common").mkdir(parents=True)
    (tree / "common" / "link").symlink_to("/etc/passwd")
    with pytest.raises(archive.ArchiveError, match="symbolic link"):
        archive.read_tree(tree)
    (tree / "common" / "link").unlink()
    os.mkfifo(tree / "common" / "fifo")
    with pytest.raises(archive.ArchiveError, match="not a plain file"):
        archive.read_tree(tree)


def _phases(project: Path, catalog: Catalog) -> list[str]:
    seen: list[str] = []
    update_project(UpdateOptions(project), catalog=catalog, on_phase=seen.append)
    return seen


def test_an_interrupt_at_every_phase_leaves_the_project_as_it_was(
    tmp_path: Path,
) -> None:
    old, new = synthetic("1", BASE), synthetic("2", _new())
    catalog = catalog_for(tmp_path / "archives", old, current=new)
    probe = generate(tmp_path / "probe", Frozen(old))
    (probe / "notes.txt").write_text("line one\nline two, mine\nline three\nline four\n")
    commit(probe)
    phases = _phases(probe, catalog)
    assert "marking conflicts in the index" in phases and "recording the undo" in phases
    project = generate(tmp_path / "demo", Frozen(old))
    (project / "notes.txt").write_text("line one\nline two, mine\nline three\nline four\n")
    commit(project)
    before = snapshot(project)
    for index, phase in enumerate(phases):

        def interrupt(now: str, stop: str = phase) -> None:
            if now == stop:
                raise Interrupted(signal.SIGTERM)

        with pytest.raises(Interrupted):
            update_project(UpdateOptions(project), catalog=catalog, on_phase=interrupt)
        assert snapshot(project) == before, (index, phase)
    assert not (project / ".git" / "fwpick-update.json").exists()


def test_prepare_writes_nothing_and_dry_run_needs_no_git(pair: tuple[Path, Catalog]) -> None:
    project, catalog = pair
    before = snapshot(project)
    result = prepare(UpdateOptions(project, dry_run=True), catalog=catalog)
    assert result.changed and snapshot(project) == before
    assert "+line two, better" in result.diff()


def test_cli_check_dry_run_json_diff_and_conflict_exit(tmp_path: Path) -> None:
    project = generate(tmp_path / "demo", V2)
    config = project / "src/demo/config.py"
    config.write_text(config.read_text().replace('"""', '"""Our settings. ', 1))
    commit(project)
    checked = run_fwpick("update", str(project), "--check")
    assert checked.returncode == ExitCode.UPDATE_BEHIND, checked.stderr
    assert "behind 3" in checked.stdout
    document = json.loads(run_fwpick("update", str(project), "--check", "--json").stdout)
    assert document == {
        "project": str(project),
        "template_version": "2",
        "current": "3",
        "behind": True,
    }
    before = snapshot(project)
    dry = run_fwpick("update", str(project), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    files = {entry["path"]: entry["outcome"] for entry in json.loads(dry.stdout)["files"]}
    assert files["src/demo/learner.py"] == Outcome.added.value
    diff = run_fwpick("update", str(project), "--diff")
    assert diff.returncode == 0 and "+++ b/src/demo/learner.py" in diff.stdout
    assert snapshot(project) == before
    done = run_fwpick("update", str(project), "--json")
    assert done.returncode in (ExitCode.OK, ExitCode.UPDATE_CONFLICTS), done.stderr
    status = json.loads(done.stdout)["status"]
    assert (done.returncode == ExitCode.UPDATE_CONFLICTS) == (status == "conflicts")
    assert run_fwpick("update", str(project), "--check").returncode == 0
    assert run_fwpick("update", str(project), "--undo").returncode == 0
    assert snapshot(project) == before


def test_cli_refusal_is_one_line(tmp_path: Path) -> None:
    project = generate(tmp_path / "demo", V2)
    (project / "README.md").write_text("dirty\n")
    ran = run_fwpick("update", str(project))
    assert ran.returncode == ExitCode.USER_ERROR
    assert "uncommitted changes in README.md" in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1


def test_no_git_binary_is_one_clear_error(pair: tuple[Path, Catalog], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project, catalog = pair
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(GitError, match="needs git"):
        update_project(UpdateOptions(project), catalog=catalog)
