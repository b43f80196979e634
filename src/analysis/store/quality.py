"""Data quality of the police.uk store: coverage, reconciliation and checks an analyst must see.

Coverage is a grid of months x force (and months x CSP) over a requested range. A month with no
data is reported as ``"missing"`` with null counts - never as zero, which would read as "no
crime". A force-month is ``"present"`` when at least one of its rows was loaded. A CSP-month is
present when the CSP's home force (the force with most rows in that CSP) is present that month;
its counts may then be 0.

The checks (see :func:`quality_report`) are facts to report, not errors: duplicate Crime IDs and
overlapping ASB force-months, the share of rows without a location, the share of located rows
outside the force's own police force area, LSOA codes missing from the lookup, crime types
appearing or disappearing between consecutive months, and the ASB share by month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core.errors import ConfigError
from analysis.store.query import connect, store_settings

PRESENT = "present"
MISSING = "missing"
COUNT_COLUMNS = ("rows", "crimes", "asb")


def as_month(value: date | str) -> date:
    """A month given as a date or ``"YYYY-MM"`` -> the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise ConfigError("not a month", found=value, expected="YYYY-MM") from error


def _months_sql(start: date | str, end: date | str) -> tuple[str, dict[str, date]]:
    """SQL for the requested months (first days, inclusive) and its parameters."""
    first, last = as_month(start), as_month(end)
    if first > last:
        raise ConfigError(
            "the month range ends before it starts",
            found=f"{first:%Y-%m} to {last:%Y-%m}",
            expected="start month <= end month",
        )
    sql = (
        "SELECT CAST(m AS DATE) AS month "
        "FROM generate_series($first, $last, INTERVAL 1 MONTH) AS t(m)"
    )
    return sql, {"first": first, "last": last}


def _with_nullable_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers (NA for a missing month)."""
    return frame.astype({column: "Int64" for column in COUNT_COLUMNS})


def coverage_by_force(
    store_dir: Path,
    start: date | str,
    end: date | str,
    *,
    forces: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month x force grid: ``month, force, status, rows, crimes, asb``.

    ``forces`` are ``falls_within`` names (default: every force in the store). ``status`` is
    "present" or "missing"; counts are null when missing. Sorted by force, then month.
    """
    months, params = _months_sql(start, end)
    with connect(store_dir) as con:
        _register_list(con, "wanted_forces", "force", forces)
        frame = con.execute(
            f"""
            WITH months AS ({months}),
            forces AS (
                SELECT force FROM wanted_forces
                UNION SELECT DISTINCT falls_within FROM street
                      WHERE NOT EXISTS (SELECT 1 FROM wanted_forces)
            ),
            counts AS (
                SELECT month, falls_within AS force, count(*) AS rows,
                       count(*) FILTER (WHERE NOT is_asb) AS crimes,
                       count(*) FILTER (WHERE is_asb) AS asb
                FROM street GROUP BY month, falls_within
            )
            SELECT m.month, f.force,
                   CASE WHEN c.rows IS NULL THEN '{MISSING}' ELSE '{PRESENT}' END AS status,
                   c.rows, c.crimes, c.asb
            FROM months m CROSS JOIN forces f
            LEFT JOIN counts c ON c.month = m.month AND c.force = f.force
            ORDER BY f.force, m.month
            """,
            params,
        ).df()
    return _with_nullable_counts(frame)


