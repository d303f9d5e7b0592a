"""Hardware detection without a framework, and the install command for each machine."""

from __future__ import annotations

import fnmatch
import time
from pathlib import Path

import pytest

from fwpick.base.frameworks import install_command
from fwpick.machine.environment import Platform
from fwpick.machine.hardware import detect, rocm_version

LINUX = Platform(python=(3, 12), system="Linux", machine="x86_64")


def machine_with(*paths: str):  # type: ignore[no-untyped-def]
    """A glob over an imaginary file system holding exactly `paths`."""
    return lambda pattern: [path for path in paths if fnmatch.fnmatch(path, pattern)]


DETECT_CASES = [
    # (platform, paths, libtpu installed, environment, expected hardware)
    (LINUX, ("/proc/driver/nvidia/version", "/dev/nvidia0"), False, {}, "nvidia"),
    (LINUX, ("/dev/nvidia0",), False, {}, "nvidia"),
    (LINUX, ("/dev/kfd",), False, {}, "amd"),
    (LINUX, ("/dev/accel0",), True, {}, "tpu"),
    (LINUX, ("/dev/vfio/0",), False, {"TPU_ACCELERATOR_TYPE": "v5litepod-8"}, "tpu"),
    # /dev/accel is also an Intel NPU: without libtpu or a TPU variable it is no TPU.
    (LINUX, ("/dev/accel0",), False, {}, "cpu"),
    (LINUX, (), False, {}, "cpu"),
    (Platform((3, 12), "Darwin", "arm64"), (), False, {}, "apple"),
    (Platform((3, 12), "Darwin", "x86_64"), (), False, {}, "cpu"),
    (
        Platform((3, 12), "Windows", "amd64"),
        (r"C:\Windows\System32\nvidia-smi.exe",),
        False,
        {"SystemRoot": r"C:\Windows"},
        "nvidia",
    ),
    (Platform((3, 12), "Windows", "amd64"), (), False, {"SystemRoot": r"C:\Windows"}, "cpu"),
]


@pytest.mark.parametrize(("where", "paths", "libtpu", "environ", "expected"), DETECT_CASES)
def test_detect(
    where: Platform, paths: tuple[str, ...], libtpu: bool, environ: dict[str, str], expected: str
) -> None:
    found = detect(
        where,
        glob_paths=machine_with(*paths),
        environ=environ,
        libtpu_installed=lambda: libtpu,
        read_rocm_version=lambda: None,
    )
    assert found.hardware == expected
    assert found.evidence


def test_detect_on_this_machine_is_cheap_and_imports_nothing_heavy() -> None:
    started = time.perf_counter()
    found = detect(Platform.current())
    # Not a timing target (benchmarks/startup.py is): a guard against spawning tools.
    assert time.perf_counter() - started < 1.0
    assert found.hardware in {"cpu", "nvidia", "amd", "apple", "tpu"}


def test_rocm_version_reads_major_minor(tmp_path: Path) -> None:
    version = tmp_path / "version"
    version.write_text("6.4.1-120\n")
    assert rocm_version(str(version)) == "6.4"
    version.write_text("garbage")
    assert rocm_version(str(version)) is None
    assert rocm_version(str(tmp_path / "missing")) is None


INSTALL_CASES = [
    # (framework, system, machine, hardware, rocm, expected command)
    ("torch", "Linux", "x86_64", "nvidia", None, "python -m pip install torch"),
    (
        "torch",
        "Linux",
        "x86_64",
        "cpu",
        None,
        "python -m pip install torch --index-url https://download.pytorch.org/whl/cpu",
    ),
    (
        "torch",
        "Linux",
        "x86_64",
        "amd",
        "6.4",
        "python -m pip install torch --index-url https://download.pytorch.org/whl/rocm6.4",
    ),
    ("torch", "Darwin", "arm64", "apple", None, "python -m pip install torch"),
    (
        "torch",
        "Windows",
        "amd64",
        "nvidia",
        None,
        "python -m pip install torch --index-url https://download.pytorch.org/whl/cu128",
    ),
    (
        "tensorflow",
        "Linux",
        "x86_64",
        "nvidia",
        None,
        "python -m pip install 'tensorflow[and-cuda]'",
    ),
    ("tensorflow", "Linux", "x86_64", "cpu", None, "python -m pip install tensorflow-cpu"),
    ("tensorflow", "Linux", "aarch64", "cpu", None, "python -m pip install tensorflow"),
    ("tensorflow", "Darwin", "arm64", "apple", None, "python -m pip install tensorflow"),
    ("tensorflow", "Windows", "amd64", "nvidia", None, "python -m pip install tensorflow"),
    ("tensorflow", "Linux", "x86_64", "tpu", None, "python -m pip install tensorflow-tpu"),
]


@pytest.mark.parametrize(
    ("framework", "system", "machine", "hardware", "rocm", "expected"), INSTALL_CASES
)
def test_install_command(
    framework: str, system: str, machine: str, hardware: str, rocm: str | None, expected: str
) -> None:
    found = install_command(
        framework, system=system, machine=machine, hardware=hardware, rocm_version=rocm
    )
    assert found.command == expected
    assert found.note


def test_windows_tensorflow_says_where_the_gpu_is() -> None:
    found = install_command("tensorflow", system="Windows", machine="amd64", hardware="nvidia")
    assert "WSL2" in found.note and "CPU only" in found.note
