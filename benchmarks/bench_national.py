"""Benchmark: national scale - ingest plus the all-CSP headline table on a synthetic archive.

Run ``.venv/bin/python benchmarks/bench_national.py [--archive DIR] [--sizes 4x12,...]``.
The archive (:mod:`national`: the real Essex months replicated under 43 forces, 36 months,
about 25 million rows, 6 GB of CSV) is generated once into a temporary folder unless
``--archive`` names one already written. For each size (forces x months, the first forces and
the last months) two contenders run in fresh processes (:mod:`harness`):

* ``national`` - the project's code end to end: load the LSOA lookup, ingest every street file
  into a throw-away store (validate, dedupe, geography, parquet), then the headline table of
  every CSP: crime (ASB excluded) this financial year (2023-24) and last, # and % change with
  its significance (:func:`analysis.stats.measures.change_table`), population
  (:func:`analysis.inputs.population.population_for`, ONS mid-2019) and rate per 1,000 with
  Byar's interval (:func:`analysis.stats.measures.add_rates`);
* ``duckdb_text`` - the floor: DuckDB reading the same files as text into a table.

Targets (issue #23, full size only: :func:`targets`): ingest plus table within 90 s and
3 GiB peak memory on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from bench_ingest import text_scan
from harness import Runs, Target, interleaved
from national import LAD_CSP, POPULATION, generate, load_lookup

from analysis.core.errors import DataCoverageError
from analysis.core.periods import Period
from analysis.inputs.geography import load_lad_csp
from analysis.inputs.population import load_mid_year_estimates, population_for
from analysis.stats.measures import add_rates, change_table
from analysis.store import ingest, query

SIZES = ((4, 12), (4, 36), (11, 36), (43, 36))
"""(forces, months) measured by default: months grow, then forces."""
FULL_SIZE = (43, 36)
"""The national archive the targets are set on (24.8 M rows)."""
SECONDS_BOUND = 90.0
PEAK_BOUND_MIB = 3072.0
"""Issue #23: the full size's ingest plus headline table within 90 s and 3 GiB."""
CURRENT = "2023-24"
SMALL = 4 * 36
"""Sizes up to this many force-months are repeated; larger ones run once."""


@dataclass(frozen=True)
class Inputs:
    """The files of one size."""

    files: list[Path]


def prepare(options: dict[str, Any]) -> Inputs:
    """The street files of ``options['forces']`` forces over ``options['months']`` months."""
    folder = Path(options["archive"])
    months = sorted(p.name for p in folder.iterdir() if p.is_dir())[-options["months"]:]
    slugs = sorted({p.name[8:].removesuffix("-street.csv")
                    for p in (folder / months[0]).glob("*-street.csv")})
    forces = options.get("slugs") or slugs[: options["forces"]]
    return Inputs([folder / m / f"{m}-{s}-street.csv" for m in months for s in forces])


def headline_table(store_dir: Path) -> pd.DataFrame:
    """Every CSP's crime this year and last, change, significance and rate per 1,000.

    CSPs whose population cannot be totalled (LAD codes changed since mid-2019) keep their
    counts with a missing rate.
    """
    current = Period.parse(CURRENT)
    counts = query.monthly_counts(store_dir, by=("csp_code",),
                                  where="NOT is_asb AND csp_code IS NOT NULL")
    months = pd.to_datetime(query.store_months(store_dir)["month"]).dt.date.unique()
    change = change_table(counts, current, current.previous(), "csp_code", total_label=None,
                          available_months=months)
    estimates = load_mid_year_estimates(POPULATION)
    lad_csp = load_lad_csp(LAD_CSP)
    populations = []
    for code in change["csp_code"]:
        try:
            populations.append(population_for([code], estimates, lad_csp, level="csp"))
        except DataCoverageError:
            continue
    people = pd.concat(populations)[["area_code", "population"]].rename(
        columns={"area_code": "csp_code"})
    table = change.merge(people, on="csp_code", how="left")
    with_population = table["population"].notna()
    rated = add_rates(table[with_population].astype({"population": "int64"}),
                      count_col="current", population_vintage="ONS mid-2019")
    return pd.concat([rated, table[~with_population]], ignore_index=True)


