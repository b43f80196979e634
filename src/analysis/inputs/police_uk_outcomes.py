"""Read data.police.uk outcomes files: find them beside the street files and load their rows.

data.police.uk publishes, beside each force's monthly street file, ``YYYY-MM-<force>-
outcomes.csv``: one row per outcome the force *recorded in that month*, for a crime of that
month or any earlier one, with columns Crime ID, Month, Reported by, Falls within, Longitude,
Latitude, Location, LSOA code, LSOA name, Outcome type. A crime can appear in several months'
files (e.g. 'Suspect charged' one month, 'Offender fined' a later one). The files sit in the
same month folders and archive zips as the street files, so they are found in the same inputs
(:func:`discover_outcome_files`); unlike street files, an input holding none is not an error
(many downloads leave them out).

Rows are loaded as text with the file and line they came from (:func:`load_outcome_rows`); a
row without a Crime ID, month or outcome type, or whose month is not the file's, is
quarantined with a reason. Line numbers are the row's position after the header (line 2 is
the first row); data.police.uk never writes a new line inside a field.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from analysis.core.errors import InputError
from analysis.inputs.police_uk import (
    HEADER_PROBE_BYTES,
    MONTH_PATTERN,
    OFFICIAL_HEADERS,
    STREET_NAME,
    StreetSource,
    check_member,
    months_in,
    parse_month,
    present_path,
    stage_file,
)

OUTCOME_HEADERS: dict[str, str] = {
    **{field: header for field, header in OFFICIAL_HEADERS.items()
       if field not in ("crime_type", "last_outcome_category", "context")},
    "outcome_type": "Outcome type",
}
"""Canonical (snake_case) column name -> the header data.police.uk writes: the street file's
columns up to the LSOA name (in the same order), then the outcome."""

OUTCOME_FIELDS: tuple[str, ...] = tuple(OUTCOME_HEADERS)

OUTCOMES_NAME = re.compile(
    r"^(?P<month>\d{4}-(0[1-9]|1[0-2]))-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*)-outcomes\.csv(\.gz)?$",
    re.IGNORECASE,
)

_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    # (reason code, failing condition, column it names, what was expected)
    ("too_many_fields", "n_fields > n_expected", "", "no more fields than the header"),
    ("truncated_row", "n_fields < n_expected", "", "as many fields as the header"),
    ("missing_value", "coalesce(crime_id, '') = ''", "crime_id", "a Crime ID"),
    ("invalid_month", f"NOT regexp_full_match(coalesce(month, ''), '{MONTH_PATTERN}')",
     "month", "YYYY-MM"),
    ("month_mismatch", "month <> file_month", "month", "the month in the file name"),
    ("missing_value", "coalesce(outcome_type, '') = ''", "outcome_type", "an outcome type"),
)  # fmt: skip


def discover_outcome_files(inputs: Sequence[Path]) -> list[StreetSource]:
    """The outcomes files in ``inputs`` (files, month folders, archive zips), sorted, each once.

    ``release`` is as for street files (:class:`analysis.inputs.police_uk.StreetSource`). An
    input with no outcomes file contributes none; inputs that do not exist are reported by the
    street files' discovery, which runs first.
    """
    found: dict[tuple[Path, str | None], StreetSource] = {}
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            sources = [_plain_source(present_path(p)) for p in sorted(path.rglob("*"))
                       if OUTCOMES_NAME.match(p.name)]
            for archive in sorted(path.rglob("*.zip")):
                sources.extend(_archive_sources(archive))
        elif path.suffix.lower() == ".zip":
            sources = _archive_sources(path)
        else:
            sources = [_plain_source(path)] if OUTCOMES_NAME.match(path.name) else []
        for source in sources:
            found.setdefault((source.container.resolve(), source.member), source)
    return sorted(found.values())


def _plain_source(path: Path) -> StreetSource:
    """An outcomes file on disk; its release is the latest YYYY-MM in its path."""
    match = OUTCOMES_NAME.match(path.name)
    assert match is not None  # callers filter on the name
    month = parse_month(match["month"])
    return StreetSource(force=match["force"].lower(), month=month,
                        release=max([month, *months_in(str(path))]), container=path)


def _archive_sources(archive: Path) -> list[StreetSource]:
    """The outcomes members of an archive zip, released in the archive's month."""
    names, release = _archive_members(archive)
    sources = []
    for name in names:
        match = OUTCOMES_NAME.match(name.rsplit("/", 1)[-1])
        if match:
            sources.append(StreetSource(force=match["force"].lower(),
                                        month=parse_month(match["month"]),
                                        release=release, container=archive, member=name))
    return sources


