"""Fuzzing every project/ball file loader: any input either loads into a valid project or raises
the layer's own error type with a message — never another exception, never a broken project.

Inputs are mostly *damaged valid files* (random structural mutations of real documents), so the
parsers get past their first checks and the deep paths run; plus raw random bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.formats import prg
from sequence_maker.formats.ball_json import ball_to_ball_json, parse_ball_json
from sequence_maker.formats.errors import FormatError
from sequence_maker.formats.importers import import_file
from sequence_maker.formats.prg import PrgProgram, PrgSegment
from sequence_maker.formats.prg_json import parse_prg_json, timeline_to_prg_json
from sequence_maker.formats.quantise import ball_to_timeline
from sequence_maker.formats.seqdesign import compile_seqdesign
from sequence_maker.model import BeatGrid, LyricLine, Lyrics, LyricWord, Pulse, Section, fade, solid
from sequence_maker.storage import ProjectDocument, ProjectFileError

from ._checks import assert_project_valid, examples, json_value, mutated_json

FUZZ = settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck))
EARLIER = Path(__file__).parents[1] / "storage" / "fixtures" / "earlier_full.smproj"


def _our_document() -> dict:
    """A rich .smproj of ours: several balls, fades, effects, grid, lyrics and undo history."""
    doc = ProjectDocument.new("Fuzz", balls=3, duration_ms=20_000)
    ed = doc.editor
    ed.paint(0, [solid(0, 1000, "red"), fade(1000, 3000, "red", "blue", pixels=2)])
    ed.paint(1, solid(500, 4000, "white", effect=Pulse(2, 0.5)))
    ed.paint(2, solid(0, 20_000, "green"))
    ed.erase(2, 5000, 6000)
    ed.set_grid(BeatGrid(beats_ms=tuple(range(0, 20_000, 500)), downbeats_ms=tuple(range(0, 20_000, 2000)),
                         tempo_bpm=120.0,
                         sections=(Section("verse", 0, 10_000), Section("chorus", 10_000, 20_000))))
    ed.set_lyrics(Lyrics(lines=(LyricLine("hello world", 1000, 3000),),
                         words=(LyricWord("hello", 1000, 1500), LyricWord("world", 1500, 3000))))
    ed.undo()
    return json.loads(doc.to_bytes())


try:
    OURS = _our_document()
except Exception as exc:  # pragma: no cover - the fixture itself must build; say why if it does not
    raise RuntimeError(f"cannot build the fuzz base document: {exc}") from exc
EARLIER_DOC = json.loads(EARLIER.read_text())


def _load_or_reject(data: bytes) -> ProjectDocument | None:
    try:
        doc = ProjectDocument.from_bytes(data, "fuzz.smproj")
    except ProjectFileError as e:
        assert str(e) and e.problem, "a rejection must say what is wrong"
        return None
    assert_project_valid(doc.project)
    return doc


@FUZZ
@given(st.one_of(mutated_json(OURS), mutated_json(EARLIER_DOC)))
def test_project_loader_accepts_valid_or_names_the_problem(doc):
    loaded = _load_or_reject(json.dumps(doc).encode())
    if loaded is None:
        return
    # whatever we accept we can save, and the saved file loads to the same project
    again = ProjectDocument.from_bytes(loaded.to_bytes(), "resaved.smproj")
    assert again.project.snapshot() == loaded.project.snapshot()
    # and the loaded history can be walked without breaking the invariants
    while again.history.can_undo():
        again.editor.undo()
        assert_project_valid(again.project)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                 st.builds(lambda b, n: json.dumps(OURS).encode()[:n] + b, st.binary(max_size=8),
                           st.integers(0, 4000))))
def test_project_loader_survives_raw_bytes_and_truncation(data):
    _load_or_reject(data)


def _program() -> PrgProgram:
    return PrgProgram(100, 4, (PrgSegment.solid(250, (255, 0, 0)), PrgSegment.fade(300, (0, 0, 0), (9, 200, 9)),
                               PrgSegment.solid(70_000, (1, 2, 3), pixels=2)))


PRG = prg.encode(_program())


@st.composite
def damaged_prg(draw: st.DrawFn) -> bytes:
    data = bytearray(PRG)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data) + 4))
    return bytes(data[:cut]) + draw(st.binary(max_size=4))


@FUZZ
@given(st.one_of(damaged_prg(), st.binary(max_size=200), st.builds(lambda b: b"PR" + b, st.binary(max_size=120))))
def test_prg_decoder_accepts_valid_or_names_the_field(data):
    try:
        program = prg.decode(data, "fuzz.prg")
    except FormatError as e:
        assert e.problem and e.source == "fuzz.prg"
        return
    assert prg.encode(program) == data  # whatever decodes re-encodes byte for byte


OURS_PROJECT = ProjectDocument.from_bytes(json.dumps(OURS).encode()).project
PRG_JSON = timeline_to_prg_json(ball_to_timeline(OURS_PROJECT, 0, 100)[0])


@FUZZ
@given(st.one_of(mutated_json(PRG_JSON), json_value))
def test_prg_json_reader_accepts_valid_or_names_the_field(doc):
    try:
        tl = parse_prg_json(doc, "fuzz.prg.json", warnings=[])
    except FormatError as e:
        assert e.problem
        return
    tl.check("fuzz.prg.json")


BALL_JSON = ball_to_ball_json(OURS_PROJECT, 0)


@FUZZ
@given(st.one_of(mutated_json(BALL_JSON), json_value))
def test_ball_json_reader_accepts_valid_or_names_the_field(doc):
    try:
        project = parse_ball_json(doc, "Fuzz", warnings=[])
    except FormatError as e:
        assert e.problem
        return
    assert_project_valid(project)


def _fx(kind: str, start: float, end: float, **params) -> dict:
    return {"id": f"{kind}@{start}", "type": kind, "timing": {"start_seconds": start, "end_seconds": end},
            "params": params}


SEQDESIGN = {"metadata": {"target_prg_refresh_rate": 100, "default_pixels": 4, "total_duration_seconds": 10},
             "effects_timeline": [
                 _fx("fade", 0, 4, color_start={"name": "black"}, color_end={"rgb": [200, 0, 0]}),
                 _fx("solid_color", 1, 2, color={"hex": "#00F"}),
                 _fx("strobe", 4, 5, color_on="white", color_off="black", frequency_hz=4),
                 _fx("pulse_on_beat", 5, 8, color="cyan", beat_source="custom_times: [5.5, 6.5]",
                     pulse_duration_seconds=0.1),
                 _fx("snap_on_flash_off", 8, 10, pre_base_color="black", target_color="white",
                     post_base_color={"hsv": [240, 100, 50]}, fade_out_duration=0.5)]}
ANALYSIS = {"beats": [0.5, 1.0, 2.0, 3.5, 6.0], "downbeats": [0.5, 3.5]}


@FUZZ
@given(st.one_of(mutated_json(SEQDESIGN), json_value), st.one_of(st.none(), st.just(ANALYSIS), mutated_json(ANALYSIS)))
def test_seqdesign_compiler_accepts_valid_or_names_the_problem(doc, analysis):
    try:
        project = compile_seqdesign(doc, "Fuzz", analysis=analysis, warnings=[])
    except FormatError as e:
        assert e.problem
        return
    assert_project_valid(project)


@pytest.mark.parametrize("name", ["x.prg", "x.prg.json", "x.ball.json", "x.seqdesign.json", "x.json", "x"])
@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(st.binary(max_size=200), st.sampled_from([PRG, json.dumps(PRG_JSON).encode(),
                                                                json.dumps(BALL_JSON).encode(),
                                                                json.dumps(SEQDESIGN).encode()]),
                      json_value.map(lambda v: json.dumps(v).encode())))
def test_import_file_rejects_with_format_error_only(tmp_path_factory, name, data):
    path = tmp_path_factory.mktemp("imp") / name
    path.write_bytes(data)
    try:
        project = import_file(path, warnings=[])
    except FormatError as e:
        assert e.problem and str(path) in str(e)
        return
    assert_project_valid(project)
