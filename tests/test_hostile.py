"""A catalogue of hostile inputs through the real CLI entry point.

Each case sets up a folder of the user's files, runs `fwpick ...` and checks: the exit
code, one `error: ...` line on stderr (the parser's own box for usage errors), no
traceback, the user's files byte-identical, and nothing left behind (no staging folder,
no half-made project). Cases run in-process through `fwpick.cli.app:main`, the console
script itself, so the whole catalogue takes a few seconds.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hostile import invoke, snapshot

from fwpick.base.errors import MAX_MESSAGE

NEW = ["new", "demo", "-f", "torch", "--no-smoke", "--no-git"]
Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input: how to set it up, the argv, and what must come out."""

    id: str
    argv: list[str]
    code: int
    fragment: str
    setup: Setup | None = None
    env: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    changes: bool = False  # the command is meant to write (a success case)
    stdout_errno: int | None = None  # every write to stdout fails with this (ENOSPC, EPIPE)


def write(relative: str, content: str | bytes = "x\n") -> Setup:
    def setup(home: Path) -> None:
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return setup


def link(relative: str, to: str) -> Setup:
    def setup(home: Path) -> None:
        (home / relative).parent.mkdir(parents=True, exist_ok=True)
        (home / relative).symlink_to(to if to.startswith("/") else home / to)

    return setup


def folder(relative: str, mode: int = 0o755) -> Setup:
    def setup(home: Path) -> None:
        (home / relative).mkdir(parents=True, exist_ok=True)
        (home / relative).chmod(mode)

    return setup


def both(*setups: Setup) -> Setup:
    def setup(home: Path) -> None:
        for each in setups:
            each(home)

    return setup


def script(relative: str, body: str) -> Setup:
    def setup(home: Path) -> None:
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
        path.chmod(0o755)

    return setup


def fifo(relative: str) -> Setup:
    return lambda home: os.mkfifo(home / relative)


def fake_project(relative: str, marker: str | bytes, smoke: str | None = None) -> Setup:
    """A project folder with a given .fwpick.toml and (optionally) smoke entry."""
    setups = [write(f"{relative}/.fwpick.toml", marker)]
    if smoke is not None:
        setups += [
            write(f"{relative}/src/fake/__init__.py", ""),
            write(f"{relative}/src/fake/smoke.py", smoke),
        ]
    return both(*setups)


FAKE_MARKER = '[project]\npackage = "fake"\nframework = "json"\ntask = "regression"\n'
GOOD_REPORT = {
    "status": "passed",
    "framework": "json",
    "framework_version": "1",
    "device": {"type": "cpu", "name": "cpu"},
    "steps": 3,
    "loss_first": 1.0,
    "loss_last": 0.5,
    "checkpoint_roundtrip": True,
    "export_roundtrip": None,
    "seconds": {"import": 0.1, "first_step": 0.1, "total": 0.3},
    "fallback_reason": None,
    "error": None,
}


def printing(report: object) -> str:
    return f"print({json.dumps(json.dumps(report))})\n"


def bad_report(**changes: object) -> str:
    return printing({**GOOD_REPORT, **changes})


NESTED = "[" * 20_000 + "]" * 20_000
BENCH = ["bench", "--steps", "1"]
HUGE_INT = "9" * 5000  # past Python's 4300-digit limit for reading an int
# A smoke entry on a machine without the device it was asked for: a report naming the
# cause, and the child's traceback on stderr (as the templates' device.py does).
NO_CUDA = (
    printing(
        {
            **GOOD_REPORT,
            "status": "failed",
            "error": "--device cuda was requested but no CUDA device is visible",
        }
    )
    + "import traceback\n"
    + "try:\n    raise RuntimeError('no CUDA device is visible')\n"
    + "except RuntimeError:\n    traceback.print_exc()\n"
    + "raise SystemExit(1)\n"
)
HANG = "#!/bin/sh\nsleep 30\n"

