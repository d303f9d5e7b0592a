"""Realistic users, each with the pick an expert makes and the reason that must show.

Rows: who, the answers that differ from the defaults (hardware cpu unless said), the
framework between the two, the verdict beyond the two (`instead`, or None), the
confidence, and what must decide or show: a scoring rule favouring the pick, a
constraint, or (with `instead`) the verdict itself.
"""

from __future__ import annotations

import pytest

from fwpick.advice.advisor import recommend
from fwpick.advice.knowledge import knowledge

KB = knowledge()

# fmt: off
PERSONAS = [
    # --- research and learning
    ("student learning deep learning on a laptop",
     {"scale": "small", "prototyping": "high", "experience": "beginner"},
     "torch", None, "high", "experience-beginner"),
    ("researcher trying new vision architectures on NVIDIA",
     {"prototyping": "high", "experience": "expert", "domain": "vision", "hardware": "nvidia"},
     "torch", None, "medium", "prototyping-high"),
    ("scientific-ML researcher, no team stack",
     {"prototyping": "high", "experience": "expert", "hardware": "nvidia"},
     "torch", None, "medium", "prototyping-high"),
    ("JAX research team on GPUs",
     {"prototyping": "high", "familiar": "jax", "experience": "expert", "hardware": "nvidia"},
     "torch", "JAX", "medium", "jax-team"),
    ("hobbyist with an RTX card on native Windows, first model",
     {"experience": "beginner", "hardware": "nvidia", "os": "windows"},
     "torch", None, "high", "hardware-nvidia-windows"),
    # --- industry, LLMs and servers
    ("team fine-tuning Hugging Face LLMs for a service",
     {"scale": "large", "deployment": "server", "experience": "expert", "start": "pretrained",
      "domain": "language", "hardware": "nvidia"},
     "torch", None, "high", "start-pretrained"),
    ("the same LLM team, already on PyTorch",
     {"scale": "large", "deployment": "server", "experience": "expert", "start": "pretrained",
      "domain": "language", "hardware": "nvidia", "familiar": "torch"},
     "torch", None, "high", "familiar-torch"),
    ("TensorFlow team moving to Hugging Face LLM fine-tuning",
     {"deployment": "server", "experience": "expert", "familiar": "tensorflow",
      "start": "pretrained", "domain": "language", "hardware": "nvidia"},
     "torch", None, "medium", "domain-language"),
    ("TensorFlow team pretraining a 70B LLM on NVIDIA",
     {"scale": "large", "experience": "expert", "familiar": "tensorflow", "domain": "language",
      "hardware": "nvidia"},
     "torch", None, "high", "llm-pretraining"),
    ("PyTorch team training recommendation models across many machines",
     {"scale": "large", "deployment": "server", "experience": "expert", "familiar": "torch",
      "hardware": "nvidia"},
     "torch", None, "medium", "familiar-torch"),
    ("enterprise TensorFlow team serving a settled ranking model at scale",
     {"scale": "large", "prototyping": "low", "deployment": "server", "experience": "expert",
      "familiar": "tensorflow", "hardware": "nvidia"},
     "tensorflow", None, "high", "familiar-tensorflow"),
    ("speech team fine-tuning Whisper for a service",
     {"deployment": "server", "start": "pretrained", "domain": "audio", "hardware": "nvidia"},
     "torch", None, "high", "start-pretrained"),
    ("team on AMD Instinct GPUs training its own model",
     {"prototyping": "high", "hardware": "amd"},
     "torch", None, "medium", "hardware-amd"),
    # --- edge, mobile, microcontrollers
    ("firmware team putting a keyword spotter on a microcontroller",
     {"scale": "small", "prototyping": "low", "deployment": "embedded", "domain": "audio"},
     "tensorflow", None, "medium", "microcontroller"),
    ("PyTorch team targeting Cortex-M with an Ethos-U NPU",
     {"scale": "small", "deployment": "embedded", "familiar": "torch", "domain": "vision"},
     "torch", None, "medium", "microcontroller-pytorch-team"),
    ("robotics team running detection on a Jetson Orin",
     {"deployment": "edge-gpu", "start": "pretrained", "domain": "vision", "hardware": "nvidia"},
     "torch", None, "high", "jetson"),
    ("TensorFlow team shipping a settled model to Jetson",
     {"prototyping": "low", "deployment": "edge-gpu", "familiar": "tensorflow",
      "hardware": "nvidia"},
     "tensorflow", None, "medium", "familiar-tensorflow"),
    ("TensorFlow team shipping a settled model on phones",
     {"prototyping": "low", "deployment": "mobile", "familiar": "tensorflow", "domain": "vision"},
     "tensorflow", None, "high", "familiar-tensorflow"),
    ("Android app fine-tuning a pretrained image model",
     {"prototyping": "low", "deployment": "mobile", "start": "pretrained", "domain": "vision"},
     "torch", None, "high", "start-pretrained"),
    # --- browser
    ("JavaScript team running a pretrained model in the browser",
     {"scale": "small", "deployment": "browser", "start": "pretrained", "domain": "vision"},
     "torch", "a JavaScript runtime (transformers.js, ONNX Runtime Web, LiteRT.js)", "low",
     "javascript-runtime"),
    ("web developer training a small model of their own for the browser",
     {"scale": "small", "prototyping": "low", "deployment": "browser", "experience": "expert"},
     "tensorflow", None, "low", "deployment-browser"),
    # --- TPU
    ("startup training a settled model on Cloud TPUs at scale",
     {"scale": "large", "prototyping": "low", "experience": "expert", "hardware": "tpu"},
     "tensorflow", "JAX (MaxText, Flax)", "medium", "jax-tpu"),
    ("JAX team pretraining an LLM on TPU pods",
     {"scale": "large", "experience": "expert", "familiar": "jax", "domain": "language",
      "hardware": "tpu"},
     "torch", "JAX", "medium", "jax-team"),
    ("PyTorch team moving its training to Cloud TPUs",
     {"scale": "large", "familiar": "torch", "experience": "expert", "hardware": "tpu"},
     "torch", None, "medium", "familiar-torch"),
    # --- Apple
    ("Mac user fine-tuning a pretrained image model",
     {"scale": "small", "start": "pretrained", "domain": "vision", "hardware": "apple"},
     "torch", None, "high", "hardware-apple"),
    ("Mac developer fine-tuning an LLM locally",
     {"scale": "small", "start": "pretrained", "domain": "language", "hardware": "apple"},
     "torch", "MLX (mlx-lm)", "medium", "mlx"),
    # --- tabular
    ("data scientist with a small churn table",
     {"scale": "small", "domain": "tabular"},
     "torch", "TabPFN or gradient-boosted trees", "low", "tabpfn"),
    ("bank risk team, TensorFlow shop, large tables",
     {"scale": "large", "deployment": "server", "familiar": "tensorflow", "domain": "tabular"},
     "tensorflow", "gradient-boosted trees (XGBoost, LightGBM, CatBoost)", "low",
     "gradient-boosting"),
    # --- time series
    ("retail demand forecasting for a service",
     {"deployment": "server", "domain": "timeseries"},
     "torch", "statistical models and gradient boosting (statsforecast, LightGBM)", "low",
     "statistical-forecasting"),
    ("energy team forecasting with pretrained models (Chronos)",
     {"start": "pretrained", "domain": "timeseries", "hardware": "nvidia"},
     "torch", None, "high", "start-pretrained"),
]
# fmt: on


