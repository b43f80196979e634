"""Benchmark: Gi* hotspots for one year of a whole force against a plain numpy grid count.

Run ``.venv/bin/python benchmarks/bench_hotspots.py [--repeats N]``. Input: every row (crime and
ASB) of the real Essex 2022 street files (11 months held, about 175,000 events), read before
timing, and the Essex police force area outline (the real LSOA boundaries of Essex, Southend
and Thurrock, dissolved) also built before timing. Contenders, each in a fresh process
(:mod:`harness`):

* ``places`` - the project's hotspot analysis (:mod:`analysis.sections.places`): the 250 m grid of
  the
  outline, every event projected to British National Grid and placed (with its exclusion
  reason), counts per square, distance-band weights and Gi* z-scores with Benjamini-Hochberg
  control of the false discovery rate;
* ``numpy_count`` - the baseline: the same projection, then a plain ``numpy.bincount`` of the
  events on the same 250 m squares of the outline's bounding box (no outline test, no
  statistics).

Issue 6 asks that the hotspot analysis "completes in seconds".
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import shapely
from harness import TARGET_HEADER, Runs, Target, interleaved
from national import ESSEX, REAL

from analysis.core import vocabulary
from analysis.inputs.geography import load_lsoa_polygons
from analysis.stats import grid_squares, hotspots

BOUNDARIES = REAL / "boundaries" / "drkane_geo-lookups" / "lsoa"
ESSEX_AREAS = ("E10000012.geojson.gz", "E06000033.geojson", "E06000034.geojson")
YEAR = "2022"


@dataclass(frozen=True)
class Inputs:
    """The events (longitude, latitude as text, as the store gives them) and the outline."""

    events: pd.DataFrame
    outline: shapely.Geometry


def prepare(options: dict[str, Any]) -> Inputs:
    """Read the year's events and dissolve the force outline (not timed)."""
    files = sorted(str(p) for p in Path(options.get("data", ESSEX)).glob(f"{YEAR}-*/*street*"))
    with duckdb.connect() as con:
        events = con.execute(
            'SELECT "Month" AS month, "Crime type" AS crime_type, '
            'TRY_CAST("Longitude" AS DOUBLE) AS longitude, '
            'TRY_CAST("Latitude" AS DOUBLE) AS latitude '
            "FROM read_csv($files, all_varchar = true)", {"files": files}).df()
    polygons = load_lsoa_polygons([BOUNDARIES / name for name in ESSEX_AREAS])
    outline = shapely.union_all(polygons.to_crs(vocabulary.BNG).geometry.to_numpy())
    return Inputs(events, outline)


def gi_star(inputs: Inputs) -> int:
    """Grid, placement, counts and Gi* with FDR over the year; returns events placed."""
    grid = grid_squares.make_grid(inputs.outline)
    assigned = grid_squares.assign_cells(inputs.events, grid)
    cells = assigned["cell"].dropna().to_numpy(dtype=np.int64)
    counts = np.bincount(cells, minlength=grid.size)
    found = hotspots.gi_star_hotspots(counts, hotspots.grid_weights(grid))
    if not found.hot.any():
        raise SystemExit("no hotspot found: the benchmark input is wrong")
    return len(inputs.events)


def numpy_count(inputs: Inputs) -> int:
    """Project and count the events on the bounding box's 250 m squares; returns events."""
    lon = inputs.events["longitude"].to_numpy(dtype=float)
    lat = inputs.events["latitude"].to_numpy(dtype=float)
    usable = ~(np.isnan(lon) | np.isnan(lat))
    east, north = grid_squares.to_bng(lon[usable], lat[usable])
    west, south, east_edge, north_edge = shapely.bounds(inputs.outline)
    col = np.floor((east - west) / grid_squares.CELL_SIZE).astype(np.int64)
    row = np.floor((north - south) / grid_squares.CELL_SIZE).astype(np.int64)
    width = int((east_edge - west) // grid_squares.CELL_SIZE) + 1
    height = int((north_edge - south) // grid_squares.CELL_SIZE) + 1
    inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
    counts = np.bincount(row[inside] * width + col[inside], minlength=width * height)
    if counts.sum() == 0:
        raise SystemExit("no event counted: the benchmark input is wrong")
    return len(inputs.events)


CONTENDERS = {"places": gi_star, "numpy_count": numpy_count}


SECONDS_BOUND = 10.0
"""Issue 6's "completes in seconds", read as under ten seconds for a whole force-year."""


def targets(runs: dict[str, Runs]) -> list[Target]:
    """The hotspot analysis's target for the final table: its median seconds against
    :data:`SECONDS_BOUND`, with the plain grid count of the same run as the baseline."""
    return [Target("Gi* hotspots, Essex 2022 force-year (issue 6)", runs["places"].median, "s",
                   SECONDS_BOUND, f"numpy grid count {runs['numpy_count'].median:.2f} s")]


def run(repeats: int) -> dict[str, Runs]:
    """Both contenders ``repeats`` times, interleaved, each in a fresh process."""
    return interleaved("bench_hotspots", list(CONTENDERS), {}, repeats)


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of median times, peak RSS and the ratio."""
    lines = ["| contender | median s | runs (s) | peak RSS MiB |", "|---|---:|---|---:|"]
    for name, r in runs.items():
        times = ", ".join(f"{t:.2f}" for t in r.seconds)
        lines.append(f"| {name} | {r.median:.2f} | {times} | {r.peak:.0f} |")
    ratio = runs["places"].median / runs["numpy_count"].median
    lines += ["", f"{runs['places'].rows[0]:,} events; places / numpy_count = {ratio:.1f}",
              "", TARGET_HEADER, *(target.row() for target in targets(runs))]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    args = parser.parse_args()
    print(report(run(args.repeats)))


if __name__ == "__main__":
    main()
