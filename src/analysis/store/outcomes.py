"""police.uk outcomes in the store: the outcomes files' rows, each crime's latest outcome, and
the crimes counted by outcome for the outcome profile.

At ingest (:func:`write_outcomes`, called by :func:`analysis.store.ingest.ingest_police_uk`)
the outcomes files found among the police.uk inputs are written to

* ``police_uk/outcomes.parquet`` - every loaded outcome row, with its file and line,
* ``police_uk/outcomes_quarantine.parquet`` - rows not loaded, with the reason,
* ``police_uk/latest_outcomes.parquet`` - for each crime of the street table, its latest
  outcome from the outcomes files, when that is at least as recent as its street file.

Latest outcome. A crime's outcome rows are joined to it by Crime ID and the one of the latest
``Month`` is taken. Ties (two outcomes of one crime recorded in the same month, e.g. 'Suspect
charged' and 'Offender fined') go to the later stage of the justice process (the ``stage`` of
``reference/police_uk_outcomes.csv``; a string not in the mapping comes last), then to the
newest release (download), then the file name and line that sort last. An outcome row is used
only when its month is no earlier than the release of the crime's street file: a street file's
``Last outcome category`` already reflects every outcome up to its release, so an older
outcomes file cannot be more current. A crime with no usable outcome row keeps the street
file's ``Last outcome category`` (:func:`crime_outcome_counts` says which source each count
used).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core.outcomes import outcome_mapping
from analysis.inputs.police_uk import StreetSource
from analysis.inputs.police_uk_outcomes import load_outcome_rows
from analysis.store.query import POLICE_UK_DIR, connect, sql_path

OUTCOMES_FILE = "outcomes.parquet"
QUARANTINE_FILE = "outcomes_quarantine.parquet"
LATEST_FILE = "latest_outcomes.parquet"
OUTCOMES_FILE_SOURCE = "outcomes file"
STREET_FILE_SOURCE = "street file"


def write_outcomes(con: duckdb.DuckDBPyConnection, sources: Sequence[StreetSource],
                   folder: Path, staging: Path, *, street_releases: pd.DataFrame,
                   kept_from: Path | None = None, kept: frozenset[str] = frozenset()) -> None:
    """Load the outcomes files ``sources`` and write the three outcome tables into the police.uk
    store ``folder`` being built, whose street months are already written.

    ``street_releases`` gives each street file's ``release`` by ``source_file`` (all of the
    store's street files). For an update, the rows of the outcomes files ``kept`` are copied
    from the old store ``kept_from`` instead of read again. The latest outcomes are worked out
    from the tables as written, so a whole ingest and an update give the same table.
    """
    load_outcome_rows(con, sources, staging)
    loaded = """SELECT crime_id, CAST(month || '-01' AS DATE) AS month, outcome_type,
                       reported_by, falls_within, nullif(lsoa_code, '') AS lsoa_code,
                       source_file, release, source_line
                FROM outcome_rows WHERE reason_code IS NULL"""
    quarantined = """SELECT source_file, source_line,
                         CASE WHEN reason_code IN ('too_many_fields', 'truncated_row')
                              THEN format('row has {} fields, expected {}', n_fields, n_expected)
                              ELSE format('column ''{}'': found ''{}'', expected {}',
                                          reason_column, coalesce(reason_value, ''),
                                          reason_expected) END AS reason,
                         reason_column AS "column", reason_value AS value, reason_code,
                         crime_id AS raw_crime_id, month AS raw_month,
                         outcome_type AS raw_outcome_type
                  FROM outcome_rows WHERE reason_code IS NOT NULL"""
    con.register("kept_outcome_files", pd.DataFrame({"source_file": sorted(kept)}, dtype=str))
    for query, name in ((loaded, OUTCOMES_FILE), (quarantined, QUARANTINE_FILE)):
        if kept_from is not None and kept:
            query += (" UNION ALL BY NAME SELECT * FROM "
                      f"read_parquet('{sql_path(kept_from / name)}') "
                      "SEMI JOIN kept_outcome_files USING (source_file)")
        _copy(con, f"SELECT * FROM ({query}) ORDER BY source_file, source_line", folder / name)
    con.unregister("kept_outcome_files")
    con.register("outcome_stages", outcome_mapping()[["outcome", "stage"]])
    con.register("street_releases", street_releases)
    _copy(con, f"""WITH crimes AS (
                      SELECT s.crime_id, r.release
                      FROM read_parquet('{sql_path(folder / "street" / "*" / "*.parquet")}') s
                      JOIN street_releases r USING (source_file) WHERE s.crime_id IS NOT NULL),
                  candidates AS (
                      SELECT o.*, coalesce(m.stage, 0) AS stage
                      FROM read_parquet('{sql_path(folder / OUTCOMES_FILE)}') o
                      JOIN crimes c USING (crime_id)
                      LEFT JOIN outcome_stages m ON m.outcome = o.outcome_type
                      WHERE o.month >= CAST(c.release || '-01' AS DATE))
                  SELECT crime_id, outcome_type, month AS outcome_month,
                         source_file AS outcome_source_file, source_line AS outcome_source_line
                  FROM candidates
                  QUALIFY row_number() OVER (PARTITION BY crime_id ORDER BY month DESC,
                      stage DESC, release DESC, source_file DESC, source_line DESC) = 1
                  ORDER BY crime_id""", folder / LATEST_FILE)
    con.unregister("outcome_stages")
    con.unregister("street_releases")


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Write a query's result to one parquet file."""
    con.execute(f"COPY ({query}) TO '{sql_path(target)}' (FORMAT parquet)")


