"""What accelerator this machine has, found cheaply: a few file checks, no framework import.

`fwpick advise --hardware auto` (the default) uses it. Each check is a path that the
driver or runtime creates, so detection costs microseconds and never spawns a tool
such as nvidia-smi (which can take seconds when a driver is wedged).
"""

from __future__ import annotations

import glob
import ntpath
import os
from collections.abc import Callable, Mapping
from typing import NamedTuple

from fwpick.base.frameworks import DEVICE_HARDWARE, Device, InstallCommand, install_command
from fwpick.machine.environment import Platform, dist_info_version


class Detected(NamedTuple):
    """The hardware answer `auto` stands for, and the evidence it was read from."""

    hardware: str
    evidence: str
    # major.minor of the ROCm install, which picks PyTorch's ROCm wheel index.
    rocm_version: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The `detected` part of `fwpick advise --json`."""
        return {
            "hardware": self.hardware,
            "evidence": self.evidence,
            "rocm_version": self.rocm_version,
        }


def rocm_version(path: str = "/opt/rocm/.info/version") -> str | None:
    """major.minor from ROCm's version file ("6.4.1-120" -> "6.4"), or None."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(64)
    except (OSError, UnicodeDecodeError):
        return None
    parts = text.strip().split("-")[0].split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{parts[0]}.{parts[1]}"
    return None


def _first(patterns: tuple[str, ...], exists: Callable[[str], list[str]]) -> str | None:
    for pattern in patterns:
        found = exists(pattern)
        if found:
            return sorted(found)[0]
    return None


def detect(
    where: Platform,
    *,
    glob_paths: Callable[[str], list[str]] = glob.glob,
    environ: Mapping[str, str] = os.environ,
    libtpu_installed: Callable[[], bool] = lambda: dist_info_version("libtpu") is not None,
    read_rocm_version: Callable[[], str | None] = rocm_version,
) -> Detected:
    """Detect the accelerator; the keyword hooks let tests describe another machine."""
    if where.system == "Darwin":
        if where.machine == "arm64":
            return Detected("apple", "Apple Silicon (macOS on arm64)")
        return Detected("cpu", "Intel Mac: no GPU that either framework trains on")
    if where.system == "Windows":
        # The display driver installs nvidia-smi here; only a path check, nothing runs.
        root = environ.get("SystemRoot", r"C:\Windows")
        smi = _first((ntpath.join(root, "System32", "nvidia-smi.exe"),), glob_paths)
        if smi:
            return Detected("nvidia", f"found {smi}")
        return Detected("cpu", "no NVIDIA driver found")
    nvidia = _first(("/proc/driver/nvidia/version", "/dev/nvidia[0-9]*"), glob_paths)
    if nvidia:
        return Detected("nvidia", f"found {nvidia}")
    # ROCm's kernel driver exposes /dev/kfd for compute on AMD GPUs.
    kfd = _first(("/dev/kfd",), glob_paths)
    if kfd:
        return Detected("amd", f"found {kfd} (ROCm)", rocm_version=read_rocm_version())
    # Cloud TPU VMs expose the chips as /dev/accel* (v4, v5) or VFIO groups (v5e, v6e);
    # other accelerators use /dev/accel too, so libtpu or a TPU variable must confirm it.
    tpu_device = _first(("/dev/accel[0-9]*", "/dev/vfio/[0-9]*"), glob_paths)
    if tpu_device:
        if libtpu_installed():
            return Detected("tpu", f"found {tpu_device} and libtpu")
        tpu_variable = next((k for k in ("TPU_ACCELERATOR_TYPE", "TPU_NAME") if k in environ), None)
        if tpu_variable:
            return Detected("tpu", f"found {tpu_device} and ${tpu_variable}")
    return Detected("cpu", "no NVIDIA, AMD or TPU device found")


def install_here(
    framework: str,
    *,
    python: str,
    device: Device = Device.auto,
    for_project: bool = True,
    where: Platform | None = None,
) -> InstallCommand:
    """The registry's install command for this machine, run by `python`.

    The accelerator is the one `device` names, or for `auto` the one detected here.
    """
    where = where or Platform.current()
    hardware, rocm = DEVICE_HARDWARE.get(device), None
    if hardware is None:
        found = detect(where)
        hardware, rocm = found.hardware, found.rocm_version
    return install_command(
        framework,
        system=where.system,
        machine=where.machine,
        hardware=hardware,
        rocm_version=rocm,
        python=python,
        for_project=for_project,
    )
