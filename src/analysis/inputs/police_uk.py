"""Read data.police.uk street-level crime files: find them, check their header, load their rows.

data.police.uk publishes one CSV per force and month, ``YYYY-MM-<force>-street.csv``, either on
its own, inside a month folder (``YYYY-MM/``) or inside an archive zip whose members are
``YYYY-MM/YYYY-MM-<force>-street.csv`` (archives also hold outcomes and stop-and-search files,
which are ignored here). This module turns any mix of such inputs into a list of
:class:`StreetSource` and loads their rows, as text, into a DuckDB table with the file and line
each row came from. Row-level validation is SQL (:func:`create_checked_rows`) so that a bad row
is quarantined with a reason instead of stopping the load; problems with a whole file (missing
column, empty file, bytes that are not UTF-8) raise :class:`~analysis.core.errors.InputError`.

Line numbers are counted as an editor shows them (header = line 1) and include new lines inside
quoted fields. Wholly blank lines hold no row and are skipped by the reader; a blank line in the
middle of a file (data.police.uk never writes one) would shift the line numbers after it.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import IO

import duckdb
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.vocabulary import ASB

CRIME_TYPES: tuple[str, ...] = (
    ASB,
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
"""The 14 data.police.uk street categories (ASB is incidents, not crime)."""

OFFICIAL_HEADERS: dict[str, str] = {
    "crime_id": "Crime ID",
    "month": "Month",
    "reported_by": "Reported by",
    "falls_within": "Falls within",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "location": "Location",
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA name",
    "crime_type": "Crime type",
    "last_outcome_category": "Last outcome category",
    "context": "Context",
}
"""Canonical (snake_case) column name -> the header data.police.uk writes."""

FIELDS: tuple[str, ...] = tuple(OFFICIAL_HEADERS)
"""The 12 street columns in file order, by canonical name."""

OPTIONAL_FIELDS: frozenset[str] = frozenset({"context"})
"""Columns a file may leave out: Context is always empty and is not stored."""

NEAR_PREFIX = re.compile(r"^On or near\b\s*")
"""How data.police.uk starts the name of the map point a record is moved to."""
NO_LOCATION = "No Location"
"""data.police.uk's ``Location`` for a record it could not place."""


def street_name(location: object) -> str | None:
    """The street or place of a police.uk ``Location``: "On or near High Street" ->
    "High Street", "On or near Supermarket" -> "Supermarket"; None for a blank location or
    "No Location"."""
    if not isinstance(location, str) or not location.strip() or location.strip() == NO_LOCATION:
        return None
    return NEAR_PREFIX.sub("", location.strip()).strip() or None

STREET_NAME = re.compile(
    r"^(?P<month>\d{4}-(0[1-9]|1[0-2]))-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*)-street\.csv(\.gz)?$",
    re.IGNORECASE,
)
YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?!\d)")
HEADER_PROBE_BYTES = 65536
SCAN_THREADS = max(1, min(4, os.cpu_count() or 1))
"""Scans run side by side (each scan is single-threaded to keep file order)."""


@dataclass(frozen=True, order=True)
class StreetSource:
    """One street CSV to load: a plain/.gz file, or a member of an archive zip.

    ``release`` decides which copy wins when the same force-month arrives more than once: the
    latest ``YYYY-MM`` in the archive's file name (else the latest month among the archive's
    street members) or, for a file not in an archive, the latest ``YYYY-MM`` anywhere in its path
    (so ``2024-04/2022-01/2022-01-essex-street.csv``, an extracted April-2024 archive, beats a
    bare ``2022-01-essex-street.csv``). Ties go to the source whose name sorts last.
    """

    force: str
    month: date
    release: date
    container: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """The name recorded as ``source_file``: the path, or ``archive.zip!member``."""
        return f"{self.container}!{self.member}" if self.member else str(self.container)

    @property
    def is_gzip(self) -> bool:
        """Whether the CSV bytes are gzip-compressed (name ends ``.gz``)."""
        return (self.member or self.container.name).lower().endswith(".gz")

    @contextmanager
    def open_bytes(self) -> Iterator[IO[bytes]]:
        """Open the CSV as decompressed bytes, wherever it lives."""
        with ExitStack() as stack:
            if self.member:
                archive = stack.enter_context(zipfile.ZipFile(self.container))
                raw: IO[bytes] = stack.enter_context(archive.open(self.member))
            else:
                raw = stack.enter_context(open(self.container, "rb"))
            try:
                # GzipFile reads bytes as IO[bytes] does, but typeshed does not declare it one
                yield stack.enter_context(gzip.open(raw)) if self.is_gzip else raw  # type: ignore[arg-type]
            except DAMAGED as error:
                raise damaged_file(self, error) from error


