"""Reading an answers file (`--answers FILE`) safely: what the file may be, and its shape.

The file can be anything a user or a pipeline points at: a FIFO that never ends, a
device, a huge or deeply nested document, a number too big to print. base/userfile.py
reads it, with one line in the words below for each of those; this module checks the
shape, and answers.py then the keys and values against the questionnaire.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fwpick.base import userfile
from fwpick.base.errors import AnswersError

_WORDING = userfile.Wording(
    AnswersError,
    missing="answers file not found: {path}",
    no_folder="answers file not found: {path}",
    unreadable="cannot read answers file {path}: {detail}",
    folder="answers file {path} is a folder, not a file",
    not_regular="answers file {path} is not a regular file",
    too_large="answers file {path} is {detail} bytes; the limit is {limit}",
    grew="answers file {path} is larger than {limit} bytes",
    not_utf8="{path}: not UTF-8 text ({detail})",
    not_toml="{path}: not valid TOML: {detail}",
    too_deep="{path}: nested too deeply to be an answers file",
    number_too_big="{path}: a number in it is too big to be an answer",
)


def _decode(text: str, path: Path) -> Any:
    use_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    if not use_json:
        return userfile.load_toml(text, path, _WORDING)
    with userfile.parsing(path, _WORDING):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise AnswersError(
                f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: expected a JSON object of answers")
    return data


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

    A regular file of at most userfile.MAX_BYTES, UTF-8 with or without a BOM. A generated
    project's `.fwpick.toml` keeps its answers in an `[answers]` table, which is used
    then; an answer key beside that table would be ambiguous and is an error.
    """
    text = userfile.read_text(path, _WORDING)
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
