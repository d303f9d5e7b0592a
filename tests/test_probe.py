"""`fwpick env`: the report's shape with the real frameworks, and the caveats it derives."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import run_fwpick

from fwpick.machine.environment import Platform, platform_notes
from fwpick.machine.probe import _caveats

LINUX = Platform(python=(3, 12), system="Linux", machine="x86_64")


@pytest.mark.slow
def test_env_json_reports_each_framework_and_its_devices() -> None:
    result = run_fwpick("env", "--json", timeout=180)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["python"]["executable"] == sys.executable
    assert set(report["frameworks"]) == {"torch", "tensorflow"}
    for name, entry in report["frameworks"].items():
        if entry["installed"]:
            assert entry["version"], name
            assert {"type": "cpu", "name": "cpu"} in entry["devices"]
        else:
            assert "pip install" in entry["install"]


def test_env_with_an_interpreter_that_does_not_exist() -> None:
    result = run_fwpick("env", "--python", "/no/such/python", "--json")
    assert result.returncode == 1
    assert result.stderr == "error: --python /no/such/python: no such file\n"
    assert json.loads(result.stdout) == {
        "error": {"message": "--python /no/such/python: no such file", "exit_code": 1}
    }


def test_env_reports_the_other_interpreters_own_version(tmp_path: Path) -> None:
    # A "python" that answers fwpick's check as version 3.99.1 and has no framework.
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        f'exec {sys.executable} -c "import json, sys; print(json.dumps('
        "{'fwpick_check': 1, 'executable': '/opt/fake/python', 'version': '3.99.1', "
        "'found': []}))\"\n"
    )
    fake.chmod(0o755)
    result = run_fwpick("env", "--python", str(fake), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["python"] == {"version": "3.99.1", "executable": "/opt/fake/python"}
    assert all(not entry["installed"] for entry in report["frameworks"].values())


@pytest.mark.parametrize(
    ("framework", "probed", "where", "gpu", "fragment"),
    [
        (
            "torch",
            {"cuda_build": None, "devices": [{"type": "cpu"}]},
            LINUX,
            True,
            "NVIDIA GPU but torch is a CPU-only build",
        ),
        (
            "torch",
            {"cuda_build": "13.0", "devices": [{"type": "cpu"}]},
            LINUX,
            True,
            "cannot use it",
        ),
        (
            "tensorflow",
            {"devices": [{"type": "cpu"}]},
            Platform(python=(3, 12), system="Windows", machine="amd64"),
            False,
            "native Windows after 2.10",
        ),
        (
            "tensorflow",
            {"devices": [{"type": "cpu"}]},
            Platform(python=(3, 14), system="Linux", machine="x86_64"),
            False,
            "Python 3.14 is outside what current TensorFlow releases support",
        ),
        (
            "tensorflow",
            {"devices": [{"type": "cpu"}]},
            Platform(python=(3, 12), system="Darwin", machine="arm64"),
            False,
            "tensorflow-metal",
        ),
    ],
)
def test_caveats(
    framework: str, probed: dict[str, object], where: Platform, gpu: bool, fragment: str
) -> None:
    assert any(fragment in caveat for caveat in _caveats(framework, probed, where, gpu))


def test_no_caveat_when_the_gpu_is_usable() -> None:
    probed = {"cuda_build": "13.0", "devices": [{"type": "cuda"}, {"type": "cpu"}]}
    assert _caveats("torch", probed, LINUX, True) == []


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
@pytest.mark.parametrize(
    "where",
    [
        Platform(python=(3, 12), system="Darwin", machine="arm64"),
        Platform(python=(3, 12), system="Windows", machine="amd64"),
        Platform(python=(3, 99), system="Linux", machine="x86_64"),
    ],
)
def test_env_caveats_are_the_advisors_notes(framework: str, where: Platform) -> None:
    # One home for the platform facts: `fwpick env` says what `fwpick advise` says.
    notes = [note.text for note in platform_notes(framework, where)]
    assert _caveats(framework, {"devices": [{"type": "cpu"}]}, where, False) == notes


def test_env_no_longer_recommends_tensorflow_metal() -> None:
    apple = Platform(python=(3, 12), system="Darwin", machine="arm64")
    caveats = " ".join(_caveats("tensorflow", {"devices": [{"type": "cpu"}]}, apple, False))
    assert "needs the tensorflow-metal plugin" not in caveats
    assert "CPU" in caveats
