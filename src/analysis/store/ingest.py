"""The canonical store: ingest data.police.uk street files into parquet and open them in DuckDB.

``ingest_police_uk`` validates every row, quarantines the bad ones with a reason, drops
duplicates, joins LSOAs to ward / local authority / CSP / police force area, and writes

* ``<store_dir>/police_uk/street/<YYYY-MM>/*.parquet`` - one row per loaded crime or ASB incident,
* ``<store_dir>/police_uk/quarantine.parquet`` - rows not loaded, with reason, column and value,
* ``<store_dir>/police_uk/duplicates.parquet`` - rows dropped as copies, with the copy kept,
* ``<store_dir>/police_uk/reconciliation.parquet`` - per input file: read = loaded + quarantined +
  duplicates,
* ``<store_dir>/police_uk/ingest.json`` - the settings the store was built with,
* ``<store_dir>/police_uk/sources.json`` - the input files it holds, for the next update
  (:mod:`analysis.store.manifest`),
* the outcomes files found among the same inputs and each crime's latest outcome
  (:mod:`analysis.store.outcomes`).

Duplicates. A crime (non-blank Crime ID) that appears more than once is kept once: the copy from
the newest source (see :class:`analysis.inputs.police_uk.StreetSource` for "newest"; ties go to
the source name that sorts last, then the first line). Rows with a blank Crime ID - the ASB
incidents - cannot be matched one by one, so for each force and month they are taken whole from
the newest source for that force-month and the other copies are dropped.

Geography. A row's LSOA vintage is the one its code exists in within the lookup; a code present
in both vintages takes 2011 for months before ``vintage_switch`` (default 2023-01) and 2021 from
it on; a code in neither gets a null vintage (an unknown LSOA in the quality report). Without a
lookup the vintage follows the month rule alone and the geography columns are null. Rows with no
LSOA are loaded with null geography (unlocatable), never dropped.

The store is derived data: each ingest replaces ``police_uk/`` with exactly what its inputs hold,
reading again only the months whose files changed since the last one (the same tables as reading
everything, which ``full=True`` does). It is built in a temporary folder beside it and swapped
in only when complete, so a failed ingest leaves the previous store untouched. A temporary
folder's name holds the id of the process building it (``.police_uk-<pid>-<random>.tmp``); one
left by a killed run (``kill -9``, a power cut) is removed by the next ingest into the store,
and a live run's folders are never touched. Disk and permission failures are reported as
:class:`analysis.core.errors.StorageError` naming the
folder, with the previous store kept.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core.errors import (
    InputError,
    StorageError,
    storage_error,
)
from analysis.core.locks import process_alive
from analysis.core.vocabulary import ASB
from analysis.inputs.geography import LOOKUP_COLUMNS
from analysis.inputs.partner import (
    ExtractKind,
    PartnerMapping,
    load_partner_extract,
    ward_name_table,
)
from analysis.inputs.police_uk import (
    FIELDS,
    StreetSource,
    create_problems,
    discover_street_files,
    load_raw_rows,
)
from analysis.inputs.police_uk_outcomes import discover_outcome_files
from analysis.store.manifest import (
    GROUP_TEXT_BYTES,
    Manifest,
    UpdatePlan,
    code_digest,
    file_entries,
    lookup_digest,
    month_groups,
    plan_update,
    read_manifest,
    record_matches,
    source_entries,
    write_manifest,
    write_record,
)
from analysis.store.outcomes import write_outcomes
from analysis.store.placement import place_partner_rows
from analysis.store.query import DEFAULT_VINTAGE_SWITCH, PARTNER_DIR, POLICE_UK_DIR, sql_path

logger = logging.getLogger(__name__)

LSOA_VINTAGES = (2011, 2021)
GEOGRAPHY_CODES = ("ward_code", "lad_code", "csp_code", "pfa_code")
"""The lookup's codes joined to every loaded row, by the row's LSOA and vintage."""

INGEST_MEMORY_LIMIT = "2.5GB"
"""DuckDB's memory cap during an ingest; beyond it, work spills to a folder in the store.

