"""Lyrics errors."""


class LyricsError(ValueError):
    """A lyrics file or edit is invalid; the message names the file/line/word and the problem."""
