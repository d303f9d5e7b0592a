"""The framework registry: every fact about PyTorch and TensorFlow that the rest of fwpick reads.

Ids, spellings, display names, the distributions that install each one and the Python
versions it supports live here and nowhere else. Importing this module is free: it
imports no framework and nothing slow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    """One framework fwpick can advise on, generate and smoke-test."""

    id: str
    display_name: str
    import_name: str
    # Every spelling a user may type (case-insensitive), the id included.
    aliases: tuple[str, ...]
    # Distributions that provide `import_name`; the first is the canonical one.
    distributions: tuple[str, ...]
    # Oldest and newest CPython (inclusive) with wheels for the current release.
    python_support: tuple[tuple[int, int], tuple[int, int]]
    # The one-line install hint when nothing better is known about the machine.
    install_hint: str
    # What a generated project depends on: the range its templates are tested with.
    requirement: str
    # The checkpoint file a generated project's training writes into its run folder.
    checkpoint_name: str
    # How a generated project installs itself and its framework, run inside the project
    # (its README's quick start and fwpick's "Next:" lines show this same command).
    install_project: str


TORCH = Framework(
    id="torch",
    display_name="PyTorch",
    import_name="torch",
    aliases=("torch", "pytorch", "pt"),
    distributions=("torch",),
    # torch 2.13 wheels: CPython 3.10-3.14 (PyPI file list of torch 2.13.0).
    python_support=((3, 10), (3, 14)),
    install_hint="pip install torch  (CPU-only: add --index-url https://download.pytorch.org/whl/cpu)",
    requirement="torch>=2.7,<2.14",
    checkpoint_name="model.pt",
    install_project="python -m pip install -e '.[dev]'",
)
TENSORFLOW = Framework(
    id="tensorflow",
    display_name="TensorFlow",
    import_name="tensorflow",
    aliases=("tensorflow", "tf"),
    # tensorflow-cpu and tensorflow-macos install the same `tensorflow` module.
    distributions=("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel"),
    # TensorFlow 2.21 wheels: CPython 3.10-3.13 (PyPI file list of tensorflow 2.21.0);
    # on 3.10 pip pairs it with an older Keras 3, since Keras 3.15 needs 3.11+.
    python_support=((3, 10), (3, 13)),
    install_hint="pip install tensorflow  (no GPU: tensorflow-cpu is smaller)",
    requirement="tensorflow>=2.16,<2.22",
    checkpoint_name="model.keras",
    # TensorFlow comes as several distributions of one `tensorflow` module (CPU-only, CUDA,
    # macOS); a project that required `tensorflow` would pull the full build on top of
    # tensorflow-cpu. So the generated project names the build in an extra: cpu, gpu, mac.
    install_project="python -m pip install -e '.[cpu,dev]'",
)

REGISTRY: dict[str, Framework] = {f.id: f for f in (TORCH, TENSORFLOW)}
# The canonical ids, in the order fwpick shows them.
FRAMEWORKS: tuple[str, ...] = tuple(REGISTRY)
_BY_ALIAS = {alias: f.id for f in REGISTRY.values() for alias in f.aliases}


def canonical(raw: str) -> str | None:
    """The canonical id for any accepted spelling (case-insensitive), or None."""
    return _BY_ALIAS.get(raw.strip().lower())


def display_name(framework_id: str) -> str:
    """PyTorch or TensorFlow, for a canonical id."""
    return REGISTRY[framework_id].display_name


def spellings() -> str:
    """Every accepted spelling, for error messages: 'torch (pytorch, pt), tensorflow (tf)'."""
    return ", ".join(f"{f.id} ({', '.join(f.aliases[1:])})" for f in REGISTRY.values())
