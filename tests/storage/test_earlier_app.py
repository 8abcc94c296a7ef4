"""Opening the earlier app's .smproj: mapping, kept extras, and errors naming timeline/segment."""

import json
import shutil

import pytest

from sequence_maker.model import AudioRef, Color, Fade, Pulse, Rainbow, Solid, Strobe
from sequence_maker.storage import ProjectDocument, ProjectFileError
from sequence_maker.storage.reading import SOURCE_EARLIER

from ._util import FIXTURES, folder_snapshot


@pytest.fixture
def full(tmp_path):
    dst = tmp_path / "earlier_full.smproj"
    shutil.copy(FIXTURES / "earlier_full.smproj", dst)
    return dst


def test_full_earlier_file_maps_to_the_model(full):
    doc = ProjectDocument.open(full)
    p = doc.project
    assert doc.source_format == SOURCE_EARLIER
    assert p.name == "earlier_full"  # "name": false → file stem
    assert any("name was False" in w for w in doc.warnings)
    assert (p.duration_ms, p.refresh_rate) == (12_500, 100)
    assert [b.name for b in p.balls] == ["Ball 1", "Ball 2", "Ball 3"]
    assert [b.default_pixels for b in p.balls] == [4, 1, 4]
    b1 = p.balls[0].segments
    assert [(s.start_ms, s.end_ms) for s in b1] == [(0, 1240), (1240, 2500), (2500, 4000), (4000, 6000), (7000, 9000)]
    assert b1[2].kind == Fade(Color(255, 0, 0), Color(0, 0, 255))
    assert b1[3].kind == Solid(Color(255, 255, 255)) and b1[3].pixels == 2
    assert b1[3].effect == Strobe(8.0, 0.25)
    assert b1[4].effect is None  # "sparkle" is not ours: kept aside, below
    b2 = p.balls[1].segments
    assert b2[0].effect == Pulse(2.0, 0.1) and b2[1].effect == Rainbow(0.5)
    assert p.audio == AudioRef("/home/ana/music/circus.mp3", None, 12_480)
    assert [(w.text, w.start_ms, w.end_ms) for w in p.lyrics.words] == [
        ("round", 1100, 1450), ("and", 1450, 1600), ("round", 1600, 2200)]
    assert (p.lyrics.title, p.lyrics.artist, p.lyrics.text) == ("Circus", "Someone", "round and round")
    assert p.lyrics.extras["untimed_words"] == [{"word": "again", "start": None, "end": None}]
    assert p.notes == [{"id": "n1", "time_ms": 4000, "text": "strobe on the drop", "color": [255, 255, 0],
                        "created": "2025-03-15T08:00:00", "modified": "2025-03-15T08:00:00"}]
    assert [m["sender"] for m in p.extras["chat_history"]] == ["user", "assistant"]


def test_everything_unused_is_kept_and_survives_our_save(full, tmp_path):
    original = json.loads(full.read_text())
    doc = ProjectDocument.open(full)
    kept = doc.project.extras["earlier_app"]
    for key in ("metadata", "settings", "keyMappings", "effects", "audio", "visualizations", "llm_metadata",
                "llm_customization"):
        assert kept[key] == original[key]
    seg_extras = {(e["timeline"], e["segment"]): e for e in kept["segment_extras"]}
    assert seg_extras[(0, 5)]["fields"] == {"locked": True, "effects": [{"type": "sparkle", "parameters": {"density": 0.3}}]}
    assert seg_extras[(0, 4)]["original"]["startTime"] == 6.0  # zero-length segment kept, not dropped
    assert any("zero-length" in w for w in doc.warnings)
    assert kept["timeline_extras"][0] == {"timeline": 0, "fields": {
        "created": "2025-03-14T19:02:11.533001", "modified": "2025-03-15T08:39:57.004512"}}
    out = doc.save(tmp_path / "converted.smproj")
    again = ProjectDocument.open(out)
    assert again.project.snapshot() == doc.project.snapshot()
    assert again.project.extras == doc.project.extras
    assert again.project.notes == doc.project.notes
    assert again.project.lyrics.extras == doc.project.lyrics.extras


