"""What this machine offers, read from package metadata without importing a framework."""

from __future__ import annotations

import os
import platform
import re
import sys
from dataclasses import dataclass
from typing import NamedTuple

from fwpick.base.frameworks import REGISTRY


@dataclass(frozen=True)
class Platform:
    """The facts about this interpreter and machine that change the advice."""

    python: tuple[int, int]
    system: str
    machine: str

    @classmethod
    def current(cls) -> Platform:
        """This process's interpreter and machine."""
        return cls(
            python=sys.version_info[:2],
            system=platform.system(),
            machine=platform.machine().lower(),
        )


@dataclass(frozen=True)
class Installed:
    """A framework's installation state, from package metadata."""

    framework: str
    distribution: str | None
    version: str | None


def dist_info_version(distribution: str) -> str | None:
    """The version in an installed `NAME-VERSION.dist-info` folder on sys.path.

    A folder scan costs well under a millisecond, where importing importlib.metadata
    costs ~25 ms of every `fwpick advise` start (benchmarks/startup.py).
    """
    prefix = re.sub(r"[-_.]+", "_", distribution).lower() + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and name.lower().startswith(prefix):
                version = name[len(prefix) : -len(".dist-info")]
                if version and version[0].isdigit():
                    return version
    return None


def installed(framework: str) -> Installed:
    """Whether `framework` is installed for this interpreter, and which version."""
    for distribution in REGISTRY[framework].distributions:
        version = dist_info_version(distribution)
        if version:
            return Installed(framework, distribution, version)
    return Installed(framework, None, None)


def python_supported(framework: str, python: tuple[int, int]) -> bool:
    """Whether the framework's current release supports this Python version."""
    low, high = REGISTRY[framework].python_support
    return low <= python <= high


class Note(NamedTuple):
    """An environment caveat: a stable code for scripts and the text for people."""

    code: str
    text: str

    def to_json(self) -> dict[str, str]:
        """`{code, text}` as in `fwpick advise --json`."""
        return {"code": self.code, "text": self.text}


def notes(
    *,
    framework: str,
    deployment: str,
    mine: Installed,
    where: Platform,
) -> list[Note]:
    """Caveats about the recommended framework on this machine, in plain words."""
    name = REGISTRY[framework].display_name
    found: list[Note] = []
    if mine.version:
        found.append(
            Note("installed", f"{name} {mine.version} is installed ({mine.distribution}).")
        )
    else:
        found.append(Note("not-installed", f"{name} is not installed for this Python."))
    found += platform_notes(framework, where)
    if framework == "torch":
        if deployment != "none":
            found.append(
                Note(
                    "torchscript-deprecated",
                    "TorchScript is deprecated; the project exports with torch.export.",
                )
            )
        if deployment == "server":
            # pytorch/serve#3396: "Limited Maintenance" since early 2025.
            found.append(
                Note(
                    "torchserve-limited",
                    "TorchServe is in limited maintenance (no planned fixes); serve the "
                    "exported model from your own service, Triton, vLLM or ONNX Runtime.",
                )
            )
    return found


def platform_notes(framework: str, where: Platform) -> list[Note]:
    """What this interpreter and OS mean for the framework, whatever the answers.

    The one home of these facts: `fwpick advise` shows them among its notes, and
    `fwpick env` as each framework's caveats.
    """
    info = REGISTRY[framework]
    name = info.display_name
    found: list[Note] = []
    if not python_supported(framework, where.python):
        low, high = info.python_support
        found.append(
            Note(
                "python-unsupported",
                f"Python {where.python[0]}.{where.python[1]} is outside what current {name} "
                f"releases support ({low[0]}.{low[1]}-{high[0]}.{high[1]}); "
                "use a supported interpreter.",
            )
        )
    apple_silicon = where.system == "Darwin" and where.machine == "arm64"
    if framework == "tensorflow":
        if where.system == "Windows":
            found.append(
                Note(
                    "tf-windows-no-gpu",
                    "TensorFlow has no GPU support on native Windows after 2.10; "
                    "use WSL2 for a GPU, or train on the CPU.",
                )
            )
        if apple_silicon:
            # tensorflow-metal 1.2.0 (2025-01-31, the newest) restored 2.18-2.19;
            # tensorflow/tensorflow#126360: it fails to load with 2.20 and later.
            found.append(
                Note(
                    "tf-apple-cpu-only",
                    "Apple Silicon: TensorFlow trains on the CPU here; the tensorflow-metal "
                    "GPU plugin (1.2.0) fails to load with TensorFlow 2.20 and later.",
                )
            )
    if framework == "torch" and apple_silicon:
        found.append(
            Note(
                "torch-apple-mps",
                "Apple Silicon: PyTorch trains on the GPU through MPS, no extra install.",
            )
        )
    return found
