"""The train flags fwpick passes to a generated project, and the summary.json it reads back.

`fwpick bench` runs `python -m PKG.train` with these flags and reads OUT/summary.json
(written by the project's runlog.py). Both sides of that contract are here; the
generated README documents the same flags for people.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUMMARY_FILE = "summary.json"
# --max-steps ends the run; --epochs only has to be large enough never to end it first.
EPOCHS_CAP = 100_000
# A summary is a few hundred bytes; a bigger file is not one the project wrote.
MAX_BYTES = 1024 * 1024


def train_command(
    python: str,
    package: str,
    *,
    max_steps: int,
    device: str,
    out: Path,
    seed: int = 0,
    batch_size: int | None = None,
) -> list[str]:
    """`python -m PKG.train` with the flags every generated project takes."""
    command = [
        python, "-m", f"{package}.train",
        "--max-steps", str(max_steps), "--epochs", str(EPOCHS_CAP),
        "--device", device, "--seed", str(seed), "--out", str(out),
    ]  # fmt: skip
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    return command


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class Summary:
    """The fields of summary.json that fwpick reads (the project writes more)."""

    steps: int
    batch_size: int | None
    samples_per_second: float | None  # None: too short a run for a steady-state rate
    import_seconds: float | None
    first_step_seconds: float | None
    train_seconds: float | None
    framework_version: str | None
    device: Mapping[str, str] | None
    loss_last: float | None

    @classmethod
    def from_json(cls, data: Any) -> Summary | None:
        """The summary from its decoded JSON, or None when it is not one."""
        if not isinstance(data, dict):
            return None
        steps, batch = data.get("steps"), data.get("batch_size")
        if isinstance(steps, bool) or not isinstance(steps, int):
            return None
        seconds = data.get("seconds")
        seconds = seconds if isinstance(seconds, dict) else {}
        device = data.get("device")
        version = data.get("framework_version")
        return cls(
            steps=steps,
            batch_size=batch if isinstance(batch, int) and not isinstance(batch, bool) else None,
            samples_per_second=_number(data.get("samples_per_second")),
            import_seconds=_number(seconds.get("import")),
            first_step_seconds=_number(seconds.get("first_step")),
            train_seconds=_number(seconds.get("train")),
            framework_version=version if isinstance(version, str) else None,
            device=(
                {"type": str(device.get("type", "?")), "name": str(device.get("name", "?"))}
                if isinstance(device, dict)
                else None
            ),
            loss_last=_number(data.get("loss_last")),
        )


def read_summary(out: Path) -> Summary | None:
    """OUT/summary.json, or None when the run left none that fwpick can use."""
    path = out / SUMMARY_FILE
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return Summary.from_json(data)
