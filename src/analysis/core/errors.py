"""One exception family for everything an analyst can fix.

Every error names what was wrong in terms a non-programmer can act on: the file, the row
(line number as an editor shows it, header = line 1), the column, the value found and what
was expected. The command line prints these without a traceback; ``--debug`` shows it.
"""

from __future__ import annotations

import errno
import reprlib
from pathlib import Path

FOUND_LIMIT = 240
"""At most this many characters of a found value are quoted in a message.

A message quotes what it found so the analyst can spot it, not to echo the input back: a long
cell, a whole header or a hostile document (a YAML alias bomb) is cut to a short excerpt."""

_FOUND_REPR = reprlib.Repr()
_FOUND_REPR.maxlevel = 2
_FOUND_REPR.maxlist = _FOUND_REPR.maxtuple = _FOUND_REPR.maxdict = _FOUND_REPR.maxset = 12
_FOUND_REPR.maxstring = _FOUND_REPR.maxother = FOUND_LIMIT
_FOUND_REPR.maxlong = 40


def excerpt(value: object) -> str:
    """A short, bounded ``repr`` of ``value`` for a message (never the whole of a big value).

    reprlib stops at the first dozen items and two levels of nesting, so quoting a huge or
    deeply nested value costs no more than quoting a small one.
    """
    text = _FOUND_REPR.repr(value)
    if len(text) > FOUND_LIMIT:
        text = f"{text[:FOUND_LIMIT - 1]}…"
    return text


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
            parts.append(f"found: {excerpt(self.found)}")
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


class StorageError(AnalysisError):
    """A file or folder cannot be read or written: permissions, a full disk, a broken link."""


_OS_PROBLEMS = {
    errno.ENOSPC: ("the disk is full",
                   "free space on the disk holding this folder, then run the command again"),
    errno.EDQUOT: ("the disk quota is used up",
                   "free space (or ask for a larger quota), then run the command again"),
    errno.EACCES: ("permission denied",
                   "check you may read and write this folder (ask whoever manages the "
                   "shared drive), or work in a copy of the project you own"),
    errno.EPERM: ("the operation is not permitted",
                  "check you may read and write this folder, or work in a copy you own"),
    errno.EROFS: ("the folder is on a read-only disk",
                  "run from a copy of the project on a disk you can write to"),
    errno.ENOENT: ("the file or folder does not exist",
                   "check the path in the area config and that the drive is connected"),
}


def storage_error(error: OSError, doing: str, file: str | Path | None = None, *,
                  kept: str | None = None) -> StorageError:
    """An operating-system failure as a message an analyst can act on.

    ``doing`` says what the command was doing ("writing the store"); the file named is
    ``file`` (the one the analyst knows, not a temporary file inside it), else the one the
    system named; ``kept`` says what was left as it was ("the previous store
    is kept"), which the caller knows because it writes through a temporary file or folder.
    """
    what, hint = _OS_PROBLEMS.get(error.errno or -1,
                                  (error.strerror or type(error).__name__,
                                   "check the file and folder, then run the command again"))
    message = f"{what} while {doing}" + (f"; {kept}" if kept else "")
    return StorageError(message, file=file or error.filename, hint=hint)