def _archive_members(archive: Path) -> tuple[list[str], date]:
    """An archive's member names and its release: the latest YYYY-MM in its file name, else
    the latest month among its street and outcomes members (as for its street files)."""
    try:
        with zipfile.ZipFile(archive) as opened:
            members = opened.infolist()
    except zipfile.BadZipFile as error:
        raise InputError("cannot open archive", file=archive, found=str(error),
                         expected="a zip archive") from error
    for member in members:
        check_member(archive, member)
    names = [m.filename for m in members]
    months = [parse_month(match["month"]) for name in names
              if (match := STREET_NAME.match(name.rsplit("/", 1)[-1])
                  or OUTCOMES_NAME.match(name.rsplit("/", 1)[-1]))]
    named = months_in(archive.name)
    return names, max(named) if named else max(months, default=date.min)


def read_outcome_header(source: StreetSource) -> dict[str, int]:
    """Where each column sits in an outcomes file (header names official or snake_case).

    Raises InputError for an empty file, a header that is not UTF-8, or a missing column.
    """
    with source.open_bytes() as stream:
        probe = stream.read(HEADER_PROBE_BYTES)
    if not probe.strip():
        raise InputError("the file is empty", file=source.name, line=1,
                         expected="a header line and data rows")
    try:
        text = probe.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as error:
        raise InputError("the file is not UTF-8 text", file=source.name, line=1,
                         expected="UTF-8 encoded CSV, as data.police.uk publishes") from error
    positions: dict[str, int] = {}
    for index, name in enumerate(next(csv.reader([text]))):
        key = name.strip().lower().replace(" ", "_")
        if key in OUTCOME_HEADERS:
            positions.setdefault(key, index)
    for key in OUTCOME_FIELDS:
        if key not in positions:
            raise InputError("required column missing from the header", file=source.name,
                             line=1, column=OUTCOME_HEADERS[key], found=text,
                             expected=", ".join(OUTCOME_HEADERS.values()),
                             hint="check the file is a data.police.uk outcomes file")
    positions["_n_fields"] = len(next(csv.reader([text])))
    return positions


def load_outcome_rows(con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource],
                      staging_dir: Path) -> None:
    """Create tables ``outcome_rows`` (every data row, as text, with ``source_file``,
    ``release``, ``source_line`` and ``reason``/``reason_column``/``reason_value`` set when the
    row fails a check) from ``sources``; an empty table when there are none."""
    con.execute(
        "CREATE TABLE outcome_scan (source_file VARCHAR, release VARCHAR, file_month VARCHAR, "
        "source_line BIGINT, n_fields INTEGER, n_expected INTEGER, "
        + ", ".join(f"{key} VARCHAR" for key in OUTCOME_FIELDS) + ")")
    for index, source in enumerate(sources):
        positions = read_outcome_header(source)
        _scan_outcome_file(con, source, stage_file(source, staging_dir, index), positions)
    failing = " ".join(f"WHEN {cond} THEN '{code}'" for code, cond, _, _ in _CHECKS)
    column = " ".join(f"WHEN {cond} THEN '{OUTCOME_HEADERS.get(field, '')}'"
                      for _, cond, field, _ in _CHECKS)
    value = " ".join(f"WHEN {cond} THEN {field or 'NULL'}" for _, cond, field, _ in _CHECKS)
    expected = " ".join(f"WHEN {cond} THEN '{exp}'" for _, cond, _, exp in _CHECKS)
    con.execute(
        f"""
        CREATE TABLE outcome_rows AS
        SELECT *, CASE {failing} END AS reason_code, nullif(CASE {column} END, '') AS reason_column,
               CASE {value} END AS reason_value, CASE {expected} END AS reason_expected
        FROM outcome_scan
        """
    )
    con.execute("DROP TABLE outcome_scan")


def _scan_outcome_file(con: duckdb.DuckDBPyConnection, source: StreetSource, path: Path,
                       positions: dict[str, int]) -> None:
    """Append one outcomes file's rows to ``outcome_scan`` (one extra column catches rows
    with too many fields; fields missing from a short row are NULL)."""
    n_fields = positions["_n_fields"]
    width = n_fields + 1
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    present = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(width))
    selected = ", ".join(f"c{positions[key]} AS {key}" for key in OUTCOME_FIELDS)
    try:
        con.execute(
            f"""
            INSERT INTO outcome_scan
            SELECT $file, $release, $file_month, 1 + row_number() OVER (), {present},
                   {n_fields}, {selected}
            FROM read_csv($path, columns = {columns}, header = false, skip = 1, delim = ',',
                          quote = '"', escape = '"', null_padding = true, nullstr = chr(1),
                          strict_mode = false, auto_detect = false, parallel = false)
            """,
            {"file": source.name, "release": f"{source.release:%Y-%m}",
             "file_month": f"{source.month:%Y-%m}", "path": str(path)},
        )
    except duckdb.Error as error:
        raise InputError("the outcomes file could not be read as CSV", file=source.name,
                         found=str(error).strip().splitlines()[0],
                         expected="a comma-separated data.police.uk outcomes file in UTF-8",
                         hint="download the file again from data.police.uk") from error
