"""Shared checks and strategies for the reliability tests: project invariants, JSON mutation."""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import strategies as st

from sequence_maker.model import Project

#: Multiply every fuzz test's example count (e.g. ``SEQMAKER_FUZZ_SCALE=20`` for a deep nightly run).
FUZZ_SCALE = float(os.environ.get("SEQMAKER_FUZZ_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * FUZZ_SCALE))

#: Any JSON value, small: what a damaged or hostile file might hold where we expect something else.
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False),
                        st.text(max_size=12), st.sampled_from([-1, 0, 1, 1e308, -0.0, "", "red", "#FF0000", "1:30"]))
json_value = st.recursive(json_scalar,
                          lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                  st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)


def assert_project_valid(project: Project) -> None:
    """The domain invariants every loaded or edited project must hold."""
    assert project.duration_ms > 0 and project.balls is not None
    for ball in project.balls:
        segs = ball.segment_list()
        for a, b in zip(segs, segs[1:], strict=False):
            assert a.end_ms <= b.start_ms, f"{ball.name}: {a} overlaps {b}"
        for s in segs:
            assert 0 <= s.start_ms < s.end_ms <= project.duration_ms, f"{ball.name}: {s} outside the project"
            assert 1 <= s.pixels <= 4


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys/indices) inside a JSON tree, the root included."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    node = doc
    for k in path[:-1]:
        node = node[k]
    return node


@st.composite
def mutated_json(draw: st.DrawFn, base: Any, max_mutations: int = 4) -> Any:
    """``base`` with a few random structural damages: values replaced by other JSON, keys dropped,
    keys added, lists truncated or duplicated. Mostly still well-formed, so parsers get past the
    first checks and the deep paths are exercised."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return draw(json_value)
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        op = draw(st.sampled_from(["replace", "replace", "drop", "add", "dup", "numeric"]))
        key = path[-1]
        if op == "replace":
            parent[key] = draw(json_value)
        elif op == "drop":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_value)
        elif op == "dup" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "numeric" and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            parent[key] = draw(st.sampled_from([-1, 0, 2**31, 2**64, 0.5, -0.001, 1e9, parent[key] * 1000 + 1]))
    return doc
