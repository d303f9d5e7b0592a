"""`fwpick new`: check everything, plan a project, stage it, smoke-test it, move it in."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fwpick.base.errors import TargetError, VenvError
from fwpick.base.frameworks import Device, FrameworkId, Input, Task
from fwpick.base.signals import deferred, hold
from fwpick.base.staging import staging
from fwpick.generate.folders import make_folders, remove_empty, resolve_parent
from fwpick.generate.names import ProjectName, refuse_importable, user_text
from fwpick.generate.place import Placement, check_target, place
from fwpick.generate.render import ProjectSpec, pick_input, plan, stage
from fwpick.generate.repository import init, initialising, wants_git
from fwpick.generate.smoke_mode import SmokeMode
from fwpick.machine import interpreter

if TYPE_CHECKING:
    from fwpick.advice.advisor import Advice
    from fwpick.contract.smoke_report import SmokeReport

# The advisor (`--framework auto`), the smoke test and `--venv` are imported where they
# run: `fwpick new -f torch --no-smoke` is about as fast as its dependencies' imports
# allow (issue 16, benchmarks/startup.py), and these three cost it ~15 ms. The smoke
# report's module too (SmokeMode has a module of its own).


@dataclass(frozen=True)
class NewOptions:
    """Everything `fwpick new` was asked to do, already checked by the command line."""

    name: ProjectName
    parent: Path
    framework: FrameworkId | None  # None: the advisor picks from the answers
    task: Task
    answers: Mapping[str, str]
    input: Input | None = None  # None: the task's default, or tabular for domain = tabular
    force: bool = False
    dry_run: bool = False
    git: bool | None = None  # None: init a repository unless already inside one
    smoke: SmokeMode = SmokeMode.on
    python: str | None = None
    device: Device = Device.auto
    timeout: float = 300  # seconds, finite and above 0
    venv: bool = False
    description: str = ""
    author: str = ""


@dataclass(frozen=True)
class NewResult:
    """What `fwpick new` made, and how its smoke test went."""

    project: Path
    framework: str
    task: str
    files: tuple[str, ...]
    smoke: SmokeReport | None
    advice: Advice | None
    kept_aside: tuple[str, ...] = ()
    git_initialised: bool = False
    dry_run: bool = False
    python: str | None = None
    input: str = ""  # what the model reads: tabular or images
    cluster: str = "none"  # the engines the project has files for (--cluster)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick new --json` document."""
        document: dict[str, Any] = {
            "project": str(self.project),
            "framework": self.framework,
            "task": self.task,
            "input": self.input,
            "files": list(self.files),
            "smoke": self.smoke.to_json() if self.smoke else None,
            "dry_run": self.dry_run,
            "kept_aside": list(self.kept_aside),
            "git": self.git_initialised,
            "python": self.python,
            "cluster": self.cluster,
        }
        if self.advice:
            document["advice"] = self.advice.to_json()
        return document


