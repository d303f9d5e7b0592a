"""Run a generated project's own smoke entry in a child process and read its report."""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fwpick.base import children
from fwpick.base.errors import SmokeError
from fwpick.base.frameworks import Device
from fwpick.contract.project_file import ProjectFile, read_project
from fwpick.contract.smoke_report import Cause, InvalidReport, Seconds, Status, parse
from fwpick.contract.smoke_report import (
    SmokeReport as SmokeReport,  # re-exported: callers import it here
)
from fwpick.machine import interpreter
from fwpick.machine.hardware import install_here

PHASE_PREFIX = "fwpick-phase: "
IMPORT_FAILURES = (children.FailureKind.MISSING_MODULE, children.FailureKind.IMPORT_ERROR)
Phase = Callable[[str], None]


def install_command(info: ProjectFile, python: str, device: Device) -> str:
    """The command that installs the project's framework for `python` on this machine."""
    if info.framework_id is None:  # not one of fwpick's: only its name is known
        return f"{shlex.quote(python)} -m pip install {shlex.quote(info.framework)}"
    return install_here(info.framework_id, python=python, device=device).command


@dataclass(frozen=True)
class _ChildResult:
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr_tail: str


def _run_child(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout: float, on_phase: Phase
) -> _ChildResult:
    """Run the smoke child, relaying its phase lines as they come; killed at the timeout."""

    def relay(line: str) -> None:
        if line.startswith(PHASE_PREFIX):
            on_phase(line[len(PHASE_PREFIX) :].strip())

    finished = children.run(command, cwd=cwd, env=env, timeout=timeout, on_stderr=relay)
    tail = [line for line in finished.stderr.splitlines() if not line.startswith(PHASE_PREFIX)]
    return _ChildResult(finished.returncode, finished.stdout, "\n".join(tail))


def _last_json_object(stdout: str) -> Any:
    """The last line of stdout that parses as JSON (the report), else None."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            continue
    return None


def _child_env(info: ProjectFile, extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    source = str(info.root / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in a fresh project
    env.update(extra or {})
    return env


def fwpick_report(
    info: ProjectFile, status: Status, *, error: str | None, cause: Cause | None, **more: Any
) -> SmokeReport:
    """A report fwpick writes itself, when the child gave none (or none it can trust)."""
    return SmokeReport(
        status=status,
        framework=info.framework,
        error=error,
        cause=cause,
        extra={"task": info.task},
        **more,
    )


def _absolute(root: Path) -> Path:
    try:
        return root.absolute()
    except FileNotFoundError:
        raise SmokeError(
            "the current folder no longer exists; pass the project's absolute path"
        ) from None


def run_smoke(
    root: Path,
    *,
    python: str | None = None,
    device: Device = Device.auto,
    timeout: float = 300,
    require: bool = False,
    on_phase: Phase = lambda _: None,
    env: dict[str, str] | None = None,
) -> SmokeReport:
    """Smoke-test the project at `root` with `python`; the report says what happened.

    A missing framework gives `skipped` (with the install command), or `failed` when
    `require`. With device `auto`, a run that hangs past `timeout` is retried on the
    CPU and, if that passes, reported as `fallback`. A `--python` that is not a working
    Python is an error (exit 1), not a skip. `timeout` is trusted: the CLI checked it.
    """
    # Absolute: the child runs inside the project, and PYTHONPATH must still find src/.
    info = read_project(_absolute(root))
    target = interpreter.inspect(python, timeout=timeout, modules=[info.framework])
    python = target.command
    started = time.perf_counter()
    if info.framework not in target.found:
        command = install_command(info, python, device)
        message = f"{info.framework} is not installed for {python}; install it with: {command}"
        return fwpick_report(
            info,
            "failed" if require else "skipped",
            error=message if require else None,
            cause="not_installed",
            install_command=command,
        )
    entry = root / "src" / info.package / "smoke.py"
    if not entry.is_file():
        return fwpick_report(
            info,
            "failed",
            error=f"the project has no smoke entry: {entry} is missing",
            cause="missing_entry",
        )
    report = _attempt(info, python, device, timeout, on_phase, env)
    if report is None and device == Device.auto:
        on_phase("fallback")
        retry = _attempt(info, python, Device.cpu, timeout, on_phase, env)
        reason = f"the run with --device auto hung past the {timeout:g}s timeout"
        if retry is not None and retry.status == "passed":
            return retry.with_(status="fallback", fallback_reason=reason)
        report = retry
    if report is None:
        total = round(time.perf_counter() - started, 3)
        return fwpick_report(
            info,
            "failed",
            error=f"timed out after {timeout:g}s",
            cause="timeout",
            seconds=Seconds(total=total),
        )
    return report


def _attempt(
    info: ProjectFile,
    python: str,
    device: Device,
    timeout: float,
    on_phase: Phase,
    env: dict[str, str] | None,
) -> SmokeReport | None:
    """One run of the child; None when it timed out."""
    command = [python, "-m", f"{info.package}.smoke", "--device", str(device)]
    try:
        child = _run_child(
            command, cwd=info.root, env=_child_env(info, env), timeout=timeout, on_phase=on_phase
        )
    except OSError as error:
        raise SmokeError(f"cannot start the smoke test with {python}: {error.strerror}") from None
    if child.returncode is None:
        return None
    data = _last_json_object(child.stdout)
    if data is None:
        return _no_report(info, child)
    try:
        report = parse(data, framework=info.framework)
    except InvalidReport as invalid:
        return fwpick_report(
            info,
            "failed",
            error=f"the smoke entry's report breaks the contract: {invalid}",
            cause="invalid_report",
            stderr_tail=child.stderr_tail,
        )
    cause: Cause | None = None
    failure = children.classify(1, report.error or "") if report.status == "failed" else None
    if failure and failure.kind in IMPORT_FAILURES:
        cause = "import_error"
    return report.with_(stderr_tail=child.stderr_tail, cause=cause)


def _no_report(info: ProjectFile, child: _ChildResult) -> SmokeReport:
    """The child ended without a report: an import error, or a crash, and its last words."""
    assert child.returncode is not None
    how = children.describe_exit(child.returncode)
    failure = children.classify(child.returncode, child.stderr_tail)
    # Exit 0 without a report is no failure to the classifier: quote its last line.
    detail = (
        failure.detail if failure else (child.stderr_tail.strip().splitlines() or ["no output"])[-1]
    )
    if failure and failure.kind in IMPORT_FAILURES:
        error = f"the smoke entry {how} on an import error: {detail}"
        cause: Cause = "import_error"
    else:
        error = f"the smoke entry {how} without a report: {detail}"
        cause = "crash"
    return fwpick_report(info, "failed", error=error, cause=cause, stderr_tail=child.stderr_tail)