DAMAGED = (gzip.BadGzipFile, EOFError, zlib.error, zipfile.BadZipFile)
"""What reading a damaged file raises: not gzip, a cut-short or corrupt stream, a bad CRC."""


def damaged_file(source: StreetSource, error: Exception) -> InputError:
    """The message for a street file whose bytes cannot be read back: what is wrong, and that
    a fresh download is the fix."""
    if isinstance(error, gzip.BadGzipFile):
        problem = "the file is named .gz but is not gzip-compressed"
        hint = "download it again, or drop the .gz from its name if it is a plain CSV"
    elif isinstance(error, zipfile.BadZipFile):
        problem = "the archive member is damaged (its checksum does not match its contents)"
        hint = "download the archive again from data.police.uk"
    else:
        problem = "the compressed file is cut short or damaged"
        hint = "download it again: this copy is incomplete"
    return InputError(problem, file=source.name, found=str(error),
                      expected="a complete copy of the file data.police.uk published", hint=hint)


@dataclass(frozen=True)
class StreetHeader:
    """Where each canonical column sits in one file, and the header text the file used."""

    positions: dict[str, int]
    headers: dict[str, str]
    n_fields: int


def discover_street_files(inputs: Sequence[Path]) -> list[StreetSource]:
    """Expand files, folders and archive zips into street sources, sorted, each listed once.

    Folders are searched recursively for ``*-street.csv[.gz]`` files and ``.zip`` archives;
    archives contribute their ``YYYY-MM-<force>-street.csv`` members. Outcomes and
    stop-and-search files are ignored inside folders and archives, but naming one directly is an
    error, as is an input that does not exist or yields no street file.
    """
    found: dict[tuple[Path, str | None], StreetSource] = {}
    for given in inputs:
        path = Path(given)
        sources = _expand(path)
        if not sources:
            raise InputError(
                "no data.police.uk street files found here",
                file=path,
                expected="YYYY-MM-<force>-street.csv(.gz) files, month folders or archive zips",
            )
        for source in sources:
            found.setdefault((source.container.resolve(), source.member), source)
    return sorted(found.values())


def _expand(path: Path) -> list[StreetSource]:
    """The street sources one input path stands for."""
    if path.is_dir():
        sources = [_plain_source(present_path(p)) for p in sorted(path.rglob("*"))
                   if _is_street_name(p.name)]
        for archive in sorted(path.rglob("*.zip")):
            sources.extend(_archive_sources(present_path(archive)))
        return sources
    if not path.exists():
        raise InputError("input not found", file=path, expected="an existing file or folder")
    if path.suffix.lower() == ".zip":
        return _archive_sources(path)
    if not _is_street_name(path.name):
        raise InputError(
            "not a data.police.uk street file name",
            file=path,
            found=path.name,
            expected="YYYY-MM-<force>-street.csv or .csv.gz",
            hint="keep the name data.police.uk gave the file: it says the month and the force",
        )
    return [_plain_source(path)]


