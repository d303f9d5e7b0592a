"""What a benchmark needs before it runs: the project, the interpreter's frameworks, the machine.

Everything here is read without importing a framework in the fwpick process.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from fwpick.advice.answers import validate_answers
from fwpick.base.errors import BenchError
from fwpick.base.frameworks import FRAMEWORKS, REGISTRY, Device
from fwpick.contract.project_file import ProjectFile
from fwpick.contract.project_file import read_project as read_project_file
from fwpick.machine.hardware import install_here
from fwpick.machine.interpreter import Interpreter, inspect


def read_project(root: Path) -> tuple[ProjectFile, dict[str, str]]:
    """A generated project's package, framework and task, and its answers (.fwpick.toml)."""
    # Absolute: the child runs in the project, with PYTHONPATH=ROOT/src.
    project = read_project_file(root.absolute())
    if project.framework_id is None or project.task_id is None:
        raise BenchError(
            f"{project.marker}: unknown framework or task ({project.framework}, {project.task})"
        )
    answers = validate_answers(project.answers, path=project.marker) if project.answers else {}
    return project, answers


def interpreter(python: str | None, *, timeout: float) -> Interpreter:
    """`--python` proven to run, with the frameworks it can find (found, not imported)."""
    modules = [framework.import_name for framework in REGISTRY.values()]
    return inspect(python, timeout=timeout, modules=modules)


def installed(found: Interpreter) -> list[str]:
    """The frameworks `found` can import, in registry order."""
    return [name for name in FRAMEWORKS if REGISTRY[name].import_name in found.found]


def machine_facts(python: str, python_version: str) -> dict[str, Any]:
    """The machine the numbers came from (they mean nothing without it)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average": load_average(),
        "python": python_version,
        "executable": python,
    }


def install_command(framework: str, python: str, device: Device) -> str:
    """The registry's install command for this machine and device, run by `python` itself."""
    return install_here(framework, python=python, device=device).command


def load_average() -> float | None:
    """The 1-minute load average, where the OS has one: how busy the machine was."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
