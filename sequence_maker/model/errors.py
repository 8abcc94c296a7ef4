"""Errors raised by the domain model."""


class ModelError(ValueError):
    """An edit or value would break a model invariant; the message says which and why."""
