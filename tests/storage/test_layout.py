"""The file layout (one segment per line) is exactly the encoded document, just laid out."""

import json

from sequence_maker.history import History
from sequence_maker.model import Ball, Lyrics, LyricWord, Project, Rainbow, fade, solid
from sequence_maker.storage.smproj import dumps, encode, layout


def test_layout_is_the_same_json_as_the_encoded_document():
    p = Project("Quotes \"and\" ünïcode\n", 10_000,
                [Ball('B "1"', 2, [solid(0, 10, "red"), fade(10, 20, "blue", "white", effect=Rainbow(1.0))]),
                 Ball("Empty", 4)],
                lyrics=Lyrics((LyricWord("naïve", 0, 5),)), notes=[{"text": "}\\,{"}],
                extras={"earlier_app": {"x": [1, {"y": None}]}})
    h = History()
    text = dumps(p, h, {"saved_at": 1.0}).decode("utf-8")
    assert json.loads(text) == json.loads(json.dumps(encode(p, h, {"saved_at": 1.0})))
    lines = text.splitlines()
    assert sum(1 for ln in lines if ln.strip().startswith('{"start_ms"')) == 2  # one line per segment


def test_layout_handles_odd_shapes():
    doc = {"format": "x", "project": {"balls": [{"segments": []}, {"name": "a"}], "n": 1}, "history": {}}
    assert json.loads(layout(doc)) == {"format": "x", "project": {"balls": [{"segments": []},
                                                                            {"name": "a", "segments": []}],
                                                                  "n": 1}, "history": {}}
    assert json.loads(layout({"project": {"balls": []}})) == {"project": {"balls": []}}
