"""Grid, Gi*, FDR, hotspot classes, day × hour, concentration and profiles (hand-computed)."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from IPython.display import Markdown
from pyproj import Transformer

from analysis.core import vocabulary
from analysis.core.errors import ConfigError, DataCoverageError, InputError
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.inputs.areas import load_area
from analysis.present import maps
from analysis.present.page import Section
from analysis.present.presentable import Chart, Table
from analysis.sections import places
from analysis.stats import grid_squares, hotspots, profiles
from analysis.stats.disclosure import DisclosureRule

ROOT = Path(__file__).resolve().parents[2]
TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
# A 1 km x 500 m area in Essex, on 250 m grid lines: 4 x 2 squares.
AREA = shapely.box(500_000, 200_000, 501_000, 200_500)


def _lonlat(easting: list[float], northing: list[float]) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = TO_WGS84.transform(np.array(easting, float), np.array(northing, float))
    return np.asarray(lon), np.asarray(lat)


def _events(easting: list[float], northing: list[float], months: list[date]) -> pd.DataFrame:
    lon, lat = _lonlat(easting, northing)
    return pd.DataFrame({"month": months, "longitude": lon, "latitude": lat})


# --- coordinates and the grid --------------------------------------------------------------


def test_lon_lat_to_bng_matches_the_ons_centroid_of_thurrock_008a() -> None:
    # ONS LSOA (2011) boundaries, E01015922 "Thurrock 008A": LONG 0.252709, LAT 51.49502,
    # BNG_E 556474, BNG_N 179748 (integer metres as published).
    east, north = grid_squares.to_bng([0.252709], [51.49502])
    assert east[0] == pytest.approx(556_474, abs=3)
    assert north[0] == pytest.approx(179_748, abs=3)


def test_a_point_on_a_shared_edge_belongs_to_the_square_east_and_north_of_it() -> None:
    col, row = grid_squares.bng_cell([500_250.0, 500_249.999, 500_000.0], [200_250.0, 200_249.9,
    0.0])
    assert col.tolist() == [2001, 2000, 2000]
    assert row.tolist() == [801, 800, 0]


def test_grid_is_aligned_to_the_bng_origin_and_clipped_to_the_area() -> None:
    grid = grid_squares.make_grid(AREA, 250)
    assert grid.size == 8  # squares only touching the outline from outside are left out
    assert grid.cells["cell_id"].iloc[0] == "E500000N200000"
    assert grid.cells[["easting", "northing"]].iloc[0].tolist() == [500_125.0, 200_125.0]
    offset = grid_squares.make_grid(shapely.box(500_100, 200_100, 500_200, 200_200), 250)
    assert offset.cells["cell_id"].tolist() == ["E500000N200000"]
    assert offset.cells["area_share"].iloc[0] == pytest.approx(0.16)


def test_slivers_under_one_percent_of_a_square_are_not_in_the_grid() -> None:
    # 1 m into the next column is 0.4 % of each square there; 10 m is 4 %.
    assert grid_squares.make_grid(shapely.box(500_000, 200_000, 501_001, 200_500), 250).size == 8
    assert grid_squares.make_grid(shapely.box(500_000, 200_000, 501_010, 200_500), 250).size == 10


def test_grid_refuses_degrees_and_bad_sizes() -> None:
    with pytest.raises(InputError, match="British National Grid"):
        grid_squares.make_grid(shapely.box(0.1, 51.4, 0.5, 51.6))
    with pytest.raises(ConfigError):
        grid_squares.make_grid(AREA, 0)


def test_every_row_is_placed_or_excluded_with_its_reason() -> None:
    grid = grid_squares.make_grid(AREA, 250)
    lon, lat = _lonlat([500_100, 500_900, 600_000], [200_100, 200_400, 200_100])
    events = pd.DataFrame({
        "longitude": [lon[0], lon[1], lon[2], np.nan, 0.0, 200.0, -74.0],
        "latitude": [lat[0], lat[1], lat[2], 51.5, 0.0, 51.5, 40.7],
    })
    out = grid_squares.assign_cells(events, grid)
    assert out["cell"].tolist()[:2] == [0, 7]
    assert out["cell"].isna().tolist() == [False, False, True, True, True, True, True]
    assert out["excluded"].tolist()[2:] == [grid_squares.OUTSIDE, grid_squares.NO_COORDINATES,
                                            grid_squares.IMPOSSIBLE, grid_squares.IMPOSSIBLE,
                                            grid_squares.IMPOSSIBLE]
    summary = grid_squares.exclusion_summary(out).set_index("outcome")["rows"]
    assert summary.to_dict() == {grid_squares.PLACED: 2, grid_squares.NO_COORDINATES: 1,
                                 grid_squares.IMPOSSIBLE: 3, grid_squares.OUTSIDE: 1}


def test_counts_per_square_and_period() -> None:
    grid = grid_squares.make_grid(AREA, 250)
    events = _events([500_100, 500_110, 500_900, 500_100],
                     [200_100, 200_120, 200_400, 200_100],
                     [date(2024, 4, 1), date(2024, 5, 1), date(2024, 4, 1), date(2023, 4, 1)])
    assigned = grid_squares.assign_cells(events, grid)
    counts = grid_squares.period_cell_counts(assigned, grid, [Period.financial_year(2024),
                                                        Period.financial_year(2023)])
    assert counts[0].tolist() == [2, 0, 0, 0, 0, 0, 0, 1]
    assert counts[1].tolist() == [1, 0, 0, 0, 0, 0, 0, 0]


# --- Gi*, FDR and density ------------------------------------------------------------------

ESDA_POINTS = np.array([(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)], float)
ESDA_Y = np.array([2, 3, 3.2, 5, 8, 7])


def test_distance_band_includes_neighbours_at_exactly_the_threshold() -> None:
    weights = hotspots.distance_band_weights(ESDA_POINTS, 15).toarray()
    # (15,20)-(30,20) are exactly 15 apart; libpysal's DistanceBand counts them.
    assert weights[3, 4] == weights[4, 3] == 1
    assert weights.sum(axis=1).tolist() == [2, 3, 1, 3, 4, 1]
    assert np.diag(weights).sum() == 0


def test_gi_matches_the_esda_doctest() -> None:
    weights = hotspots.distance_band_weights(ESDA_POINTS, 15)
    z = hotspots.getis_ord_z(ESDA_Y, weights, star=False)
    np.testing.assert_allclose(
        z, [-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941],
        rtol=1e-7)


def test_gi_star_matches_the_esda_doctest() -> None:
    weights = hotspots.distance_band_weights(ESDA_POINTS, 15)
    z = hotspots.getis_ord_z(ESDA_Y, weights, star=True)
    np.testing.assert_allclose(
        z, [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331],
        rtol=1e-7)


def test_gi_star_is_missing_when_nothing_varies() -> None:
    weights = hotspots.distance_band_weights(ESDA_POINTS, 15)
    assert np.isnan(hotspots.getis_ord_z(np.zeros(6), weights)).all()


def test_benjamini_hochberg_by_hand() -> None:
    # sorted p 0.01, 0.03, 0.04, 0.2 (m = 4): p·m/k = 0.04, 0.06, 0.0533, 0.2;
    # running minimum from the top: 0.04, 0.0533, 0.0533, 0.2.
    q = hotspots.benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2, np.nan]))
    np.testing.assert_allclose(q[:4], [0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert np.isnan(q[4])
    assert hotspots.benjamini_hochberg(np.array([0.9, 0.8])).tolist() == [0.9, 0.9]


def test_hotspot_needs_a_significant_z_and_events_of_its_own() -> None:
    grid = grid_squares.make_grid(shapely.box(500_000, 200_000, 510_000, 210_000), 250)  # 40 x 40
    counts = np.zeros(grid.size, dtype=int)
    counts[[820, 821, 860, 861]] = [30, 25, 28, 20]  # squares (20, 20) to (21, 21)
    test = hotspots.gi_star_hotspots(counts, hotspots.grid_weights(grid, 1.5))
    assert set(np.flatnonzero(test.hot)) == {820, 821, 860, 861}
    # Square (22, 20) is empty: significant by Gi* (its neighbours are busy) but not a hotspot.
    assert test.z[822] > 3 and test.q[822] <= hotspots.FDR_ALPHA and not test.hot[822]


def test_density_keeps_the_total_and_refuses_a_bandwidth_below_a_square() -> None:
    grid = grid_squares.make_grid(shapely.box(500_000, 200_000, 505_000, 205_000), 250)  # 20 x 20
    counts = np.zeros(grid.size)
    counts[210] = 40  # near the middle, so the kernel stays inside the area
    surface = hotspots.density_surface(counts, grid, 500)
    assert surface["density"].sum() * 0.25**2 == pytest.approx(40, rel=1e-3)
    assert surface["density"].idxmax() == 210
    with pytest.raises(ConfigError, match="bandwidth"):
        hotspots.density_surface(counts, grid, 100)


# --- change over time ----------------------------------------------------------------------


def test_trend_windows_are_the_quarters_of_three_years() -> None:
    windows = hotspots.trend_windows(Period.financial_year(2024))
    assert len(windows) == 12
    assert (windows[0].start, windows[0].end) == (date(2022, 4, 1), date(2022, 6, 1))
    assert (windows[-1].start, windows[-1].end) == (date(2025, 1, 1), date(2025, 3, 1))


def _pattern(earlier: str, recent: str) -> list[bool]:
    return [c == "1" for c in earlier + recent]


def test_classification_rules() -> None:
    recent = np.array([False] * 8 + [True] * 4)
    cases = {  # earlier windows, recent windows, change → class
        ("11111111", "1111", "no significant change"): hotspots.PERSISTENT,
        ("11111111", "1101", "no significant change"): hotspots.PERSISTENT,  # 11 of 12
        ("00110000", "1111", "significant increase"): hotspots.INTENSIFYING,
        ("11111111", "1000", "significant decrease"): hotspots.DIMINISHING,
        ("00000000", "0011", "significant increase"): hotspots.EMERGING,
        ("00010000", "0111", "significant increase"): hotspots.EMERGING,  # 1 of 8 is quiet
        ("00000000", "0011", "no significant change"): hotspots.INTERMITTENT,
        ("11110000", "0000", "significant decrease"): hotspots.FORMER,
        ("00100000", "0000", "no significant change"): hotspots.INTERMITTENT,
        ("00000000", "0000", "significant increase"): hotspots.NOT_HOTSPOT,
    }
    hot = np.array([_pattern(e, r) for e, r, _ in cases]).T
    change = [c for _, _, c in cases]
    assert hotspots.classify_hotspots(hot, recent, change).tolist() == list(cases.values())


def test_classification_needs_earlier_and_recent_windows() -> None:
    with pytest.raises(DataCoverageError):
        hotspots.classify_hotspots(np.ones((4, 3), bool), np.ones(4, bool), ["x"] * 3)


def test_hotspot_trend_finds_a_busy_square_and_skips_incomplete_windows() -> None:
    grid = grid_squares.make_grid(shapely.box(500_000, 200_000, 510_000, 210_000), 250)  # 1,600
    period = Period.financial_year(2024)
    months = [m for year in period.trend_window(3) for m in year.months]
    rng = np.random.default_rng(1)
    east = np.concatenate([np.full(36 * 20, 501_300.0), rng.uniform(500_000, 510_000, 360)])
    north = np.concatenate([np.full(36 * 20, 201_300.0), rng.uniform(200_000, 210_000, 360)])
    when = [m for m in months for _ in range(20)] + [months[i % 36] for i in range(360)]
    assigned = grid_squares.assign_cells(_events(list(east), list(north), when), grid)
    available = [m for m in months if m != date(2022, 5, 1)]  # one quarter incomplete
    trend = hotspots.hotspot_trend(assigned, grid, period, available)
    busy = trend.set_index("cell_id").loc["E501250N201250"]
    assert busy["hotspot_class"] == hotspots.PERSISTENT
    assert busy["windows_used"] == 11 and trend.attrs["windows_skipped"] == 1
    assert busy["current"] >= 240 and busy["change"] == "no significant change"
    assert trend.attrs["neighbour_distance_m"] == 500.0
    # two thirds of the busy square's records are on or near High Street
    streets = np.where(np.arange(len(assigned)) % 3 == 0, "On or near Station Road",
                       "On or near High Street")
    top = hotspots.top_cells(trend, assigned.assign(lsoa_code="E01000001", ward_code="E05000001",
                                                    location=streets), n=3)
    assert top["rank"].tolist() == [1, 2, 3] and top["cell_id"].iloc[0] == "E501250N201250"
    assert top["lsoa_code"].iloc[0] == "E01000001"
    assert top["street"].iloc[0] == "High Street"


def test_window_length_is_the_longest_of_at_most_three_months_that_divides_the_period() -> None:
    lengths = {12: 3, 11: 1, 10: 2, 9: 3, 6: 3, 5: 1, 4: 2, 2: 2, 1: 1, 18: 3, 24: 3, 35: 1}
    for months, expected in lengths.items():
        period = Period.custom(date(2022, 1, 1), date(2022 + (months - 1) // 12,
                                                      (months - 1) % 12 + 1, 1))
        assert hotspots.window_length(period) == expected, months
    assert hotspots.window_name(3) == "quarterly" and hotspots.window_name(2) == "two-month"


def test_trend_windows_adapt_to_any_period_and_end_with_it() -> None:
    eleven = hotspots.trend_windows(Period.parse("2022-01..2022-11"))
    assert len(eleven) == 33 and all(len(w) == 1 for w in eleven)
    assert eleven[0].start == date(2020, 1, 1) and eleven[-1].end == date(2022, 11, 1)
    assert date(2021, 12, 1) not in [w.start for w in eleven]  # same months each year
    two = hotspots.trend_windows(Period.parse("2019-01..2019-02"))
    assert [(w.start, w.end) for w in two] == [
        (date(2017, 1, 1), date(2017, 2, 1)), (date(2018, 1, 1), date(2018, 2, 1)),
        (date(2019, 1, 1), date(2019, 2, 1))]
    long = hotspots.trend_windows(Period.custom(date(2023, 1, 1), date(2024, 6, 1)))
    assert len(long) == 6 and long[0].start == date(2023, 1, 1)  # the period alone
    with pytest.raises(ConfigError):
        hotspots.trend_windows(Period.financial_year(2024), window_months=5)


def _busy_square_trend(period: Period, available: list[date]) -> pd.DataFrame:
    """hotspot_trend on 20 events a month in one square plus scatter, over the trend months."""
    grid = grid_squares.make_grid(shapely.box(500_000, 200_000, 505_000, 205_000), 250)  # 400
    months = [m for year in period.trend_window(3) for m in year.months]
    rng = np.random.default_rng(3)
    scatter = 10 * len(months)
    east = np.concatenate([np.full(20 * len(months), 501_300.0),
                           rng.uniform(500_000, 505_000, scatter)])
    north = np.concatenate([np.full(20 * len(months), 201_300.0),
                            rng.uniform(200_000, 205_000, scatter)])
    when = [m for m in months for _ in range(20)] + [months[i % len(months)]
                                                     for i in range(scatter)]
    assigned = grid_squares.assign_cells(_events(list(east), list(north), when), grid)
    return hotspots.hotspot_trend(assigned, grid, period, available)


# The Essex police.uk months held (SOURCES.md): 2018-01..07, 2018-10..2019-02, 2019-11,
# 2022-01..11, 2024-01..04.
ESSEX_MONTHS = ([date(2018, m, 1) for m in (1, 2, 3, 4, 5, 6, 7, 10, 11, 12)]
                + [date(2019, 1, 1), date(2019, 2, 1), date(2019, 11, 1)]
                + [date(2022, m, 1) for m in range(1, 12)]
                + [date(2024, m, 1) for m in range(1, 5)])


def test_no_classes_below_the_minimum_and_the_page_says_why() -> None:
    # 2018/19 on the Essex months: of the 8 quarters before it only Jan-Mar 2018 is complete;
    # within it Apr-Jun and Oct-Dec 2018 are (Aug, Sep and Mar 2019 are missing): 1 and 2.
    trend = _busy_square_trend(Period.financial_year(2018), ESSEX_MONTHS)
    assert not trend.attrs["classes_given"]
    assert set(trend["hotspot_class"]) == {hotspots.HOT_NOW_ONLY, hotspots.NOT_HOTSPOT}
    assert trend.set_index("cell_id").loc["E501250N201250", "hotspot_class"] == \
        hotspots.HOT_NOW_ONLY
    assert trend["windows_used"].iloc[0] == 3 and trend.attrs["windows_skipped"] == 9
    note = trend.attrs["classification_note"]
    assert "need at least 4 complete quarterly windows before the period and 2 within it" in note
    assert "1 of 8 quarterly windows before 2018/19 and 2 of 4 within it" in note
    concentration = pd.DataFrame({"subject": [vocabulary.ALL_CRIME], "unit": ["250 m squares"],
                                  "top_percent": [10], "share_percent": [50.0]})
    figures = places.key_figures(trend, concentration, [])
    assert figures[0] == ("crime_persistent_squares", None, "Persistent crime hotspot squares")


def test_classes_on_an_eleven_month_period_rest_on_monthly_windows() -> None:
    period = Period.parse("2022-01..2022-11")
    held = [m for year in period.trend_window(3) for m in year.months]
    trend = _busy_square_trend(period, held)
    assert trend.attrs["classes_given"] and trend.attrs["window_months"] == 1
    assert trend.set_index("cell_id").loc["E501250N201250", "hotspot_class"] == hotspots.PERSISTENT
    assert trend.attrs["classification_note"] == (
        "Hotspot classes rest on 33 of 33 monthly windows with complete data (22 of 22 monthly "
        "windows before Jan 2022 to Nov 2022 and 11 of 11 within it).")


def test_the_class_minimum_is_four_earlier_and_two_recent_windows() -> None:
    period = Period.financial_year(2024)
    quarters = hotspots.trend_windows(period)
    def held(earlier: int, recent: int) -> list[date]:
        chosen = quarters[:earlier] + quarters[8:8 + recent]
        return [m for q in chosen for m in q.months]
    at_minimum = _busy_square_trend(period, held(4, 2))
    assert at_minimum.attrs["classes_given"]
    assert at_minimum.attrs["classification_note"].startswith(
        "Hotspot classes rest on 6 of 12 quarterly windows with complete data (4 of 8 quarterly "
        "windows before 2024/25 and 2 of 4 within it). 6 window(s) with a missing month")
    assert not _busy_square_trend(period, held(3, 4)).attrs["classes_given"]
    assert not _busy_square_trend(period, held(8, 1)).attrs["classes_given"]


def test_a_period_over_twelve_months_builds_without_classes() -> None:
    period = Period.custom(date(2023, 1, 1), date(2024, 6, 1))
    trend = _busy_square_trend(period, period.months)
    assert not trend.attrs["classes_given"]
    assert "longer than 12 months is its own trend window" in trend.attrs["classification_note"]


def test_one_year_of_a_force_runs_in_seconds() -> None:
    grid = grid_squares.make_grid(shapely.box(520_000, 180_000, 580_000, 240_000), 250)  # 57,600
    rng = np.random.default_rng(7)
    n = 250_000
    lon, lat = _lonlat(list(rng.uniform(520_000, 580_000, n)),
                       list(rng.uniform(180_000, 240_000, n)))
    events = pd.DataFrame({"month": [date(2024, 4 + i % 9, 1) for i in range(n)],
                           "longitude": lon, "latitude": lat})
    started = time.perf_counter()
    assigned = grid_squares.assign_cells(events, grid)
    counts = grid_squares.period_cell_counts(assigned, grid, [Period.financial_year(2024)])
    hotspots.gi_star_hotspots(counts[0], hotspots.grid_weights(grid))
    assert time.perf_counter() - started < 10
    assert counts.sum() == n


# --- day and hour --------------------------------------------------------------------------


def test_day_hour_table_is_seven_by_twenty_four() -> None:
    times = pd.Series(["2024-04-01 00:30", "2024-04-01 00:59", "2024-04-07 23:10", None])
    table = profiles.day_hour_table(times)  # 1 April 2024 was a Monday
    assert table.shape == (7, 24) and table.to_numpy().sum() == 3
    assert table.loc["Monday", 0] == 2 and table.loc["Sunday", 23] == 1
    assert table.attrs["missing_times"] == 1
    with pytest.raises(DataCoverageError, match="date and time"):
        profiles.day_hour_table(pd.Series([None, None]))


# --- concentration and profiles ------------------------------------------------------------


def test_concentration_table_reuses_share_in_top() -> None:
    table = places.concentration_table({"squares": [10] + [0] * 9, "LSOAs": [5, 5]})
    squares = table[table["unit"] == "squares"]
    assert squares["share_percent"].tolist() == [100.0, 100.0, 100.0]
    assert squares["top_places"].tolist() == [1, 1, 1]
    assert table[table["unit"] == "LSOAs"]["gini"].iloc[0] == 0


def test_place_profile_counts_changes_and_rates() -> None:
    current, previous = Period.financial_year(2024), Period.financial_year(2023)
    events = pd.DataFrame({
        "month": [date(2024, 5, 1)] * 10 + [date(2023, 5, 1)] * 4 + [date(2024, 6, 1)],
        "ward_code": ["W1"] * 14 + [None],
    })
    wards = pd.DataFrame({"ward_code": ["W1", "W2"], "name": ["One", "Two"],
                          "population": [2000, pd.NA]})
    table = profiles.place_profile(events, "ward_code", wards, current, previous,
                                 population_vintage="Census 2021")
    one = table.set_index("ward_code").loc["W1"]
    assert (one["rank"], one["current"], one["previous"], one["diff"]) == (1, 10, 4, 6)
    assert one["pct_diff"] == 150.0 and one["rate"] == pytest.approx(5.0)
    two = table.set_index("ward_code").loc["W2"]
    assert two["current"] == 0 and np.isnan(two["rate"])


def test_ward_population_is_missing_rather_than_an_undercount() -> None:
    lookup = pd.DataFrame({"lsoa_code": ["A", "B", "C", "A"], "lsoa_vintage": [2021] * 3 + [2011],
                           "ward_code": ["W1", "W1", "W2", "W9"]})
    people = pd.DataFrame({"area_code": ["A", "B"], "population": [1500, 1600]})
    result = places.ward_population(people, lookup).set_index("ward_code")["population"]
    assert result["W1"] == 3100 and pd.isna(result["W2"]) and "W9" not in result


def test_deprivation_table_groups_by_decile() -> None:
    profile = pd.DataFrame({"current": [10, 30, 5], "population": [1000, 1500, 2000],
                            "imd_decile": [1, 1, pd.NA]})
    table = places.deprivation_table(profile).set_index("imd_decile")
    assert table.loc["1", "current"] == 40 and table.loc["1", "rate"] == pytest.approx(16.0)
    assert table.loc["1", "share_percent"] == pytest.approx(40 / 45 * 100)
    assert table.index.tolist() == ["1", "no IMD 2019 value"]


def test_offence_groups_map_to_police_uk_crime_types() -> None:
    assert places.crime_types_for("robbery") == ["Robbery"]
    assert "Shoplifting" in places.crime_types_for("Theft offences")
    assert places.crime_types_for("Sexual offences") == ["Violence and sexual offences"]
    with pytest.raises(ConfigError, match="unknown offence group"):
        places.crime_types_for("Anti-social behaviour")


# --- the Places page: subjects, header notes and headline figures ---------------------------


def test_subjects_are_crime_and_asb_and_the_chosen_offence_group() -> None:
    events = pd.DataFrame({"is_asb": [False, True, False],
                           "crime_type": ["Robbery", "Anti-social behaviour", "Burglary"]})
    subjects = places.subject_masks(events)
    assert {name: mask.tolist() for name, mask in subjects.items()} == {
        "All crime": [True, False, True], "Anti-social behaviour": [False, True, False]}
    with_group = places.subject_masks(events, "Robbery")
    assert list(with_group) == ["All crime", "Anti-social behaviour", "Robbery"]
    assert with_group["Robbery"].tolist() == [True, False, False]


def _header_notes(**population: object) -> tuple[list[str], list[str]]:
    current = Period.parse("2024/25")
    return places.header_notes(police_source="data.police.uk", current=current,
                               previous=current.previous(), police_months=current.months,
                               **population)


def test_header_lists_only_the_population_and_deprivation_data_used() -> None:
    boundaries = ("LSOA and ward boundaries: ONS (Open Government Licence v3.0); wards drawn as "
                  "the union of their LSOAs")
    census, _ = _header_notes(has_lsoa_census=True, mid_year_vintage="Mid-2023", has_imd=True)
    assert census == ["data.police.uk", boundaries,
                      "Population: Census 2021 usual residents by LSOA (ONS)",
                      "Deprivation: English Indices of Deprivation 2019, IMD rank by LSOA 2011 "
                      "(MHCLG, via the ONS lookup)"]
    mid_year, _ = _header_notes(has_lsoa_census=False, mid_year_vintage="Mid-2023",
                                has_imd=False)
    assert mid_year == ["data.police.uk", boundaries, "Population: Mid-2023 by local authority"]
    neither, _ = _header_notes(has_lsoa_census=False, mid_year_vintage=None, has_imd=False)
    assert neither == ["data.police.uk", boundaries]


def test_header_caveats_state_coverage_and_the_hotspot_settings() -> None:
    _, caveats = _header_notes(has_lsoa_census=False, mid_year_vintage=None, has_imd=False)
    assert caveats[0] == "2024/25 is complete (12 months)."
    assert caveats[1].startswith("2023/24 is incomplete: 12 of 12 months missing")
    assert caveats[3] == ("Squares are 250 m x 250 m on the British National Grid. Hotspots: "
                          "Getis-Ord Gi* with neighbours within 500 m, false discovery rate 5% "
                          "(Benjamini-Hochberg).")
    assert len(caveats) == 5


def test_key_figures_count_hotspot_classes_and_take_the_top_squares_share() -> None:
    trend = pd.DataFrame({"hotspot_class": [hotspots.PERSISTENT, hotspots.PERSISTENT,
                                            hotspots.FORMER, hotspots.NOT_HOTSPOT]})
    concentration = pd.DataFrame({
        "subject": ["All crime", "Anti-social behaviour", "All crime", "All crime"],
        "unit": ["LSOAs", "250 m squares", "250 m squares", "250 m squares"],
        "top_percent": [10.0, 10.0, 5.0, 10.0],
        "share_percent": [20.0, 60.0, 30.5, 42.25],
    })
    figures = places.key_figures(trend, concentration, ["Central", "Harbour", "Park"])
    assert figures == [
        ("crime_persistent_squares", 2, "Persistent crime hotspot squares"),
        ("crime_emerging_squares", 0, "Emerging crime hotspot squares"),
        ("crime_top10pct_share", 42.25, "% of crime in the busiest 10 % of squares"),
        ("most_affected_wards", ["Central", "Harbour", "Park"], "Wards with most recorded crime"),
    ]


def test_months_to_load_hold_every_trend_year_and_its_comparison() -> None:
    from analysis.stats.hotspots import months_to_load

    two_months = Period.parse("2019-01..2019-02")
    # Trend years Jan-Feb 2017, 2018, 2019 and, a year earlier each, Jan-Feb 2016 too.
    assert months_to_load(two_months) == [date(y, m, 1) for y in (2016, 2017, 2018, 2019)
                                          for m in (1, 2)]
    # The months just before each trend year instead: Nov-Dec 2016, 2017 and 2018 as well.
    preceding = months_to_load(two_months, "preceding")
    assert len(preceding) == 12 and date(2018, 11, 1) in preceding
    assert date(2016, 1, 1) not in preceding
    year = months_to_load(Period.parse("2024-25"))
    assert (year[0], year[-1], len(year)) == (date(2021, 4, 1), date(2025, 3, 1), 48)


# --- the section page ----------------------------------------------------------------------

PAGE_PERIOD = Period.financial_year(2024)


def _page_inputs(**changes: object) -> places.PlacesInputs:
    """A 1 km x 500 m area of two LSOAs (West and East wards) with three years of events:
    each month 3 burglaries in West and 1 ASB incident in East, and in 2024/25 one robbery a
    month in East too; one record has no coordinates."""
    west, east = shapely.box(500_000, 200_000, 500_500, 200_500), shapely.box(
        500_500, 200_000, 501_000, 200_500)
    lsoas = gpd.GeoDataFrame({"lsoa_code": ["L1", "L2"], "lsoa_name": ["West 1", "East 1"],
                              "ward_code": ["W1", "W2"], "ward_name": ["West", "East"]},
                             geometry=[west, east], crs="EPSG:27700")
    geography = grid_squares.AreaGeography(lsoas, lsoas[["ward_code", "ward_name", "geometry"]],
                                     shapely.union_all([west, east]))
    grid = grid_squares.make_grid(geography.outline, 250)
    months = hotspots.months_to_load(PAGE_PERIOD)
    rows = []
    for month in months:
        rows += [(month, "Burglary", False, "L1", "W1", 500_100.0, 200_100.0,
                  "On or near Mill Road")] * 2
        rows.append((month, "Burglary", False, "L1", "W1", 500_100.0, 200_100.0,
                     "On or near Supermarket"))
        rows.append((month, "Anti-social behaviour", True, "L2", "W2", 500_900.0, 200_400.0,
                     "On or near Park Avenue"))
        if month in PAGE_PERIOD.months:
            rows.append((month, "Robbery", False, "L2", "W2", 500_700.0, 200_100.0,
                         "On or near Park Avenue"))
    month, kind, asb, lsoa, ward, east_m, north_m, location = zip(*rows, strict=True)
    lon, lat = _lonlat(list(east_m), list(north_m))
    events = pd.DataFrame({"month": [*month, months[-1]], "crime_type": [*kind, "Burglary"],
                           "is_asb": [*asb, False], "lsoa_code": [*lsoa, "L1"],
                           "lsoa_vintage": 2021, "ward_code": [*ward, "W1"],
                           "longitude": [*lon, np.nan], "latitude": [*lat, np.nan],
                           "location": [*location, "No Location"]})
    area_lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2"], "lsoa_name": ["West 1", "East 1"],
                               "ward_code": ["W1", "W2"], "ward_name": ["West", "East"],
                               "lad_code": "E06000001", "lsoa_vintage": 2021})
    inputs = places.PlacesInputs(geography, grid, grid_squares.assign_cells(events, grid), months,
                                 months, area_lsoas, None, None, None, 2021, None)
    return dataclasses.replace(inputs, **changes)


def _page(offence_group: str = "", **changes: object) -> places.PlacesPage:
    config = load_area("demo", ROOT)
    return places.page_from(_page_inputs(**changes), config, PAGE_PERIOD,
                            PAGE_PERIOD.previous(), offence_group)


def test_page_shows_every_part_in_order_from_the_inputs() -> None:
    page = _page()
    placement = page.placement.frame.set_index("outcome")["rows"]
    assert placement[grid_squares.PLACED] == 4 * 48 + 12  # 48 months loaded, 12 robberies
    assert placement[grid_squares.NO_COORDINATES] == 1
    assert page.placement.caption.endswith("Apr 2021 to Mar 2025")  # with 2021/22's year
    kinds = [type(item).__name__ for item in page.hotspots]
    # the note that no street basemap is drawn comes once, with the first maps
    assert kinds == ["Markdown", "Markdown", "Markdown", "Chart", "Table", "Table", "Chart",
                     "Markdown", "Markdown", "Chart", "Table", "Table", "Chart"]
    assert page.hotspots[2].data == maps.NO_BASEMAP_NOTE
    assert [item.name for item in page.hotspots if not isinstance(item, Markdown)] == [
        "hotspot_map_crime", "hotspot_classes_crime", "top_squares_crime", "density_crime",
        "hotspot_map_asb", "hotspot_classes_asb", "top_squares_asb", "density_asb"]
    assert page.hotspots[0].data == "### All crime"
    top = page.hotspots[5].frame
    assert top["cell_id"].iloc[0] == "E500000N200000" and top["ward_name"].iloc[0] == "West"
    assert top.columns[:3].tolist() == ["rank", "street", "ward_name"]
    assert top["street"].iloc[0] == "Mill Road"  # two of its three records a month
    assert top[PAGE_PERIOD.label].iloc[0] == 36  # 3 a month; the unplaced one is not here
    assert page.concentration.frame["subject"].unique().tolist() == [vocabulary.ALL_CRIME,
                                                                     places.ANTI_SOCIAL_BEHAVIOUR]
    wards = page.wards.frame.set_index("ward")
    assert wards.loc["West", PAGE_PERIOD.label] == 37 and wards.loc["East", PAGE_PERIOD.label] == 12
    assert page.lsoas.frame["LSOA"].tolist() == ["West 1", "East 1"]
    assert page.lsoas.caption.endswith("2021 LSOAs, the vintage of the period's data")
    assert [item.data for item in page.busiest_wards] == [
        "The wards with most recorded crime in 2024/25 were **West and East**."]
    assert page.key_figures[-1] == ("most_affected_wards", ["West", "East"],
                                    "Wards with most recorded crime")


def test_page_without_partner_times_populations_or_imd_says_so() -> None:
    page = _page()
    assert [item.data for item in page.peak_times] == [places.NO_PEAK_TIMES]
    assert [item.data for item in page.ward_notes] == [
        "No LSOA or ward populations are available for this area, so rates are shown for "
        "the partnership as a whole only."]
    assert page.deprivation is None
    assert [item.data for item in page.deprivation_note] == [places.NO_DEPRIVATION]
    assert page.lsoas.frame["IMD decile"].isna().all()


def test_page_with_imd_and_census_shows_rates_and_deprivation() -> None:
    census = pd.DataFrame({"area_code": ["L1", "L2"], "population": [1000, 2000]})
    imd = pd.DataFrame({"lsoa_code": ["L1", "L2"], "imd_decile": [1, 4]})
    page = _page(census=census, imd=imd)
    assert page.ward_notes == []
    wards = page.wards.frame.set_index("ward")
    assert wards.loc["West", "rate"] == pytest.approx(37.0)  # 37 crimes per 1,000 people
    assert page.lsoas.frame["IMD decile"].tolist() == [1, 4]
    assert isinstance(page.deprivation, Table) and page.deprivation_note == []
    assert page.deprivation.frame["imd_decile"].tolist() == ["1", "4"]


def test_page_adds_the_chosen_offence_group() -> None:
    page = _page("Robbery")
    assert page.hotspots[13].data == "### Robbery"
    assert [item.name for item in page.hotspots[15:]] == [
        "hotspot_map_group", "hotspot_classes_group", "top_squares_group", "density_group"]


def test_ward_note_gives_the_area_rate_from_mid_year_estimates() -> None:
    wards = pd.DataFrame({"current": [30, 20]})
    mid_year = pd.DataFrame({"area_code": ["A", "B"], "population": [4000, 6000],
                             "population_vintage": "Mid-2023"})
    (note,) = places.ward_notes(wards, mid_year, ["A"], has_lsoa_census=False)
    assert note.data == markdown_from(
        "{note}.", note="No LSOA or ward populations are available for this area, so rates are "
        "shown for the partnership as a whole only: 12.5 crimes per 1,000 residents (Mid-2023, "
        "local authority)")  # 50 crimes / 4,000 people in A (B is not the area's)
    assert places.ward_notes(wards, mid_year, ["A"], has_lsoa_census=True) == []


def test_peak_times_from_each_timed_extract_in_the_area_and_period() -> None:
    crimes = pd.DataFrame({
        "csp_code": ["E1", "E1", "E1", "OTHER", None],
        "committed_from": pd.to_datetime(["2024-04-01 00:30", "2024-04-01 00:45",
                                          "2023-01-02 10:00", "2024-04-01 05:00",
                                          "2024-04-02 05:00"])})  # 1 April 2024: a Monday
    timed = {"Recorded crime (partner extract)": crimes, "ASB incidents (partner extract)": None}
    chart, busiest, missing = places.peak_time_items(timed, "E1", PAGE_PERIOD)
    assert isinstance(chart, Chart) and chart.name == "day_hour_crimes"
    assert chart.source == "partner" and chart.counts == list(range(24))
    assert chart.data.set_index("day").to_numpy().sum() == 2  # others outside area or period
    assert busiest.data == ("Busiest hour: **Monday 00:00-00:59** (2 records); 0 records had "
                            "no time.")
    assert missing.data == r"No asb incidents \(partner extract\) was provided."  # escaped
    ruled = places.peak_time_items(timed, "E1", PAGE_PERIOD, DisclosureRule.named("ons"))[1]
    assert ruled.data == (r"Busiest hour: **Monday 00:00-00:59** (\[c\] records); \[c\] "
                          "records had no time.")  # small counts hidden as in the tables


def test_concentration_counts_empty_lsoas_of_the_records_vintage() -> None:
    now = pd.DataFrame({"lsoa_code": ["L1", "L1"], "lsoa_vintage": [2021, 2021]})
    area_lsoas = pd.DataFrame({"lsoa_code": ["L1", "L2", "OLD"],
                               "lsoa_vintage": [2021, 2021, 2011]})
    trends = {vocabulary.ALL_CRIME: pd.DataFrame({"current": [2, 0, 0, 0]})}
    table = places.concentration_by_subject({vocabulary.ALL_CRIME: now}, trends, area_lsoas)
    lsoas = table[table["unit"] == "LSOAs"]
    assert lsoas["places"].tolist() == [2, 2, 2]  # L2 counted as empty, the 2011 LSOA not
    assert table["subject"].unique().tolist() == [vocabulary.ALL_CRIME]


def test_record_key_figures_writes_the_page_figures(tmp_path: Path) -> None:
    section = Section.open("30_test", "demo", "2024-25", str(tmp_path))
    places.record_key_figures(section, _page())
    saved = json.loads((tmp_path / "key_figures" / "30_test.json").read_text())["figures"]
    assert list(saved) == ["crime_persistent_squares", "crime_emerging_squares",
                           "crime_top10pct_share", "most_affected_wards"]
    assert saved["most_affected_wards"]["value"] == ["West", "East"]


def test_a_table_written_without_showing_has_its_file_and_nothing_else(tmp_path: Path) -> None:
    section = Section.open("30_test", "demo", "2024-25", str(tmp_path))
    table = Table(pd.DataFrame({"decile": ["1"], "crimes": [4]}), "deprivation", "By decile",
                  source="open")
    assert places.write_without_showing(section, table) is None
    assert (tmp_path / "tables" / "30_test__deprivation.csv").read_text() == "decile,crimes\n1,4\n"
    places.write_without_showing(section, None)
    assert len(list((tmp_path / "tables").iterdir())) == 1


def test_place_findings_state_concentration_hotspots_and_busiest_wards() -> None:
    from analysis.core.findings import CONCENTRATION
    from analysis.sections.places import place_findings

    # 100 LSOAs, 2,000 crimes, 424 of them in the busiest 10 LSOAs; no ASB this period
    concentration = pd.DataFrame({
        "subject": ["All crime", "All crime", "Anti-social behaviour"],
        "unit": ["LSOAs", "250 m squares", "LSOAs"], "places": [100, 6400, 100],
        "top_percent": [10.0, 10.0, 10.0], "top_places": [10, 640, 10],
        "events": [2000, 2000, 0], "share_percent": [21.2, 99.1, np.nan]})
    trend = pd.DataFrame({"hotspot_class": ["persistent", "persistent", "emerging", "former"]})
    findings = place_findings(trend, concentration, ["Ward A", "Ward B"], "2024/25")
    assert [f.statement for f in findings] == [
        "21.2 % of recorded crime in 2024/25 was in the busiest 10 % of LSOAs (10 of 100), "
        "and 99.1 % in the busiest 10 % of 250 m squares.",
        "Persistent crime hotspots (hot in at least 80 % of quarters): 2 squares of 250 m; "
        "emerging (newly hot and significantly up on last year): 1.",
        "The wards with most recorded crime in 2024/25 were Ward A and Ward B."]
    assert [f.table for f in findings] == ["concentration", "hotspot_classes_crime",
                                           "ward_profile"]
    assert findings[0].signal == CONCENTRATION and findings[0].effect == 21.2
    # no hotspot classes when the data allow none: that finding is left out, not zero
    trend.attrs["classes_given"] = False
    assert len(place_findings(trend, concentration, [], "2024/25")) == 1
