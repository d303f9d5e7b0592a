"""Hatch build hook: compile the Jinja templates ahead of time for every wheel, editable too.

It writes `templates/.compiled` (git-ignored), which the wheel's force-include of
`templates` then carries in as `fwpick/templates/.compiled`; an editable install reads it
in place. The work is `fwpick.generate.render.compile_templates`, tested with the rest of
fwpick (tests/test_compiled_templates.py); this file is only the glue to hatchling.

Why here and not in `fwpick/`: it imports hatchling, a build-time tool that an installed
fwpick does not have, so inside the package it would be a module that cannot be imported
and would need excluding from the wheel, from mypy and from the import-linter graph.
`.ci/` already holds the project's build and CI machinery, and the sdist carries this file.
"""

from __future__ import annotations

import sys
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileTemplates(BuildHookInterface[BuilderConfig]):
    """Before the wheel's files are collected: compile templates/ into templates/.compiled."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile now, so the force-included `templates` folder carries the result."""
        # The tree being built, not whichever fwpick this interpreter may have installed.
        sys.path.insert(0, self.root)
        try:
            from fwpick.generate.render import compile_templates, templates_root

            compiled = compile_templates(templates_root())
        finally:
            sys.path.remove(self.root)
        self.app.display_info(f"compiled {len(compiled)} templates ahead of time")