def present_path(path: Path) -> Path:
    """``path``, if it is there: a link whose target is gone is an error, not a skipped month
    (skipping it would show that month's crime as missing without saying why)."""
    if path.is_symlink() and not path.exists():
        raise InputError(
            "a link in the folder points to a file that does not exist", file=path,
            found=os.readlink(path), expected="links to existing street files or archives",
            hint="restore the file the link points to, or delete the link",
        )
    return path


def _is_street_name(name: str) -> bool:
    """Whether a file name is a street file's (not outcomes or stop-and-search)."""
    return STREET_NAME.match(name) is not None


def _plain_source(path: Path) -> StreetSource:
    """A street file on disk; its release is the latest YYYY-MM in its path."""
    match = STREET_NAME.match(path.name)
    assert match is not None  # callers filter on _is_street_name
    month = parse_month(match["month"])
    return StreetSource(
        force=match["force"].lower(),
        month=month,
        release=max([month, *months_in(str(path))]),
        container=path,
    )


def _archive_sources(archive: Path) -> list[StreetSource]:
    """The street members of an archive zip; their release is the archive's month."""
    try:
        with zipfile.ZipFile(archive) as opened:
            members = opened.infolist()
    except zipfile.BadZipFile as error:
        raise InputError(
            "cannot open archive", file=archive, found=str(error), expected="a zip archive"
        ) from error
    for member in members:
        check_member(archive, member)
    names = [m.filename for m in members if _is_street_name(m.filename.rsplit("/", 1)[-1])]
    matches = [(name, STREET_NAME.match(name.rsplit("/", 1)[-1])) for name in names]
    months = [parse_month(m["month"]) for _, m in matches if m]
    named = months_in(archive.name)
    release = max(named) if named else max(months, default=date.min)
    return [
        StreetSource(
            force=m["force"].lower(),
            month=parse_month(m["month"]),
            release=release,
            container=archive,
            member=name,
        )
        for name, m in matches
        if m
    ]


def check_member(archive: Path, member: zipfile.ZipInfo) -> None:
    """Refuse an archive member whose path escapes the archive ('zip slip') or whose size or
    compression ratio is beyond any real street file (a 'zip bomb')."""
    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
    if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in member.filename:
        raise InputError(
            "the archive holds a file whose path points outside the archive",
            file=archive, found=member.filename,
            expected="paths inside the archive, like 2024-01/2024-01-essex-street.csv",
            hint="do not use this archive: download it again from data.police.uk",
        )
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > MAX_MEMBER_BYTES or ratio > MAX_ZIP_RATIO:
        raise InputError(
            "an archive member is larger, or compressed further, than any real street file",
            file=archive, found=f"{member.filename}: {member.file_size:,} bytes, "
                                f"compressed {ratio:,.0f} times",
            expected=f"at most {MAX_MEMBER_BYTES:,} bytes and {MAX_ZIP_RATIO} times "
                     "compression (limits protect the disk from 'zip bombs')",
            hint="do not use this archive: download it again from data.police.uk",
        )


def months_in(text: str) -> list[date]:
    """Every YYYY-MM that appears in a piece of text (a path or a file name)."""
    return [parse_month(f"{y}-{m}") for y, m in YEAR_MONTH.findall(text)]


