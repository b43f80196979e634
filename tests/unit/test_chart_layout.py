"""The house-style layout check, and every chart the house style draws passing it, with alt
text made from its data."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.figure import Figure

from analysis.core import vocabulary
from analysis.present import charts, maps
from analysis.present.chart_layout import assert_no_overlaps, overlapping_text
from analysis.present.chart_text import description, series_summary
from analysis.present.page import chart_description
from analysis.sections import perception, reoffending
from analysis.stats import grid_squares, hotspots, profiles
from analysis.stats.comparators import funnel_limits
from analysis.stats.trends import trend_xmr

WARDS = gpd.GeoDataFrame(
    {"ward_code": ["W1", "W2", "W3"], "ward_name": ["North Ward", "South Ward", "Riverside"]},
    geometry=[shapely.box(500_000, 201_000, 502_000, 202_000),
              shapely.box(500_000, 200_000, 501_000, 201_000),
              shapely.box(501_000, 200_000, 502_000, 201_000)], crs=vocabulary.BNG)
GEOGRAPHY = grid_squares.AreaGeography(lsoas=WARDS, wards=WARDS,
                                       outline=shapely.box(500_000, 200_000, 502_000, 202_000))
GRID = grid_squares.make_grid(GEOGRAPHY.outline, 250)
MONTHS = pd.date_range("2022-04-01", periods=36, freq="MS")
SHADE = (MONTHS[24], MONTHS[35])
PEERS = pd.DataFrame({
    "area": ["Kingsmere", "Ashby Fen", "Holloway Downs", "Brackenford", "Fenmarsh", "Oakridge"],
    "population": [150_000, 160_000, 90_000, 210_000, 95_000, 155_000],
    "rate": [80.0, 75.0, 60.0, 95.0, 62.0, 78.0]})


def _overlapping_figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot(range(10), range(10), label="rising line")
    ax.set_title("A title the legend is put over")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.08))
    ax.text(2, 2, "a label", fontsize=12)
    ax.text(2.1, 2.1, "another label", fontsize=12)
    return fig


def test_a_deliberately_overlapping_figure_fails_the_check() -> None:
    problems = overlapping_text(_overlapping_figure())
    assert any("legend 'rising line' overlaps title" in p or
               "title 'A title the legend is put over' overlaps legend" in p for p in problems)
    assert any("'a label' overlaps label 'another label'" in p for p in problems)
    with pytest.raises(AssertionError, match="overlapping text"):
        assert_no_overlaps(_overlapping_figure())


def test_a_legend_over_a_line_fails_even_without_text_under_it() -> None:
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.95), label="limit")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    problems = overlapping_text(fig)
    assert len(problems) == 1
    assert problems[0].startswith("the legend of 'an untitled axes' covers ")


def test_a_clean_figure_passes() -> None:
    fig = Figure(figsize=(5, 3), layout="constrained")
    ax = fig.subplots()
    ax.plot(range(10), range(10), label="rising line")
    ax.set_title("Clean")
    fig.legend(loc="outside lower center")
    assert overlapping_text(fig) == []


def _trend() -> Figure:
    series = pd.DataFrame({"month": MONTHS, "Violence": np.linspace(300, 380, 36),
                           "Robbery": np.r_[np.linspace(5, 12, 35), np.nan],
                           "Possession of weapons": 4.0})
    return charts.monthly_trend(series, value_cols=["Violence", "Robbery",
                                                    "Possession of weapons"],
                                title="Serious violence categories per month, Kingsmere",
                                ylabel="crimes per month", shade=SHADE)


def _single_trend() -> Figure:
    series = pd.DataFrame({"month": MONTHS, "All crime": np.linspace(900, 1000, 36)})
    return charts.monthly_trend(series, value_cols=["All crime"], title="Crime per month",
                                ylabel="crimes per month", shade=SHADE)


def _funnel() -> Figure:
    return charts.plot_funnel(PEERS, funnel_limits(77.0, PEERS["population"]),
                              highlight="Kingsmere", title="Crimes per 1,000, 2024/25",
                              centre_label="Demoshire Police rate (77.0 per 1,000)")


def _xmr() -> Figure:
    values = pd.Series(np.r_[np.full(20, 50.0), np.full(4, 90.0)], index=MONTHS[:24].date)
    return charts.plot_xmr(trend_xmr(values), title="Crimes per month (XmR chart)",
                           ylabel="Crimes")


def _coverage() -> Figure:
    grid = pd.DataFrame({"month": list(MONTHS.date) * 2, "force": ["Demoshire"] * 36
                         + ["Otherland"] * 36, "status": "present",
                         "rows": [float(n) for n in range(72)]})
    grid.loc[5, "rows"] = np.nan
    return charts.coverage_grid(grid, row_col="force", title="Months held by force")


def _classes() -> pd.Series:
    classes = pd.Series([hotspots.NOT_HOTSPOT] * GRID.size)
    classes[[0, 1, 9]] = hotspots.PERSISTENT
    classes[5] = hotspots.EMERGING
    return classes


def _hotspot_map() -> Figure:
    return maps.hotspot_map(GEOGRAPHY, GRID, _classes(), "All crime: hotspot squares")


def _density_map() -> Figure:
    surface = hotspots.density_surface(np.arange(GRID.size, dtype=float), GRID, 250)
    return maps.density_map(GEOGRAPHY, GRID, surface["density"], "All crime: density")


def _day_hour() -> Figure:
    table = profiles.day_hour_table(pd.Series(["2024-04-05 22:15", "2024-04-06 23:40",
                                               "2024-04-05 22:50"]))
    return maps.day_hour_heatmap(table, "ASB incidents by day and hour, 2024/25")


def _waves() -> Figure:
    rows = [{"question_id": qid, "question": text, "wave": wave, "percent": p,
             "lower": p - 4, "upper": p + 4}
            for qid, text in (("crime_asb_more_problem", "Crime and anti-social behaviour has "
                               "become more of a problem in the local area (agree)"),
                              ("safe_after_dark", "Feel safe outside after dark (agree)"))
            for wave, p in (("2022-23", 30.0), ("2023-24", 25.0), ("2024-25", 33.0))]
    return perception.plot_waves(pd.DataFrame(rows), "Kingsmere")


def _beside() -> Figure:
    table = pd.DataFrame({"wave": ["2023-24", "2024-25"], "percent": [22.0, 33.0],
                          "lower": [18.0, 29.0], "upper": [26.0, 37.0],
                          "recorded": [1200.0, np.nan], "note": ["", "missing"]})
    return perception.plot_perception_beside_recorded(table, "Kingsmere",
                                                      "Recorded ASB incidents")


def _cohorts() -> Figure:
    rates = pd.DataFrame({"cohort": ["adult", "adult", "juvenile", "juvenile"],
                          "geography": ["Kingsmere", "England and Wales"] * 2,
                          "period": ["Jan-Mar 2022"] * 4, "rate": [25.0, 24.0, 31.0, 30.0],
                          "lower": [22.0, 23.5, 25.0, 29.0], "upper": [28.0, 24.5, 37.0, 31.0]})
    return reoffending.plot_cohort_rates(rates, "Proven reoffending, latest cohort, Kingsmere")


HOUSE_CHARTS: dict[str, Callable[[], Figure]] = {
    "trend panels": _trend, "trend": _single_trend, "funnel": _funnel, "xmr": _xmr,
    "coverage grid": _coverage, "hotspot map": _hotspot_map, "density map": _density_map,
    "day-hour heat map": _day_hour, "survey waves": _waves,
    "perception beside recorded": _beside, "reoffending cohorts": _cohorts}


@pytest.mark.parametrize("draw", HOUSE_CHARTS.values(), ids=HOUSE_CHARTS.keys())
def test_every_house_chart_has_no_overlapping_text(draw: Callable[[], Figure]) -> None:
    assert_no_overlaps(draw())


@pytest.mark.parametrize("draw", HOUSE_CHARTS.values(), ids=HOUSE_CHARTS.keys())
def test_every_house_chart_alt_text_says_more_than_its_title(
        draw: Callable[[], Figure]) -> None:
    alt = chart_description(draw(), "x.csv")
    assert alt.endswith("The numbers are in tables/x.csv.")
    assert len(alt) > 80 and "No description" not in alt


def test_small_series_get_their_own_panel_and_similar_ones_share_one() -> None:
    assert len(_trend().axes) == 3
    assert [ax.get_title(loc="left") for ax in _trend().axes] == [
        "Violence", "Robbery", "Possession of weapons"]
    assert len(_single_trend().axes) == 1
    similar = pd.DataFrame({"month": MONTHS, "A": 10.0, "B": 30.0})
    assert not charts.needs_panels(similar, ["A", "B"])
    assert charts.needs_panels(pd.DataFrame({"A": [51.0], "B": [10.0]}), ["A", "B"])


def test_trend_alt_text_names_the_span_and_each_series_from_the_data() -> None:
    words = description(_trend())
    assert words is not None
    assert words.startswith("Line charts, one panel per series with its own scale, of crimes "
                            "per month, April 2022 to March 2025, the assessment period "
                            "shaded.")
    assert ("Robbery: 5 in April 2022, 12 in February 2025; highest 12 (February 2025), "
            "lowest 5 (April 2022); 1 month with no value") in words


def test_series_summary_counts_gaps_and_never_reads_them_as_zero() -> None:
    text = series_summary("ASB", pd.Series(MONTHS[:3]), pd.Series([4.0, np.nan, 7.5]))
    assert text == ("ASB: 4 in April 2022, 7.5 in June 2022; highest 7.5 (June 2022), "
                    "lowest 4 (April 2022); 1 month with no value")


def test_funnel_names_the_force_rate_and_labels_every_area() -> None:
    fig = _funnel()
    _, labels = fig.axes[0].get_legend_handles_labels()
    assert "Demoshire Police rate (77.0 per 1,000)" in labels
    assert "Peer average" not in labels
    assert {t.get_text() for t in fig.axes[0].texts} >= set(PEERS["area"])
    words = description(fig)
    assert words is not None and "around the Demoshire Police rate" in words
    # 80 per 1,000 on 150,000 people around 77: well outside the 99.8 % limits
    assert "Kingsmere: 80.0 with a population of 150,000, above the upper 99.8% limit" in words
    assert "Highest: Brackenford (95.0); lowest: Holloway Downs (60.0)." in words


def test_funnel_position_inside_the_limits() -> None:
    limits = funnel_limits(77.0, PEERS["population"])
    assert charts.funnel_position(150_000, 77.2, limits) == "within the 95% limits"
    assert charts.funnel_position(150_000, 60.0, limits) == "below the lower 99.8% limit"


def test_xmr_alt_text_gives_the_limits_and_the_signals() -> None:
    words = description(_xmr())
    assert words is not None and words.startswith("XmR control chart of crimes, April 2022 "
                                                   "to March 2024")
    assert "special-cause point" in words and "Mar 2024" in words


def test_survey_panels_are_titled_with_the_question_not_its_key() -> None:
    titles = [ax.get_title() for ax in _waves().axes if ax.get_visible()]
    assert all("_" not in t and "crime asb" not in t for t in titles)
    assert titles[1] == "Feel safe outside after dark (agree)"


def test_heat_map_alt_text_names_the_busiest_hour() -> None:
    words = description(_day_hour())
    assert words is not None and "busiest Friday 22:00 to 22:59 (2)" in words
