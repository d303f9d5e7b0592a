"""fwpick: choose between TensorFlow and PyTorch, then start a project that runs."""

__version__ = "0.1.0"