def parse_month(text: str) -> date:
    """``YYYY-MM`` -> the first day of that month."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def read_header(source: StreetSource) -> StreetHeader:
    """Read and check the header line: every required column present once, by name.

    Accepts the official header and the snake_case variant (``crime_id,month,...``), a UTF-8
    byte-order mark, and CRLF or LF. Raises InputError for an empty file, a header that is not
    UTF-8, or a missing or repeated column.
    """
    with source.open_bytes() as stream:
        probe = stream.read(HEADER_PROBE_BYTES)
    first_line = probe.split(b"\n", 1)[0]
    if not probe.strip():
        raise InputError(
            "the file is empty", file=source.name, line=1, expected="a header line and data rows"
        )
    try:
        text = first_line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as error:
        raise _undecodable(source, 1, first_line, error, header=None) from error
    names = next(csv.reader([text]))
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        key = name.strip().lower().replace(" ", "_")
        if key in positions:
            raise InputError(
                "column appears twice in the header", file=source.name, line=1, column=name
            )
        if key in OFFICIAL_HEADERS:
            positions[key] = index
            headers[key] = name
    for key in FIELDS:
        if key not in positions and key not in OPTIONAL_FIELDS:
            raise InputError(
                "required column missing from the header",
                file=source.name,
                line=1,
                column=OFFICIAL_HEADERS[key],
                found=text,
                expected=", ".join(OFFICIAL_HEADERS.values()),
                hint="check the file is a data.police.uk street file and was not cut or re-saved",
            )
    return StreetHeader(positions=positions, headers=headers, n_fields=len(names))


def _undecodable(
    source: StreetSource,
    line: int,
    raw: bytes,
    error: UnicodeDecodeError,
    header: StreetHeader | None,
) -> InputError:
    """The error for bytes that are not UTF-8, naming the line and (for data rows) the column."""
    column = None
    if header is not None:
        field_index = raw[: error.start].count(b",")
        by_position = {pos: header.headers[key] for key, pos in header.positions.items()}
        column = by_position.get(field_index, f"field {field_index + 1}")
    return InputError(
        "the file is not UTF-8 text",
        file=source.name,
        line=line,
        column=column,
        found=raw[error.start : error.end + 8],
        expected="UTF-8 encoded CSV, as data.police.uk publishes",
        hint="re-download the file, or re-save it as UTF-8",
    )


def locate_undecodable(source: StreetSource, header: StreetHeader) -> InputError | None:
    """Find the first line that is not UTF-8 (used only after the fast reader has failed)."""
    with source.open_bytes() as stream:
        for line_number, raw in enumerate(stream, start=1):
            try:
                raw.decode("utf-8-sig" if line_number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                return _undecodable(source, line_number, raw, error, header)
    return None


def stage_file(source: StreetSource, staging_dir: Path, index: int) -> Path:
    """A path DuckDB can read: the file itself, or an archive member extracted to staging."""
    if source.member is None:
        return source.container
    target = staging_dir / f"{index:05d}-{source.member.rsplit('/', 1)[-1]}"
    with (
        zipfile.ZipFile(source.container) as archive,
        archive.open(source.member) as member,
        open(target, "wb") as out,
    ):
        written = 0
        try:
            while block := member.read(1 << 20):
                written += len(block)
                if written > MAX_MEMBER_BYTES:  # the header lied about the size
                    raise InputError("an archive member unpacks to more than the size limit",
                                     file=source.name, expected=f"at most {MAX_MEMBER_BYTES:,} "
                                     "bytes", hint="do not use this archive")
                out.write(block)
        except DAMAGED as error:
            raise damaged_file(source, error) from error
    return target


def load_raw_rows(
    con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource], staging_dir: Path
) -> None:
    """Load every data row of every source, as text, and describe the sources.

    Creates tables ``source_files`` (one row per source: ``source_id``, ``source_file``,
    ``force``, ``file_month``, ``release``), ``source_columns`` (the header text and position of
    each field in each file) and ``raw_scan``, and the view ``raw_rows``: ``row_key`` (unique row
    number), ``source_id``, ``source_line``, ``n_fields`` (fields found), ``n_expected`` (fields
    in the header) and one VARCHAR column per canonical field, NULL when the file has no such
    column or the row stops short; an empty field stays ''. Files with the same column layout
    are read in a few DuckDB scans, run side by side.
    """
    headers = [read_header(source) for source in sources]
    _create_source_tables(con, sources, headers)
    con.execute(
        "CREATE TABLE raw_scan (row_key BIGINT, newlines_before BIGINT, source_id INTEGER, "
        "n_fields INTEGER, n_expected INTEGER, "
        + ", ".join(f"{key} VARCHAR" for key in FIELDS)
        + ")"
    )
    staged = [stage_file(s, staging_dir, i) for i, s in enumerate(sources)]
    layouts: dict[tuple[int, tuple[tuple[str, int], ...]], list[int]] = {}
    for index, header in enumerate(headers):
        layout = (header.n_fields, tuple(sorted(header.positions.items())))
        layouts.setdefault(layout, []).append(index)
    batches = [
        indexes[part::SCAN_THREADS]
        for indexes in layouts.values()
        for part in range(min(SCAN_THREADS, len(indexes)))
    ]
    with ThreadPoolExecutor(max_workers=SCAN_THREADS) as pool:
        scans = [
            pool.submit(
                _scan_files, con, [staged[i] for i in batch], batch, headers[batch[0]],
                number << 40,
            )
            for number, batch in enumerate(batches)
        ]  # fmt: skip
    for scan, batch in zip(scans, batches, strict=True):
        try:
            scan.result()
        except duckdb.Error as error:
            raise _diagnose(error, [sources[i] for i in batch], headers) from error
    _record_file_starts(con, sources)
    con.execute(
        """
        CREATE VIEW raw_rows AS
        SELECT s.* EXCLUDE (newlines_before),
               2 + s.row_key - f.first_key + s.newlines_before - f.first_newlines AS source_line
        FROM raw_scan s JOIN source_starts f USING (source_id)
        """
    )


def _create_source_tables(
    con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource], headers: list[StreetHeader]
) -> None:
    """Tables describing the sources: name, force, month, release; and each file's header text."""
    files = pd.DataFrame(
        {
            "source_id": pd.array(range(len(sources)), dtype="int32"),
            "source_file": [s.name for s in sources],
            "force": [s.force for s in sources],
            "file_month": [s.month.strftime("%Y-%m") for s in sources],
            "release": [s.release.strftime("%Y-%m") for s in sources],
        }
    )
    columns = pd.DataFrame(
        [
            (index, key, header.headers.get(key, OFFICIAL_HEADERS[key]), header.positions.get(key))
            for index, header in enumerate(headers)
            for key in FIELDS
        ],
        columns=["source_id", "field", "header", "position"],
    ).astype({"source_id": "int32", "position": "Int32"})
    con.register("source_files_df", files)
    con.register("source_columns_df", columns)
    con.execute("CREATE TABLE source_files AS SELECT * FROM source_files_df")
    con.execute("CREATE TABLE source_columns AS SELECT * FROM source_columns_df")
    con.unregister("source_files_df")
    con.unregister("source_columns_df")