Without a cap a national archive (25 million rows) held 20 GB; capped, it stays under 3 GB
and was no slower on the benchmark machine (docs/benchmarks.md)."""


WRITE_THREADS = max(1, os.cpu_count() or 1)
"""Months of the street table written side by side (each month's parquet file is written on
one thread)."""


@dataclass
class IngestReport:
    """What an ingest did: totals, the per-file reconciliation, and the months and forces loaded."""

    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duplicates_dropped: int
    reconciliation: pd.DataFrame
    months: list[date]
    forces: list[str]


def ingest_police_uk(
    inputs: Sequence[Path],
    store_dir: Path,
    *,
    lsoa_lookup: pd.DataFrame | None = None,
    vintage_switch: date = DEFAULT_VINTAGE_SWITCH,
    full: bool = False,
) -> IngestReport:
    """Make the store's police.uk street data exactly what ``inputs`` hold.

    ``inputs`` may mix street CSVs (plain or .gz), month folders and archive zips, for any number
    of forces. Every row read is loaded, quarantined or counted as a duplicate, per file. Raises
    InputError for a file that cannot be read as a street file; the previous store is kept.

    An update: only the months whose files are new, changed or gone since the last ingest are
    read again (:mod:`analysis.store.manifest`), with the months that share a Crime ID with them
    (a copy in one month can displace one in another); the other months are kept as stored, so
    adding a month costs about what that month costs. ``full`` reads everything again. Both give
    the same tables.
    """
    started_ns = time.time_ns()
    sources = discover_street_files(inputs)
    outcome_sources = discover_outcome_files(inputs)
    lookup = check_lsoa_lookup(lsoa_lookup) if lsoa_lookup is not None else None
    store_dir = Path(store_dir)
    previous_folder = store_dir / POLICE_UK_DIR
    manifest = Manifest(
        settings={"lookup": lookup_digest(lookup), "vintage_switch": f"{vintage_switch:%Y-%m}",
                  "code": code_digest()},
        street=source_entries(sources), outcomes=source_entries(outcome_sources),
        started_ns=started_ns)
    plan = None if full else _update_plan(previous_folder, manifest)
    if plan is not None and plan.nothing_changed:
        logger.info("police.uk: the store is up to date with its %d street file(s)", len(sources))
        report = stored_report(previous_folder)
        _log_police_uk(report)
        return report
    if plan is None:
        logger.info("police.uk: reading %d street file(s) from %d input(s)", len(sources),
                    len(inputs))
    else:
        logger.info("police.uk: reading the %d street file(s) of %s again, keeping the other "
                    "%d from the store", len(sources) - len(plan.kept_street),
                    ", ".join(sorted(plan.months)) or "no month", len(plan.kept_street))
    groups = month_groups(manifest.street, plan.months if plan else
                          {e.month for e in manifest.street}, GROUP_TEXT_BYTES)
    made: list[Path] = []
    try:
        previous = None if plan is None else previous_folder
        for number, months in enumerate(groups, start=1):
            if len(groups) > 1:
                logger.info("police.uk: months %s to %s (group %d of %d)", min(months),
                            max(months), number, len(groups))
            building = _temporary_folder(store_dir, POLICE_UK_DIR, ".tmp")
            made.append(building)
            _ingest_months(sources, months, previous, building, lookup, vintage_switch)
            if previous is not None and previous != previous_folder:
                shutil.rmtree(previous)  # an earlier group's folder, now linked from
            previous = building
        with _ingest_connection(building) as con:
            releases = pd.DataFrame({"source_file": [s.name for s in sources],
                                     "release": [f"{s.release:%Y-%m}" for s in sources]})
            if plan is None:
                write_outcomes(con, outcome_sources, building, building / "staging",
                               street_releases=releases)
            else:
                write_outcomes(con, [s for s in outcome_sources if s.name in plan.outcomes],
                               building, building / "staging", street_releases=releases,
                               kept_from=previous_folder, kept=plan.kept_outcomes)
        report = stored_report(building)
        _write_settings(building, lookup is not None, vintage_switch, len(sources))
        write_manifest(building, manifest)
        _tidy(building)
        _swap_in(building, previous_folder)
    except OSError as error:
        raise _storage_error(error, store_dir, "the store") from error
    except duckdb.IOException as error:  # DuckDB's own disk errors (full disk, no permission)
        raise _duckdb_storage_error(error, store_dir) from error
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
    _log_police_uk(report)
    return report


def _ingest_connection(building: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for building the store in ``building``: memory capped, spilling to
    a folder inside it; archive members are extracted to its ``staging`` folder."""
    (building / "staging").mkdir(exist_ok=True)
    return duckdb.connect(config={"memory_limit": INGEST_MEMORY_LIMIT,
                                  "temp_directory": str(building / "spill")})


def _tidy(building: Path) -> None:
    """Remove the staging and spill folders from a finished ``building`` folder."""
    shutil.rmtree(building / "staging", ignore_errors=True)
    shutil.rmtree(building / "spill", ignore_errors=True)


