"""The query API: the only way later stages read the store.

The store's folders (``police_uk/`` from :mod:`analysis.store.ingest`, ``partner/``), the settings
the last ingest recorded, a DuckDB connection with views over the parquet files, and the
counts and months every section asks for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core.errors import ConfigError, DataCoverageError

POLICE_UK_DIR = "police_uk"


DEFAULT_VINTAGE_SWITCH = date(2023, 1, 1)


STREET_COLUMNS: tuple[str, ...] = (
    "month",
    "crime_id",
    "crime_type",
    "lsoa_code",
    "lsoa_name",
    "lsoa_vintage",
    "longitude",
    "latitude",
    "location",
    "reported_by",
    "falls_within",
    "last_outcome_category",
    "is_asb",
    "ward_code",
    "lad_code",
    "csp_code",
    "pfa_code",
    "source_file",
    "source_line",
)
"""The columns of the ``street`` dataset, in order."""


def sql_path(path: Path) -> str:
    """A path as the inside of a single-quoted SQL string literal."""
    return str(path).replace("'", "''")


def lsoa_vintage_for_period(months: Sequence[date], store_dir: Path | None = None) -> int:
    """The LSOA vintage of a period's data.police.uk rows: 2011 before the store's vintage
    switch (default January 2023), 2021 from it; for a period spanning the switch, the
    vintage of most of its months (2021 on a tie, the newer boundaries).

    Tables keyed by LSOA code name each code in this vintage, so one code has one name.
    """
    switch = DEFAULT_VINTAGE_SWITCH
    if store_dir is not None:
        recorded = store_settings(store_dir).get("vintage_switch")
        if isinstance(recorded, str):
            year, month = recorded.split("-")
            switch = date(int(year), int(month), 1)
    later = sum(month >= switch for month in months)
    return 2021 if later >= len(months) - later else 2011


def store_settings(store_dir: Path) -> dict[str, object]:
    """The settings recorded by the last ingest (geography joined, vintage switch, sources)."""
    path = _police_uk_dir(store_dir) / "ingest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _police_uk_dir(store_dir: Path) -> Path:
    """The store's police.uk folder; DataCoverageError if nothing has been ingested."""
    folder = Path(store_dir) / POLICE_UK_DIR
    if not (folder / "reconciliation.parquet").exists():
        raise DataCoverageError(
            "the store has no data.police.uk street data",
            file=folder,
            hint="run the ingest step on the downloaded street files first",
        )
    return folder


def connect(store_dir: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with views ``street``, ``quarantine``, ``reconciliation``.

    Also ``duplicates`` (rows dropped as copies). The views read the parquet files, so the
    connection sees the store as it was when each query runs. Each call gets its own cursor
    on one in-memory database per store and process (opening a database costs 50-100 ms,
    and a section queries the store a dozen times); what a caller creates on it (a
    ``TEMP VIEW``, a registered data frame) stays on that cursor, and closing it leaves the
    database open for the next call.
    """
    folder = _police_uk_dir(store_dir).resolve()
    database = _DATABASES.get(folder)
    if database is None:
        database = _DATABASES[folder] = _store_database(folder)
    return database.cursor()


_DATABASES: dict[Path, duckdb.DuckDBPyConnection] = {}
"""This process's database per store folder (see :func:`connect`)."""


def _store_database(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database whose views read the store's parquet files."""
    con = duckdb.connect()
    street = sql_path(folder / "street" / "*" / "*.parquet")
    con.execute(
        f"CREATE VIEW street AS SELECT * FROM read_parquet('{street}', hive_partitioning = false)"
    )
    for name in ("quarantine", "reconciliation", "duplicates"):
        path = sql_path(folder / f"{name}.parquet")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    return con


def _close_databases() -> None:
    """Close every cached database: run before this process forks, since a DuckDB database
    (its worker threads) cannot be used in a forked child; each side reopens on next use."""
    while _DATABASES:
        _DATABASES.popitem()[1].close()


os.register_at_fork(before=_close_databases)


def monthly_counts(
    store_dir: Path,
    *,
    by: Sequence[str] = ("crime_type",),
    where: str | None = None,
    params: dict | None = None,
) -> pd.DataFrame:
    """Rows per month and per value of the ``by`` columns: columns ``month, <by...>, count``.

    ``where`` is an SQL condition on the street columns, with ``$name`` placeholders filled from
    ``params`` (e.g. ``where="csp_code = $csp", params={"csp": "E22000091"}``). Only months and
    groups with at least one row appear; use :mod:`analysis.store.quality` for coverage.
    """
    unknown = [column for column in by if column not in STREET_COLUMNS or column == "month"]
    if unknown:
        raise ConfigError(
            "cannot count by this column",
            column=unknown[0],
            expected="one of " + ", ".join(c for c in STREET_COLUMNS if c != "month"),
        )
    keys = ", ".join(["month", *by])
    condition = f"WHERE {where}" if where else ""
    with connect(store_dir) as con:
        return con.execute(
            f"SELECT {keys}, count(*) AS count FROM street {condition} "
            f"GROUP BY {keys} ORDER BY {keys}",
            params or {},
        ).df()


def store_months(store_dir: Path) -> pd.DataFrame:
    """Each month and force (``falls_within``) with at least one row in the store, sorted."""
    with connect(store_dir) as con:
        return con.execute(
            "SELECT DISTINCT month, falls_within FROM street ORDER BY month, falls_within"
        ).df()


def force_months(store_dir: Path, force_name: str) -> list[date]:
    """The months for which the force's street file is in the store (its published coverage).

    A month missing here is unknown for every area of the force: reports show it as a gap,
    never as zero crime.
    """
    months = store_months(store_dir)
    held = months.loc[months["falls_within"] == force_name, "month"]
    return sorted(pd.to_datetime(held).dt.date.unique())


PARTNER_DIR = "partner"


def partner_table(store_dir: Path, kind: str) -> pd.DataFrame | None:
    """A loaded partner extract ('crimes', 'asb', 'indicators'), or None if there is none.

    Sections call this and, on None, say plainly what cannot be shown without the extract.
    """
    path = Path(store_dir) / PARTNER_DIR / f"{kind}.parquet"
    return pd.read_parquet(path) if path.exists() else None


def partner_reconciliation(store_dir: Path) -> pd.DataFrame | None:
    """Rows read, loaded and quarantined per partner extract, or None if none was loaded."""
    path = Path(store_dir) / PARTNER_DIR / "reconciliation.parquet"
    return pd.read_parquet(path) if path.exists() else None


EVENT_COLUMNS = ("month", "crime_type", "is_asb", "lsoa_code", "lsoa_vintage", "ward_code",
                 "longitude", "latitude", "location")
"""Columns :func:`load_events` returns."""


def load_events(store_dir: Path, csp_code: str, months: Iterable[date]) -> pd.DataFrame:
    """The area's police.uk rows (crime and ASB) in ``months``: :data:`EVENT_COLUMNS`.

    Rows are the area's by their LSOA (``csp_code``); ``month`` comes back as ``date``.
    """
    wanted = sorted(set(months))
    columns = ", ".join(EVENT_COLUMNS)
    with connect(store_dir) as con:
        frame = con.execute(
            f"SELECT {columns} FROM street WHERE csp_code = $csp AND month IN "
            "(SELECT unnest($months)) ORDER BY source_file, source_line",
            {"csp": csp_code, "months": wanted},
        ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame

