"""One exception family for everything an analyst can fix.

Every error names what was wrong in terms a non-programmer can act on: the file, the row
(line number as an editor shows it, header = line 1), the column, the value found and what
was expected. The command line prints these without a traceback; ``--debug`` shows it.
"""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """Base class: a problem the analyst can fix (bad input, bad config, missing data)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        found: object = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.found = found
        self.expected = expected
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        """The full, human-readable message: where, what was found, what was expected, the fix."""
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column '{self.column}'")
        parts = [(": ".join([", ".join(where), self.message]) if where else self.message)]
        if self.found is not None:
            parts.append(f"found: {self.found!r}")
        if self.expected:
            parts.append(f"expected: {self.expected}")
        if self.hint:
            parts.append(f"how to fix: {self.hint}")
        return "\n  ".join(parts)


class InputError(AnalysisError):
    """An input file cannot be read as the contract says (format, column, value)."""


class ConfigError(AnalysisError):
    """An area configuration or parameter is missing, misspelt or of the wrong type."""


class DataCoverageError(AnalysisError):
    """The data needed for the requested period or area is not in the store."""


class BuildError(AnalysisError):
    """A report section failed to execute or export."""