def _scan_files(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    source_ids: list[int],
    header: StreetHeader,
    first_key: int,
) -> None:
    """Append the rows of files sharing one column layout to ``raw_scan``, in one scan.

    Runs on its own cursor of ``con`` (scans run in threads). Row keys count up from
    ``first_key``, so batches scanned at the same time never collide.

    All fields are read as VARCHAR; one extra column catches rows with too many fields and
    ``null_padding`` marks fields missing from a short row as NULL (an empty field stays '', as
    ``nullstr`` is a byte that never occurs in text). The scan is single-threaded, so a streaming
    ``row_number()`` follows file order; with the running count of new lines inside quoted fields
    it gives each row its line number (see the ``raw_rows`` view).
    """
    width = header.n_fields + 1
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    present = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(width))
    selected = ", ".join(
        f"c{header.positions[key]} AS {key}" if key in header.positions else f"NULL AS {key}"
        for key in FIELDS
    )
    # Tested field by field: cheaper than joining the fields to test once (no new strings).
    any_newline = " OR ".join(f"contains(c{i}, chr(10))" for i in range(width))
    newlines = " + ".join(
        f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)" for i in range(width)
    )
    ids = pd.DataFrame(
        {"filename": [str(p) for p in paths], "source_id": pd.array(source_ids, dtype="int32")}
    )
    with con.cursor() as cursor:
        cursor.register("scan_ids", ids)
        cursor.execute(
            f"""
            INSERT INTO raw_scan
            SELECT s.row_key, s.newlines_before, i.source_id, s.n_fields, {header.n_fields},
                   {", ".join(f"s.{key}" for key in FIELDS)}
            FROM (
                SELECT $first_key + row_number() OVER () AS row_key,
                       sum(newlines) OVER (ROWS UNBOUNDED PRECEDING) - newlines
                           AS newlines_before,
                       *
                FROM (
                    SELECT filename, {present} AS n_fields,
                           CASE WHEN {any_newline} THEN {newlines} ELSE 0 END
                               AS newlines,
                           {selected}
                    FROM read_csv($paths, columns = {columns}, header = false, skip = 1,
                        delim = ',', quote = '"', escape = '"', null_padding = true,
                        nullstr = chr(1), strict_mode = false, auto_detect = false,
                        max_line_size = $max_line,
                        parallel = false, filename = true)
                )
            ) s JOIN scan_ids i USING (filename)
            """,
            {"paths": [str(p) for p in paths], "first_key": first_key,
             "max_line": MAX_LINE_BYTES},
        )


