"""Benchmark: police.uk ingest of the 28 real Essex months against its baselines.

Run ``.venv/bin/python benchmarks/bench_ingest.py [--repeats N]`` (or ``make bench`` for every
benchmark). The contenders read the same 28 gzip-compressed street CSVs; each run is a fresh
process (:mod:`harness`: time of the contender alone, peak RSS), the contenders run in turn
within each round (so load on the machine hits all alike), and the median of the rounds is
reported:

* ``ingest``  - :func:`analysis.store.ingest.ingest_police_uk` without a lookup: read, validate,
  quarantine, dedupe, reconcile and write the parquet store;
* ``ingest_geo`` - the same with the real LSOA 2011 -> ward -> LAD -> CSP -> force lookup
  joined (what ``csp ingest`` does for a real area; the lookup is loaded before timing);
* ``duckdb``  - a plain DuckDB ``read_csv`` of the files into an in-memory table (auto-detected
  types; ``union_by_name`` because the 2018 files have a snake_case header);
* ``duckdb_text`` - DuckDB reading all fields as text with the dialect given (no sniffing):
  the floor under the ingest, which starts with exactly this kind of scan;
* ``pandas``  - ``pandas.read_csv`` on each file and ``pandas.concat`` (reads only);
* ``pandas_full`` - pandas doing the ingest's work like for like: read as text with file and
  line, the same row checks (first failing reason kept), dedupe by Crime ID (newest source) and
  ASB by force-month, the LSOA vintage and lookup join, and a month-partitioned parquet write
  plus the quarantine (the same lookup as ``ingest_geo``).

And what every later analysis of the same months costs, once the one-off ingest has run
(second group, same rounds; both give the same 392 month x crime type counts):

* ``store_table`` - :func:`analysis.store.query.monthly_counts` by crime type from the ingested
  store
  (built before timing);
* ``pandas_table`` - the analyst's loop: ``pandas.read_csv`` on each file, headers normalised
  (the 2018 files spell them in snake_case, and a plain concat would put those months in other
  columns and lose them from the count), ``pandas.concat``, then ``groupby`` month and type.

Targets: ingest within 2x the fixed-schema text scan ``duckdb_text`` (issue #23,
:func:`targets`); earlier, within 1.3x the plain DuckDB scan and at least 5x faster than
pandas. The fair ratio for the one-off ingest is ``pandas_full / ingest_geo``, and for every
later table of the same months ``pandas_table / store_table``.
"""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from harness import Runs, Target, interleaved, months_command
from national import ESSEX, load_lookup

from analysis.core.vocabulary import ASB
from analysis.inputs.police_uk import (
    CRIME_TYPES,
    FIELDS,
    LSOA_PATTERN,
    MONTH_PATTERN,
    discover_street_files,
)
from analysis.store.ingest import ingest_police_uk
from analysis.store.query import DEFAULT_VINTAGE_SWITCH, monthly_counts

GEO_CONTENDERS = ("ingest_geo", "pandas_full")
"""Contenders that join the LSOA lookup (loaded in :func:`prepare`, before timing)."""


@dataclass(frozen=True)
class Inputs:
    """What a contender reads: the street files, the lookup for those that join it, and for
    ``store_table`` a store already ingested from the files."""

    files: list[Path]
    lookup: pd.DataFrame | None
    store: Path | None = None


def prepare(options: dict[str, Any]) -> Inputs:
    """Find the street files under ``options['data']``; load the lookup if the contender joins
    it (``options['contender']``, set by the harness)."""
    files = sorted(Path(options.get("data", ESSEX)).glob("*/*-street.csv*"))
    if not files:
        raise SystemExit(f"no street files under {options.get('data', ESSEX)}")
    lookup = load_lookup() if options.get("contender") in GEO_CONTENDERS else None
    store = Path(options["store"]) if "store" in options else None
    return Inputs(files, lookup, store)


def ingest(inputs: Inputs) -> int:
    """The full ingest into a throw-away store; returns rows loaded."""
    with tempfile.TemporaryDirectory() as store:
        return ingest_police_uk(inputs.files, Path(store), lsoa_lookup=inputs.lookup).rows_loaded


def duckdb_scan(inputs: Inputs) -> int:
    """A plain DuckDB read of every file into a table; returns rows read."""
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv($files, union_by_name = true)",
            {"files": [str(f) for f in inputs.files]},
        )
        return con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]


def text_scan(files: Sequence[Path]) -> int:
    """DuckDB reading every field of ``files`` as text with the dialect given (no sniffing)
    into a table; returns rows read. Also the national benchmark's baseline."""
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv($files, all_varchar = true, header = true, "
            "delim = ',', quote = '\"', auto_detect = false, "
            "columns = {" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(12)) + "})",
            {"files": [str(f) for f in files]},
        )
        return con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]


