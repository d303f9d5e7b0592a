"""The smoke report contract: what parses, what each break is called, and the round trip."""

from __future__ import annotations

from typing import Any

import pytest

from fwpick.contract.smoke_report import InvalidReport, parse

GOOD: dict[str, Any] = {
    "status": "passed",
    "framework": "torch",
    "framework_version": "2.13.0+cpu",
    "device": {"type": "cpu", "name": "x86_64"},
    "task": "regression",
    "python": "3.11.7",
    "steps": 12,
    "loss_first": 3.5,
    "loss_last": 1,  # JSON has no float/int distinction: a whole number is a number
    "step_seconds": 0.001,
    "checkpoint_roundtrip": True,
    "export_roundtrip": None,
    "seconds": {"import": 1.2, "first_step": 0.01, "total": 1.5},
    "fallback_reason": None,
    "error": None,
}


def test_a_good_report_parses_and_prints_back_the_same_keys() -> None:
    report = parse(GOOD, framework="torch")
    assert report.status == "passed" and report.exit_code == 0
    assert report.device is not None and report.device.type == "cpu"
    assert report.loss_last == 1.0 and report.seconds.total == 1.5
    assert report.to_json() == {**GOOD, "loss_last": 1.0}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": None}, "unknown status None"),
        ({"steps": True}, "steps must be a whole number"),
        ({"steps": -1}, "steps must be a whole number"),
        ({"loss_first": "3.5"}, "loss_first must be a number or null"),
        ({"loss_first": float("nan")}, "loss_first must be finite"),
        ({"device": {"type": "cpu"}}, "device must be"),
        ({"seconds": {"total": 1}}, "seconds must be an object with import"),
        ({"seconds": {"import": "1", "first_step": 0, "total": 1}}, "seconds.import must be"),
        ({"checkpoint_roundtrip": "yes"}, "checkpoint_roundtrip must be true, false or null"),
        ({"framework": "tensorflow"}, "the report is for 'tensorflow'"),
        ({"error": 3}, "error must be text or null"),
        ({"framework_version": None}, "must name the device and the version"),
        ({"steps": 0}, "must show training steps"),
        ({"loss_last": 4.0}, "must show the loss falling"),
        ({"checkpoint_roundtrip": False}, "must show the checkpoint round trip"),
        ({"export_roundtrip": False}, "cannot have a failed export round trip"),
        ({"error": "boom"}, "cannot carry an error"),
        ({"fallback_reason": "gpu"}, "fallback_reason must be given exactly when"),
        ({"status": "fallback"}, "fallback_reason must be given exactly when"),
    ],
)
def test_each_break_of_the_contract_is_named(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidReport, match=reason.replace("(", r"\(")):
        parse({**GOOD, **changes}, framework="torch")


def test_missing_keys_are_listed() -> None:
    with pytest.raises(InvalidReport, match="lacks framework, framework_version, device"):
        parse({"status": "passed"}, framework="torch")


def test_a_failed_report_needs_no_evidence() -> None:
    failed = {
        **GOOD,
        "status": "failed",
        "steps": 0,
        "loss_first": None,
        "loss_last": None,
        "checkpoint_roundtrip": None,
        "error": "ImportError: no torch",
    }
    report = parse(failed, framework="torch")
    assert report.status == "failed" and report.exit_code == 3
