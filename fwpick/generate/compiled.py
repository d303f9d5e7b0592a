"""Templates compiled ahead of time: the build writes them, the loader trusts only fresh ones.

Compiling the ~30 templates is about half of a `fwpick new --no-smoke` run (issue 16), so
the wheel's build hook (`.ci/hatch_build.py`) compiles them once into `templates/.compiled`:
one Python module per template in Jinja's `ModuleLoader` layout, so that pip byte-compiles
them at install like any other module, plus a manifest of the source each was compiled
from. A checkout keeps working while the templates are edited: a template whose source no
longer matches its manifest hash (or that the manifest does not know) is compiled from
source, as before, and so is every template when Jinja or the environment's settings
differ from the build's. Checking costs one small read and hash per template.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, MutableMapping
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

FOLDER = ".compiled"  # inside the templates folder; hidden, so no layer walk ever sees it
MANIFEST = "manifest.json"
FORMAT = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings(environment: jinja2.Environment) -> str:
    """What, besides the source, shapes a compiled template: Jinja's version and the options."""
    autoescape = environment.autoescape
    fields: list[Any] = [
        jinja2.__version__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        autoescape if isinstance(autoescape, bool) else getattr(autoescape, "__qualname__", "?"),
        sorted(environment.extensions),
        sorted(environment.filters),
        sorted(environment.tests),
    ]
    return _digest(json.dumps(fields).encode())


def write(environment: jinja2.Environment, root: Path, target: Path) -> dict[str, str]:
    """Compile every `*.jinja` under `root` into the folder `target`, replacing it whole.

    Each template is read once, and that same text is both compiled and hashed, so an edit
    made during the build can only make the manifest disagree with the source (and that
    template is then compiled from source at run time), never pair old code with a new hash.
    Returns the manifest's {template name: source hash}.
    """
    names = environment.list_templates(filter_func=lambda name: name.endswith(".jinja"))
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
    try:
        hashes: dict[str, str] = {}
        for name in names:
            path = root.joinpath(*split_template_path(name))
            data = path.read_bytes()
            # Decoded exactly as FileSystemLoader reads it (text mode: universal newlines).
            source = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
            # defer_init: the module can be imported before an environment exists, which is
            # what ModuleLoader needs; the name stands in for the path, so the build
            # machine's folders do not end up in the wheel.
            code = environment.compile(source, name, name, raw=True, defer_init=True)
            module = staged / jinja2.ModuleLoader.get_module_filename(name)
            module.write_text(code, encoding="utf-8")
            hashes[name] = _digest(data)
        manifest = {"format": FORMAT, "settings": settings(environment), "templates": hashes}
        # The manifest goes last: a folder without one is never used.
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        _replace(staged, target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return hashes


def _replace(staged: Path, target: Path) -> None:
    """Swap `staged` in for `target`: a running fwpick sees the old set, none, or the new."""
    old = Path(tempfile.mkdtemp(prefix=f"{target.name}.old.", dir=target.parent))
    try:
        with contextlib.suppress(FileNotFoundError):
            os.replace(target, old / target.name)
        try:
            os.replace(staged, target)
        except OSError:
            if not (target / MANIFEST).is_file():
                raise
            # A build running beside this one (two test workers) put its own set in place
            # since: as good as this one, and each template is checked at load anyway.
            shutil.rmtree(staged, ignore_errors=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)


class CompiledLoader(jinja2.BaseLoader):
    """Each template from its compiled module while its source is unchanged, else from source."""

    def __init__(self, root: Path, compiled: Path) -> None:
        self.root = root
        self.compiled = compiled
        self.source = jinja2.FileSystemLoader(str(root))
        self._hashes: dict[str, str] | None = None  # read at the first load

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The template's source text (for Jinja's own tools and error messages)."""
        return self.source.get_source(environment, template)

    def list_templates(self) -> list[str]:
        """Every template name in the source folder."""
        return self.source.list_templates()

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        """The compiled template when its source is the one it was compiled from."""
        if self.fresh(environment, name):
            # A build replacing the folder right now can take the module away: compile.
            with contextlib.suppress(OSError, ImportError):
                template = self._from_module(environment, name, globals)
                # What from_code's `uptodate` does for a source template: the environment's
                # cache asks before reusing it, so an edit in a long-lived process (a test
                # session) is seen there too. ModuleLoader leaves it unset ("never stale").
                template._uptodate = functools.partial(self.fresh, environment, name)
                return template
        return self.source.load(environment, name, globals)

    def _from_module(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None,
    ) -> jinja2.Template:
        """The template from its compiled module, as jinja2.ModuleLoader loads it.

        Its code is read the way `import` reads a module (the byte-compiled `__pycache__`
        copy while it matches, which pip writes at install), but run in a namespace of its
        own instead of being imported: the import system's search and module bookkeeping
        were a third of loading the ~40 templates of a `new` (benchmarks/startup.py).
        """
        filename = jinja2.ModuleLoader.get_module_filename(name)
        path = str(self.compiled / filename)
        module = f"{__name__}.{filename.removesuffix('.py')}"
        code = SourceFileLoader(module, path).get_code(module)
        if code is None:  # only for a namespace package, which this never is
            raise ImportError(f"no code in {path}")
        namespace: dict[str, Any] = {"__name__": module, "__file__": path}
        exec(code, namespace)  # the module's body: defines root, blocks, debug_info
        return environment.template_class.from_module_dict(environment, namespace, globals or {})

    def fresh(self, environment: jinja2.Environment, name: str) -> bool:
        """Whether `name` has a compiled module made from its current source."""
        expected = self._manifest(environment).get(name)
        if expected is None:
            return False
        try:
            data = self.root.joinpath(*split_template_path(name)).read_bytes()
        except (OSError, jinja2.TemplateNotFound):
            return False  # the source loader says what is wrong with it
        return _digest(data) == expected

    def _manifest(self, environment: jinja2.Environment) -> dict[str, str]:
        if self._hashes is None:
            self._hashes = _read_manifest(self.compiled / MANIFEST, settings(environment))
        return self._hashes


def _read_manifest(path: Path, expected_settings: str) -> dict[str, str]:
    """{template name: source hash}; empty when missing, unreadable or from other settings."""
    try:
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("settings") != expected_settings
        or not isinstance(manifest.get("templates"), dict)
    ):
        return {}
    return {str(name): str(digest) for name, digest in manifest["templates"].items()}