def _ingest_months(sources: Sequence[StreetSource], months: frozenset[str],
                   previous: Path | None, building: Path, lookup: pd.DataFrame | None,
                   vintage_switch: date) -> None:
    """Write into ``building`` the street tables of ``months`` read from ``sources``, with
    every other month of the store ``previous`` kept (none when ``previous`` is None)."""
    if previous is None:
        with _ingest_connection(building) as con:
            _load_street(con, [s for s in sources if f"{s.month:%Y-%m}" in months],
                         building / "staging", lookup, vintage_switch)
            _write_store(con, building)
    else:
        con, kept = _load_changed_months(sources, months, previous, building, lookup,
                                         vintage_switch)
        with con:
            _write_store(con, building, kept)
    _tidy(building)


def _load_street(con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource],
                 staging: Path, lookup: pd.DataFrame | None, vintage_switch: date) -> None:
    """Read, check, de-duplicate and place ``sources``: tables ``raw_rows``, ``problems``,
    ``dropped`` and ``street`` (and those they are made from)."""
    load_raw_rows(con, sources, staging)
    # Row order is fixed by now (row keys, file lines): later steps may reorder rows.
    con.execute("SET preserve_insertion_order = false")
    create_problems(con)
    _find_duplicates(con)
    _create_street(con, lookup, vintage_switch)


def _update_plan(folder: Path, manifest: Manifest) -> UpdatePlan | None:
    """What to re-read to update the store ``folder`` to ``manifest``; None to rebuild it whole
    (no usable previous store, or nothing gained by keeping part of it)."""
    if not (folder / "street").is_dir() or (folder / "street" / "empty").exists():
        return None
    previous = read_manifest(folder)
    if previous is None:
        return None
    months_of = {e.name: e.month for e in previous.street}
    quarantine = sql_path(folder / "quarantine.parquet")
    with duckdb.connect() as con:  # rows of months not yet over: the passing of time decides
        waiting = con.execute(f"SELECT DISTINCT source_file FROM read_parquet('{quarantine}') "
                              "WHERE reason_code = 'future_month'").fetchall()
    return plan_update(previous, manifest, [months_of[n] for (n,) in waiting if n in months_of])


@dataclass(frozen=True)
class _KeptPart:
    """The part of the previous store ``folder`` an update keeps: the street ``months``, and
    the quarantine, duplicate and reconciliation rows of the street files ``sources``."""

    folder: Path
    months: frozenset[str]
    sources: frozenset[str]


def _load_changed_months(sources: Sequence[StreetSource], changed: frozenset[str],
                         previous: Path, building: Path, lookup: pd.DataFrame | None,
                         vintage_switch: date) -> tuple[duckdb.DuckDBPyConnection, _KeptPart]:
    """Load the sources of the ``changed`` months, widened until no month kept from the store
    ``previous`` shares a Crime ID with them. Returns the connection holding the loaded tables
    (the caller closes it) and what to keep from ``previous``.

    Months are otherwise independent: a row whose month is not its file's is quarantined, and
    ASB is de-duplicated within its force-month. A crime repeated in two months is the one
    link, since only one copy is kept; so the loop adds each kept month holding a Crime ID
    that the re-read months hold (read now, or stored before) and reads again, in a new
    connection.
    """
    stored = {p.name for p in (previous / "street").iterdir()
              if p.is_dir() and p.name != "empty"}  # "empty": a store (or group) of no rows
    months = set(changed)
    while True:
        con = _ingest_connection(building)
        group = [s for s in sources if f"{s.month:%Y-%m}" in months]
        try:
            _load_street(con, group, building / "staging", lookup, vintage_switch)
            linked = _months_sharing_crime_ids(con, previous, months, stored - months)
        except BaseException:
            con.close()
            raise
        if not linked:
            break
        con.close()
        logger.info("police.uk: months %s share Crime IDs with the changed months; "
                    "reading them again too", ", ".join(sorted(linked)))
        months |= linked
    return con, _KeptPart(previous, frozenset(stored - months),
                          frozenset(s.name for s in sources if f"{s.month:%Y-%m}" not in months))


