"""The JSON Schema (draft 2020-12) of `fwpick advise --json`, as plain data.

`fwpick advise --json-schema` prints it; tests/test_advise_schema.py validates real
outputs against it with `jsonschema` (a dev dependency: fwpick never imports it).
"""

from __future__ import annotations

from typing import Any

from fwpick.advice.knowledge import CONFIDENCES, knowledge
from fwpick.base.frameworks import FRAMEWORKS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all required but `optional`."""
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def advise_schema() -> dict[str, Any]:
    """The schema of the `fwpick advise --json` document, for this knowledge."""
    kb = knowledge()
    string = {"type": "string"}
    framework = {"enum": [str(f) for f in FRAMEWORKS]}
    confidence = {"enum": list(CONFIDENCES)}
    points = _object({str(f): {"type": "integer"} for f in FRAMEWORKS})
    sources = {"type": "array", "items": {"$ref": "#/$defs/source"}}
    answers = _object({q.id: {"enum": list(q.values)} for q in kb.questions})
    criterion = {"enum": [q.id for q in kb.questions]}
    return {
        "$schema": DRAFT,
        "$id": "https://github.com/fwpick/fwpick/advise.schema.json",
        "title": "fwpick advise --json",
        "type": "object",
        "$defs": {
            "source": _object({"id": string, "title": string, "url": string}),
            "reason": _object(
                {
                    "criterion": criterion,
                    "answer": string,
                    "rule": string,
                    "detected": {"type": "boolean"},
                    "favours": _nullable(framework),
                    "weight": {"type": "integer", "minimum": 0},
                    "decisive": {"type": "boolean"},
                    "points": points,
                    "short": string,
                    "why": string,
                    "sources": sources,
                }
            ),
            "flip": _object(
                {
                    "criterion": criterion,
                    "from": string,
                    "to": string,
                    "framework": framework,
                    "instead": _nullable(string),
                    "confidence": confidence,
                    "margin": {"type": "integer", "minimum": 0},
                    "decided_by": {"enum": ["constraint", "scores", "tie"]},
                    "tie": {"type": "boolean"},
                }
            ),
        },
        **_object(
            {
                "schema": {"const": kb.schema},
                "framework": framework,
                "instead": _nullable(
                    _object(
                        {
                            "name": string,
                            "why": string,
                            "sources": sources,
                            "confidence": confidence,
                        }
                    )
                ),
                "scores": points,
                "margin": {"type": "integer", "minimum": 0},
                "confidence": confidence,
                "decided_by": _object(
                    {
                        "kind": {"enum": ["constraint", "scores", "tie"]},
                        "id": _nullable(string),
                        "why": string,
                        "sources": sources,
                    }
                ),
                "answers": answers,
                "reasons": {"type": "array", "items": {"$ref": "#/$defs/reason"}},
                "set_aside": {
                    "type": "array",
                    "items": _object({"rule": string, "criterion": criterion, "why": string}),
                },
                "flips": {"type": "array", "maxItems": 5, "items": {"$ref": "#/$defs/flip"}},
                "tie_break": _nullable(_object({"why": string, "sources": sources})),
                "detected": _nullable(
                    _object(
                        {
                            "hardware": {
                                "enum": [v for v in kb.question("hardware").values if v != "auto"]
                            },
                            "evidence": string,
                            "rocm_version": _nullable(string),
                        }
                    )
                ),
                "alternatives": {
                    "type": "array",
                    "items": _object({"name": string, "why": string, "sources": sources}),
                },
                "notes": {"type": "array", "items": _object({"code": string, "text": string})},
                "install": _object(
                    {"command": string, "note": string, "needed": {"type": "boolean"}}
                ),
                "next": string,
                "knowledge_date": {"type": "string", "format": "date"},
            }
        ),
    }