def _diagnose(
    error: duckdb.Error, sources: list[StreetSource], headers: list[StreetHeader]
) -> InputError:
    """Turn a failed scan into an InputError naming the file, line and column at fault."""
    by_name = {s.name: h for s, h in zip(sources, headers, strict=False)}
    for source in sources:
        located = locate_undecodable(source, by_name[source.name])
        if located is not None:
            return located
    text = str(error)
    first_line = text.strip().splitlines()[0]
    if "Maximum line size" in text:
        line = re.search(r"CSV Error on Line: (\d+)", text)
        file = re.search(r"file = (.+)", text)
        return InputError(
            f"a line is longer than the limit of {MAX_LINE_BYTES:,} bytes",
            file=file.group(1).strip() if file else ", ".join(s.name for s in sources),
            line=int(line.group(1)) if line else None,
            expected="data.police.uk rows of a few hundred characters",
            hint="the file is damaged or not a data.police.uk street file",
        )
    return InputError(
        "the file could not be read as CSV",
        file=", ".join(s.name for s in sources),
        found=first_line,
        expected="a comma-separated data.police.uk street file",
    )


def _record_file_starts(con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource]) -> None:
    """Note where each file starts in ``raw_scan``; a file with no data rows is an error."""
    con.execute(
        """
        CREATE TABLE source_starts AS
        SELECT f.source_id, min(s.row_key) AS first_key,
               min(s.newlines_before) AS first_newlines, count(s.row_key) AS n_rows
        FROM source_files f LEFT JOIN raw_scan s USING (source_id)
        GROUP BY f.source_id
        """
    )
    empty = con.execute(
        "SELECT source_id FROM source_starts WHERE n_rows = 0 ORDER BY 1 LIMIT 1"
    ).fetchall()
    if empty:
        raise InputError(
            "the file has a header but no data rows",
            file=sources[empty[0][0]].name,
            line=2,
            expected="at least one data row",
            hint="re-download the file; data.police.uk does not publish empty months",
        )


MAX_LINE_BYTES = 100_000
"""Longest line accepted: a data.police.uk row is under 1,000 bytes; longer means corrupt."""
MAX_MEMBER_BYTES = 1_000_000_000
"""Largest street file accepted from an archive (the biggest force-month is about 30 MB)."""
MAX_ZIP_RATIO = 100
"""Highest compression ratio accepted for an archive member: CSV text compresses 5 to 15
times; a far higher ratio is a 'zip bomb' built to fill the disk when unpacked."""

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
LSOA_PATTERN = r"^[EW]01[0-9]{6}$"

