"""Bad input gets a FormatError naming the file/field/problem, and never a partial output file."""

from __future__ import annotations

import json
import os
import struct

import pytest

from sequence_maker.formats import prg
from sequence_maker.formats.errors import FormatError
from sequence_maker.formats.export import ExportError, export_project
from sequence_maker.formats.importers import import_file
from sequence_maker.formats.prg import PrgProgram, PrgSegment
from sequence_maker.formats.prg_json import parse_prg_json
from sequence_maker.model import Ball, Project, solid


def _good() -> bytes:
    return prg.encode(PrgProgram(100, 4, (PrgSegment.solid(250, (255, 0, 0)), PrgSegment.fade(30, (0, 0, 0), (9, 9, 9)))))


def _patch(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d[:-1], "file size"),
        (lambda d: d[:20], "file size"),
        (lambda d: b"XX" + d[2:], "magic"),
        (lambda d: d + b"\x00", "file size"),
        (lambda d: _patch(d, 0x10, "<I", 999), "PI length"),
        (lambda d: _patch(d, 0x14, "<H", 300), "PI length"),
        (lambda d: _patch(d, 0x16 + 38 + 2, "<I", 7), "CD length"),
        (lambda d: _patch(d, 0x16 + 38 + 6, "<I", 131), "CD length"),
        (lambda d: _patch(d, 0x16 + 4, "<I", 0x30), "segment 0 rgb_offset"),
        (lambda d: _patch(d, 0x16 + 19 + 2, "<H", 31), "segment 1 entry_count"),
        (lambda d: _patch(d, 0x09, "<H", 7), "default_pixels"),
        (lambda d: d[:-6] + b"XT" + d[-4:], "BT chunk"),
    ],
)
def test_decoder_rejects_damaged_files_naming_the_field(mutate, field):
    with pytest.raises(FormatError) as info:
        prg.decode(mutate(_good()), "ball.prg")
    assert info.value.field == field
    assert info.value.source == "ball.prg"
    assert "ball.prg" in str(info.value) and field in str(info.value)


def test_decoder_accepts_the_undamaged_file():
    assert len(prg.decode(_good()).segments) == 2


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"refresh_rate": 1, "end_time": 5, "sequence": {"0": {"color": [1, 2, 3]}, "10": {"color": [1, 2, 3]}}},
         "end_time", "before the last"),
        ({"color_format": "cmyk", "sequence": {"0": {"color": [1, 2, 3]}}}, "color_format", "unknown colour format"),
        ({"sequence": {"-1": {"color": [1, 2, 3]}}}, "sequence['-1']", "≥ 0"),
        ({"end_time": -3, "sequence": {"0": {"color": [1, 2, 3]}}}, "end_time", "≥ 0"),
        ({"sequence": {"0": {"color": [1, 2, 300]}}}, "sequence['0'].color", "0–255"),
        ({"sequence": {"0": {"start_color": [1, 2, 3]}}}, "sequence['0']", "end_color"),
        ({"sequence": {"1": {"color": [0, 0, 0]}, "1.0": {"color": [0, 0, 0]}}}, "sequence['1.0']", "same start"),
        ({"sequence": {"x": {"color": [0, 0, 0]}}}, "sequence['x']", "not a number"),
    ],
)
def test_prg_json_errors_name_the_field(doc, field, words):
    with pytest.raises(FormatError) as info:
        parse_prg_json(doc, "in.prg.json")
    assert info.value.field == field
    assert words in info.value.problem
    assert str(info.value).startswith("in.prg.json")


def test_prg_json_hsv_and_invalid_pixels_warn():
    warnings: list[str] = []
    tl = parse_prg_json({"color_format": "HSV", "default_pixels": 2, "end_time": 3,
                         "sequence": {"0": {"color": [120, 100, 100], "pixels": 9}}}, warnings=warnings)
    assert tl.segments[0].color == (0, 255, 0)
    assert tl.segments[0].pixels == 2
    assert warnings and "pixels 9" in warnings[0]


def test_import_names_the_file(tmp_path):
    bad = tmp_path / "broken.prg"
    bad.write_bytes(b"PR\x03garbage")
    with pytest.raises(FormatError, match="broken.prg"):
        import_file(bad)
    neg = tmp_path / "neg.ball.json"
    neg.write_text(json.dumps({"metadata": {"name": "x"}, "segments": [{"start_time": -1, "end_time": 2,
                                                                         "color": [1, 2, 3]}]}))
    with pytest.raises(FormatError, match=r"neg.ball.json: segments\[0\].start_time: .*negative"):
        import_file(neg)
    unknown = tmp_path / "what.json"
    unknown.write_text("{}")
    with pytest.raises(FormatError, match="what.json"):
        import_file(unknown)


def test_refused_export_writes_nothing(tmp_path):
    project = Project("p", 10_000, [Ball("A", 4, [solid(0, 1000, "red")]), Ball("B", 4, [solid(0, 3, "blue")])])
    out = tmp_path / "out"
    with pytest.raises(ExportError) as info:
        export_project(project, out, rate=100)
    assert [i.ball for i in info.value.issues if i.severity == "error"] == ["B"]
    assert not out.exists() or not any(out.iterdir())


def test_failed_write_restores_previous_files(tmp_path, monkeypatch):
    project = Project("p", 2000, [Ball("A", 4, [solid(0, 1000, "red")]), Ball("B", 4, [solid(0, 1000, "blue")])])
    export_project(project, tmp_path, rate=100)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    changed = Project("p", 4000, [Ball("A", 4, [solid(0, 3000, "green")]), Ball("B", 4, [solid(0, 500, "red")])])
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:  # fail while renaming the second file into place
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        export_project(changed, tmp_path, rate=100)
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_export_rejects_bad_rate(tmp_path):
    project = Project("p", 1000, [Ball("A", 4, [])])
    with pytest.raises(FormatError, match="ticks/s"):
        export_project(project, tmp_path, rate=30)
