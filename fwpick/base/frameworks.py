"""The framework registry: every fact about PyTorch and TensorFlow that the rest of fwpick reads.

Ids, spellings, display names, the distributions that install each one and the Python
versions it supports live here and nowhere else. Importing this module is free: it
imports no framework and nothing slow.
"""

from __future__ import annotations

import shlex
from enum import Enum
from typing import NamedTuple


class Choice(str, Enum):
    """A closed set of names: compares, hashes, prints and serialises as its value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class FrameworkId(Choice):
    """The canonical framework ids (the registry below holds the facts about each)."""

    torch = "torch"
    tensorflow = "tensorflow"


class Task(Choice):
    """What a starter model learns; every framework has a template for every task."""

    regression = "regression"
    classification = "classification"


class Input(Choice):
    """What a starter model reads: feature columns (tabular) or pictures (images).

    Regression reads tabular data only; classification reads either (issue 20).
    """

    tabular = "tabular"
    images = "images"


class Device(Choice):
    """Where a generated project trains; auto = CUDA, then MPS, then CPU."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


TASKS: tuple[Task, ...] = tuple(Task)
INPUTS: tuple[Input, ...] = tuple(Input)
# The inputs each task has templates for; the first is its default.
TASK_INPUTS: dict[Task, tuple[Input, ...]] = {
    Task.regression: (Input.tabular,),
    Task.classification: (Input.images, Input.tabular),
}
DEVICES: tuple[Device, ...] = tuple(Device)
# The accelerator a device needs, in the advisor's `hardware` words (install commands).
DEVICE_HARDWARE = {Device.cuda: "nvidia", Device.mps: "apple", Device.cpu: "cpu"}


class Framework(NamedTuple):
    """One framework fwpick can advise on, generate and smoke-test."""

    id: str
    display_name: str
    import_name: str
    # Every spelling a user may type (case-insensitive), the id included.
    aliases: tuple[str, ...]
    # Distributions that provide `import_name`; the first is the canonical one.
    distributions: tuple[str, ...]
    # Oldest and newest CPython (inclusive) with wheels for the current release.
    python_support: tuple[tuple[int, int], tuple[int, int]]
    # What a generated project depends on: the range its templates are tested with.
    requirement: str
    # The best-by-validation checkpoint a generated project's training writes into its run
    # folder (predict and export default to it); `last` + the same suffix sits beside it.
    checkpoint_name: str
    # How a generated project installs itself and its framework, run inside the project
    # (its README's quick start and fwpick's "Next:" lines show this same command).
    install_project: str


TORCH = Framework(
    id="torch",
    display_name="PyTorch",
    import_name="torch",
    aliases=("torch", "pytorch", "pt"),
    distributions=("torch",),
    # Wheels by release (pip --dry-run per Python, 2026-11-26): torch 2.13-2.14 for
    # CPython 3.10-3.14, torch 2.15 for 3.11-3.15; so some current release fits 3.10-3.15.
    python_support=((3, 10), (3, 15)),
    requirement="torch>=2.7,<2.14",
    checkpoint_name="best.pt",
    install_project="python -m pip install -e '.[dev]'",
)
TENSORFLOW = Framework(
    id="tensorflow",
    display_name="TensorFlow",
    import_name="tensorflow",
    aliases=("tensorflow", "tf"),
    # tensorflow-cpu and tensorflow-macos install the same `tensorflow` module.
    distributions=("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel"),
    # TensorFlow 2.21 wheels: CPython 3.10-3.13 (pip --dry-run per Python, 2026-11-26);
    # on 3.10 pip pairs it with an older Keras 3, since Keras 3.15 needs 3.11+.
    python_support=((3, 10), (3, 13)),
    requirement="tensorflow>=2.16,<2.22",
    checkpoint_name="best.keras",
    # TensorFlow comes as several distributions of one `tensorflow` module (CPU-only, CUDA,
    # macOS); a project that required `tensorflow` would pull the full build on top of
    # tensorflow-cpu. So the generated project names the build in an extra: cpu, gpu, mac.
    install_project="python -m pip install -e '.[cpu,dev]'",
)

REGISTRY: dict[str, Framework] = {f.id: f for f in (TORCH, TENSORFLOW)}
# The canonical ids, in the order fwpick shows them.
FRAMEWORKS: tuple[str, ...] = tuple(FrameworkId)
_BY_ALIAS = {alias: f.id for f in REGISTRY.values() for alias in f.aliases}


def canonical(raw: str) -> FrameworkId | None:
    """The canonical id for any accepted spelling (case-insensitive), or None."""
    found = _BY_ALIAS.get(raw.strip().lower())
    return FrameworkId(found) if found else None


def display_name(framework_id: str) -> str:
    """PyTorch or TensorFlow, for a canonical id."""
    return REGISTRY[framework_id].display_name


def spellings() -> str:
    """Every accepted spelling, for error messages: 'torch (pytorch, pt), tensorflow (tf)'."""
    return ", ".join(f"{f.id} ({', '.join(f.aliases[1:])})" for f in REGISTRY.values())