def _months_sharing_crime_ids(con: duckdb.DuckDBPyConnection, previous: Path,
                              months: set[str], kept: set[str]) -> set[str]:
    """The ``kept`` months of the store ``previous`` (street or duplicates) holding a Crime ID
    that the re-read ``months`` hold, in the rows just read or in those stored before."""
    if not kept:
        return set()
    street = previous / "street"
    duplicates = sql_path(previous / "duplicates.parquet")
    old_group = [sql_path(street / m / "data_0.parquet") for m in sorted(months)
                 if (street / m / "data_0.parquet").exists()]
    kept_files = [sql_path(street / m / "data_0.parquet") for m in sorted(kept)]
    old_group_ids = (f"UNION SELECT crime_id FROM read_parquet({old_group}) "
                     "WHERE crime_id IS NOT NULL" if old_group else "")
    found = con.execute(
        f"""
        WITH group_ids AS (
            SELECT crime_id FROM raw_scan ANTI JOIN problems USING (row_key) WHERE crime_id <> ''
            {old_group_ids}
            UNION SELECT crime_id FROM read_parquet('{duplicates}')
            WHERE crime_id IS NOT NULL AND strftime(month, '%Y-%m') IN $months
        ),
        kept_ids AS (
            SELECT crime_id, strftime(month, '%Y-%m') AS month
            FROM read_parquet({kept_files}) WHERE crime_id IS NOT NULL
            UNION ALL
            SELECT crime_id, strftime(month, '%Y-%m') FROM read_parquet('{duplicates}')
            WHERE crime_id IS NOT NULL AND strftime(month, '%Y-%m') IN $kept
        )
        SELECT DISTINCT month FROM kept_ids SEMI JOIN group_ids USING (crime_id)
        """, {"months": sorted(months), "kept": sorted(kept)}).fetchall()
    return {month for (month,) in found}


TEMPORARY_NAME = re.compile(
    rf"^\.(?:{POLICE_UK_DIR}|partner)-(?:(?P<pid>\d+)-)?[0-9a-f]{{32}}(?:\.tmp|\.old)?$")
"""A folder an ingest builds in (``.tmp``, partner folders have no suffix) or retires
(``.old``) inside a store; ``pid`` is the process that made it (absent in folders made before
the process was recorded)."""


def _temporary_folder(store_dir: Path, name: str, suffix: str) -> Path:
    """A new empty folder in ``store_dir`` to build ``name`` in, named after this process.

    Stale temporary folders left by killed runs are removed first, so an interrupted ingest
    costs disk space only until the next one.
    """
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(store_dir)
        folder = store_dir / f".{name}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"
        folder.mkdir()
    except OSError as error:
        raise storage_error(error, "preparing the store", store_dir,
                            kept="the previous store is kept") from error
    return folder


