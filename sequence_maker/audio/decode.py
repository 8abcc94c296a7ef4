"""Decoding: any file libsndfile reads (wav, flac, ogg, mp3, aiff…) to mono float32 blocks.

Analysis never holds the whole song in memory: ``iter_blocks`` streams fixed-size blocks,
mixed to mono and resampled (soxr stream, so block edges are seamless) to the analysis rate.
``load_audio`` is the convenience "whole file" form for short clips and tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioFileNotFoundError, EmptyAudioError, NotAudioError, UnsupportedCodecError

#: Rate all analysis runs at: 22.05 kHz with a 256-sample hop gives 11.6 ms frames, fine
#: enough that a 120 BPM click reads as 120.0 (the librosa default 512 hop reads 117.45).
ANALYSIS_SR = 22050

#: Seconds of source audio decoded per block: a few MB whatever the song length or rate.
BLOCK_SECONDS = 10.0

# Containers whose audio payload libsndfile cannot decode: we name them instead of "not audio".
_UNSUPPORTED_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "MPEG-4/AAC (.m4a/.mp4)"),
    (0, b"0&\xb2u", "Windows Media (.wma)"),
    (0, b"\x1aE\xdf\xa3", "Matroska/WebM"),
    (0, b"#!AMR", "AMR"),
    (0, b"MAC ", "Monkey's Audio (.ape)"),
    (0, b"wvpk", "WavPack"),
)


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What the container says about a file, before decoding."""

    path: str
    sample_rate: int
    channels: int
    frames: int
    format: str
    subtype: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise AudioFileNotFoundError(f"{p}: no such file")
    if not p.is_file():
        raise AudioFileNotFoundError(f"{p}: not a regular file")
    if p.stat().st_size == 0:
        raise EmptyAudioError(f"{p}: the file is empty (0 bytes)")
    return p


def _classify_open_error(p: Path, exc: Exception) -> Exception:
    with p.open("rb") as f:
        head = f.read(64)
    for offset, sig, name in _UNSUPPORTED_SIGNATURES:
        if head[offset : offset + len(sig)] == sig:
            return UnsupportedCodecError(
                f"{p}: {name} audio is not supported; convert it to WAV, FLAC, OGG or MP3"
            )
    if head[:4] in (b"RIFF", b"RIFX", b"FORM") or head[:4] == b"fLaC" or head[:4] == b"OggS":
        return UnsupportedCodecError(
            f"{p}: the container is recognised but its codec cannot be decoded ({exc}); "
            "convert it to 16-bit PCM WAV, FLAC, OGG Vorbis or MP3"
        )
    return NotAudioError(f"{p}: not a recognised audio file ({exc})")


def probe(path: str | Path) -> AudioInfo:
    """Open the container and report rate, channels and length; raise a clear ``AudioError``."""
    import soundfile as sf

    p = _check_path(path)
    try:
        info = sf.info(str(p))
    except Exception as exc:  # libsndfile raises its own error type with a terse message
        raise _classify_open_error(p, exc) from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise NotAudioError(f"{p}: header declares {info.samplerate} Hz, {info.channels} channels")
    if info.frames == 0:
        raise EmptyAudioError(f"{p}: the file holds no audio frames")
    return AudioInfo(
        str(p), int(info.samplerate), int(info.channels), int(info.frames), info.format, info.subtype
    )


def iter_blocks(
    path: str | Path,
    *,
    sr: int | None = ANALYSIS_SR,
    block_frames: int | None = None,
) -> Iterator[np.ndarray]:
    """Yield mono float32 blocks at ``sr`` (``None`` keeps the file's own rate).

    Memory stays at one block whatever the file length; resampling is a soxr stream so the
    concatenation of the blocks equals resampling the whole signal.
    """
    import soundfile as sf

    info = probe(path)
    block_frames = block_frames or int(BLOCK_SECONDS * info.sample_rate)
    resampler = None
    if sr is not None and sr != info.sample_rate:
        import soxr

        resampler = soxr.ResampleStream(info.sample_rate, sr, 1, dtype="float32", quality="HQ")
    try:
        with sf.SoundFile(info.path) as f:
            while True:
                block = f.read(block_frames, dtype="float32", always_2d=True)
                last = len(block) < block_frames
                mono = block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0]
                if resampler is not None:
                    mono = resampler.resample_chunk(np.ascontiguousarray(mono), last=last)
                if len(mono):
                    yield np.asarray(mono, dtype=np.float32)
                if last:
                    break
    except sf.LibsndfileError as exc:
        raise UnsupportedCodecError(f"{info.path}: decoding failed part-way ({exc})") from exc


def load_audio(path: str | Path, *, sr: int | None = ANALYSIS_SR) -> tuple[np.ndarray, int]:
    """Whole file as one mono float32 array at ``sr`` (default: the analysis rate).

    Use for short clips; the analysis itself streams with ``iter_blocks``.
    """
    info = probe(path)
    blocks = list(iter_blocks(path, sr=sr))
    y = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return y, (sr if sr is not None else info.sample_rate)


def audio_hash(path: str | Path, progress: Callable[[float], None] | None = None) -> str:
    """sha256 of the file's bytes: the cache key, stable across renames and moves.

    ``progress(fraction)`` is called every 8 MB (hashing an hour of WAV takes seconds).
    """
    p = _check_path(path)
    size = p.stat().st_size
    h = hashlib.sha256()
    done = 0
    with p.open("rb") as f:
        while chunk := f.read(1 << 23):
            h.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done / size)
    return h.hexdigest()
