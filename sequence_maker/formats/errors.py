"""The one error type of the formats layer: it names the file, the field and the problem."""

from __future__ import annotations


class FormatError(ValueError):
    """A file or value cannot be read or written in an LTX/earlier-app format.

    ``source`` is the file (or a short label such as ``"<bytes>"``), ``field`` the offending field
    (e.g. ``"PI length"``, ``"sequence['200']"``) and ``problem`` a sentence a user can act on.
    """

    def __init__(self, problem: str, *, source: str | None = None, field: str | None = None) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = ": ".join(p for p in (source, field) if p)
        super().__init__(f"{where}: {problem}" if where else problem)

    def with_source(self, source: str) -> FormatError:
        """The same error, attributed to ``source`` (used when a parser learns the file name late)."""
        if self.source:
            return self
        return FormatError(self.problem, source=source, field=self.field)
