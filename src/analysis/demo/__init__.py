"""The demo: a deterministic fictional force (Demoshire) of four partnerships, written in the
real formats (police.uk street files, partner extracts with their mappings, ONS lookups,
boundaries and population), so every section can be built and tested without real data.

:mod:`analysis.demo.world` holds the fictional geography and the police.uk months,
:mod:`analysis.demo.partner` the partner extracts; :func:`generate` writes them all.

The package imports nothing of the analysis stages except the offence reference table, so the
demo is written in the published formats, not from the readers' view of them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.files import DEMO_README, DEMO_README_OPENING
from analysis.demo.partner import write_partner_extracts
from analysis.demo.recorded_crime import write_recorded_crime
from analysis.demo.world import (
    FORCE_SLUG,
    DemoSpec,
    geography,
    map_points,
    outcome_events,
    street_month,
    write_boundaries,
    write_lookups,
    write_population,
)


def write_outcome_files(events: pd.DataFrame, folder: Path) -> None:
    """One ``YYYY-MM-<force>-outcomes.csv`` per month in its month folder: the outcomes
    recorded that month, in the data.police.uk layout."""
    for month, rows in events.groupby("Month", sort=True):
        rows.to_csv(folder / str(month) / f"{month}-{FORCE_SLUG}-outcomes.csv", index=False,
                    lineterminator="\r\n")


def generate(out_dir: Path, spec: DemoSpec | None = None) -> Path:
    """Write the whole demo into ``out_dir`` (replacing it atomically) and return the path.

    Files are written to a temporary sibling folder first and swapped in at the end, so an
    interrupted run never leaves half a demo behind.
    """
    spec = spec or DemoSpec()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=out_dir.parent))
    try:
        geo = geography()
        points = map_points(geo, np.random.default_rng([spec.seed, 999_999]))
        outcomes = []
        for month_index, month in enumerate(spec.months):
            folder = staging / "police_uk" / month.strftime("%Y-%m")
            folder.mkdir(parents=True)
            frame = street_month(spec, geo, points, month_index)
            frame.to_csv(folder / f"{month:%Y-%m}-{FORCE_SLUG}-street.csv", index=False,
                         lineterminator="\r\n")
            outcomes.append(outcome_events(spec, frame, month_index))
        write_outcome_files(pd.concat(outcomes, ignore_index=True), staging / "police_uk")
        write_partner_extracts(staging, spec, geo)
        write_lookups(geo, staging / "lookups")
        write_boundaries(geo, staging / "boundaries")
        write_population(staging / "population")
        write_recorded_crime(staging, spec)
        (staging / DEMO_README).write_text(
            f"{DEMO_README_OPENING} (analysis.demo). Not real crime data.\n"
            f"Seed {spec.seed}; months {spec.months[0]:%Y-%m} to {spec.months[-1]:%Y-%m}.\n"
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return out_dir