def crime_outcome_counts(store_dir: Path, *, where: str, params: dict) -> pd.DataFrame:
    """Crimes (not ASB) per month, CSP, crime type, outcome and outcome source.

    Columns ``month`` (date), ``csp_code``, ``crime_type``, ``outcome`` (the outcome string,
    None when a crime has none), ``outcome_source`` (:data:`OUTCOMES_FILE_SOURCE` or
    :data:`STREET_FILE_SOURCE`) and ``count``. ``where`` is an SQL condition on the street
    columns (``$name`` placeholders from ``params``). A store ingested before outcomes were
    kept has no latest-outcome table: every crime then uses its street file's outcome.
    """
    latest = Path(store_dir) / POLICE_UK_DIR / LATEST_FILE
    with connect(store_dir) as con:
        if latest.exists():
            con.execute("CREATE OR REPLACE TEMP VIEW latest AS SELECT * FROM "
                        f"read_parquet('{sql_path(latest)}')")
        else:
            con.execute("CREATE OR REPLACE TEMP VIEW latest AS SELECT NULL::VARCHAR AS crime_id, "
                        "NULL::VARCHAR AS outcome_type WHERE false")
        frame = con.execute(
            f"""SELECT s.month, s.csp_code, s.crime_type,
                       coalesce(l.outcome_type, s.last_outcome_category) AS outcome,
                       CASE WHEN l.crime_id IS NULL THEN '{STREET_FILE_SOURCE}'
                            ELSE '{OUTCOMES_FILE_SOURCE}' END AS outcome_source,
                       count(*) AS count
                FROM street s LEFT JOIN latest l USING (crime_id)
                WHERE NOT s.is_asb AND ({where})
                GROUP BY ALL ORDER BY ALL""", params).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def outcome_files_summary(store_dir: Path) -> dict[str, int]:
    """What the store holds from outcomes files: ``files`` read, ``rows`` loaded,
    ``quarantined`` rows and ``crimes`` given an outcome from them (all 0 without any)."""
    folder = Path(store_dir) / POLICE_UK_DIR
    paths = {name: folder / file for name, file in
             (("rows", OUTCOMES_FILE), ("quarantined", QUARANTINE_FILE),
              ("crimes", LATEST_FILE))}
    if not all(path.exists() for path in paths.values()):
        return {"files": 0, "rows": 0, "quarantined": 0, "crimes": 0}
    with duckdb.connect() as con:
        counts = {name: int(con.execute(  # count(*) always returns one row
            f"SELECT count(*) FROM read_parquet('{sql_path(path)}')").fetchone()[0])  # type: ignore[index]
            for name, path in paths.items()}
        files = con.execute(
            "SELECT count(DISTINCT source_file) FROM (SELECT source_file FROM read_parquet($a) "
            "UNION ALL SELECT source_file FROM read_parquet($b))",
            {"a": str(paths["rows"]), "b": str(paths["quarantined"])}).fetchone()
    return {"files": int(files[0]) if files else 0, **counts}
