"""Bad input gives a clear AudioError or a valid "no beats" result, never a crash."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import write_silence

from sequence_maker.audio import (
    AudioError,
    AudioFileNotFoundError,
    EmptyAudioError,
    NotAudioError,
    UnsupportedCodecError,
    analyze,
)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(AudioFileNotFoundError, match="nope.wav"):
        analyze(tmp_path / "nope.wav")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFileNotFoundError, match="not a regular file"):
        analyze(tmp_path)


def test_zero_length_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.mp3"
    p.write_bytes(b"")
    with pytest.raises(EmptyAudioError, match="empty"):
        analyze(p)


def test_text_file_is_not_audio(tmp_path: Path) -> None:
    p = tmp_path / "notes.wav"
    p.write_text("these are not the samples you are looking for\n" * 20)
    with pytest.raises(NotAudioError, match="not a recognised audio file"):
        analyze(p)


def test_wav_header_without_frames(tmp_path: Path) -> None:
    import soundfile as sf

    p = tmp_path / "noframes.wav"
    sf.write(str(p), np.zeros(0, dtype=np.float32), 22050)
    with pytest.raises(EmptyAudioError, match="no audio frames"):
        analyze(p)


def test_m4a_is_named_as_unsupported(tmp_path: Path) -> None:
    p = tmp_path / "song.m4a"
    p.write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A mp42isom" + b"\x00" * 200)
    with pytest.raises(UnsupportedCodecError, match="MPEG-4/AAC"):
        analyze(p)


def test_wav_with_unknown_codec_tag(tmp_path: Path) -> None:
    fmt = struct.pack("<HHIIHH", 0x1234, 1, 8000, 16000, 2, 16)
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 8) + b"\x00" * 8
    )
    p = tmp_path / "odd.wav"
    p.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(UnsupportedCodecError, match="codec cannot be decoded"):
        analyze(p)


def test_every_error_is_an_audio_error() -> None:
    for cls in (AudioFileNotFoundError, EmptyAudioError, NotAudioError, UnsupportedCodecError):
        assert issubclass(cls, AudioError)


def test_pure_silence_is_a_valid_result_that_says_no_beats(tmp_path: Path) -> None:
    a = analyze(write_silence(tmp_path / "silence.wav", 8.0))
    assert a.beats == [] and a.downbeats == [] and a.tempo_bpm == 0.0
    assert "no beats found" in a.note and "silent" in a.note
    assert a.duration_s == pytest.approx(8.0, abs=0.01)
    assert a.to_json()["beats"] == []


def test_steady_noise_has_no_confident_pulse(tmp_path: Path) -> None:
    import soundfile as sf

    rng = np.random.default_rng(0)
    p = tmp_path / "noise.wav"
    sf.write(str(p), (0.1 * rng.standard_normal(22050 * 10)).astype(np.float32), 22050)
    a = analyze(p)
    # white noise may yield a grid, but it must not claim to be sure about it
    assert a.tempo_confidence < 0.5


def test_very_short_clip_is_valid(tmp_path: Path) -> None:
    import soundfile as sf

    p = tmp_path / "blip.wav"
    t = np.arange(2205) / 22050
    sf.write(str(p), (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050)
    a = analyze(p)
    assert a.duration_s == pytest.approx(0.1, abs=0.01)
    assert len(a.beats) < 2
    assert a.sections and a.sections[-1].end_s == pytest.approx(a.duration_s)