def test_saving_over_an_earlier_file_keeps_the_original(full):
    original = full.read_bytes()
    doc = ProjectDocument.open(full)
    doc.editor.erase(0, 0, 1000)
    doc.save()
    assert (full.parent / "earlier_full.earlier-app.smproj").read_bytes() == original
    assert ProjectDocument.open(full).source_format == "sequence-maker"


def test_minimal_earlier_file(tmp_path):
    doc = ProjectDocument.open(FIXTURES / "earlier_minimal.smproj")
    assert doc.project.name == "Tiny" and doc.warnings == []
    assert doc.project.balls[0].segments[0].end_ms == 1500
    assert doc.project.lyrics is None and doc.project.notes == []


def _earlier(tmp_path, segments, total=10):
    data = {"metadata": {"name": "X"}, "settings": {"totalDuration": total},
            "timelines": [{"name": "A", "segments": []}, {"name": "B", "segments": segments}]}
    p = tmp_path / "x.smproj"
    p.write_text(json.dumps(data))
    return p


@pytest.mark.parametrize(("segments", "json_path", "needle"), [
    ([{"startTime": 0, "endTime": 2, "color": [1, 2, 3]}, {"startTime": 1.5, "endTime": 3, "color": [1, 2, 3]}],
     "timelines[1].segments[1]", "overlaps segments[0]"),
    ([{"startTime": 9, "endTime": 11, "color": [1, 2, 3]}], "timelines[1].segments[0]", "after the project end"),
    ([{"startTime": "zero", "endTime": 1, "color": [1, 2, 3]}], "timelines[1].segments[0].startTime", "seconds"),
    ([{"startTime": 0, "endTime": 1, "color": [1, 2, 300]}], "timelines[1].segments[0].color", "outside 0–255"),
    ([{"startTime": 0, "endTime": 1, "color": [1, 2, 3], "segment_type": "fade"}], "timelines[1].segments[0]",
     "endColor"),
    ([{"startTime": 2, "endTime": 1, "color": [1, 2, 3]}], "timelines[1].segments[0]", "before startTime"),
    ([{"startTime": 0, "endTime": 1, "color": [1, 2, 3], "pixels": 7}], "timelines[1].segments[0].pixels", "1–4"),
    ([{"endTime": 1, "color": [1, 2, 3]}], "timelines[1].segments[0]", "startTime"),
])
def test_bad_earlier_files_name_timeline_and_segment(tmp_path, segments, json_path, needle):
    p = _earlier(tmp_path, segments)
    before = folder_snapshot(tmp_path)
    with pytest.raises(ProjectFileError) as exc:
        ProjectDocument.open(p)
    assert exc.value.json_path == json_path
    assert needle in exc.value.problem
    assert str(p) in str(exc.value)
    assert folder_snapshot(tmp_path) == before


def test_earlier_version_snapshot_and_uploaded_bytes(tmp_path):
    data = json.loads((FIXTURES / "earlier_minimal.smproj").read_text())
    data["version_metadata"] = {"version_name": "before chorus", "timestamp": "2025-03-15T08:00:00"}
    snap = tmp_path / "Tiny_versions" / "20250315_080000.json"
    snap.parent.mkdir()
    snap.write_text(json.dumps(data))
    doc = ProjectDocument.open(snap)
    assert doc.project.extras["earlier_app"]["version_metadata"]["version_name"] == "before chorus"
    up = ProjectDocument.from_bytes(json.dumps(data).encode(), "upload.smproj")
    assert up.path is None and up.dirty and up.project.name == "Tiny"
    with pytest.raises(ProjectFileError) as exc:
        ProjectDocument.from_bytes(b"{\"timelines\": [", "upload.smproj")
    assert "upload.smproj" in str(exc.value) and "truncated" in exc.value.problem
