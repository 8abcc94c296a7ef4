"""Audio analysis engine: beats, tempo, downbeats, meter, onsets, energy, sections, peaks.

Public API (stable; see docs/audio.md)::

    from sequence_maker.audio import analyze, to_grid
    a = analyze("song.mp3", progress=lambda f, stage: ...)   # cached by content hash
    a.to_json()["beats"]; grid = to_grid(a)

Heavy libraries (scipy, soundfile, soxr) load lazily so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AnalysisCancelledError,
    AudioError,
    AudioFileNotFoundError,
    EmptyAudioError,
    NotAudioError,
    UnsupportedCodecError,
)

if TYPE_CHECKING:
    from .convert import to_grid
    from .decode import audio_hash, load_audio, probe
    from .engine import BeatBackend, analyze
    from .peaks import PeakPyramid, peak_pyramid, peaks
    from .result import Analysis, SectionInfo
    from .warmup import warmup

_LAZY = {
    "analyze": "engine",
    "BeatBackend": "engine",
    "Analysis": "result",
    "SectionInfo": "result",
    "load_audio": "decode",
    "audio_hash": "decode",
    "probe": "decode",
    "to_grid": "convert",
    "peaks": "peaks",
    "peak_pyramid": "peaks",
    "PeakPyramid": "peaks",
    "warmup": "warmup",
}

__all__ = [
    "AnalysisCancelledError",
    "AudioError",
    "AudioFileNotFoundError",
    "EmptyAudioError",
    "NotAudioError",
    "UnsupportedCodecError",
    "analyze",
    "BeatBackend",
    "Analysis",
    "SectionInfo",
    "load_audio",
    "audio_hash",
    "probe",
    "to_grid",
    "peaks",
    "peak_pyramid",
    "PeakPyramid",
    "warmup",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