def remove_stale_temporaries(store_dir: Path) -> list[Path]:
    """Delete temporary folders in ``store_dir`` whose ingest is no longer running.

    A folder is stale when the process named in it has ended, or when it names no process
    (made before names held one). A folder of a live process, this one included, is kept.
    Returns the folders removed; each is also reported as a warning (a note at the command
    line), since a killed run can leave hundreds of megabytes behind.
    """
    removed = []
    for folder in sorted(Path(store_dir).iterdir()):
        match = TEMPORARY_NAME.match(folder.name)
        if not match or not folder.is_dir():
            continue
        pid = match["pid"]
        if pid is not None and (int(pid) == os.getpid() or process_alive(int(pid))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        warnings.warn(f"removed {len(removed)} temporary folder(s) left by an interrupted "
                      f"ingest: {', '.join(p.name for p in removed)}", stacklevel=2)
    return removed


def _storage_error(error: OSError, folder: Path, written: str) -> Exception:
    """A failed ingest's disk error: writing ``written`` (in ``folder``), or reading an input
    (then the input file is named)."""
    named = Path(str(error.filename)) if error.filename else None
    if named is None or named.resolve().is_relative_to(folder.resolve()):
        return storage_error(error, f"writing {written}", folder,
                             kept=f"the previous {written.removeprefix('the ')} is kept")
    return storage_error(error, "reading an input file", kept=f"{written} was not changed")


def _duckdb_storage_error(error: duckdb.IOException, store_dir: Path) -> Exception:
    """DuckDB's disk errors as the same messages as the operating system's."""
    text = str(error)
    for code, phrase in ((errno.ENOSPC, "No space left"), (errno.EACCES, "Permission denied"),
                         (errno.EROFS, "Read-only file system")):
        if phrase in text:
            return storage_error(OSError(code, phrase), "writing the store", store_dir,
                                 kept="the previous store is kept")
    return StorageError("the store could not be written or read", file=store_dir,
                      found=text.splitlines()[0] if text else None,
                      hint="check the folder and the disk, then run the ingest again")


def check_lsoa_lookup(lookup: pd.DataFrame) -> pd.DataFrame:
    """Check an LSOA lookup has the agreed columns, vintages 2011/2021 and one row per key."""
    missing = [c for c in LOOKUP_COLUMNS if c not in lookup.columns]
    if missing:
        raise InputError(
            "LSOA lookup is missing columns",
            file="LSOA lookup",
            column=missing[0],
            found=list(lookup.columns),
            expected=", ".join(LOOKUP_COLUMNS),
        )
    table = lookup.loc[:, list(LOOKUP_COLUMNS)]
    bad_vintage = table.loc[~table["lsoa_vintage"].isin(LSOA_VINTAGES), "lsoa_vintage"]
    if not bad_vintage.empty:
        raise InputError(
            "LSOA lookup has an unknown vintage",
            file="LSOA lookup",
            column="lsoa_vintage",
            found=bad_vintage.iloc[0],
            expected="2011 or 2021",
        )
    repeated = table.loc[table.duplicated(["lsoa_code", "lsoa_vintage"]), "lsoa_code"]
    if not repeated.empty:
        raise InputError(
            "LSOA lookup has more than one row for a code and vintage",
            file="LSOA lookup",
            column="lsoa_code",
            found=repeated.iloc[0],
            expected="one row per lsoa_code and lsoa_vintage",
        )
    return table.astype({"lsoa_vintage": "int16"})


def _find_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Create table ``dropped``: rows that passed the checks but are copies of a kept row.

    Columns ``row_key``, ``kept_source_file``, ``kept_source_line`` (NULL for ASB, which is
    kept as a whole force-month rather than row by row). Crimes are matched on Crime ID and the
    copy from the newest source is kept; rows without a Crime ID are kept only from the newest
    source of their force-month. Only the rows of repeated Crime IDs are given their file and
    line, so the usual case (few or no copies) costs one count by Crime ID.
    """
    con.execute(
        """
        CREATE TABLE dropped AS
        WITH valid AS (
            SELECT row_key, source_id, crime_id FROM raw_scan ANTI JOIN problems USING (row_key)
        ),
        repeated AS (
            SELECT crime_id FROM valid WHERE crime_id <> ''
            GROUP BY crime_id HAVING count(*) > 1
        ),
        ranked AS (
            SELECT r.row_key,
                   first_value(f.source_file) OVER by_id AS kept_source_file,
                   first_value(r.source_line) OVER by_id AS kept_source_line,
                   row_number() OVER by_id AS copy_rank
            FROM raw_rows r SEMI JOIN repeated USING (crime_id)
            ANTI JOIN problems USING (row_key)
            JOIN source_files f USING (source_id)
            WINDOW by_id AS (PARTITION BY r.crime_id
                             ORDER BY f.release DESC, f.source_file DESC, r.source_line)
        ),
        newest AS (
            SELECT force, file_month,
                   max_by(source_id, release || '|' || source_file) AS kept_source_id,
                   max_by(source_file, release || '|' || source_file) AS kept_source_file
            FROM source_files GROUP BY force, file_month HAVING count(*) > 1
        )
        SELECT row_key, kept_source_file, kept_source_line FROM ranked WHERE copy_rank > 1
        UNION ALL
        SELECT v.row_key, n.kept_source_file, NULL
        FROM valid v JOIN source_files f USING (source_id) JOIN newest n USING (force, file_month)
        WHERE v.crime_id = '' AND v.source_id <> n.kept_source_id
        """
    )


def _create_street(
    con: duckdb.DuckDBPyConnection, lookup: pd.DataFrame | None, vintage_switch: date
) -> None:
    """Create table ``street``: loaded rows in the canonical schema, with geography joined."""
    columns = ", ".join(
        f"{c} {'SMALLINT' if c == 'lsoa_vintage' else 'VARCHAR'}" for c in LOOKUP_COLUMNS
    )
    con.execute(f"CREATE TEMP TABLE lookup ({columns})")
    if lookup is not None:
        con.register("lookup_df", lookup)
        con.execute("INSERT INTO lookup SELECT * FROM lookup_df")
        con.unregister("lookup_df")
    by_month = "CASE WHEN r.month < $switch THEN 2011 ELSE 2021 END"
    vintage = (
        f"CASE WHEN r.lsoa_code = '' THEN NULL ELSE {by_month} END"
        if lookup is None
        else f"CASE WHEN v.first = v.last THEN v.first WHEN v.first < v.last THEN {by_month} END"
    )
    # One join on the LSOA code alone, carrying each vintage's geography side by side, then a
    # pick by the row's vintage: joining on (code, vintage) made DuckDB hash the 445 k rows
    # instead of the 35 k-row lookup, and tripled the cost of this step (docs/benchmarks.md).
    by_vintage_columns = ", ".join(
        f"any_value({c}) FILTER (WHERE lsoa_vintage = {v}) AS {c}_{v}"
        for c in GEOGRAPHY_CODES for v in LSOA_VINTAGES
    )
    geography_columns = ", ".join(
        f"CASE d.vintage {' '.join(f'WHEN {v} THEN d.{c}_{v}' for v in LSOA_VINTAGES)} END AS {c}"
        for c in GEOGRAPHY_CODES
    )
    con.execute(
        f"""
        CREATE TABLE street AS
        WITH loaded AS (
            SELECT * EXCLUDE (month), CAST(month || '-01' AS DATE) AS month
            FROM raw_rows ANTI JOIN problems USING (row_key) ANTI JOIN dropped USING (row_key)
        ),
        code_geography AS (
            SELECT lsoa_code, min(lsoa_vintage) AS first, max(lsoa_vintage) AS last,
                   {by_vintage_columns}
            FROM lookup GROUP BY lsoa_code
        ),
        dated AS (
            SELECT r.*, v.* EXCLUDE (lsoa_code), CAST({vintage} AS SMALLINT) AS vintage
            FROM loaded r LEFT JOIN code_geography v ON v.lsoa_code = r.lsoa_code
        )
        SELECT d.month,
               nullif(d.crime_id, '') AS crime_id,
               d.crime_type,
               nullif(d.lsoa_code, '') AS lsoa_code,
               nullif(d.lsoa_name, '') AS lsoa_name,
               d.vintage AS lsoa_vintage,
               CAST(nullif(d.longitude, '') AS DOUBLE) AS longitude,
               CAST(nullif(d.latitude, '') AS DOUBLE) AS latitude,
               nullif(d.location, '') AS location,
               d.reported_by,
               d.falls_within,
               nullif(d.last_outcome_category, '') AS last_outcome_category,
               d.crime_type = '{ASB}' AS is_asb,
               {geography_columns},
               f.source_file,
               d.source_line
        FROM dated d
        JOIN source_files f USING (source_id)
        """,
        {"switch": vintage_switch.replace(day=1)},
    )


def _write_store(con: duckdb.DuckDBPyConnection, folder: Path,
                 kept: _KeptPart | None = None) -> None:
    """Write street (one folder per month), quarantine, duplicates and reconciliation parquet.

    For an update, the ``kept`` months' street files are linked from the previous store (a
    hard link: no copy, and the old store can still be removed), and the other tables get the
    kept street files' rows from it as well, in the same order as a whole ingest writes them.
    """
    street_dir = folder / "street"
    kept_months = sorted(kept.months) if kept else []
    # count(*) always returns one row; DuckDB types fetchone() as possibly None
    if con.execute("SELECT count(*) FROM street").fetchone()[0] == 0:  # type: ignore[index]
        if not kept_months:
            (street_dir / "empty").mkdir(parents=True)
            _copy(con, "SELECT * FROM street", street_dir / "empty" / "data_0.parquet")
    else:
        _write_months(con, street_dir)
    for month in kept_months:
        assert kept is not None
        _link_folder(kept.folder / "street" / month, street_dir / month)
    if kept:
        con.register("kept_sources", pd.DataFrame({"source_file": sorted(kept.sources)},
                                                  dtype=str))
    raw = ", ".join(f"r.{key} AS raw_{key}" for key in FIELDS)
    _copy(
        con,
        _with_kept(f"""SELECT f.source_file, r.source_line, p.reason, p.reason_column AS "column",
                   p.reason_value AS value, p.reason_code, {raw}
            FROM problems p JOIN raw_rows r USING (row_key)
            JOIN source_files f USING (source_id)""",
                   kept, "quarantine.parquet", "source_file, source_line"),
        folder / "quarantine.parquet",
    )
    _copy(
        con,
        _with_kept("""SELECT f.source_file, r.source_line, CAST(r.month || '-01' AS DATE) AS month,
                  r.falls_within, nullif(r.crime_id, '') AS crime_id, r.crime_type,
                  d.kept_source_file, d.kept_source_line
           FROM dropped d JOIN raw_rows r USING (row_key) JOIN source_files f USING (source_id)""",
                   kept, "duplicates.parquet", "source_file, source_line"),
        folder / "duplicates.parquet",
    )
    _copy(con, _with_kept(_RECONCILIATION_SQL, kept, "reconciliation.parquet", "source_file"),
          folder / "reconciliation.parquet")
    if kept:
        con.unregister("kept_sources")


def _with_kept(query: str, kept: _KeptPart | None, table: str, order: str) -> str:
    """``query`` plus, for an update, the kept street files' rows of the previous ``table``,
    ordered by ``order``."""
    if kept is None or not kept.sources:
        return f"{query} ORDER BY {order}"
    return (f"SELECT * FROM ({query}) UNION ALL BY NAME "
            f"SELECT * FROM read_parquet('{sql_path(kept.folder / table)}') "
            f"SEMI JOIN kept_sources USING (source_file) ORDER BY {order}")


def _link_folder(source: Path, target: Path) -> None:
    """Give ``target`` the files of ``source`` as hard links (copies where links fail, as
    across file systems)."""
    target.mkdir(parents=True)
    for file in source.iterdir():
        try:
            os.link(file, target / file.name)
        except OSError:
            shutil.copy2(file, target / file.name)


def _write_months(con: duckdb.DuckDBPyConnection, street_dir: Path) -> None:
    """Write table ``street`` as one parquet file per month, ``<YYYY-MM>/data_0.parquet``.

    One COPY per month rather than one ``PARTITION_BY (month)`` COPY: the partitioned writer
    took twice as long for the same rows (docs/benchmarks.md). A month is about one parquet row
    group, which DuckDB writes on one thread, so months are written ``WRITE_THREADS`` at a time,
    each on its own cursor. Row order within a month is not kept (readers and the table stamps
    do not depend on it), so ``street`` is not sorted first. Plain month folder names, so no
    reader mistakes them for hive partitions.
    """
    months = [m for (m,) in con.execute("SELECT DISTINCT month FROM street ORDER BY 1").fetchall()]

    def write_month(month: date) -> None:
        folder = street_dir / f"{month:%Y-%m}"
        folder.mkdir(parents=True)
        with con.cursor() as cursor:
            cursor.execute(
                f"COPY (SELECT * FROM street WHERE month = $month) "
                f"TO '{sql_path(folder / 'data_0.parquet')}' (FORMAT parquet)",
                {"month": month},
            )

    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
        list(pool.map(write_month, months))  # list() re-raises a failed month's error


_RECONCILIATION_SQL = """
    WITH loaded AS (
        SELECT source_file, count(*) AS n,
               string_agg(DISTINCT strftime(month, '%Y-%m'), ', ' ORDER BY 1) AS months
        FROM street GROUP BY source_file
    ),
    quarantined AS (
        SELECT r.source_id, count(*) AS n
        FROM problems JOIN raw_scan r USING (row_key) GROUP BY r.source_id
    ),
    duplicates AS (
        SELECT r.source_id, count(*) AS n
        FROM dropped JOIN raw_scan r USING (row_key) GROUP BY r.source_id
    )
    SELECT f.source_file,
           s.n_rows AS rows_read,
           coalesce(l.n, 0) AS rows_loaded,
           coalesce(q.n, 0) AS rows_quarantined,
           coalesce(d.n, 0) AS duplicates_dropped,
           coalesce(l.months, '') AS months,
           f.force
    FROM source_files f
    JOIN source_starts s USING (source_id)
    LEFT JOIN loaded l USING (source_file)
    LEFT JOIN quarantined q USING (source_id)
    LEFT JOIN duplicates d USING (source_id)
