"""Errors of the audio layer.

Every failure a user can cause (wrong file, empty file, codec we cannot decode) is an
``AudioError`` subclass whose message names the file and the problem, so the CLI, server
and assistant can show it as-is instead of a traceback.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base class: the audio could not be analysed; the message says why."""


class AudioFileNotFoundError(AudioError, FileNotFoundError):
    """The path does not exist or is not a regular file."""


class EmptyAudioError(AudioError):
    """The file is zero bytes long or holds no audio frames."""


class NotAudioError(AudioError):
    """The file is not a recognisable audio file (text, image, truncated header…)."""


class UnsupportedCodecError(AudioError):
    """The container is known but its codec cannot be decoded here (AAC in .m4a, odd WAV tags…)."""


class AnalysisCancelledError(AudioError):
    """The progress callback asked to stop (it raised ``AnalysisCancelledError``)."""