def duckdb_text_scan(inputs: Inputs) -> int:
    """The text scan of the Essex files: not a target, but the floor the ingest builds on
    (its own scan is this one)."""
    return text_scan(inputs.files)


def pandas_concat(inputs: Inputs) -> int:
    """pandas.read_csv on each file, then concat; returns rows read."""
    return len(pd.concat([pd.read_csv(f) for f in inputs.files], ignore_index=True))


def store_table(inputs: Inputs) -> int:
    """Monthly counts by crime type from the ingested store; returns the table's rows."""
    if inputs.store is None:
        raise SystemExit("store_table needs a store")
    return len(monthly_counts(inputs.store, by=("crime_type",)))


def pandas_table(inputs: Inputs) -> int:
    """The analyst's loop: read each file, normalise headers, concat, count by month and type."""
    frames = [pd.read_csv(f).rename(columns=lambda c: c.strip().lower().replace(" ", "_"))
              for f in inputs.files]
    table = pd.concat(frames, ignore_index=True).groupby(["month", "crime_type"]).size()
    return len(table)


def _pandas_read(inputs: Inputs) -> pd.DataFrame:
    """Every row as text with its source's name, force, month, release and line number."""
    frames = []
    for source in discover_street_files(inputs.files):
        frame = pd.read_csv(source.container, dtype=str, keep_default_na=False, header=None,
                            skiprows=1, names=list(FIELDS))
        frame["source_file"] = source.name
        frame["force"] = source.force
        frame["file_month"] = source.month.strftime("%Y-%m")
        frame["release"] = source.release.strftime("%Y-%m")
        frame["source_line"] = np.arange(2, len(frame) + 2)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _pandas_reasons(raw: pd.DataFrame) -> pd.Series:
    """The first failing check of each row, as the ingest orders them ('' for a good row)."""
    lon = pd.to_numeric(raw["longitude"], errors="coerce")
    lat = pd.to_numeric(raw["latitude"], errors="coerce")
    checks = {
        "truncated_row": raw[list(FIELDS)].isna().any(axis=1),
        "invalid_month": ~raw["month"].str.fullmatch(MONTH_PATTERN[1:-1]).astype(bool),
        "month_mismatch": raw["month"] != raw["file_month"],
        "unknown_crime_type": ~raw["crime_type"].isin(CRIME_TYPES),
        "missing_value": (raw["reported_by"] == "") | (raw["falls_within"] == ""),
        "invalid_longitude": (raw["longitude"] != "") & ~lon.between(-180, 180),
        "invalid_latitude": (raw["latitude"] != "") & ~lat.between(-90, 90),
        "incomplete_coordinates": (raw["longitude"] == "") != (raw["latitude"] == ""),
        "invalid_lsoa_code": (raw["lsoa_code"] != "")
        & ~raw["lsoa_code"].str.fullmatch(LSOA_PATTERN[1:-1]).astype(bool),
    }
    reason = np.select(list(checks.values()), list(checks), default="")
    return pd.Series(reason, index=raw.index)


def _pandas_dedupe(valid: pd.DataFrame) -> pd.DataFrame:
    """Drop copies: a Crime ID keeps its newest source's row; ASB keeps the newest source of
    each force-month."""
    ordered = valid.sort_values(["release", "source_file", "source_line"],
                                ascending=[False, False, True], kind="stable")
    has_id = ordered["crime_id"] != ""
    copies = has_id & ordered["crime_id"].duplicated()
    newest = ordered.drop_duplicates(["force", "file_month"])[["force", "file_month",
                                                               "source_file"]]
    kept = ordered.merge(newest, on=["force", "file_month"], how="left",
                         suffixes=("", "_newest"))["source_file_newest"].to_numpy()
    stale_asb = ~has_id & (ordered["source_file"].to_numpy() != kept)
    return ordered[~(copies | stale_asb)]