CASES = [
    # --- project names -------------------------------------------------------------
    Case("name-empty", ["new", "", "-f", "torch"], 1, "the project name is empty"),
    Case("name-blank", ["new", "   ", "-f", "torch"], 1, "the project name is empty"),
    Case("name-parent-path", ["new", "../x", "-f", "torch"], 1, "is a path, not a name"),
    Case("name-nested-path", ["new", "a/b", "-f", "torch"], 1, "is a path"),
    Case("name-dotdot", ["new", "..", "-f", "torch"], 1, "is a path"),
    Case("name-dot", ["new", ".", "-f", "torch"], 1, "is a path"),
    Case("name-absolute", ["new", "/etc", "-f", "torch"], 1, "is a path"),
    Case("name-backslash", ["new", "a\\b", "-f", "torch"], 1, "is a path"),
    Case("name-keyword", ["new", "class", "-f", "torch"], 1, "is a Python keyword"),
    Case("name-soft-keyword", ["new", "match", "-f", "torch"], 1, "is a Python keyword"),
    Case("name-stdlib", ["new", "json", "-f", "torch"], 1, "standard-library module"),
    Case("name-stdlib-os", ["new", "OS", "-f", "torch"], 1, "standard-library module"),
    Case("name-framework", ["new", "torch", "-f", "torch"], 1, "would shadow a package"),
    Case("name-numpy", ["new", "NumPy", "-f", "torch"], 1, "would shadow a package"),
    Case("name-tf", ["new", "tf", "-f", "torch"], 1, "would shadow a package"),
    Case("name-test", ["new", "test", "-f", "torch"], 1, "would shadow"),
    Case("name-absl", ["new", "absl", "-f", "tf"], 1, "would shadow a package"),
    Case("name-google", ["new", "google", "-f", "tf"], 1, "would shadow a package"),
    Case("name-typing-ext", ["new", "typing-extensions", "-f", "tf"], 1, "would shadow"),
    Case("name-importable", [*NEW[:1], "pexpect", *NEW[2:]], 1, "can already import"),
    Case("name-importable-2", [*NEW[:1], "Hypothesis", *NEW[2:]], 1, "can already import"),
    Case("name-digit", ["new", "1st", "-f", "torch"], 1, "must start with a letter"),
    Case("name-space", ["new", "my project", "-f", "torch"], 1, "must start with a letter"),
    Case("name-unicode", ["new", "é", "-f", "torch"], 1, "must start with a letter"),
    Case("name-dash-first", ["new", "-f", "torch", "--", "-rf"], 1, "must start with a letter"),
    Case("name-too-long", [*NEW[:1], "a" * 65, *NEW[2:]], 1, "use at most 64"),
    Case("name-overflows-path", [*NEW[:1], "a" * 300, *NEW[2:]], 1, "use at most 64"),
    Case("name-newline", ["new", "de\nmo", "-f", "torch"], 1, "must start with a letter"),
    Case("name-undecodable", ["new", "demo\udcff", "-f", "torch"], 1, "must start with a letter"),
    Case("name-pip", ["new", "pip", "-f", "torch"], 1, "would shadow"),
    # --- description and author -------------------------------------------------------
    Case("desc-newline", [*NEW, "--description", "a\nb"], 1, "description must be one line"),
    Case("desc-cr", [*NEW, "--description", "a\rb"], 1, "description must be one line"),
    Case("desc-u2028", [*NEW, "--description", "a\u2028b"], 1, "must be one line"),
    Case("desc-trailing-nl", [*NEW, "--description", "ab\n"], 1, "must be one line"),
    Case("desc-too-long", [*NEW, "--description", "x" * 301], 1, "use at most 300"),
    Case("desc-escape", [*NEW, "--description", "\x1b[31mred"], 1, "control character"),
    Case("desc-undecodable", [*NEW, "--description", "a\udcffb"], 1, "undecodable byte"),
    Case("author-newline", [*NEW, "--author", "A\nB"], 1, "author must be one line"),
    Case("author-bell", [*NEW, "--author", "A\x07"], 1, "control character"),
    Case("author-too-long", [*NEW, "--author", "a" * 201], 1, "use at most 200"),
    # --- where the project goes ---------------------------------------------------------
    Case("dir-is-file", [*NEW, "--dir", "f"], 1, "is not a folder", write("f")),
    Case("dir-under-file", [*NEW, "--dir", "f/sub"], 1, "is not a folder", write("f")),
    Case("dir-proc", [*NEW, "--dir", "/proc/self/fd"], 1, "cannot"),
    Case("dir-dev-null", [*NEW, "--dir", "/dev/null"], 1, "is not a folder"),
    Case("dir-loop", [*NEW, "--dir", "a/x"], 1, "", both(link("a", "b"), link("b", "a"))),
    Case("dir-name-too-long", [*NEW, "--dir", "d" * 300], 1, "too long"),
    Case("target-is-file", NEW, 1, "exists and is not a folder", write("demo")),
    Case("target-not-empty", NEW, 1, "not empty; pick another name", write("demo/mine.txt")),
    Case(
        "target-link-dir", NEW, 1, "is a symbolic link", both(folder("real"), link("demo", "real"))
    ),
    Case("target-dangling-link", NEW, 1, "is a symbolic link", link("demo", "/nonexistent/x")),
    Case("target-link-file", NEW, 1, "is a symbolic link", both(write("f"), link("demo", "f"))),
    Case(
        "force-folder-for-file",
        [*NEW, "--force"],
        1,
        "is a folder, but the project has a file there",
        folder("demo/src/demo/train.py"),
    ),
    Case(
        "force-file-for-folder",
        [*NEW, "--force"],
        1,
        "is a file, but the project needs a folder there",
        write("demo/src", "mine"),
    ),
    Case(
        "force-link-outside",
        [*NEW, "--force"],
        1,
        "does not write through links",
        both(folder("outside"), write("outside/keep.py"), link("demo/src", "outside")),
    ),
    Case(
        "force-venv-exists",
        [*NEW, "--force", "--venv"],
        1,
        ".venv exists already",
        write("demo/.venv/pyvenv.cfg"),
    ),
    # --- answers files ------------------------------------------------------------------
    Case("answers-missing", [*NEW, "--answers", "nope.toml"], 1, "answers file not found"),
    Case("answers-folder", [*NEW, "--answers", "d"], 1, "is a folder", folder("d")),
    Case("answers-fifo", [*NEW, "--answers", "p"], 1, "not a regular file", fifo("p")),
    Case("answers-device", [*NEW, "--answers", "/dev/zero"], 1, "not a regular file"),
    Case(
        "answers-huge",
        [*NEW, "--answers", "a.toml"],
        1,
        "the limit is",
        write("a.toml", "#" * 70_000),
    ),
    Case(
        "answers-nested-json",
        [*NEW, "--answers", "a.json"],
        1,
        "nested too deeply",
        write("a.json", '{"a": ' + NESTED + "}"),
    ),
    Case(
        "answers-big-int-json",
        [*NEW, "--answers", "a.json"],
        1,
        "a number in it is too big to be an answer",
        write("a.json", '{"scale": ' + HUGE_INT + "}"),
    ),
    Case(
        "answers-big-int-toml",
        [*NEW, "--answers", "a.toml"],
        1,
        "a number in it is too big to be an answer",
        write("a.toml", "scale = " + HUGE_INT),
    ),
    Case(
        "answers-nan-toml",
        [*NEW, "--answers", "a.toml"],
        1,
        "finite",
        write("a.toml", "scale = nan"),
    ),
    Case(
        "answers-inf-json",
        [*NEW, "--answers", "a.json"],
        1,
        "finite",
        write("a.json", '{"scale": 1e999}'),
    ),
    Case(
        "answers-bad-json", [*NEW, "--answers", "a.json"], 1, "not valid JSON", write("a.json", "{")
    ),
    Case(
        "answers-bad-toml",
        [*NEW, "--answers", "a.toml"],
        1,
        "not valid TOML",
        write("a.toml", "x = "),
    ),
    Case(
        "answers-array",
        [*NEW, "--answers", "a.json"],
        1,
        "expected a JSON object",
        write("a.json", "[1]"),
    ),
    Case(
        "answers-unknown-key",
        [*NEW, "--answers", "a.toml"],
        1,
        "unknown key 'size'",
        write("a.toml", 'size = "x"'),
    ),
    Case(
        "answers-bad-value",
        [*NEW, "--answers", "a.toml"],
        1,
        "not a valid answer",
        write("a.toml", 'scale = "huge"'),
    ),
    Case(
        "answers-table-value",
        [*NEW, "--answers", "a.toml"],
        1,
        "not a table",
        write("a.toml", "[scale]\nx = 1"),
    ),
    Case(
        "answers-list-value",
        [*NEW, "--answers", "a.toml"],
        1,
        "not a list",
        write("a.toml", "scale = [1]"),
    ),
    Case(
        "answers-beside-table",
        [*NEW, "--answers", "a.toml"],
        1,
        "beside an [answers] table",
        write("a.toml", 'scale = "large"\n[answers]\ndeployment = "none"\n'),
    ),
    Case(
        "answers-not-utf8",
        [*NEW, "--answers", "a.toml"],
        1,
        "not UTF-8",
        write("a.toml", b"scale = '\xff'"),
    ),
    Case(
        "answers-bom",
        [*NEW, "--answers", "a.toml"],
        0,
        "",
        write("a.toml", b'\xef\xbb\xbfscale = "large"\n'),
        changes=True,
    ),
    Case(
        "save-to-fifo", ["advise", "--defaults", "--save", "p"], 1, "not a regular file", fifo("p")
    ),
    Case(
        "save-to-folder",
        ["advise", "--defaults", "--save", "d"],
        1,
        "not a regular file",
        folder("d"),
    ),
    Case(
        "pyproject-fifo",
        ["smoke", "proj"],
        0,
        "",
        both(
            fake_project(
                "proj", '[project]\npackage = "fake"\nframework = "no_such_fw"\ntask = "r"\n'
            ),
            fifo("proj/pyproject.toml"),
        ),
    ),
    # --- numbers --------------------------------------------------------------------------
    Case("timeout-nan", [*NEW, "--timeout", "nan"], 2, "not a finite number"),
    Case("timeout-inf", [*NEW, "--timeout", "inf"], 2, "not a finite number"),
    Case("timeout-negative", [*NEW, "--timeout", "-1"], 2, "--timeout"),
    Case("timeout-zero", ["smoke", ".", "--timeout", "0"], 2, "--timeout"),
    Case("timeout-text", ["env", "--timeout", "soon"], 2, "--timeout"),
    Case("env-timeout-nan", ["env", "--timeout", "nan"], 2, "not a finite number"),
    # The same bad number is the same usage error (exit 2) in every command.
    Case("bench-timeout-nan", ["bench", "--timeout", "nan"], 2, "not a finite number"),
    Case("smoke-timeout-inf", ["smoke", ".", "--timeout", "inf"], 2, "not a finite number"),
    Case("timeout-too-big", [*NEW, "--timeout", "1e999"], 2, "too big"),
    Case("bench-timeout-too-big", ["bench", "--timeout", "1e999"], 2, "too big"),
    Case("bench-seconds-nan", ["bench", "--seconds", "nan"], 2, "not a finite number"),
    Case("bench-steps-too-big", ["bench", "--steps", "1" + "0" * 30], 2, "too big"),
    Case("bench-task-unknown", ["bench", "--task", "detection"], 2, "--task"),
    # --- --python ---------------------------------------------------------------------------
    Case("python-missing", [*NEW, "--python", "/no/such/python"], 1, "no such file"),
    Case("python-not-on-path", [*NEW, "--python", "no-such-python-3"], 1, "not found on PATH"),
    Case("python-folder", [*NEW, "--python", "d"], 1, "is a folder", folder("d")),
    Case("python-not-executable", [*NEW, "--python", "p"], 1, "is not executable", write("p")),
    Case("python-false", [*NEW, "--python", "/bin/false"], 1, "not a working Python"),
    Case("python-true", [*NEW, "--python", "/bin/true"], 1, "not a working Python"),
    Case(
        "python-hangs",
        [*NEW, "--python", "./p", "--timeout", "1"],
        1,
        "did not answer within 1s",
        script("p", HANG),
    ),
    Case(
        "python-no-shebang",
        [*NEW, "--python", "./p"],
        1,
        "cannot run it",
        script("p", "not a program"),
    ),
    Case(
        "smoke-python-false",
        ["smoke", "proj", "--python", "/bin/false"],
        1,
        "not a working Python",
        fake_project("proj", FAKE_MARKER, printing(GOOD_REPORT)),
    ),
    Case(
        "smoke-python-relative",
        ["smoke", "proj", "--python", "./py"],
        0,
        "",
        both(fake_project("proj", FAKE_MARKER, printing(GOOD_REPORT)), link("py", sys.executable)),
    ),
    Case("env-python-false", ["env", "--python", "/bin/false"], 1, "not a working Python"),
    Case("env-python-missing", ["env", "--python", "/no/such/python", "--json"], 1, "no such file"),
    # --- choices and usage --------------------------------------------------------------------
    Case("framework-unknown", ["new", "demo", "--framework", "jax"], 2, "unknown framework 'jax'"),
    Case("task-unknown", ["new", "demo", "-f", "torch", "--task", "detection"], 2, "--task"),
    Case(
        "smoke-mode-unknown",
        ["new", "demo", "-f", "torch", "--smoke", "sometimes"],
        2,
        "--smoke require",
    ),
    Case("device-unknown", [*NEW, "--device", "tpu"], 2, "--device"),
    Case("option-unknown", [*NEW, "--frobnicate"], 2, "No such option"),
    Case("command-unknown", ["frobnicate"], 2, "No such command"),
    Case("auto-no-terminal", ["new", "demo", "--no-smoke"], 1, "missing answers"),
    # --- fwpick smoke on broken projects ---------------------------------------------------------
    Case("smoke-not-project", ["smoke", "."], 1, "is not a project generated by fwpick"),
    Case("smoke-missing-path", ["smoke", "nope"], 1, "no such folder"),
    Case(
        "marker-bad-bytes",
        ["smoke", "proj"],
        1,
        "not UTF-8",
        fake_project("proj", b"\xff\xfe[project]"),
    ),
    Case(
        "marker-not-toml", ["smoke", "proj"], 1, "not valid TOML", fake_project("proj", "[project")
    ),
    Case(
        "marker-wrong-types",
        ["smoke", "proj"],
        1,
        "must be names",
        fake_project("proj", "[project]\npackage = 3\nframework = []\ntask = {}\n"),
    ),
    Case(
        "marker-no-project",
        ["smoke", "proj"],
        1,
        "lacks [project]",
        fake_project("proj", 'answers = "x"\n'),
    ),
    Case("marker-is-folder", ["smoke", "proj"], 1, "is not a project", folder("proj/.fwpick.toml")),
    Case(
        "marker-path-package",
        ["smoke", "proj"],
        1,
        "must be names",
        fake_project("proj", '[project]\npackage = "../../x"\nframework = "json"\ntask = "r"\n'),
    ),
    Case(
        "report-bare-passed",
        ["smoke", "proj"],
        3,
        "lacks framework",
        fake_project("proj", FAKE_MARKER, printing({"status": "passed"})),
    ),
    Case(
        "report-wrong-types",
        ["smoke", "proj"],
        3,
        "steps must be a whole number",
        fake_project("proj", FAKE_MARKER, bad_report(steps="12")),
    ),
    Case(
        "report-device-type",
        ["smoke", "proj"],
        3,
        "device must be",
        fake_project("proj", FAKE_MARKER, bad_report(device="cpu")),
    ),
    Case(
        "report-no-evidence",
        ["smoke", "proj"],
        3,
        "checkpoint round trip",
        fake_project("proj", FAKE_MARKER, bad_report(checkpoint_roundtrip=None)),
    ),
    Case(
        "report-loss-rises",
        ["smoke", "proj"],
        3,
        "loss falling",
        fake_project("proj", FAKE_MARKER, bad_report(loss_last=2.0)),
    ),
    Case(
        "report-unknown-status",
        ["smoke", "proj"],
        3,
        "unknown status",
        fake_project("proj", FAKE_MARKER, bad_report(status="great")),
    ),
    Case(
        "report-not-object",
        ["smoke", "proj"],
        3,
        "not a JSON object",
        fake_project("proj", FAKE_MARKER, printing([1, 2])),
    ),
    Case(
        "report-other-framework",
        ["smoke", "proj"],
        3,
        "the report is for 'torch'",
        fake_project("proj", FAKE_MARKER, bad_report(framework="torch")),
    ),
    Case(
        "report-missing-entry",
        ["smoke", "proj"],
        3,
        "has no smoke entry",
        both(fake_project("proj", FAKE_MARKER), write("proj/src/fake/__init__.py", "")),
    ),
    Case(
        "report-import-error",
        ["smoke", "proj"],
        3,
        "on an import error: ModuleNotFoundError",
        fake_project("proj", FAKE_MARKER, "import no_such_module_here\n"),
    ),
    Case(
        "report-crash",
        ["smoke", "proj"],
        3,
        "was killed by SIGABRT",
        fake_project("proj", FAKE_MARKER, "import os\nos.abort()\n"),
    ),
    Case(
        "report-passed-json-ok",
        ["smoke", "proj", "--json"],
        0,
        "",
        fake_project("proj", FAKE_MARKER, printing(GOOD_REPORT)),
    ),
    # --- bench --save: checked before measuring, never replacing what is not a file ------------
    Case(
        "bench-save-link",
        [*BENCH, "--save", "r.md"],
        1,
        "it is a symbolic link",
        link("r.md", "precious.txt"),
    ),
    Case(
        "bench-save-link-force",
        [*BENCH, "--save", "r.md", "--force"],
        1,
        "it is a symbolic link",
        link("r.md", "precious.txt"),
    ),
    Case(
        "bench-save-dangling-link",
        [*BENCH, "--save", "r.md"],
        1,
        "it is a symbolic link",
        link("r.md", "/nonexistent/r.md"),
    ),
    Case("bench-save-fifo", [*BENCH, "--save", "r.md"], 1, "it is a FIFO", fifo("r.md")),
    Case(
        "bench-save-fifo-force",
        [*BENCH, "--save", "r.md", "--force"],
        1,
        "it is a FIFO",
        fifo("r.md"),
    ),
    Case("bench-save-dev-null", [*BENCH, "--save", "/dev/null"], 1, "it is a character device"),
    Case(
        "bench-save-dev-null-force",
        [*BENCH, "--save", "/dev/null", "--force"],
        1,
        "it is a character device",
    ),
    Case("bench-save-folder", [*BENCH, "--save", "d"], 1, "it is a folder", folder("d")),
    Case(
        "bench-save-exists",
        [*BENCH, "--save", "precious.txt"],
        1,
        "exists; pass --force to keep it as precious.txt.orig",
    ),
    Case("bench-save-no-folder", [*BENCH, "--save", "nope/r.md"], 1, "nope is not a folder"),
    Case(
        "bench-save-under-file",
        [*BENCH, "--save", "precious.txt/r.md"],
        1,
        "precious.txt is not a folder",
    ),
    Case("bench-save-json", [*BENCH, "--save", "r.md", "--json"], 1, "it is a FIFO", fifo("r.md")),
    # --- bench's other inputs -----------------------------------------------------------------
    Case(
        "bench-python-hangs",
        ["bench", "--python", "./p", "--timeout", "1"],
        1,
        "did not answer within 1s",
        script("p", HANG),
    ),
    Case(
        "bench-marker-fifo",
        ["bench", "--project", "proj"],
        1,
        "is not a regular file",
        both(folder("proj"), fifo("proj/.fwpick.toml")),
    ),
    Case(
        "bench-marker-binary",
        ["bench", "--project", "proj"],
        1,
        "is not UTF-8 text",
        fake_project("proj", bytes(range(256))),
    ),
    Case(
        "bench-marker-huge-int",
        ["bench", "--project", "proj"],
        1,
        "holds a number too big to read",
        fake_project("proj", FAKE_MARKER + "[answers]\nscale = " + HUGE_INT + "\n"),
    ),
    Case(
        "smoke-marker-huge-int",
        ["smoke", "proj"],
        1,
        "holds a number too big to read",
        fake_project("proj", FAKE_MARKER + "[answers]\nscale = " + HUGE_INT + "\n"),
    ),
    Case("bench-seconds-inf", ["bench", "--seconds", "inf"], 2, "not a finite number"),
    Case("env-timeout-1e300", ["env", "--timeout", "1e300"], 2, "too big"),
    # --- numbers too big, values too long --------------------------------------------------
    Case("steps-huge-int", ["bench", "--steps", HUGE_INT], 2, "a 5000-digit number is too big"),
    Case("steps-huge-negative", ["bench", "--steps", "-" + HUGE_INT], 2, "is too small"),
    Case("timeout-huge-int", [*NEW, "--timeout", HUGE_INT], 2, "(5000 characters) is too big"),
    Case(
        "answers-int-too-big",
        [*NEW, "--answers", "a.json"],
        1,
        "scale is a number too big to be an answer",
        write("a.json", '{"scale": ' + "9" * 30 + "}"),
    ),
    Case(
        "answers-long-value",
        [*NEW, "--answers", "a.toml"],
        1,
        "(60002 characters) is not a valid answer for scale",
        write("a.toml", 'scale = "' + "x" * 60_000 + '"\n'),
    ),
    Case("flag-long-value", [*NEW, "--scale", "x" * 60_000], 2, "(60002 characters) is not a"),
    Case("device-long-value", [*NEW, "--device", "x" * 5000], 2, "(5002 characters) is not one"),
    # --- stdout that cannot be written ------------------------------------------------------
    Case(
        "stdout-full",
        ["advise", "--defaults"],
        1,
        "cannot write to stdout: No space left on device",
        stdout_errno=errno.ENOSPC,
    ),
    Case(
        "stdout-full-json",
        ["advise", "--defaults", "--json"],
        1,
        "cannot write to stdout: No space left on device",
        stdout_errno=errno.ENOSPC,
    ),
    Case(
        "stdout-full-help",
        ["advise", "--help"],
        1,
        "cannot write to stdout: No space left on device",
        stdout_errno=errno.ENOSPC,
    ),
    Case("stdout-closed", ["advise", "--sources"], 0, "", stdout_errno=errno.EPIPE),
    Case("stdout-closed-json", ["advise", "--defaults", "--json"], 0, "", stdout_errno=errno.EPIPE),
    Case("stdout-closed-help", ["--help"], 0, "", stdout_errno=errno.EPIPE),
    Case(
        "stdout-closed-after-error",
        ["new", "json", "-f", "torch", "--json"],
        1,
        "would shadow the standard-library module",
        stdout_errno=errno.EPIPE,
    ),
    # --- a child's traceback stays behind --verbose ---------------------------------------------
    Case(
        "smoke-no-cuda",
        ["smoke", "proj", "--device", "cuda"],
        3,
        "no CUDA device is visible",
        fake_project("proj", FAKE_MARKER, NO_CUDA),
    ),
    Case(
        "smoke-no-cuda-verbose",
        ["smoke", "proj", "--device", "cuda", "--verbose"],
        3,
        "Traceback (most recent call last)",
        fake_project("proj", FAKE_MARKER, NO_CUDA),
    ),
    # --- encodings ----------------------------------------------------------------------------
    Case(
        "ascii-stdout",
        [*NEW, "--description", "ünïcode → ok"],
        0,
        "",
        encoding="ascii",
        changes=True,
    ),
    Case(
        "ascii-stdout-json",
        [*NEW, "--description", "ünïcode", "--json"],
        0,
        "",
        encoding="ascii",
        changes=True,
    ),
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The user's folder, with a file of theirs that must survive every case."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "precious.txt").write_bytes(b"the user's own work\n")
    return home


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input(case: Case, home: Path) -> None:
    if case.setup:
        case.setup(home)
    before = snapshot(home)
    outcome = invoke(
        case.argv,
        cwd=home,
        env=case.env,
        encoding=case.encoding,
        stdout_errno=case.stdout_errno,
    )
    assert outcome.code == case.code, outcome.stderr + outcome.stdout
    # fwpick's own traceback never shows; a failed smoke test's child's only with --verbose.
    assert "Traceback" not in outcome.stderr
    assert "--verbose" in case.argv or "Traceback" not in outcome.stdout
    if case.code == 1:
        lines = outcome.stderr.strip().splitlines()
        if case.stdout_errno == errno.EPIPE:  # the error, then nothing about the reader leaving
            assert len(lines) == 1, outcome.stderr
        assert lines[0].startswith("error: ") and len(lines) <= 2, outcome.stderr
        assert case.fragment in lines[0] or case.fragment in lines[-1]
        assert len(lines[0]) <= MAX_MESSAGE + len("error: "), "long values are cut"
    elif case.code == 0 and case.stdout_errno is not None:
        assert outcome.stderr == "", "a reader that left early is no error"
    elif case.code in (2, 3):
        # Words only: a table cell or the usage box may wrap the message at any space.
        words = " ".join((outcome.stderr + outcome.stdout).replace("│", " ").split())
        assert case.fragment in words, outcome.stderr + outcome.stdout
    if "--json" in case.argv and case.stdout_errno is None:
        document = json.loads(outcome.stdout)
        if case.code in (1, 2):
            assert document["error"]["exit_code"] == case.code
            assert case.fragment in document["error"]["message"]
    if not case.changes:
        assert snapshot(home) == before
    else:
        after = snapshot(home)
        assert {k: v for k, v in after.items() if k in before} == before
        assert all(key.startswith("demo") for key in set(after) - set(before))
        assert not any("fwpick-" in key for key in after)


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 160


def test_json_mode_turns_every_error_into_one_document(home: Path) -> None:
    for argv, code in (
        ([*NEW, "--json", "--frobnicate"], 2),
        (["new", "json", "-f", "torch", "--json"], 1),
        ([*NEW, "--json", "--timeout", "nan"], 2),
        (["smoke", "nope", "--json"], 1),
    ):
        outcome = invoke(argv, cwd=home)
        assert outcome.code == code, outcome.stderr
        document = json.loads(outcome.stdout)
        assert set(document) == {"error"} and document["error"]["exit_code"] == code
        assert outcome.stderr.startswith("error: ")


def test_a_deleted_working_folder_is_one_line(home: Path) -> None:
    gone = home / "gone"
    gone.mkdir()
    before = snapshot(home)
    here = os.getcwd()
    os.chdir(gone)
    try:
        gone.rmdir()  # a shell whose folder was deleted under it runs fwpick there
        outcome = invoke(NEW, cwd=None)
    finally:
        os.chdir(here)
    assert outcome.code == 1, outcome.stderr
    assert outcome.stderr.strip() == (
        "error: the current folder no longer exists; cd to a folder that does, "
        "or pass --dir with an absolute path"
    )
    assert snapshot(home) == {k: v for k, v in before.items() if k != "gone"}


def test_undecodable_argv_and_an_ascii_terminal_in_a_real_process(home: Path) -> None:
    # Bytes that are not UTF-8 in argv reach Python as surrogates; an ASCII-only stdout
    # cannot show "ü". Both are one line or a readable result, never a traceback.
    base = [os.fsencode(sys.executable), b"-m", b"fwpick"]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "ascii"}
    bad = subprocess.run(
        [*base, b"new", b"demo\xff", b"-f", b"torch", b"--no-smoke"],
        cwd=home,
        env=env,
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith(b"error: project name 'demo\\udcff' must start with a letter")
    ok = subprocess.run(
        [
            *base,
            b"new",
            b"demo",
            b"-f",
            b"torch",
            b"--no-smoke",
            b"--no-git",
            b"--description",
            "d\u00fcn \u2192".encode(),
            b"--json",
        ],
        cwd=home,
        env=env,
        capture_output=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["project"] == str(home / "demo")
    assert "dün →" in (home / "demo/pyproject.toml").read_text(encoding="utf-8")


def test_new_into_the_empty_folder_you_are_standing_in_fills_it(home: Path) -> None:
    # `mkdir proj && cd proj && fwpick new proj --dir ..` used to delete proj.
    proj = home / "proj"
    proj.mkdir()
    inode = proj.stat().st_ino
    outcome = invoke(
        ["new", "proj", "-f", "torch", "--no-smoke", "--no-git", "--dir", ".."], cwd=proj
    )
    assert outcome.code == 0, outcome.stderr
    assert proj.stat().st_ino == inode  # the very folder the shell stands in
    assert (proj / "src/proj/train.py").is_file()
    assert sorted(os.listdir(home)) == ["precious.txt", "proj"]
    assert not [name for name in os.listdir(proj) if "fwpick-" in name]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_or_closed_stdout_in_a_real_process(home: Path) -> None:
    # The real interpreter: its own final flush of stdout must not fail a second time
    # ("Exception ignored ... BrokenPipeError"), and no traceback may reach stderr.
    base = [sys.executable, "-m", "fwpick"]
    env = {**os.environ, "NO_COLOR": "1"}
    with open("/dev/full", "w") as full:
        for argv in (["advise", "--defaults", "--json"], ["advise", "--sources"], ["--help"]):
            done = subprocess.run(
                [*base, *argv], cwd=home, env=env, stdout=full, stderr=subprocess.PIPE, check=False
            )
            assert done.returncode == 1, argv
            assert done.stderr == b"error: cannot write to stdout: No space left on device\n"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before a byte was written: every write is EPIPE
    try:
        for argv, code in (
            (["advise", "--sources"], 0),
            (["advise", "--defaults", "--explain"], 0),
            (["new", "json", "-f", "torch", "--json"], 1),
        ):
            done = subprocess.run(
                [*base, *argv],
                cwd=home,
                env=env,
                stdout=write_end,
                stderr=subprocess.PIPE,
                check=False,
            )
            assert done.returncode == code, (argv, done.stderr)
            assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
            assert len(done.stderr.splitlines()) == code, done.stderr  # none, or the error
    finally:
        os.close(write_end)
    assert sorted(os.listdir(home)) == ["precious.txt"]


@pytest.mark.slow
@pytest.mark.torch
@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or sys.platform == "darwin",
    reason="needs torch, on a machine without Apple MPS",
)
def test_new_hides_the_smoke_tests_traceback_unless_verbose(home: Path) -> None:
    # `--device mps` where there is none: the report's error names the cause in one line.
    argv = ["new", "demo", "-f", "torch", "--no-git", "--device", "mps"]
    quiet = invoke(argv, cwd=home)
    assert quiet.code == 3, quiet.stderr
    assert "Traceback" not in quiet.stdout + quiet.stderr
    assert "mps" in " ".join(quiet.stdout.split()).lower()
    assert "shown with --verbose" in quiet.stderr
    verbose = invoke(["new", "demo2", *argv[2:], "--verbose"], cwd=home)
    assert verbose.code == 3, verbose.stderr
    assert "Traceback (most recent call last)" in verbose.stdout