_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    # (reason_code, failing condition, field it names, what was expected)
    ("too_many_fields", "n_fields > n_expected", "", "no more fields than the header"),
    ("truncated_row", "n_fields < n_expected", "", "as many fields as the header"),
    ("invalid_month", f"NOT regexp_full_match(month, '{MONTH_PATTERN}')", "month", "YYYY-MM"),
    ("future_month", "month > $this_month", "month", "a month that has already happened"),
    ("month_mismatch", "month <> file_month", "month", "the month in the file name"),
    ("unknown_crime_type", "crime_type NOT IN $crime_types", "crime_type",
     "one of the 14 data.police.uk crime types"),
    ("missing_value", "reported_by = ''", "reported_by", "a force name"),
    ("missing_value", "falls_within = ''", "falls_within", "a force name"),
    ("invalid_longitude",
     "longitude <> '' AND NOT coalesce(try_cast(longitude AS DOUBLE) BETWEEN -180 AND 180, false)",
     "longitude", "a number between -180 and 180, or blank"),
    ("invalid_latitude",
     "latitude <> '' AND NOT coalesce(try_cast(latitude AS DOUBLE) BETWEEN -90 AND 90, false)",
     "latitude", "a number between -90 and 90, or blank"),
    ("incomplete_coordinates", "longitude = '' AND latitude <> ''", "longitude",
     "both coordinates or neither"),
    ("incomplete_coordinates", "latitude = '' AND longitude <> ''", "latitude",
     "both coordinates or neither"),
    ("invalid_lsoa_code", f"lsoa_code <> '' AND NOT regexp_full_match(lsoa_code, '{LSOA_PATTERN}')",
     "lsoa_code", "an LSOA code such as E01015921, or blank"),
)  # fmt: skip


def _first_failure(part: int) -> str:
    """A CASE expression giving one part of the first failing check (0 code, 2 field, 3 exp.)."""
    whens = " ".join(f"WHEN {check[1]} THEN '{check[part]}'" for check in _CHECKS)
    return f"CASE {whens} END"


def create_problems(con: duckdb.DuckDBPyConnection) -> None:
    """Create table ``problems``: one row per row that fails a check, with the first failure.

    Columns: ``row_key``, ``reason_code``, ``reason_column`` (the offending column's header text
    in that file), ``reason_value`` (the value found) and ``reason`` (a sentence naming column,
    value and expectation). A row that passes every check has no entry; only the first failing
    check (in the order of ``_CHECKS``) is reported.
    """
    value = "CASE " + " ".join(
        f"WHEN {cond} THEN {field if field else 'NULL'}" for _, cond, field, _ in _CHECKS
    ) + " END"  # fmt: skip
    con.execute(
        f"""
        CREATE TEMP TABLE failing AS
        SELECT * FROM (
            SELECT r.row_key, r.source_id, r.n_fields, r.n_expected,
                   {_first_failure(0)} AS reason_code, {_first_failure(2)} AS reason_field,
                   {value} AS reason_value, {_first_failure(3)} AS reason_expected
            FROM raw_scan r JOIN source_files f USING (source_id)
        ) WHERE reason_code IS NOT NULL
        """,
        {"crime_types": list(CRIME_TYPES), "this_month": date.today().strftime("%Y-%m")},
    )
    con.execute(
        """
        CREATE TABLE problems AS
        SELECT p.row_key, p.reason_code,
               coalesce(c.header, cut.header) AS reason_column,
               p.reason_value,
               CASE p.reason_code
                 WHEN 'too_many_fields' THEN
                   format('row has more than {} fields, expected {}', p.n_expected, p.n_expected)
                 WHEN 'truncated_row' THEN
                   format('row cut short: {} of {} fields, first missing column ''{}''',
                          p.n_fields, p.n_expected, coalesce(cut.header, '?'))
                 ELSE format('column ''{}'': found ''{}'', expected {}',
                             c.header, p.reason_value, p.reason_expected)
               END AS reason
        FROM failing p
        LEFT JOIN source_columns c
          ON c.source_id = p.source_id AND c.field = p.reason_field
        LEFT JOIN source_columns cut
          ON p.reason_code = 'truncated_row' AND cut.source_id = p.source_id
             AND cut.position = p.n_fields
        """
    )
    con.execute("DROP TABLE failing")
