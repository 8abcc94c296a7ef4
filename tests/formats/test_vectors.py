"""Every case in the shared LTX manifest, byte for byte (new cases are picked up automatically)."""

from __future__ import annotations

import pytest

from sequence_maker.formats import prg
from sequence_maker.formats.hardware import timeline_to_program
from sequence_maker.formats.prg_json import read_prg_json

from .vectors import load_cases, vectors_dir

CASES = load_cases()


def _ids(c: dict) -> str:
    return c["name"]


def test_vectors_present():
    assert CASES, f"no LTX vectors manifest at {vectors_dir()} (set SEQMAKER_LTX_VECTORS)"


def _trailer_is_documented_quirk(case: dict) -> bool:
    note = case.get("note", "")
    return "BT" in note and "unknown" in note


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_encoder_matches_expected_bytes(case):
    root = vectors_dir()
    expected = (root / case["expected"]).read_bytes()
    program, _notes = timeline_to_program(read_prg_json(root / case["input"]))
    produced = prg.encode(program)
    assert len(produced) == len(expected)
    if _trailer_is_documented_quirk(case):
        # The official file carries an unexplained non-zero BT value; we always write 0 (the value
        # in every other official and hardware-verified file), so compare everything before it.
        assert produced[:-4] == expected[:-4]
        assert produced[-4:] == b"\x00\x00\x00\x00"
        assert expected[-4:] != b"\x00\x00\x00\x00"
    else:
        assert produced == expected


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_decode_encode_identity(case):
    expected = (vectors_dir() / case["expected"]).read_bytes()
    decoded = prg.decode(expected, case["expected"])
    assert prg.encode(decoded) == expected
    assert decoded.byte_size == len(expected)
    assert all(s.kind in ("solid", "fade") for s in decoded.segments)
