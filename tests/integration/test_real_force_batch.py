"""All 14 Essex CSPs build from one ingest of the real Essex months."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.config import load_force
from analysis.core.files import report_dir
from analysis.inputs.areas import force_csps
from analysis.publish.build import build_areas

pytestmark = pytest.mark.integration


def test_every_essex_csp_builds(real_project: Path) -> None:
    areas = list(force_csps(load_force("essex", real_project), real_project))
    assert len(areas) == 14 and "essex-thurrock" in areas
    build_areas(areas, "2022", sections=["10_crime_overview"], jobs=2, root=real_project)
    totals = {}
    for area in areas:
        table = pd.read_csv(report_dir(area, "2022", real_project) / "tables"
                            / "10_crime_overview__crime_type_change.csv").set_index("Crime type")
        totals[area] = table.loc["All crime", "2022 (11 of 12 months)"]
        assert table.loc["All crime", "Change"] == "not compared: 2021 holds no month of data"
        assert pd.isna(table.loc["All crime", "2021 (no data)"])  # unknown, never 0
    # 2022 holds 11 published months (December is missing); Thurrock is one of the 14.
    assert totals["essex-thurrock"] > 15_000 and all(v > 0 for v in totals.values())
