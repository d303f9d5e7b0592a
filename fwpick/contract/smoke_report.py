"""The smoke report as a typed contract: parsed and checked from the child's JSON.

The child is code in the user's folder that anyone may edit, so nothing it prints is
trusted: every key of docs/design.md ("The smoke report") must be there with its type,
and a `passed` must carry the evidence of a pass. A report that breaks the contract
becomes `failed` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from fwpick.base.errors import ExitCode

Status = Literal["passed", "failed", "fallback", "skipped"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "fallback", "skipped")
# Why a run failed, when fwpick (not the report) knows: the JSON key `cause`.
Cause = Literal[
    "not_installed", "timeout", "import_error", "missing_entry", "crash", "invalid_report"
]
STATUS_EXIT = {
    "passed": ExitCode.OK,
    "skipped": ExitCode.OK,
    "failed": ExitCode.SMOKE_FAILED,
    "fallback": ExitCode.SMOKE_FALLBACK,
}


class InvalidReport(ValueError):
    """The child's report does not keep the contract; the message says how."""


@dataclass(frozen=True)
class DeviceInfo:
    """The device the smoke test ran on."""

    type: str
    name: str


@dataclass(frozen=True)
class Seconds:
    """How long the phases took; None where not reached."""

    import_: float | None = None
    first_step: float | None = None
    total: float | None = None


@dataclass(frozen=True)
class SmokeReport:
    """One smoke run: the docs/design.md keys, typed, plus what fwpick saw of the child."""

    status: Status
    framework: str
    framework_version: str | None = None
    device: DeviceInfo | None = None
    steps: int = 0
    loss_first: float | None = None
    loss_last: float | None = None
    checkpoint_roundtrip: bool | None = None
    export_roundtrip: bool | None = None
    seconds: Seconds = field(default_factory=Seconds)
    fallback_reason: str | None = None
    error: str | None = None
    cause: Cause | None = None
    # Keys the child reported beyond the contract (task, python, step_seconds), passed on.
    extra: Mapping[str, Any] = field(default_factory=dict)
    stderr_tail: str = ""
    install_command: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        """The exit code this report maps to (the one place that decides it)."""
        return STATUS_EXIT[self.status]

    def with_(self, **changes: Any) -> SmokeReport:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The report as printed by `--json` (the docs/design.md keys first)."""
        document: dict[str, Any] = {
            "status": self.status,
            "framework": self.framework,
            "framework_version": self.framework_version,
            "device": (
                {"type": self.device.type, "name": self.device.name} if self.device else None
            ),
            "steps": self.steps,
            "loss_first": self.loss_first,
            "loss_last": self.loss_last,
            "checkpoint_roundtrip": self.checkpoint_roundtrip,
            "export_roundtrip": self.export_roundtrip,
            "seconds": {
                "import": self.seconds.import_,
                "first_step": self.seconds.first_step,
                "total": self.seconds.total,
            },
            "fallback_reason": self.fallback_reason,
            "error": self.error,
        }
        document.update((key, value) for key, value in self.extra.items() if key not in document)
        if self.cause:
            document["cause"] = self.cause
        if self.install_command:
            document["install_command"] = self.install_command
        if self.status == "failed" and self.stderr_tail:
            document["stderr_tail"] = self.stderr_tail
        return document


CONTRACT_KEYS = (
    "status",
    "framework",
    "framework_version",
    "device",
    "steps",
    "loss_first",
    "loss_last",
    "checkpoint_roundtrip",
    "export_roundtrip",
    "seconds",
    "fallback_reason",
    "error",
)


def _text(data: Mapping[str, Any], key: str, *, optional: bool) -> str | None:
    value = data[key]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidReport(f"{key} must be {'text or null' if optional else 'text'}")
    return value


def _number(value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidReport(f"{key} must be a number or null")
    if not math.isfinite(value):
        raise InvalidReport(f"{key} must be finite")
    return float(value)


def _flag(data: Mapping[str, Any], key: str) -> bool | None:
    value = data[key]
    if value is not None and not isinstance(value, bool):
        raise InvalidReport(f"{key} must be true, false or null")
    return value


def _device(value: Any) -> DeviceInfo | None:
    if value is None:
        return None
    if not (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and isinstance(value.get("name"), str)
    ):
        raise InvalidReport('device must be {"type": text, "name": text} or null')
    return DeviceInfo(value["type"], value["name"])


def _seconds(value: Any) -> Seconds:
    if not isinstance(value, dict) or not {"import", "first_step", "total"} <= set(value):
        raise InvalidReport("seconds must be an object with import, first_step and total")
    return Seconds(
        _number(value["import"], "seconds.import"),
        _number(value["first_step"], "seconds.first_step"),
        _number(value["total"], "seconds.total"),
    )


def parse(data: Any, *, framework: str) -> SmokeReport:
    """The typed report from the child's JSON object, or InvalidReport saying what is wrong."""
    if not isinstance(data, dict):
        raise InvalidReport("the report is not a JSON object")
    missing = [key for key in CONTRACT_KEYS if key not in data]
    if missing:
        raise InvalidReport(f"the report lacks {', '.join(missing)}")
    status = data["status"]
    if status not in STATUSES:
        raise InvalidReport(f"unknown status {status!r}")
    steps = data["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise InvalidReport("steps must be a whole number >= 0")
    reported = _text(data, "framework", optional=False)
    if reported != framework:
        raise InvalidReport(f"the report is for {reported!r}, the project uses {framework!r}")
    report = SmokeReport(
        status=cast("Status", status),
        framework=framework,
        framework_version=_text(data, "framework_version", optional=True),
        device=_device(data["device"]),
        steps=steps,
        loss_first=_number(data["loss_first"], "loss_first"),
        loss_last=_number(data["loss_last"], "loss_last"),
        checkpoint_roundtrip=_flag(data, "checkpoint_roundtrip"),
        export_roundtrip=_flag(data, "export_roundtrip"),
        seconds=_seconds(data["seconds"]),
        fallback_reason=_text(data, "fallback_reason", optional=True),
        error=_text(data, "error", optional=True),
        extra={
            key: value
            for key, value in data.items()
            if key not in CONTRACT_KEYS and key not in ("cause", "install_command", "stderr_tail")
        },
    )
    _check_evidence(report)
    return report


def _check_evidence(report: SmokeReport) -> None:
    """A pass (or a fallback, a pass on the CPU) must show what it claims to have proven."""
    if report.status not in ("passed", "fallback"):
        return
    if report.device is None or report.framework_version is None:
        raise InvalidReport(f"a {report.status} report must name the device and the version")
    if report.steps < 1 or report.loss_first is None or report.loss_last is None:
        raise InvalidReport(f"a {report.status} report must show training steps and losses")
    if not report.loss_last < report.loss_first:
        raise InvalidReport(f"a {report.status} report must show the loss falling")
    if report.checkpoint_roundtrip is not True:
        raise InvalidReport(f"a {report.status} report must show the checkpoint round trip")
    if report.export_roundtrip is False:
        raise InvalidReport(f"a {report.status} report cannot have a failed export round trip")
    if report.error is not None:
        raise InvalidReport(f"a {report.status} report cannot carry an error")
    if (report.status == "fallback") != (report.fallback_reason is not None):
        raise InvalidReport("fallback_reason must be given exactly when the status is fallback")
