"""`fwpick env`: probe, in child processes, which devices each framework can really use."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from fwpick.base import children
from fwpick.base.errors import InterpreterError
from fwpick.base.frameworks import FRAMEWORKS, REGISTRY
from fwpick.machine import hardware, interpreter
from fwpick.machine.environment import Platform, platform_notes

# Run in a child process with the target interpreter: the fwpick process never imports
# a framework. Each prints one JSON object describing the devices the framework can use.
_TORCH_PROBE = """
import json, torch
devices = [{"type": "cpu", "name": "cpu"}]
cuda = []
if torch.cuda.is_available():
    for index in range(torch.cuda.device_count()):
        major, minor = torch.cuda.get_device_capability(index)
        cuda.append({"type": "cuda", "index": index, "name": torch.cuda.get_device_name(index),
                     "capability": f"{major}.{minor}"})
mps = getattr(torch.backends, "mps", None)
if mps is not None and mps.is_available():
    devices.append({"type": "mps", "name": "Apple MPS"})
print(json.dumps({"version": torch.__version__, "cuda_build": torch.version.cuda,
                  "devices": cuda + devices,
                  "arch_list": torch.cuda.get_arch_list() if torch.cuda.is_available() else []}))
"""
_TENSORFLOW_PROBE = """
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
devices = []
for gpu in tf.config.list_physical_devices("GPU"):
    details = tf.config.experimental.get_device_details(gpu)
    capability = details.get("compute_capability")
    devices.append({"type": "cuda" if tf.test.is_built_with_cuda() else "gpu",
                    "name": details.get("device_name", gpu.name),
                    "capability": ".".join(map(str, capability)) if capability else None})
devices.append({"type": "cpu", "name": "cpu"})
print(json.dumps({"version": tf.__version__, "cuda_build": tf.test.is_built_with_cuda(),
                  "devices": devices}))
"""
PROBES = {"torch": _TORCH_PROBE, "tensorflow": _TENSORFLOW_PROBE}


def _spawn(framework: str, python: str, stack: ExitStack) -> subprocess.Popen[str]:
    return stack.enter_context(
        children.running(
            [python, "-c", PROBES[framework]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    )


def _collect(process: subprocess.Popen[str], *, deadline: float, timeout: float) -> dict[str, Any]:
    """Wait for one probe until the shared deadline; its answer or an error field."""
    try:
        stdout, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        children.kill_group(process)  # the probe and anything it started
        process.communicate()
        return {"error": f"probe timed out after {timeout:g}s"}
    lines = stdout.strip().splitlines()
    failure = children.classify(process.returncode, stderr)
    if failure is not None or not lines:
        last = failure.detail if failure else "no output"
        return {"error": f"probe failed: {last}", "missing_module": failure and failure.module}
    try:
        data = json.loads(lines[-1])
    except ValueError:
        return {"error": f"probe printed no JSON: {lines[-1][:200]}"}
    if not isinstance(data, dict):
        return {"error": f"probe printed no JSON object: {lines[-1][:200]}"}
    return data


def probe_all(names: Sequence[str], *, python: str, timeout: float) -> dict[str, dict[str, Any]]:
    """Ask `python` which devices each framework can really use, all probes at once.

    The probes import the frameworks (seconds each), so they run side by side; they are
    started from this (the main) thread and killed as groups at the timeout or on a
    signal, so Ctrl-C is never kept waiting for them.
    """
    deadline = time.monotonic() + timeout
    with ExitStack() as stack:
        running = {name: _spawn(name, python, stack) for name in names}
        return {
            name: _collect(process, deadline=deadline, timeout=timeout)
            for name, process in running.items()
        }


def report(*, python: str | None = None, timeout: float = 60) -> dict[str, Any]:
    """`fwpick env`: this machine, each framework's install state and usable devices.

    `timeout` is trusted: the CLI checked it.
    """
    target = interpreter.inspect(python, timeout=timeout, modules=FRAMEWORKS)
    where = replace(Platform.current(), python=target.version_info)
    # The one NVIDIA detector (driver files, no tool run), as `advise --hardware auto` uses.
    detected = hardware.detect(where)
    gpu = detected.hardware == "nvidia"
    to_probe = [name for name in FRAMEWORKS if name in target.found]
    try:
        results = probe_all(to_probe, python=target.command, timeout=timeout)
    except OSError as error:
        raise InterpreterError(
            f"--python {target.command}: cannot run it: {error.strerror or error}"
        ) from None
    frameworks: dict[str, Any] = {}
    for framework in FRAMEWORKS:
        probed = results.get(framework, {})
        # Not found by the interpreter, or the child could not import it after all.
        missing = (
            framework not in results
            or probed.get("missing_module") == REGISTRY[framework].import_name
        )
        entry: dict[str, Any] = {
            "installed": not missing,
            "version": probed.get("version"),
            "cuda_build": probed.get("cuda_build"),
            "devices": probed.get("devices", []),
            "caveats": [] if missing else _caveats(framework, probed, where, gpu),
        }
        if missing:
            # The command the official selector gives for this OS and accelerator (the
            # same as `fwpick advise` shows), run by the interpreter that was probed.
            command = hardware.install_here(
                framework, python=target.command, for_project=False, where=where
            )
            entry["install"] = command.command
            entry["install_note"] = command.note
        elif "error" in probed:
            entry["error"] = probed["error"]
        frameworks[framework] = entry
    return {
        "python": {"version": target.version, "executable": target.executable},
        "os": {"system": where.system, "release": platform.release(), "machine": where.machine},
        "nvidia_driver": gpu,
        "frameworks": frameworks,
    }


def _caveats(framework: str, probed: Mapping[str, Any], where: Platform, gpu: bool) -> list[str]:
    # The OS and Python facts are the advisor's notes, read from their one home.
    found = [note.text for note in platform_notes(framework, where)]
    has_gpu_device = any(d.get("type") in ("cuda", "gpu") for d in probed.get("devices", []))
    if gpu and not has_gpu_device and "error" not in probed:
        if not probed.get("cuda_build"):
            found.append(f"this machine has an NVIDIA GPU but {framework} is a CPU-only build")
        else:
            found.append(
                f"this machine has an NVIDIA GPU but {framework} cannot use it "
                "(driver or CUDA version mismatch?)"
            )
    return found