def _pandas_geography(loaded: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """LSOA vintage (code's own, else the month rule) and the lookup's ward / LAD / CSP / PFA."""
    vintages = lookup.groupby("lsoa_code")["lsoa_vintage"].agg(["min", "max"])
    first = loaded["lsoa_code"].map(vintages["min"])
    last = loaded["lsoa_code"].map(vintages["max"])
    by_month = np.where(loaded["month"] < DEFAULT_VINTAGE_SWITCH.strftime("%Y-%m"), 2011, 2021)
    vintage = np.select([first == last, first < last], [first, by_month], default=np.nan)
    placed = loaded.assign(lsoa_vintage=pd.array(vintage, dtype="Int16"))
    places = lookup[["lsoa_code", "lsoa_vintage", "ward_code", "lad_code", "csp_code",
                     "pfa_code"]].astype({"lsoa_vintage": "Int16"})
    return placed.merge(places, on=["lsoa_code", "lsoa_vintage"], how="left")


def pandas_full(inputs: Inputs) -> int:
    """pandas doing the ingest's work (see the module docstring); returns rows loaded."""
    if inputs.lookup is None:
        raise SystemExit("pandas_full needs the lookup")
    raw = _pandas_read(inputs)
    reason = _pandas_reasons(raw)
    good = reason == ""
    loaded = _pandas_geography(_pandas_dedupe(raw[good]), inputs.lookup)
    blanks = ["crime_id", "lsoa_code", "lsoa_name", "location", "last_outcome_category"]
    loaded[blanks] = loaded[blanks].replace("", None)
    loaded["longitude"] = pd.to_numeric(loaded["longitude"], errors="coerce")
    loaded["latitude"] = pd.to_numeric(loaded["latitude"], errors="coerce")
    loaded["is_asb"] = loaded["crime_type"] == ASB
    loaded = loaded.drop(columns=["context", "force", "file_month", "release"]).sort_values(
        ["month", "source_file", "source_line"], kind="stable")
    with tempfile.TemporaryDirectory() as store:
        loaded.to_parquet(Path(store) / "street", partition_cols=["month"], index=False)
        raw[~good].assign(reason=reason[~good]).to_parquet(Path(store) / "quarantine.parquet",
                                                            index=False)
    return len(loaded)


CONTENDERS = {
    "ingest": ingest,
    "ingest_geo": ingest,
    "duckdb": duckdb_scan,
    "duckdb_text": duckdb_text_scan,
    "pandas": pandas_concat,
    "pandas_full": pandas_full,
    "store_table": store_table,
    "pandas_table": pandas_table,
}
LATER_ANALYSIS = ("store_table", "pandas_table")
"""Contenders that make the monthly table, timed as a group of their own (other row count)."""


def run(repeats: int, data: Path = ESSEX) -> dict[str, Runs]:
    """Every contender ``repeats`` times, interleaved, each in a fresh process: the ingest and
    its baselines (same rows), then the later-analysis pair (same table)."""
    options = {"data": str(data)}
    ingest_group = [name for name in CONTENDERS if name not in LATER_ANALYSIS]
    runs = interleaved("bench_ingest", ingest_group, options, repeats)
    with tempfile.TemporaryDirectory() as store:
        ingest_police_uk(prepare(options).files, Path(store))  # once, before timing
        runs |= interleaved("bench_ingest", list(LATER_ANALYSIS), {**options, "store": store},
                            repeats)
    return runs


def ratios(runs: dict[str, Runs]) -> dict[str, float]:
    """The target ratios from the medians."""
    median = {name: r.median for name, r in runs.items()}
    return {
        "ingest / duckdb": median["ingest"] / median["duckdb"],
        "ingest / duckdb_text": median["ingest"] / median["duckdb_text"],
        "pandas / ingest": median["pandas"] / median["ingest"],
        "pandas_full / ingest_geo": median["pandas_full"] / median["ingest_geo"],
        "ingest_geo / duckdb": median["ingest_geo"] / median["duckdb"],
        "pandas_table / store_table": median["pandas_table"] / median["store_table"],
    }


INGEST_BOUND = 2.0
"""Issue #23: the ingest within twice the fixed-schema text scan of the same files."""


def targets(runs: dict[str, Runs]) -> list[Target]:
    """The ingest's target row for ``make bench``: ingest / text scan, medians of one run."""
    ingest, scan = runs["ingest"].median, runs["duckdb_text"].median
    return [Target("ingest, 28 Essex months / text scan", ingest / scan, "x", INGEST_BOUND,
                   f"DuckDB text scan {scan:.2f} s, ingest {ingest:.2f} s")]


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of median times, peak RSS and ratios to the ingest."""
    lines = [
        f"{len(runs['ingest'].seconds)} rounds, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pd.__version__}",
        "",
        "| contender | median s | runs (s) | peak RSS MiB | ingest / contender |",
        "|---|---:|---|---:|---:|",
    ]
    for name, r in runs.items():
        times = ", ".join(f"{t:.2f}" for t in r.seconds)
        lines.append(f"| {name} | {r.median:.2f} | {times} | {r.peak:.0f} | "
                     f"{runs['ingest'].median / r.median:.2f} |")
    found = ratios(runs)
    lines += [
        "",
        f"ingest / duckdb_text = {found['ingest / duckdb_text']:.2f} (target <= "
        f"{INGEST_BOUND}); ingest / duckdb = {found['ingest / duckdb']:.2f} (target <= 1.3); "
        f"pandas / ingest = {found['pandas / ingest']:.2f} (target >= 5); "
        f"like for like, pandas_full / ingest_geo = {found['pandas_full / ingest_geo']:.2f}; "
        f"every later table, pandas_table / store_table = "
        f"{found['pandas_table / store_table']:.1f}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    months_command(__doc__, run, report, ESSEX)
