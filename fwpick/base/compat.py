"""Shims for the Python versions fwpick supports (3.10+)."""

from __future__ import annotations

import sys

# tomllib is in the standard library from 3.11; tomli is the same parser before that.
if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["tomllib"]