def coverage_by_csp(
    store_dir: Path,
    start: date | str,
    end: date | str,
    *,
    csp_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month x CSP grid: ``month, csp_code, force, status, rows, crimes, asb``.

    ``force`` is the CSP's home force: the ``falls_within`` with most rows in the CSP. A month is
    "present" when that force has data that month (counts may then be 0), else "missing" with
    null counts. CSPs default to every CSP in the store (needs a store built with a lookup).
    """
    months, params = _months_sql(start, end)
    with connect(store_dir) as con:
        _register_list(con, "wanted_csps", "csp_code", csp_codes)
        frame = con.execute(
            f"""
            WITH months AS ({months}),
            home AS (
                SELECT csp_code, arg_max(falls_within, n) AS force
                FROM (SELECT csp_code, falls_within, count(*) AS n FROM street
                      WHERE csp_code IS NOT NULL GROUP BY ALL)
                GROUP BY csp_code
            ),
            csps AS (
                SELECT csp_code FROM wanted_csps
                UNION SELECT csp_code FROM home WHERE NOT EXISTS (SELECT 1 FROM wanted_csps)
            ),
            force_months AS (SELECT DISTINCT month, falls_within AS force FROM street),
            counts AS (
                SELECT month, csp_code, count(*) AS rows,
                       count(*) FILTER (WHERE NOT is_asb) AS crimes,
                       count(*) FILTER (WHERE is_asb) AS asb
                FROM street WHERE csp_code IS NOT NULL GROUP BY month, csp_code
            )
            SELECT m.month, c.csp_code, h.force,
                   CASE WHEN p.force IS NULL THEN '{MISSING}' ELSE '{PRESENT}' END AS status,
                   CASE WHEN p.force IS NOT NULL THEN coalesce(n.rows, 0) END AS rows,
                   CASE WHEN p.force IS NOT NULL THEN coalesce(n.crimes, 0) END AS crimes,
                   CASE WHEN p.force IS NOT NULL THEN coalesce(n.asb, 0) END AS asb
            FROM months m CROSS JOIN csps c
            LEFT JOIN home h ON h.csp_code = c.csp_code
            LEFT JOIN force_months p ON p.month = m.month AND p.force = h.force
            LEFT JOIN counts n ON n.month = m.month AND n.csp_code = c.csp_code
            ORDER BY c.csp_code, m.month
            """,
            params,
        ).df()
    return _with_nullable_counts(frame)


def _register_list(
    con: duckdb.DuckDBPyConnection, name: str, column: str, values: Sequence[str] | None
) -> None:
    """Make a one-column table of requested values (empty when none were requested)."""
    frame = pd.DataFrame({column: pd.Series(list(values or []), dtype="string")})
    con.register(f"{name}_df", frame)
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_df")


def reconciliation_report(store_dir: Path) -> pd.DataFrame:
    """The per-file reconciliation plus ``balances``: read = loaded + quarantined + duplicates."""
    with connect(store_dir) as con:
        return con.execute(
            """
            SELECT *, rows_read = rows_loaded + rows_quarantined + duplicates_dropped AS balances
            FROM reconciliation ORDER BY source_file
            """
        ).df()


@dataclass
class QualityReport:
    """Every quality table for one month range, with notes on checks that could not run."""

    coverage_by_force: pd.DataFrame
    coverage_by_csp: pd.DataFrame
    reconciliation: pd.DataFrame
    duplicates: pd.DataFrame
    blank_location: pd.DataFrame
    out_of_area: pd.DataFrame
    unknown_lsoa: pd.DataFrame
    crime_type_drift: pd.DataFrame
    asb_share: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def quality_report(
    store_dir: Path,
    start: date | str,
    end: date | str,
    *,
    home_pfa: Mapping[str, str] | None = None,
) -> QualityReport:
    """Run every check over ``start``..``end`` (inclusive months).

    ``home_pfa`` maps a force (``falls_within``) to its police force area code; by default a
    force's home PFA is the one holding most of its located rows. Checks that need geography
    (out of area, unknown LSOA) are empty, with a note, when the store was built without a lookup.
    """
    months, params = _months_sql(start, end)
    geography = bool(store_settings(store_dir)["geography_joined"])
    notes = [] if geography else [
        "The store was built without an LSOA lookup: out-of-area shares and unknown LSOA codes "
        "were not checked."
    ]  # fmt: skip
    with connect(store_dir) as con:
        con.execute(
            f"CREATE TEMP TABLE in_range AS SELECT * FROM street WHERE month IN ({months})",
            params,
        )
        home = pd.DataFrame(
            {
                "falls_within": pd.Series(list((home_pfa or {}).keys()), dtype="string"),
                "pfa_code": pd.Series(list((home_pfa or {}).values()), dtype="string"),
            }
        )
        con.register("given_home_pfa", home)
        tables = {
            "duplicates": _duplicates(con, months, params),
            "blank_location": _share(con, "lsoa_code IS NULL", "blank_location"),
            "out_of_area": _out_of_area(con) if geography else _empty_out_of_area(),
            "unknown_lsoa": _unknown_lsoa(con) if geography else _empty_unknown_lsoa(),
            "crime_type_drift": _crime_type_drift(con),
            "asb_share": _share(con, "is_asb", "asb"),
        }
    return QualityReport(
        coverage_by_force=coverage_by_force(store_dir, start, end),
        coverage_by_csp=coverage_by_csp(store_dir, start, end) if geography else _empty_csp(),
        reconciliation=reconciliation_report(store_dir),
        notes=notes,
        **tables,
    )


def _share(con: duckdb.DuckDBPyConnection, condition: str, name: str) -> pd.DataFrame:
    """Per month and force: rows, rows meeting ``condition`` (column ``name``), and the share."""
    return con.execute(
        f"""
        SELECT month, falls_within, count(*) AS rows,
               count(*) FILTER (WHERE {condition}) AS {name},
               count(*) FILTER (WHERE {condition}) / count(*) AS share
        FROM in_range GROUP BY month, falls_within ORDER BY falls_within, month
        """
    ).df()


def _duplicates(
    con: duckdb.DuckDBPyConnection, months: str, params: dict[str, date]
) -> pd.DataFrame:
    """Crime IDs seen more than once, and force-months whose ASB came from several files."""
    return con.execute(
        f"""
        SELECT 'crime_id' AS kind, crime_id, month, falls_within,
               count(*) AS rows_dropped, any_value(kept_source_file) AS kept_source_file
        FROM duplicates WHERE crime_id IS NOT NULL AND month IN ({months})
        GROUP BY crime_id, month, falls_within
        UNION ALL
        SELECT 'asb_force_month', NULL, month, falls_within,
               count(*), any_value(kept_source_file)
        FROM duplicates WHERE crime_id IS NULL AND month IN ({months})
        GROUP BY month, falls_within
        ORDER BY kind, month, falls_within, crime_id
        """,
        params,
    ).df()


def _out_of_area(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per month and force: located rows, rows in another PFA than the force's home, share."""
    return con.execute(
        """
        WITH modal AS (
            SELECT falls_within, arg_max(pfa_code, n) AS pfa_code
            FROM (SELECT falls_within, pfa_code, count(*) AS n FROM street
                  WHERE pfa_code IS NOT NULL GROUP BY ALL)
            GROUP BY falls_within
        ),
        home AS (
            SELECT * FROM given_home_pfa
            UNION ALL
            SELECT * FROM modal
            WHERE falls_within NOT IN (SELECT falls_within FROM given_home_pfa)
        )
        SELECT r.month, r.falls_within, h.pfa_code AS home_pfa_code,
               count(r.pfa_code) AS located,
               count(*) FILTER (WHERE r.pfa_code <> h.pfa_code) AS out_of_area,
               count(*) FILTER (WHERE r.pfa_code <> h.pfa_code)
                   / nullif(count(r.pfa_code), 0) AS share
        FROM in_range r LEFT JOIN home h USING (falls_within)
        GROUP BY r.month, r.falls_within, h.pfa_code
        ORDER BY r.falls_within, r.month
        """
    ).df()


def _empty_out_of_area() -> pd.DataFrame:
    """The out-of-area table's columns, with no rows."""
    columns = ["month", "falls_within", "home_pfa_code", "located", "out_of_area", "share"]
    return pd.DataFrame(columns=columns)


def _unknown_lsoa(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """LSOA codes not in the lookup: code, a name as written, rows, first and last month."""
    return con.execute(
        """
        SELECT lsoa_code, min(lsoa_name) AS lsoa_name, count(*) AS rows,
               min(month) AS first_month, max(month) AS last_month
        FROM in_range WHERE lsoa_code IS NOT NULL AND lsoa_vintage IS NULL
        GROUP BY lsoa_code ORDER BY rows DESC, lsoa_code
        """
    ).df()


def _empty_unknown_lsoa() -> pd.DataFrame:
    """The unknown-LSOA table's columns, with no rows."""
    return pd.DataFrame(columns=["lsoa_code", "lsoa_name", "rows", "first_month", "last_month"])


def _empty_csp() -> pd.DataFrame:
    """The CSP coverage grid's columns, with no rows (store without geography)."""
    return pd.DataFrame(columns=["month", "csp_code", "force", "status", *COUNT_COLUMNS])


def _crime_type_drift(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Crime types that appear or disappear between a force's consecutive months with data.

    A month with no data is skipped: the comparison is with the previous month that has data,
    named in ``previous_month``.
    """
    return con.execute(
        """
        WITH types AS (SELECT DISTINCT falls_within, month, crime_type FROM in_range),
        months AS (
            SELECT falls_within, month,
                   lag(month) OVER (PARTITION BY falls_within ORDER BY month) AS previous_month
            FROM (SELECT DISTINCT falls_within, month FROM in_range)
        ),
        appeared AS (
            SELECT m.month, m.falls_within, m.previous_month, t.crime_type, 'appeared' AS change
            FROM months m JOIN types t USING (falls_within, month)
            WHERE m.previous_month IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM types p WHERE p.falls_within = m.falls_within
                  AND p.month = m.previous_month AND p.crime_type = t.crime_type)
        ),
        disappeared AS (
            SELECT m.month, m.falls_within, m.previous_month, p.crime_type, 'disappeared'
            FROM months m JOIN types p
              ON p.falls_within = m.falls_within AND p.month = m.previous_month
            WHERE NOT EXISTS (
                SELECT 1 FROM types t WHERE t.falls_within = m.falls_within
                  AND t.month = m.month AND t.crime_type = p.crime_type)
        )
        SELECT * FROM appeared UNION ALL SELECT * FROM disappeared
        ORDER BY falls_within, month, change, crime_type
        """
    ).df()


def quarantine_reasons(store_dir: Path) -> pd.DataFrame:
    """Quarantined rows by reason: ``reason_code, column, rows, files, example`` (largest first).

    One line per kind of problem, so an analyst sees at a glance what to fix at source; the
    rows themselves stay in ``quarantine.parquet`` with file and line.
    """
    with connect(store_dir) as con:
        return con.execute(
            """
            SELECT reason_code, "column", count(*) AS rows,
                   count(DISTINCT source_file) AS files,
                   min(reason) AS example
            FROM quarantine GROUP BY reason_code, "column"
            ORDER BY rows DESC, reason_code
            """
        ).df()
