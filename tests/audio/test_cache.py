"""Result cache: keyed by content + version, atomic, corrupt entries recomputed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from sequence_maker.audio import analyze
from sequence_maker.audio.cache import ANALYSIS_VERSION, AnalysisCache, cache_dir
from sequence_maker.audio.decode import audio_hash

REQUIRED_KEYS = {
    "duration_s", "tempo_bpm", "tempo_confidence", "beats_per_bar", "beats",
    "downbeats", "onsets", "sections", "energy",
}  # fmt: skip


def test_cache_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEQMAKER_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "audio"


def test_second_open_is_served_from_cache(short_song, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = short_song
    first = analyze(path)
    import sequence_maker.audio.engine as engine

    def boom(*a, **k):
        raise AssertionError("features recomputed despite a cache entry")

    monkeypatch.setattr(engine, "extract", boom)
    stages: list[str] = []
    t0 = time.perf_counter()
    again = analyze(path, progress=lambda f, s: stages.append(s))
    assert time.perf_counter() - t0 < 1.0
    assert again.to_json() == first.to_json()
    assert stages[-1] == "cached" and again.peaks is not None


def test_cache_false_recomputes(short_song, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = short_song
    analyze(path)
    import sequence_maker.audio.engine as engine

    calls = []
    real = engine.extract
    monkeypatch.setattr(engine, "extract", lambda *a, **k: calls.append(1) or real(*a, **k))
    analyze(path, cache=False)
    assert calls == [1]


def test_corrupt_entry_is_recomputed_and_replaced(short_song) -> None:
    path, _ = short_song
    key = audio_hash(path)
    entry = cache_dir() / f"{key}.v{ANALYSIS_VERSION}.json"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text("{ truncated")
    a = analyze(path)
    assert a.beats
    assert json.loads(entry.read_text())["beats"] == a.to_json()["beats"]


def test_json_contract_and_roundtrip(short_song) -> None:
    from sequence_maker.audio.result import Analysis

    path, _ = short_song
    d = analyze(path).to_json()
    assert REQUIRED_KEYS <= set(d)
    assert set(d["energy"]) == {"hop_s", "values"}
    assert all(set(s) >= {"label", "start_s", "end_s"} for s in d["sections"])
    assert all(0.0 <= v <= 1.0 for v in d["energy"]["values"])
    assert Analysis.from_json(json.loads(json.dumps(d))).to_json() == d


def test_no_temp_files_left_behind(short_song) -> None:
    path, _ = short_song
    analyze(path)
    leftovers = [p for p in Path(os.environ["SEQMAKER_CACHE_DIR"]).rglob("*.tmp")]
    assert leftovers == []
    assert AnalysisCache().load(audio_hash(path)) is not None