def _recommend(answers: dict[str, str]):  # type: ignore[no-untyped-def]
    given = {**KB.defaults, "hardware": "cpu", **answers}
    windows = given.pop("os", "other") == "windows"
    return recommend(given, windows=windows)


def test_the_table_covers_every_kind_of_user() -> None:
    assert len(PERSONAS) >= 25
    answered = {
        key: {row[1].get(key) for row in PERSONAS} for key in ("deployment", "domain", "hardware")
    }
    assert {"edge-gpu", "embedded", "browser", "mobile", "server"} <= answered["deployment"]
    assert {"tabular", "timeseries", "language", "vision", "audio"} <= answered["domain"]
    assert {"tpu", "apple", "amd", "nvidia"} <= answered["hardware"]


@pytest.mark.parametrize(
    ("who", "answers", "framework", "instead", "confidence", "must_show"),
    PERSONAS,
    ids=[row[0] for row in PERSONAS],
)
def test_persona(
    who: str,
    answers: dict[str, str],
    framework: str,
    instead: str | None,
    confidence: str,
    must_show: str,
) -> None:
    result = _recommend(answers)
    assert result.framework == framework, (who, result.scores, result.decided_by)
    assert (result.instead.name if result.instead else None) == instead, who
    assert result.confidence == confidence, (who, result.scores, result.decided_by)
    if instead is not None:
        assert result.instead is not None and result.instead.id == must_show
        assert result.instead.sources
    elif result.decided_by.kind == "constraint":
        assert result.decided_by.id == must_show, who
    else:
        reason = next(r for r in result.reasons if r.rule == must_show)
        assert reason.favours == framework, (who, reason)
    assert len(result.flips) <= 5


def test_the_reasons_that_must_not_count_do_not() -> None:
    # The Whisper ecosystem says nothing about a keyword spotter trained from scratch,
    # and "built to scale" nothing about language models at scale.
    spotter = _recommend(PERSONAS[13][1])
    assert "domain-audio-pretrained" not in {r.rule for r in spotter.reasons}
    llm = _recommend(PERSONAS[5][1])
    assert "scale-large" not in {r.rule for r in llm.reasons}
    assert "scale-large" in {s.rule for s in llm.set_aside}
    # A microcontroller's verdict does not hang on the accelerator used for training.
    assert all(flip.criterion != "hardware" for flip in spotter.flips)