class InstallCommand(NamedTuple):
    """The pip command that installs a framework on one kind of machine, and why."""

    command: str
    note: str

    def to_json(self) -> dict[str, str]:
        """`{command, note}` as in `fwpick advise --json` (`install`)."""
        return {"command": self.command, "note": self.note}


PIP = "python -m pip install"
# The official selectors: https://pytorch.org/get-started/locally/ and
# https://www.tensorflow.org/install/pip (checked 2026-11-26).
TORCH_INDEX = "https://download.pytorch.org/whl"


class _Wheel(NamedTuple):
    """What the selector says for one machine: the packages, an index, and why."""

    packages: tuple[str, ...]  # the framework's own distribution first
    note: str
    index_url: str | None = None


def install_command(
    framework_id: str,
    *,
    system: str,
    machine: str,
    hardware: str,
    rocm_version: str | None = None,
    python: str = "python",
    for_project: bool = False,
) -> InstallCommand:
    """The one install command: the official selector's for this OS and accelerator.

    `python` runs pip (the interpreter that will import the framework). `for_project`
    bounds the framework by the range generated projects require (`requirement`), so that
    installing the project afterwards keeps this build instead of replacing it with
    PyPI's default one.
    """
    if framework_id == "torch":
        wheel = _torch_wheel(system=system, hardware=hardware, rocm_version=rocm_version)
    else:
        wheel = _tensorflow_wheel(system=system, machine=machine, hardware=hardware)
    packages = list(wheel.packages)
    if for_project and "==" not in packages[0]:
        info = REGISTRY[framework_id]
        packages[0] += info.requirement.removeprefix(info.distributions[0])
    words = [python, "-m", "pip", "install", *packages]
    if wheel.index_url:
        words += ["--index-url", wheel.index_url]
    return InstallCommand(" ".join(shlex.quote(word) for word in words), wheel.note)


def _torch_wheel(*, system: str, hardware: str, rocm_version: str | None) -> _Wheel:
    if system == "Darwin":
        return _Wheel(("torch",), "the macOS wheel includes the MPS backend for Apple GPUs")
    if system == "Windows":
        if hardware == "nvidia":
            return _Wheel(
                ("torch",),
                "the Windows wheel on PyPI is CPU-only; this is the CUDA 12.8 build (the "
                "selector lists the other CUDA versions)",
                f"{TORCH_INDEX}/cu128",
            )
        return _Wheel(("torch",), "the Windows wheel on PyPI is the CPU build")
    if hardware == "nvidia":
        return _Wheel(("torch",), "the default Linux wheel bundles CUDA")
    if hardware == "amd":
        if rocm_version:
            return _Wheel(
                ("torch",),
                f"the ROCm {rocm_version} build, matching the ROCm found on this machine",
                f"{TORCH_INDEX}/rocm{rocm_version}",
            )
        return _Wheel(
            ("torch",),
            "no ROCm version found in /opt/rocm: this is the CPU build; once ROCm is "
            "installed, take the rocmX.Y build for it from the selector",
            f"{TORCH_INDEX}/cpu",
        )
    if hardware == "tpu":
        # Google's TPU docs install TorchTPU (`pip install torch_tpu`); torch-tpu 0.2.0
        # (2026-10-19, beta) requires torch>=2.11,<=2.15 and Python 3.12+ (its METADATA).
        return _Wheel(
            ("torch", "torch-tpu"),
            "with TorchTPU, PyTorch's TPU backend (beta, Python 3.12+)",
        )
    return _Wheel(
        ("torch",),
        "the CPU-only build, far smaller than the default Linux wheel with CUDA",
        f"{TORCH_INDEX}/cpu",
    )


def _tensorflow_wheel(*, system: str, machine: str, hardware: str) -> _Wheel:
    if system == "Darwin":
        return _Wheel(("tensorflow",), "CPU only: TensorFlow has no official GPU support on macOS")
    if system == "Windows":
        if hardware == "nvidia":
            return _Wheel(
                ("tensorflow",),
                "CPU only on native Windows after 2.10; for the GPU, run "
                f"{PIP} 'tensorflow[and-cuda]' inside WSL2",
            )
        return _Wheel(("tensorflow",), "the CPU build")
    if hardware == "nvidia":
        return _Wheel(("tensorflow[and-cuda]",), "pulls the CUDA and cuDNN libraries as wheels")
    if hardware == "tpu":
        return _Wheel(("tensorflow-tpu",), "the Cloud TPU build (2.20 is the newest, with libtpu)")
    cpu_wheel = "tensorflow" if machine in ("aarch64", "arm64") else "tensorflow-cpu"
    note = "the CPU-only build"
    if hardware == "amd":
        note = (
            "CPU only: TensorFlow's own wheels have no ROCm support; AMD publishes "
            "TensorFlow-ROCm wheels for each ROCm release (rocm.docs.amd.com)"
        )
    return _Wheel((cpu_wheel,), note)
