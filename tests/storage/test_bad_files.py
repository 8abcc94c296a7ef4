"""Every bad-file case gives a ProjectFileError naming file, JSON path and problem; nothing is
written next to or over the original."""

import json

import pytest

from sequence_maker.history import ProjectEditor
from sequence_maker.model import Project, solid
from sequence_maker.storage import ProjectDocument, ProjectFileError
from sequence_maker.storage.smproj import encode

from ._util import folder_snapshot


def good_document() -> dict:
    p = Project.new("Good", balls=2, duration_ms=5000)
    ed = ProjectEditor(p)
    ed.paint(0, [solid(0, 1000, "red"), solid(1000, 2000, "blue")])
    ed.checkpoint("cp")
    ed.paint(1, solid(0, 100, "green"))
    return json.loads(json.dumps(encode(p, ed.history)))


def setter(*keys, value):
    def mutate(d):
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value
    return mutate


CASES = {
    "truncated": (lambda t: t[: len(t) // 2], "", "truncated"),
    "binary": (lambda t: "\x00\xff\xfe garbage", "", None),
    "empty": (lambda t: "", "", "empty"),
    "bad json": (lambda t: t.replace('"format"', "format", 1), "", "invalid JSON"),
    "json list": (lambda t: "[1, 2, 3]", "", "not a Sequence Maker project"),
    "other json": (lambda t: '{"hello": "world"}', "", "not a Sequence Maker project"),
}

DOC_CASES = {
    "other format": (setter("format", value="something-else"), "format", "not a Sequence Maker project format"),
    "newer version": (setter("format_version", value=99), "format_version", "newer Sequence Maker"),
    "version as text": (setter("format_version", value="1"), "format_version", "integer"),
    "unsupported old version": (setter("format_version", value=-3), "format_version", "not supported"),
    "no project": (setter("project", value=[]), "project", "not an object"),
    "balls not list": (setter("project", "balls", value={}), "project.balls", "list"),
    "name wrong type": (setter("project", "name", value=42), "project", "name"),
    "duration wrong type": (setter("project", "duration_ms", value="60s"), "project", "duration"),
    "colour wrong type": (setter("project", "balls", 0, "segments", 1, "color", value="blue"),
                          "project.balls[0].segments[1].color", "[r, g, b]"),
    "start wrong type": (setter("project", "balls", 0, "segments", 0, "start_ms", value=1.5),
                         "project.balls[0].segments[0].start_ms", "integer"),
    "overlap": (setter("project", "balls", 0, "segments", 1, "start_ms", value=900),
                "project.balls[0].segments[1]", "overlaps segments[0]"),
    "past the end": (setter("project", "balls", 0, "segments", 1, "end_ms", value=9000),
                     "project.balls[0].segments[1]", "after the project end"),
    "bad pixels": (setter("project", "balls", 1, "default_pixels", value=9), "project.balls[1]", "pixels"),
    "history step": (setter("history", "undo", 1, "commands", 0, "kind", value="teleport"),
                     "history.undo[1].commands[0]", "unknown history command"),
    "history segment": (setter("history", "undo", 0, "commands", 0, "added", 0, "color", value=[1, 2]),
                        "history.undo[0].commands[0].added[0].color", "[r, g, b]"),
    "history not list": (setter("history", "redo", value="x"), "history.redo", "list"),
    "checkpoint state": (setter("history", "checkpoints", 0, "state", value=None), "history.checkpoints[0].state", "expected an object"),
    "extras wrong": (setter("project", "extras", value=[1]), "project.extras", "object"),
}


def write(tmp_path, text: str):
    path = tmp_path / "bad.smproj"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    return path


def assert_refused(tmp_path, path, json_path, needle):
    before = folder_snapshot(tmp_path)
    with pytest.raises(ProjectFileError) as exc:
        ProjectDocument.open(path)
    err = exc.value
    assert err.path == path and err.json_path == json_path
    if needle:
        assert needle in err.problem
    assert str(path) in str(err) and (json_path in str(err))
    assert folder_snapshot(tmp_path) == before  # nothing written, original untouched
    return err


@pytest.mark.parametrize("case", sorted(CASES))
def test_unreadable_files(tmp_path, case):
    mangle, json_path, needle = CASES[case]
    text = json.dumps(good_document(), indent=1)
    path = write(tmp_path, mangle(text))
    if case == "binary":
        path.write_bytes(b"\x00\xff\xfe\x89PNG garbage")
        needle = "binary"
    assert_refused(tmp_path, path, json_path, needle)


@pytest.mark.parametrize("case", sorted(DOC_CASES))
def test_invalid_documents_name_the_json_path(tmp_path, case):
    mutate, json_path, needle = DOC_CASES[case]
    d = good_document()
    mutate(d)
    assert_refused(tmp_path, write(tmp_path, json.dumps(d)), json_path, needle)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectFileError, match="file not found"):
        ProjectDocument.open(tmp_path / "nope.smproj")
    with pytest.raises(ProjectFileError, match="folder"):
        ProjectDocument.open(tmp_path)


def test_bad_history_can_be_dropped_on_request(tmp_path):
    d = good_document()
    DOC_CASES["history step"][0](d)
    path = write(tmp_path, json.dumps(d))
    doc = ProjectDocument.open(path, drop_bad_history=True)
    assert doc.history.undo_stack == [] and "history.undo[1].commands[0]" in doc.warnings[0]
    assert len(doc.project.balls[0]) == 2


def test_snapshot_with_invalid_project_props_is_refused_at_load(tmp_path):
    d = good_document()
    d["history"]["checkpoints"][0]["state"]["name"] = 1.5
    err = assert_refused(tmp_path, write(tmp_path, json.dumps(d)), "history.checkpoints[0].state", "name")
    assert "non-empty string" in err.problem
    d = good_document()
    d["project"]["refresh_rate"] = True
    assert_refused(tmp_path, write(tmp_path, json.dumps(d)), "project", "refresh rate")
