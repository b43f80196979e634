"""The places section on a small demo: planted hotspots are found where they were planted.

The demo plants, inside Kingsmere, a persistent town-centre hotspot (LSOA squares (4, 4) and
(4, 5) of its 10 x 10 LSOA grid), an emerging hotspot (LSOA (7, 2), crime growing fivefold
over the last 12 months) and a quiet ward (row 1, eastern half). The helpers the notebook
calls must find the first two there and nothing in the quiet ward; the section must build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.core.files import report_dir
from analysis.core.periods import Period
from analysis.demo import world
from analysis.inputs.areas import load_area
from analysis.inputs.geography import load_lsoa_polygons
from analysis.publish.build import build_section
from analysis.stats import grid_squares, hotspots
from analysis.store import query
from analysis.store.area import area_lookup

pytestmark = pytest.mark.build
ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2024-25"
SECTION = "30_places"


@pytest.fixture(scope="module")
def project(demo_project: Path) -> Path:
    """The shared 36-month demo project (the three-year trend window)."""
    return demo_project


@pytest.fixture(scope="module")
def trends(project: Path) -> dict[str, pd.DataFrame]:
    """Hotspot trends for all crime and ASB, computed by the helpers the notebook uses."""
    config = load_area("demo", project)
    period = Period.parse(PERIOD)
    geography = grid_squares.area_geography(
        load_lsoa_polygons([config.resolve(p, project) for p in config.sources.lsoa_boundaries]),
        area_lookup(config, project), config.lad_codes)
    grid = grid_squares.make_grid(geography.outline)
    folder = project / "data" / "processed" / "demo"
    months = [m for year in period.trend_window(3) for m in year.months]
    events = grid_squares.assign_cells(query.load_events(folder, config.csp_code, months), grid)
    available = query.force_months(folder, config.force.name)
    return {name: hotspots.hotspot_trend(events[rows], grid, period, available)
            for name, rows in (("crime", ~events["is_asb"]), ("asb", events["is_asb"]))}


def _lsoa_square(trend: pd.DataFrame) -> pd.Series:
    """(row, col) of the Kingsmere LSOA holding each cell's centre."""
    origin_x, origin_y = world.GRID_ORIGIN  # Kingsmere is the south-west CSP
    rows = ((trend["northing"] - origin_y) // world.LSOA_SIZE).astype(int)
    cols = ((trend["easting"] - origin_x) // world.LSOA_SIZE).astype(int)
    return pd.Series(list(zip(rows, cols, strict=True)), index=trend.index)


def test_persistent_hotspot_is_in_the_town_centre(trends: dict[str, pd.DataFrame]) -> None:
    crime = trends["crime"]
    where = _lsoa_square(crime)
    persistent = where[crime["hotspot_class"] == hotspots.PERSISTENT]
    assert len(persistent) >= 2
    assert set(persistent) <= set(world.PERSISTENT_HOTSPOT_LSOAS)
    assert where[crime["z"].idxmax()] in world.PERSISTENT_HOTSPOT_LSOAS


def test_emerging_hotspot_is_in_the_planted_lsoa(trends: dict[str, pd.DataFrame]) -> None:
    crime = trends["crime"]
    emerging = crime[crime["hotspot_class"] == hotspots.EMERGING]
    assert not emerging.empty
    assert set(_lsoa_square(emerging)) == {world.EMERGING_HOTSPOT_LSOA}
    assert (emerging["change"] == "significant increase").all()


@pytest.mark.parametrize("subject", ["crime", "asb"])
def test_no_hotspot_in_the_quiet_ward(trends: dict[str, pd.DataFrame], subject: str) -> None:
    trend = trends[subject]
    where = _lsoa_square(trend)
    quiet = where.map(lambda rc: rc[0] == world.QUIET_WARD_ROW and rc[1] // 5 == 1)
    assert quiet.sum() == 5 * 64  # five 2 km LSOAs of 64 squares each
    assert (trend.loc[quiet, "hotspot_class"] == hotspots.NOT_HOTSPOT).all()
    assert (trend.loc[quiet, "windows_hot"] == 0).all()


def test_section_builds_with_tables_and_peak_times(project: Path) -> None:
    build_section("demo", PERIOD, SECTION, project)
    tables = report_dir("demo", PERIOD, project) / "tables"
    for name in ("placement", "hotspot_map_crime", "top_squares_asb", "concentration",
                 "ward_profile", "lsoa_profile", "deprivation"):
        assert (tables / f"{SECTION}__{name}.csv").is_file(), name
    placement = pd.read_csv(tables / f"{SECTION}__placement.csv")
    assert placement["rows"].sum() > 0 and placement["outcome"].iloc[0] == grid_squares.PLACED
    top = pd.read_csv(tables / f"{SECTION}__top_squares_crime.csv")
    assert len(top) == 10 and top["rank"].tolist() == list(range(1, 11))
    day_hour = pd.read_csv(tables / f"{SECTION}__day_hour_crimes.csv")
    counts = day_hour.iloc[:, 1:].apply(pd.to_numeric, errors="coerce")  # [c]: hidden
    assert day_hour.shape == (7, 25) and counts.sum().sum() > 0


def test_with_monthly_data_only_the_page_says_so(project: Path) -> None:
    config = yaml.safe_load((project / "config" / "areas" / "demo.yaml").read_text())
    config.update(name="demo_monthly", store="demo")
    del config["sources"]["partner"]
    (project / "config" / "areas" / "demo_monthly.yaml").write_text(yaml.safe_dump(config))
    page = build_section("demo_monthly", PERIOD, SECTION, project).read_text()
    assert "No peak day and time analysis" in page
    tables = report_dir("demo_monthly", PERIOD, project) / "tables"
    assert not list(tables.glob(f"{SECTION}__day_hour_*.csv"))


def _area_with(project: Path, name: str, section_parameters: dict) -> str:
    """A copy of the demo config (same store) under ``name`` with ``section_parameters``."""
    config = yaml.safe_load((project / "config" / "areas" / "demo.yaml").read_text())
    config.update(name=name, store="demo", section_parameters=section_parameters)
    (project / "config" / "areas" / f"{name}.yaml").write_text(yaml.safe_dump(config))
    return name


def test_offence_group_from_the_area_config_reaches_the_notebook(project: Path) -> None:
    area = _area_with(project, "demo_burglary", {SECTION: {"offence_group": "Burglary"}})
    page = build_section(area, PERIOD, SECTION, project).read_text()
    out = report_dir(area, PERIOD, project)
    assert (out / "tables" / f"{SECTION}__hotspot_map_group.csv").is_file()
    assert re.search(r"<h3 id=\"Burglary\">Burglary", page)
    timing = yaml.safe_load((out / "_build" / f"{SECTION}.json").read_text())
    assert timing["parameters"]["offence_group"] == "Burglary"
