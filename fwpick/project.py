"""`fwpick new`: plan a project, stage it, smoke-test it, move it into place."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fwpick import frameworks
from fwpick.advisor import Advice, advise
from fwpick.errors import FwpickError, TemplateError
from fwpick.names import project_name
from fwpick.render import TASKS, ProjectSpec, check_target, commit, plan, stage, staging
from fwpick.smoke import SmokeReport, run_smoke

if TYPE_CHECKING:
    from rich.console import RenderableType


@dataclass(frozen=True)
class NewOptions:
    """Everything `fwpick new` was asked to do."""

    name: str
    parent: Path
    framework: str
    task: str
    answers: Mapping[str, str]
    force: bool = False
    dry_run: bool = False
    git: bool | None = None  # None: init a repository unless already inside one
    smoke: str = "on"  # on | off | require
    python: str | None = None
    device: str = "auto"
    timeout: float = 300
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

    def __rich__(self) -> RenderableType:
        """How rich shows the result at a terminal (see views.py)."""
        from fwpick.views import new_result

        return new_result(self)

    def to_json(self) -> dict[str, Any]:
        """The `fwpick new --json` document."""
        document: dict[str, Any] = {
            "project": str(self.project),
            "framework": self.framework,
            "task": self.task,
            "files": list(self.files),
            "smoke": self.smoke.to_json() if self.smoke else None,
            "dry_run": self.dry_run,
            "kept_aside": list(self.kept_aside),
            "git": self.git_initialised,
            "python": self.python,
        }
        if self.advice:
            document["advice"] = self.advice.to_json()
        return document


def canonical_framework(raw: str) -> str:
    """torch, tensorflow or auto, from any accepted spelling (case-insensitive)."""
    text = raw.strip().lower()
    if text == "auto":
        return text
    framework = frameworks.canonical(text)
    if framework is None:
        raise TemplateError(f"unknown framework {raw!r}; choose {frameworks.spellings()} or auto")
    return framework


def create_project(
    options: NewOptions,
    *,
    on_phase: Callable[[str], None] = lambda _: None,
) -> NewResult:
    """Generate the project described by `options`; atomic, and never loses a user file."""
    name = project_name(options.name)
    if options.task not in TASKS:
        raise TemplateError(f"unknown task {options.task!r}; choose from {', '.join(TASKS)}")
    framework = canonical_framework(options.framework)
    advice = advise(options.answers) if framework == "auto" else None
    if advice:
        framework = advice.recommendation.framework
    target = (options.parent / name.folder).absolute()
    spec = ProjectSpec(
        name=name,
        framework=framework,
        task=options.task,
        answers=dict(options.answers),
        description=options.description,
        author=options.author,
    )
    files = plan(spec)
    check_target(target, force=options.force, files=files)  # fail before the smoke test
    result = NewResult(
        target, framework, options.task, tuple(files), None, advice, dry_run=options.dry_run
    )
    if options.dry_run:
        return result
    report: SmokeReport | None = None
    with staging(target) as staged:
        on_phase("rendering")
        stage(files, staged)
        if options.smoke != "off" and not options.venv:
            report = _smoke(staged, options, on_phase)
        kept = commit(staged, target, files, force=options.force)
    python = options.python
    if options.venv:
        python = _make_venv(target, on_phase)
        if options.smoke != "off":
            report = _smoke(target, options, on_phase, python=python)
    initialised = _init_git(target) if _wants_git(options.git, target) else False
    return NewResult(
        target,
        framework,
        options.task,
        tuple(files),
        report,
        advice,
        tuple(kept),
        initialised,
        python=python,
    )


def _smoke(
    root: Path, options: NewOptions, on_phase: Callable[[str], None], python: str | None = None
) -> SmokeReport:
    return run_smoke(
        root,
        python=python or options.python,
        device=options.device,
        timeout=options.timeout,
        require=options.smoke == "require",
        on_phase=lambda phase: on_phase(f"smoke test: {phase}"),
    )


def _make_venv(target: Path, on_phase: Callable[[str], None]) -> str:
    """Create target/.venv and install the project (with its framework) into it."""
    venv = target / ".venv"
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "-e", f"{target}[dev]"],
    ]
    for command in steps:
        on_phase("installing the project" if "pip" in command else "creating .venv")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise FwpickError(f"creating {venv} failed ({' '.join(command[:4])}...): {last}")
    return str(python)


def _wants_git(requested: bool | None, target: Path) -> bool:
    if requested is not None:
        return requested
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=target.parent,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:  # no git on this machine: nothing to initialise
        return False
    return inside.returncode != 0


def _init_git(target: Path) -> bool:
    """`git init` the new project; a machine without git just gets no repository."""
    try:
        result = subprocess.run(
            ["git", "init", "--quiet", str(target)], capture_output=True, check=False
        )
    except FileNotFoundError:
        return False
    return result.returncode == 0
