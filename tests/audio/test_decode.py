"""Decoding: formats, mono mix, resampling, block streaming, content hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sequence_maker.audio.decode import ANALYSIS_SR, audio_hash, iter_blocks, load_audio, probe
from sequence_maker.audio.synth import SongSpec, write_song

SPEC = SongSpec(tempo_bpm=120, plan="A", bars_per_section=2, sample_rate=44100, stereo=True)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_formats_decode_to_mono_at_analysis_rate(tmp_path: Path, suffix: str) -> None:
    song = write_song(SPEC, tmp_path / f"s{suffix}")
    y, sr = load_audio(tmp_path / f"s{suffix}")
    assert sr == ANALYSIS_SR and y.ndim == 1 and y.dtype == np.float32
    # lossy codecs pad a few ms; length must still match within 60 ms
    assert abs(len(y) / sr - song.duration_s) < 0.06
    assert 0.3 < np.max(np.abs(y)) <= 1.0


def test_stereo_is_mixed_to_the_mean_of_channels(tmp_path: Path) -> None:
    import soundfile as sf

    left = np.full(4410, 0.5, dtype=np.float32)
    right = np.full(4410, -0.1, dtype=np.float32)
    sf.write(str(tmp_path / "st.wav"), np.stack([left, right], axis=1), 44100, subtype="FLOAT")
    y, sr = load_audio(tmp_path / "st.wav", sr=None)
    assert sr == 44100
    np.testing.assert_allclose(y, 0.2, atol=1e-6)


def test_blocks_concatenate_to_the_whole_signal(tmp_path: Path) -> None:
    write_song(SPEC, tmp_path / "s.wav")
    whole, _ = load_audio(tmp_path / "s.wav")
    small = np.concatenate(list(iter_blocks(tmp_path / "s.wav", block_frames=10_000)))
    # a streaming resampler is exact up to float rounding whatever the block size
    assert abs(len(small) - len(whole)) <= 1
    n = min(len(small), len(whole))
    np.testing.assert_allclose(small[:n], whole[:n], atol=1e-4)


def test_probe_reports_the_container(tmp_path: Path) -> None:
    write_song(SPEC, tmp_path / "s.flac")
    info = probe(tmp_path / "s.flac")
    assert (info.sample_rate, info.channels, info.format) == (44100, 2, "FLAC")
    assert info.duration_s == pytest.approx(write_song(SPEC, tmp_path / "t.wav").duration_s, abs=1e-3)


def test_audio_hash_depends_on_content_not_name(tmp_path: Path) -> None:
    a = tmp_path / "a.wav"
    write_song(SPEC, a)
    b = tmp_path / "renamed.wav"
    b.write_bytes(a.read_bytes())
    assert audio_hash(a) == audio_hash(b) and len(audio_hash(a)) == 64
    write_song(SongSpec(tempo_bpm=121, plan="A", bars_per_section=2), tmp_path / "c.wav")
    assert audio_hash(tmp_path / "c.wav") != audio_hash(a)
