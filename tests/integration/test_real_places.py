"""The place helpers end to end on real Thurrock months, with 2011 and 2021 LSOAs together.

2022-01..2022-11 use LSOA 2011 codes and 2024-01..2024-04 LSOA 2021 codes (SOURCES.md §1), so
the grid, hotspots, concentration and profiles must cope with both vintages in one window.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from analysis.core.periods import Period
from analysis.inputs.areas import load_area
from analysis.inputs.geography import UnmatchedLadWarning, load_lsoa_polygons
from analysis.inputs.imd import load_imd2019
from analysis.sections import places
from analysis.stats import grid_squares, hotspots, profiles
from analysis.store import query
from analysis.store.area import area_lookup
from analysis.store.ingest import ingest_police_uk

PROJECT = Path(__file__).resolve().parents[2]
REAL = PROJECT.parent / "shared" / "data" / "real"
MONTHS = [f"2022-{m:02d}" for m in range(1, 12)] + [f"2024-{m:02d}" for m in range(1, 5)]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL}"),
]


@pytest.fixture(scope="module")
def thurrock(tmp_path_factory: pytest.TempPathFactory) -> dict:
    config = load_area("thurrock", PROJECT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedLadWarning)  # LADs outside Essex
        lookup = area_lookup(config, PROJECT)
    store_dir = tmp_path_factory.mktemp("essex")
    ingest_police_uk([REAL / "police_uk" / "essex" / m for m in MONTHS], store_dir,
                     lsoa_lookup=lookup)
    geography = grid_squares.area_geography(
        load_lsoa_polygons([config.resolve(p, PROJECT) for p in config.sources.lsoa_boundaries]),
        lookup, config.lad_codes)
    grid = grid_squares.make_grid(geography.outline)
    months = [date(int(m[:4]), int(m[5:]), 1) for m in MONTHS]
    events = grid_squares.assign_cells(query.load_events(store_dir, config.csp_code, months), grid)
    return {"config": config, "lookup": lookup, "geography": geography, "grid": grid,
            "events": events}


def test_every_row_is_placed_or_counted_out(thurrock: dict) -> None:
    events = thurrock["events"]
    summary = grid_squares.exclusion_summary(events).set_index("outcome")["rows"]
    assert summary.sum() == len(events)
    assert set(events["lsoa_vintage"]) == {2011, 2021}
    assert summary[grid_squares.PLACED] / len(events) > 0.99  # snapping rarely crosses the edge
    assert summary[grid_squares.NO_COORDINATES] == 0  # rows without coordinates have no LSOA/CSP
    assert len(thurrock["geography"].wards) == 20


def test_hotspots_on_the_2024_months(thurrock: dict) -> None:
    grid, events = thurrock["grid"], thurrock["events"]
    months = Period.custom(date(2024, 1, 1), date(2024, 4, 1))
    crime = events[~events["is_asb"]]
    counts = grid_squares.period_cell_counts(crime, grid, [months])[0]
    test = hotspots.gi_star_hotspots(counts, hotspots.grid_weights(grid))
    hot = grid.cells[test.hot]
    assert 0 < len(hot) < 0.05 * grid.size
    assert counts[test.hot].sum() > 0.2 * counts.sum()
    top = np.argmax(np.where(test.hot, counts, -1))
    assert test.hot[top] and counts[top] == counts.max()


def test_profiles_and_concentration_across_both_vintages(thurrock: dict) -> None:
    config, lookup, events = thurrock["config"], thurrock["lookup"], thurrock["events"]
    crime = events[~events["is_asb"]]
    area = lookup[lookup["lad_code"].isin(config.lad_codes)]
    lsoa_places = (area.sort_values("lsoa_vintage").drop_duplicates("lsoa_code", keep="last")
                   [["lsoa_code", "lsoa_name"]].rename(columns={"lsoa_name": "name"}))
    current = Period.custom(date(2024, 1, 1), date(2024, 4, 1))
    previous = Period.custom(date(2022, 1, 1), date(2022, 4, 1))
    profile = profiles.place_profile(crime, "lsoa_code", lsoa_places, current, previous,
                                   population_vintage=None)
    assert len(profile) == 102  # 98 LSOAs 2011 + 4 created in 2021 (2 ended, kept at 0)
    split = profile.set_index("lsoa_code")
    assert split.loc["E01015973", "current"] == 0 and split.loc["E01015973", "previous"] > 0
    assert split.loc["E01034368", "current"] > 0 and split.loc["E01034368", "previous"] == 0
    assert profile["current"].sum() == crime["month"].isin(current.months).sum()
    imd = load_imd2019(config.resolve(config.sources.imd, PROJECT))
    with_imd = profile.merge(imd[["lsoa_code", "imd_decile"]], on="lsoa_code", how="left")
    deprivation = places.deprivation_table(with_imd.assign(population=np.nan))
    assert deprivation["lsoas"].sum() == 102
    assert deprivation.set_index("imd_decile").loc["no IMD 2019 value", "lsoas"] == 4
    counts = grid_squares.period_cell_counts(crime, thurrock["grid"], [current])[0]
    table = places.concentration_table({"squares": counts})
    assert table["share_percent"].is_monotonic_increasing and table["share_percent"].iloc[0] > 10


def test_imd_deciles_match_the_published_deciles() -> None:
    import pyreadr

    imd = load_imd2019(REAL / "imd" / "jtrim-ons_ons-lookups" / "csv" / "004.csv.gz")
    published = pyreadr.read_r(str(REAL / "imd" / "cwthom_hack25usefuldata" / "iod2019_eng.rda")
                               )["iod2019_eng"]
    merged = imd.merge(published, left_on="lsoa_code", right_on="lsoa11_code")
    assert len(merged) == 32_844
    assert (merged["imd_decile"] == merged["index_of_multiple_deprivation_imd_decile"]).all()
    thurrock = imd[imd["lad_code"] == "E06000034"]["imd_decile"].value_counts().sort_index()
    assert thurrock.to_dict() == {1: 4, 2: 7, 3: 14, 4: 20, 5: 12, 6: 5, 7: 15, 8: 9, 9: 11,
                                  10: 1}
