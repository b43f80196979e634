"""Benchmark: police.uk ingest of the 28 real Essex months against two baselines.

Run ``.venv/bin/python benchmarks/bench_ingest.py [--repeats N]``. Three contenders read the same
28 gzip-compressed street CSVs, run in turn within each round (so load on the machine hits all
three alike), and the median of the rounds is reported:

* ``ingest``  - :func:`analysis.store.ingest_police_uk` without a lookup: read, validate,
  quarantine, dedupe, reconcile and write the parquet store;
* ``duckdb``  - a plain DuckDB ``read_csv`` of the files into an in-memory table (auto-detected
  types; ``union_by_name`` because the 2018 files have a snake_case header);
* ``duckdb_text`` - DuckDB reading all fields as text with the dialect given (no sniffing):
  the floor under the ingest, which starts with exactly this kind of scan;
* ``pandas``  - ``pandas.read_csv`` on each file and ``pandas.concat``.

Targets: ingest within 1.3x the plain DuckDB scan and at least 5x faster than pandas.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from analysis.store import ingest_police_uk

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
ESSEX = REAL / "police_uk" / "essex"


def ingest(files: list[Path]) -> int:
    """The full ingest into a throw-away store; returns rows loaded."""
    with tempfile.TemporaryDirectory() as store:
        return ingest_police_uk(files, Path(store)).rows_loaded


def duckdb_scan(files: list[Path]) -> int:
    """A plain DuckDB read of every file into a table; returns rows read."""
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv($files, union_by_name = true)",
            {"files": [str(f) for f in files]},
        )
        return con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]


def duckdb_text_scan(files: list[Path]) -> int:
    """DuckDB reading every field as text with the dialect given (no sniffing); rows read.

    Not a target, but the floor the ingest builds on: its own scan is this one.
    """
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv($files, all_varchar = true, header = true, "
            "delim = ',', quote = '\"', auto_detect = false, "
            "columns = {" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(12)) + "})",
            {"files": [str(f) for f in files]},
        )
        return con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]


def pandas_concat(files: list[Path]) -> int:
    """pandas.read_csv on each file, then concat; returns rows read."""
    return len(pd.concat([pd.read_csv(f) for f in files], ignore_index=True))


CONTENDERS: dict[str, Callable[[list[Path]], int]] = {
    "ingest": ingest,
    "duckdb": duckdb_scan,
    "duckdb_text": duckdb_text_scan,
    "pandas": pandas_concat,
}


def run(files: list[Path], repeats: int) -> dict[str, list[float]]:
    """Time every contender ``repeats`` times, interleaved; check they all see every row."""
    timings: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for _ in range(repeats):
        rows = set()
        for name, contender in CONTENDERS.items():
            started = time.perf_counter()
            rows.add(contender(files))
            timings[name].append(time.perf_counter() - started)
        if len(rows) != 1:
            raise SystemExit(f"contenders disagree on the row count: {sorted(rows)}")
    return timings


def report(timings: dict[str, list[float]], n_files: int) -> str:
    """A Markdown table of median times and ratios to the ingest."""
    medians = {name: statistics.median(times) for name, times in timings.items()}
    lines = [
        f"{n_files} files, {len(timings['ingest'])} rounds, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pd.__version__}",
        "",
        "| contender | median s | runs (s) | ingest / contender |",
        "|---|---:|---|---:|",
    ]
    for name, times in timings.items():
        runs = ", ".join(f"{t:.2f}" for t in times)
        ratio = medians["ingest"] / medians[name]
        lines.append(f"| {name} | {medians[name]:.2f} | {runs} | {ratio:.2f} |")
    lines += [
        "",
        f"ingest / duckdb = {medians['ingest'] / medians['duckdb']:.2f} (target <= 1.3); "
        f"pandas / ingest = {medians['pandas'] / medians['ingest']:.2f} (target >= 5).",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run the benchmark, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds to run (default 3)")
    parser.add_argument("--data", type=Path, default=ESSEX, help="folder of YYYY-MM folders")
    args = parser.parse_args()
    files = sorted(args.data.glob("*/*-street.csv*"))
    if not files:
        raise SystemExit(f"no street files under {args.data}")
    print(report(run(files, args.repeats), len(files)))


if __name__ == "__main__":
    main()