def create_project(
    options: NewOptions,
    *,
    on_phase: Callable[[str], None] = lambda _: None,
) -> NewResult:
    """Generate the project described by `options`; atomic, and never loses a user file.

    Everything that can be checked is checked before anything is written: the name, the
    texts, the target (links, clashes, permissions) and the interpreter (`--python`).
    """
    name = options.name
    data_input = pick_input(options.task, options.input, options.answers)  # before any work
    description = user_text(options.description, what="description")
    author = user_text(options.author, what="author")
    advice: Advice | None = None
    if options.framework is None:
        from fwpick.advice.advisor import advise

        advice = advise(options.answers)
        framework = FrameworkId(advice.recommendation.framework)
    else:
        framework = options.framework
    target = resolve_parent(options.parent) / name.folder
    # With --venv the project's own .venv (made from this interpreter) runs it.
    runner = interpreter.inspect(
        None if options.venv else options.python,
        timeout=options.timeout,
        modules=[name.package],
    )
    if name.package in runner.found:
        refuse_importable(name, runner.command)
    spec = ProjectSpec(
        name=name,
        framework=framework,
        task=options.task,
        answers=dict(options.answers),
        description=description,
        author=author,
        input=data_input,
    )
    # The quick path (a new folder, no smoke test, no venv: `new --no-smoke`) renders in
    # the staging folder while `git init` runs there, side by side (~6 ms of its run,
    # benchmarks/startup.py). A missing target is checked without the plan, so every
    # check still comes before anything is written.
    quick = (
        not options.dry_run
        and options.smoke is SmokeMode.off
        and not options.venv
        and not os.path.lexists(target)
    )
    files = None if quick else plan(spec)
    check_target(target, force=options.force, files=files)  # fail before the smoke test
    if options.venv and os.path.lexists(target / ".venv"):
        raise TargetError(f"{target / '.venv'} exists already; remove it or leave out --venv")
    result = NewResult(
        target,
        framework,
        options.task,
        tuple(files or ()),
        None,
        advice,
        dry_run=options.dry_run,
        input=data_input,
        cluster=str(options.answers.get("cluster", "none")),
    )
    if options.dry_run:
        return result
    made: list[Path] = []
    try:
        with deferred():  # made and remembered together, so a signal cannot orphan them
            made = make_folders(target.parent)
        return _write(result, options, spec, files, on_phase)
    except BaseException:
        with deferred():
            remove_empty(made)  # the --dir folders this run made, if they stayed empty
        raise


def _write(
    planned: NewResult,
    options: NewOptions,
    spec: ProjectSpec,
    files: dict[str, bytes] | None,
    on_phase: Callable[[str], None],
) -> NewResult:
    """Stage, smoke-test, move into place, then the extras; undone whole by a signal.

    `files` None: the quick path, planned here while `git init` runs in the staging folder.
    """
    target = planned.project
    report: SmokeReport | None = None
    python = options.python
    initialised = False
    # A missing target is staged beside it (then one rename); an existing folder inside
    # itself, so the moves stay on its filesystem even when it is a mount point.
    exists = os.path.lexists(target)
    where, label = (target, "new") if exists else (target.parent, target.name)
    # The git child is reaped (or killed) before the staging folder is removed.
    with staging(where, label) as staged, ExitStack() as side:
        git: Callable[[], bool] | None = None
        if files is None and not exists and wants_git(options.git, target):
            # Its .git moves in with the staged folder's one rename.
            git = side.enter_context(initialising(staged))
        on_phase("rendering")
        if files is None:
            files = plan(spec)
            planned = replace(planned, files=tuple(files))
        stage(files, staged)
        if options.smoke is not SmokeMode.off and not options.venv:
            report = _smoke(staged, options, on_phase)
        if git is not None:
            initialised = git()  # done before the move: git writes inside the folder
        placement: Placement | None = None
        try:
            # Inside the try: a signal that waited for the move to finish is raised as
            # the deferred block ends, and must find the move to undo.
            with deferred():
                placement = place(staged, target, files, force=options.force)
            if options.venv:
                from fwpick.generate.venv import make_venv

                placement.created.append(target / ".venv")
                python = make_venv(target, on_phase)
                if options.smoke is not SmokeMode.off:
                    report = _smoke(target, options, on_phase, python=python)
            # (The quick path's .git came in with the folder: undo takes both away.)
            if git is None and wants_git(options.git, target):
                placement.created.append(target / ".git")
                initialised = init(target)
            hold()  # decided: from here the run reports success, whatever signal comes
        except VenvError:
            hold()  # the project stays (its code is fine) and the error says so: exit 3
            raise
        except BaseException:
            # A signal, or an error that means exit 1 ("nothing written"): undo the move.
            if placement is not None:
                with deferred():
                    placement.undo()
            raise
    return replace(
        planned,
        smoke=report,
        kept_aside=tuple(placement.kept_aside),
        git_initialised=initialised,
        python=python,
    )


def _smoke(
    root: Path, options: NewOptions, on_phase: Callable[[str], None], python: str | None = None
) -> SmokeReport:
    from fwpick.smoke.run import run_smoke

    return run_smoke(
        root,
        python=python or options.python,
        device=options.device,
        timeout=options.timeout,
        require=options.smoke is SmokeMode.require,
        on_phase=lambda phase: on_phase(f"smoke test: {phase}"),
    )