def national(inputs: Inputs) -> int:
    """Lookup, ingest and headline table; returns the rows loaded."""
    lookup = load_lookup()
    with tempfile.TemporaryDirectory() as folder:
        loaded = ingest.ingest_police_uk(inputs.files, Path(folder), lsoa_lookup=lookup)
        table = headline_table(Path(folder))
    if len(table) < 1:
        raise SystemExit("the headline table is empty")
    return loaded.rows_loaded


def duckdb_text(inputs: Inputs) -> int:
    """DuckDB reading the files as text into a table; returns rows read."""
    return text_scan(inputs.files)


CONTENDERS = {"national": national, "duckdb_text": duckdb_text}


def run(archive: Path, sizes: tuple[tuple[int, int], ...], repeats: int
        ) -> list[dict[str, Any]]:
    """Both contenders at each size: ``repeats`` times up to 4 forces x 36 months, once above
    (a round of the full size takes minutes; ``make bench`` must stay under 15)."""
    results = []
    for forces, months in sizes:
        rounds = repeats if forces * months <= SMALL else 1
        options = {"archive": str(archive), "forces": forces, "months": months}
        runs: dict[str, Runs] = interleaved("bench_national", list(CONTENDERS), options, rounds)
        rows = runs["national"].rows[0]
        results.append({
            "forces": forces, "months": months, "rows": rows, "rounds": rounds,
            **{name: r.as_dict() for name, r in runs.items()},
            "ratio": runs["national"].median / runs["duckdb_text"].median,
            "seconds_per_million": runs["national"].median / rows * 1e6,
        })
    return results


def targets(results: list[dict[str, Any]]) -> list[Target]:
    """The national target rows for ``make bench``: seconds and peak memory at the full size
    (none when the full size was not among the sizes run)."""
    full = [r for r in results if (r["forces"], r["months"]) == FULL_SIZE]
    if not full:
        return []
    result = full[0]
    scan = f"DuckDB text scan {result['duckdb_text']['median_s']:.1f} s"
    return [
        Target(f"national, {result['rows']:,} rows: ingest + all-CSP table",
               result["national"]["median_s"], "s", SECONDS_BOUND, scan),
        Target("national peak RSS", result["national"]["peak_rss_mib"], "MiB", PEAK_BOUND_MIB,
               f"{scan}, peak {result['duckdb_text']['peak_rss_mib']:,.0f} MiB"),
    ]


def parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """``4x12,43x36`` -> ((4, 12), (43, 36))."""
    try:
        pairs = [part.lower().split("x") for part in text.split(",")]
        return tuple((int(forces), int(months)) for forces, months in pairs)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"sizes are FORCESxMONTHS, comma-separated: {text}"
                                         ) from error


def report(results: list[dict[str, Any]]) -> str:
    """A Markdown table: size, times, ratio to the text scan, peak RSS, cost per million rows."""
    lines = ["| forces x months | rows | national s | text scan s | ratio | national peak RSS "
             "MiB | s per million rows |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['forces']} x {r['months']} | {r['rows']:,} | {r['national']['median_s']:.1f} "
            f"| {r['duckdb_text']['median_s']:.1f} | {r['ratio']:.2f} | "
            f"{r['national']['peak_rss_mib']:.0f} | {r['seconds_per_million']:.1f} |")
    per_million = statistics.median(r["seconds_per_million"] for r in results)
    lines += ["", f"median cost: {per_million:.1f} s per million rows"]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, generate the archive if needed, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="an archive written by national.py")
    parser.add_argument("--repeats", type=int, default=2, help="rounds below the full size")
    parser.add_argument("--sizes", type=parse_sizes, default=SIZES,
                        help="FORCESxMONTHS,... to measure (default 4x12,4x36,11x36,43x36)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as parent:
        folder = args.archive or generate(Path(parent) / "national").folder
        print(report(run(folder, args.sizes, args.repeats)))


if __name__ == "__main__":
    main()
