"""Errors of the embedded offline model; each message says what is wrong and how to fix it."""

from __future__ import annotations


class OfflineModelError(Exception):
    """Base class: anything that keeps the offline assistant from answering."""


class WeightsMissing(OfflineModelError):
    """The weights (or xllamacpp) are not installed, or a named model file does not exist."""


class WeightsCorrupt(OfflineModelError):
    """A model file exists but is not the pinned bytes (wrong size/hash) or not a GGUF at all."""


class RuntimeMissing(OfflineModelError):
    """xllamacpp is not importable."""


class ModelLoadFailed(OfflineModelError):
    """llama.cpp refused the file (unsupported architecture, out of memory …)."""
