"""Reading an answers file (`--answers FILE`) safely: what the file may be, and its shape.

The file can be anything a user or a pipeline points at: a FIFO that never ends, a
device, a huge or deeply nested document, a number too big to print. Each of those is
one line of error here; answers.py then checks the keys and values against the
questionnaire.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from fwpick.base.compat import tomllib
from fwpick.base.errors import AnswersError

# An answers file is a handful of short lines; a .fwpick.toml a few hundred bytes.
MAX_BYTES = 64 * 1024


def _read_bytes(path: Path) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise AnswersError(f"answers file not found: {path}") from None
    except OSError as error:
        raise AnswersError(f"cannot read answers file {path}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise AnswersError(f"answers file {path} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO would wait for a writer forever; a device could stream forever.
        raise AnswersError(f"answers file {path} is not a regular file")
    if info.st_size > MAX_BYTES:
        raise AnswersError(f"answers file {path} is {info.st_size} bytes; the limit is {MAX_BYTES}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise AnswersError(f"cannot read answers file {path}: {error.strerror}") from None
    if len(data) > MAX_BYTES:
        raise AnswersError(f"answers file {path} is larger than {MAX_BYTES} bytes")
    return data


def _decode(text: str, path: Path) -> Any:
    use_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    try:
        if use_json:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise AnswersError(
                    f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: "
                    f"{error.msg}"
                ) from None
            if not isinstance(data, dict):
                raise AnswersError(f"{path}: expected a JSON object of answers")
            return data
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise AnswersError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise AnswersError(f"{path}: nested too deeply to be an answers file") from None
    except ValueError:
        # What json and tomllib let through: an integer longer than Python reads
        # (sys.get_int_max_str_digits(), 4300 digits by default).
        raise AnswersError(f"{path}: a number in it is too big to be an answer") from None


def _check_value(key: str, value: object, path: Path) -> object:
    if isinstance(value, dict | list):
        kind = "table" if isinstance(value, dict) else "list"
        raise AnswersError(f"{path}: {key} must be a single answer, not a {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswersError(f"{path}: {key} must be a finite number or text, not {value}")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise AnswersError(f"{path}: {key} is a number too big to be an answer")
    if not isinstance(value, str | int | float | bool):
        raise AnswersError(f"{path}: {key} must be text, not {type(value).__name__}")
    return value


def read_answers_file(path: Path) -> dict[str, object]:
    """The answers in `path` (TOML or JSON), unchecked against the questionnaire.

    A regular file of at most MAX_BYTES, UTF-8 with or without a BOM. A generated
    project's `.fwpick.toml` keeps its answers in an `[answers]` table, which is used
    then; an answer key beside that table would be ambiguous and is an error.
    """
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")  # -sig: a BOM that some editors write is fine
    except UnicodeDecodeError as error:
        raise AnswersError(
            f"{path}: not UTF-8 text (byte {error.start} is {raw[error.start]:#04x})"
        ) from None
    return parse_text(text, path)


def parse_text(text: str, path: Path) -> dict[str, object]:
    """Decode an answers file's text (TOML or JSON, by suffix) and check its shape."""
    data = _decode(text, path)
    if isinstance(data.get("answers"), dict):
        beside = [key for key, value in data.items() if not isinstance(value, dict)]
        if beside:
            raise AnswersError(
                f"{path}: {', '.join(beside)} given both at the top and beside an [answers] "
                "table; put every answer in one place"
            )
        data = data["answers"]
    return {str(key): _check_value(str(key), value, path) for key, value in data.items()}