"""
"""Per input file: rows read, and the loaded, quarantined and duplicate rows, counted apart."""


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Write a query's result to one parquet file."""
    con.execute(f"COPY ({query}) TO '{sql_path(target)}' (FORMAT parquet)")


def _log_police_uk(report: IngestReport) -> None:
    """Log what an ingest loaded: the totals (INFO), then each input file's counts (DEBUG)."""
    months = (f"{report.months[0]:%Y-%m} to {report.months[-1]:%Y-%m}" if report.months
              else "no months")
    logger.info("police.uk: %d rows read, %d loaded, %d quarantined, %d duplicates dropped "
                "(%s, %d force(s))", report.rows_read, report.rows_loaded,
                report.rows_quarantined, report.duplicates_dropped, months, len(report.forces))
    for file in report.reconciliation.itertuples(index=False):
        logger.debug("police.uk %s: %d read, %d loaded, %d quarantined, %d duplicates",
                     file.source_file, file.rows_read, file.rows_loaded, file.rows_quarantined,
                     file.duplicates_dropped)


def stored_report(folder: Path) -> IngestReport:
    """Totals, reconciliation, months and forces of the police.uk store ``folder``, read from
    its tables (so a whole ingest, an update and a store already up to date report alike)."""
    with duckdb.connect() as con:
        reconciliation = con.execute(
            f"SELECT * FROM read_parquet('{sql_path(folder / 'reconciliation.parquet')}') "
            "ORDER BY source_file").df()
        con.execute("CREATE VIEW street AS SELECT month, falls_within FROM "
                    f"read_parquet('{sql_path(folder / 'street' / '*' / '*.parquet')}')")
        months = [m for (m,) in con.execute(
            "SELECT DISTINCT month FROM street ORDER BY 1").fetchall()]
        forces = [f for (f,) in con.execute(
            "SELECT DISTINCT falls_within FROM street ORDER BY 1").fetchall()]
    return IngestReport(
        rows_read=int(reconciliation["rows_read"].sum()),
        rows_loaded=int(reconciliation["rows_loaded"].sum()),
        rows_quarantined=int(reconciliation["rows_quarantined"].sum()),
        duplicates_dropped=int(reconciliation["duplicates_dropped"].sum()),
        reconciliation=reconciliation,
        months=months,
        forces=forces,
    )


