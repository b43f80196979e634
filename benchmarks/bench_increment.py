"""Benchmark: adding one month to an existing police.uk store, against the store's size.

Run ``.venv/bin/python benchmarks/bench_increment.py [--repeats N]`` (``make bench`` runs it
too). Each contender starts from a store of the first N real Essex months, ingested with the
real LSOA lookup before timing, and times the update that adds April 2024 (the same month every
time, about 12,900 rows), as ``csp ingest`` does when a new month is downloaded:

* ``add_to_3``, ``add_to_13``, ``add_to_27`` - the update into stores of 3, 13 and 27 months;
* ``whole_28`` - the baseline: a whole ingest of the same 28 months (``full=True``), what every
  ingest cost before the store kept a list of its files.

Target (issue #23): adding a month costs time proportional to that month, not to the store;
measured as the update into 27 months over the update into 3 (flat is 1.0; a cost growing with
the store, like the whole ingest's, would be about 28 / 4 = 7).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from harness import Runs, Target, interleaved, months_command, runs_table
from national import ESSEX, load_lookup

from analysis.store.ingest import ingest_police_uk

ADDED = "2024-04"
"""The month every contender adds (the last of the 28)."""
STORE_SIZES = (3, 13, 27)
FLAT_BOUND = 1.5
"""Issue #23: the update into a 27-month store within 1.5x the update into a 3-month one."""


@dataclass(frozen=True)
class Inputs:
    """A store holding the first months, the month folders to update it to, and the lookup."""

    store: Path
    folders: list[Path]
    lookup: pd.DataFrame


def prepare(options: dict[str, Any]) -> Inputs:
    """Ingest the store the contender starts from (not timed)."""
    data = Path(options.get("data", ESSEX))
    months = sorted(p for p in data.iterdir() if p.is_dir() and p.name != ADDED)
    contender = options["contender"]
    held = len(months) if contender == "whole_28" else int(contender.removeprefix("add_to_"))
    store = Path(tempfile.mkdtemp(prefix="bench-increment-"))
    atexit.register(shutil.rmtree, store, True)
    lookup = load_lookup()
    if contender != "whole_28":
        ingest_police_uk(months[:held], store, lsoa_lookup=lookup)
    return Inputs(store, [*months[:held], data / ADDED], lookup)


def add_month(inputs: Inputs) -> int:
    """The update; returns the store's rows loaded."""
    return ingest_police_uk(inputs.folders, inputs.store, lsoa_lookup=inputs.lookup).rows_loaded


def whole(inputs: Inputs) -> int:
    """A whole ingest of every month; returns rows loaded."""
    return ingest_police_uk(inputs.folders, inputs.store, lsoa_lookup=inputs.lookup,
                            full=True).rows_loaded


CONTENDERS = {**{f"add_to_{n}": add_month for n in STORE_SIZES}, "whole_28": whole}


def run(repeats: int, data: Path = ESSEX) -> dict[str, Runs]:
    """Every contender ``repeats`` times, interleaved, each in a fresh process."""
    return interleaved("bench_increment", list(CONTENDERS), {"data": str(data)}, repeats,
                       same_rows=False)


def targets(runs: dict[str, Runs]) -> list[Target]:
    """The incremental ingest's target row: update into 27 months / update into 3."""
    small, large = runs["add_to_3"].median, runs["add_to_27"].median
    return [Target("adding a month: into 27 months / into 3", large / small, "x", FLAT_BOUND,
                   f"into 3 months {small:.2f} s, into 27 {large:.2f} s, whole ingest of 28 "
                   f"{runs['whole_28'].median:.2f} s")]


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of the runs and the target."""
    lines = runs_table(runs, "rows in the store")
    target = targets(runs)[0]
    lines += ["", f"update into 27 months / into 3 = {target.value:.2f} (target <= "
              f"{FLAT_BOUND}); whole ingest / update into 27 = "
              f"{runs['whole_28'].median / runs['add_to_27'].median:.1f}"]
    return "\n".join(lines)


if __name__ == "__main__":
    months_command(__doc__, run, report, ESSEX)
