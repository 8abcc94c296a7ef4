"""Sequence Maker: colour programs for LTX LED juggling balls, designed in sync with music."""

__version__ = "0.1.0"
