"""Tests for analysis.sections.reoffending: cohort tables, headline values and the chart."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from analysis.sections import reoffending as ro
from analysis.stats.indicators import NO_INTERVAL

ROWS = pd.DataFrame({
    "level": ["area", "force", "England"],
    "geography": ["Townsville", "Shire Police", "England"],
    "period": ["2022-23"] * 3,
    "value": [34.2, 41.1, 38.2],
    "numerator": [41.0, 288.0, math.nan],
    "denominator": [120.0, 700.0, math.nan],
    "lower": [26.29, 37.56, math.nan],
    "upper": [43.03, 44.83, math.nan],
    "interval_method": ["Wilson score", "Wilson score", NO_INTERVAL],
})


def test_cohort_table_states_sizes_and_missing_intervals():
    table = ro.cohort_table(ROWS, "Youth")
    assert list(table["Cohort size"])[:2] == [120.0, 700.0]
    assert list(table["95 % interval (%)"]) == ["26.3 to 43.0", "37.6 to 44.8", NO_INTERVAL]
    assert (table["Cohort"] == "Youth").all()


def test_area_value_and_cohort_size():
    assert ro.area_value(ROWS, "2022-23") == 34.2
    assert ro.area_cohort_size(ROWS, "2022-23") == 120
    assert ro.area_value(ROWS, "2019-20") is None
    assert ro.area_cohort_size(ROWS, "2019-20") is None


def test_latest_cohort_rates_and_chart():
    rates = ro.latest_cohort_rates({"Youth": ROWS}, {"Youth": "2022-23"})
    assert list(rates.columns) == ["cohort", "geography", "period", "rate", "lower", "upper"]
    assert list(rates["rate"]) == [34.2, 41.1, 38.2]
    assert isinstance(ro.plot_cohort_rates(rates, "test"), Figure)


def test_latest_cohort_rates_without_cohorts():
    assert ro.latest_cohort_rates({}, {}).empty