def _write_settings(folder: Path, geography: bool, vintage_switch: date, n_sources: int) -> None:
    """Record how the store was built (read by the quality checks)."""
    settings = {
        "geography_joined": geography,
        "vintage_switch": vintage_switch.strftime("%Y-%m"),
        "source_files": n_sources,
    }
    (folder / "ingest.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def _swap_in(building: Path, target: Path) -> None:
    """Replace ``target`` with the finished ``building`` folder (two renames, then clean up)."""
    retired = building.with_suffix(".old")
    if target.exists():
        target.rename(retired)
    building.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Partner extracts
# --------------------------------------------------------------------------------------------


def ingest_partner(extracts: Mapping[ExtractKind, Path], mapping: PartnerMapping,
                   store_dir: Path, *, lsoa_lookup: pd.DataFrame | None = None,
                   lsoa_boundaries: Sequence[Path] = (),
                   force_code: str | None = None, full: bool = False) -> pd.DataFrame:
    """Load partner extracts (crimes, asb, indicators) into ``store_dir/partner/``.

    Each extract is read through the area's YAML mapping (:mod:`analysis.inputs.partner`),
    placed in the geography, and written with its quarantine as parquet; the folder is
    replaced only when every extract has loaded. Ward names (a mapping's ``ward_names``) are
    looked up among the wards of the police force area ``force_code`` in ``lsoa_lookup``.
    Returns the reconciliation: one row per extract, rows_read = rows_loaded +
    rows_quarantined.

    When the extracts, mapping, lookup, boundaries and ingest code are those the folder was
    last written from, nothing is read or written, and the stored reconciliation is returned
    (a new police.uk month no longer re-reads every partner extract); ``full`` reads them all
    the same.
    """
    started_ns = time.time_ns()
    target = Path(store_dir) / PARTNER_DIR
    record: dict[str, object] = {
        "code": code_digest(), "lookup": lookup_digest(lsoa_lookup), "force": force_code or "",
        "mapping": hashlib.sha256(mapping.model_dump_json().encode()).hexdigest(),
        "extracts": [[kind, str(path)] for kind, path in extracts.items()],
        "files": file_entries([*extracts.values(), *lsoa_boundaries])}
    if not full and record_matches(target, record):
        logger.info("partner: the store is up to date with its %d extract(s)", len(extracts))
        return pd.read_parquet(target / "reconciliation.parquet")
    wards = None if lsoa_lookup is None else ward_name_table(lsoa_lookup, force_code)
    building = _temporary_folder(target.parent, PARTNER_DIR, "")
    try:
        reconciliation = []
        for kind, path in extracts.items():
            load = load_partner_extract(path, kind, mapping, wards=wards)
            rows = load.rows if kind == "indicators" else place_partner_rows(
                load.rows, lsoa_lookup, lsoa_boundaries=lsoa_boundaries)
            rows.to_parquet(building / f"{kind}.parquet", index=False)
            load.quarantine.astype("string").to_parquet(
                building / f"{kind}_quarantine.parquet", index=False)
            reconciliation.append({"extract": kind, "source_file": str(path), **load.counts})
            logger.info("partner %s (%s): %d rows read, %d loaded, %d quarantined", kind,
                        path.name, load.counts["rows_read"], load.counts["rows_loaded"],
                        load.counts["rows_quarantined"])
        table = pd.DataFrame(reconciliation,
                             columns=["extract", "source_file", "rows_read", "rows_loaded",
                                      "rows_quarantined"])
        table.to_parquet(building / "reconciliation.parquet", index=False)
        write_record(building, record, started_ns)
        _swap_in(building, target)
    except OSError as error:
        raise _storage_error(error, target.parent, "the partner data") from error
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return table


