"""Fuzz: any corruption of a project's JSON either loads or gives ProjectFileError — never
another exception (a crash with a traceback is a bug)."""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.model import Pulse, Strobe, fade, solid
from sequence_maker.storage import ProjectDocument, ProjectFileError
from sequence_maker.storage.reading import decode_any

from ._util import FIXTURES

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
              st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6,
)


def ours() -> dict:
    doc = ProjectDocument.new("Fuzz", balls=2, duration_ms=10_000)
    doc.editor.paint(0, [solid(0, 1000, "red", 2, Strobe(3.0)), fade(1000, 3000, "blue", "white")])
    doc.editor.checkpoint("cp")
    doc.editor.paint(1, solid(500, 900, "green", effect=Pulse(1.0)))
    doc.editor.add_ball("Third")
    doc.editor.restore_checkpoint("cp")
    doc.editor.undo()
    return json.loads(doc.to_bytes())


BASES = {"ours": ours(), "earlier": json.loads((FIXTURES / "earlier_full.smproj").read_text())}


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


PATHS = {name: [p for p in paths(base) if p] for name, base in BASES.items()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), st.data())
def test_corrupted_documents_load_or_fail_cleanly(which, data):
    doc = copy.deepcopy(BASES[which])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(PATHS[which]))
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            if data.draw(st.booleans()) and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = data.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape
    try:
        decode_any(doc, None)
    except ProjectFileError:
        pass
