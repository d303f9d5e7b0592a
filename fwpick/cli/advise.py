"""`fwpick advise`: the questions, the recommendation, its sources."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from fwpick.advice.advisor import advise as advise_answers
from fwpick.advice.answers import to_toml
from fwpick.base.errors import FwpickError
from fwpick.cli.failures import print_json
from fwpick.cli.options import (
    AnswersFileOption,
    DefaultsOption,
    Flags,
    JsonOption,
    question_flags,
)
from fwpick.cli.shared import answers_from
from fwpick.ui.consoles import err_console, out_console


@question_flags
def advise(
    answers: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    sources: Annotated[
        bool,
        typer.Option("--sources", help="list the evidence behind the advice and exit"),
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(help="write the final answers as TOML that --answers reads back"),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="show every criterion, the rules set aside and all notes"),
    ] = False,
    json_schema: Annotated[
        bool,
        typer.Option("--json-schema", help="print the JSON Schema of --json's output and exit"),
    ] = False,
    as_json: JsonOption = False,
    *,
    flags: Flags,
) -> None:
    """Recommend PyTorch or TensorFlow (or what fits better), every point explained."""
    if json_schema:
        from fwpick.advice.schema import advise_schema

        print_json(advise_schema())
        return
    if sources:
        _print_sources(as_json=as_json)
        return
    final = answers_from(flags, answers, use_defaults=defaults)
    result = advise_answers(final)
    if save:
        _save_answers(save, final)
    if as_json:
        print_json(result.to_json())
    else:
        from fwpick.ui.advice import advice

        out_console().print(advice(result, explain=explain))


def _print_sources(*, as_json: bool) -> None:
    from fwpick.advice.knowledge import knowledge

    kb = knowledge()
    if as_json:
        print_json(
            {
                "knowledge_date": kb.knowledge_date.isoformat(),
                "sources": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "url": s.url,
                        "registry": dataclasses.asdict(s.registry) if s.registry else None,
                    }
                    for s in kb.sources.values()
                ],
            }
        )
        return
    from fwpick.ui.advice import sources_list

    # crop=False: a URL longer than the terminal is printed whole, never cut.
    out_console().print(sources_list(list(kb.sources.values())), crop=False)
    out_console().print(f"Checked on {kb.knowledge_date.isoformat()}.", highlight=False)


def _save_answers(path: Path, answers: dict[str, str]) -> None:
    # A FIFO would block the write until someone reads it; a device is no answers file.
    if path.exists() and not path.is_file():
        raise FwpickError(f"cannot write answers to {path}: it is not a regular file")
    try:
        path.write_text(to_toml(answers), encoding="utf-8")
    except OSError as error:
        raise FwpickError(f"cannot write answers to {path}: {error.strerror}") from None
    err_console().print(f"answers saved to {path}", highlight=False)
