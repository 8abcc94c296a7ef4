"""Format versions: a synthetic v0 → v1 migration runs; unknown or newer versions are refused."""

import pytest

from sequence_maker.storage import ProjectFileError
from sequence_maker.storage.migrations import FORMAT_VERSION, MIGRATIONS, migrate


def v0_to_v1(d: dict) -> dict:
    """Pretend v0 stored seconds in 'length_s' and called balls 'timelines'."""
    proj = dict(d["project"])
    proj["duration_ms"] = round(proj.pop("length_s") * 1000)
    proj["balls"] = proj.pop("timelines")
    return {**d, "project": proj}


def test_synthetic_v0_document_is_upgraded_in_order():
    calls = []

    def step(d):
        calls.append(d["format_version"])
        return v0_to_v1(d)

    v0 = {"format": "sequence-maker-project", "format_version": 0,
          "project": {"name": "Old", "length_s": 12.5, "timelines": []}}
    out = migrate(v0, None, registry={0: step}, current=1)
    assert calls == [0]
    assert out["format_version"] == 1
    assert out["project"] == {"name": "Old", "duration_ms": 12_500, "balls": []}
    assert v0["project"]["length_s"] == 12.5  # input not mutated


def test_chain_of_migrations_and_refusals():
    reg = {0: lambda d: {**d, "a": 1}, 1: lambda d: {**d, "b": 2}}
    out = migrate({"format_version": 0}, None, registry=reg, current=2)
    assert (out["a"], out["b"], out["format_version"]) == (1, 2, 2)
    with pytest.raises(ProjectFileError, match="newer Sequence Maker"):
        migrate({"format_version": 3}, None, registry=reg, current=2)
    with pytest.raises(ProjectFileError, match="no upgrade path"):
        migrate({"format_version": 0}, None, registry={}, current=1)
    with pytest.raises(ProjectFileError, match="integer"):
        migrate({"format_version": True}, None)


def test_current_version_needs_no_migration():
    assert FORMAT_VERSION == 1
    assert all(v < FORMAT_VERSION for v in MIGRATIONS)
    d = {"format_version": FORMAT_VERSION, "x": 1}
    assert migrate(d, None) == d
