"""The embedded offline assistant model: pinned weights, the in-process llama.cpp engine and the
constrained JSON protocol that turns a small model's output into tool calls.

Import stays light: xllamacpp is only imported when a model is actually loaded.
"""
