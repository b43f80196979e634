"""Sections 20, 30 and 50 built for Thurrock on the real Essex months for period forms that
used to fail or to read data they should not: 11 months (Jan-Nov 2022), 2 months (Jan-Feb
2019), a financial year with gaps (2018/19) and a 28-month range (Jan 2022 to Apr 2024).

Every page builds; hotspot classes are withheld with the reason when too few complete windows
are held; no table reaches past the period's last month; the ASB control chart never joins
Nov 2022 to Jan 2024.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.periods import Period

pytestmark = pytest.mark.integration
PERIODS = ("2018-19", "2022-01..2022-11", "2019-01..2019-02", "2022-01..2024-04")


@pytest.fixture(scope="module")
def built(real_reports: dict[tuple[str, str], Path]) -> dict[str, Path]:
    """Thurrock's report folder for each period (built once for the suite, ``conftest.py``)."""
    return {period: real_reports[("thurrock", period)] for period in PERIODS}


@pytest.mark.parametrize("period", PERIODS)
def test_hotspot_pages_say_why_there_are_no_classes(built: dict[str, Path], period: str) -> None:
    for section in ("20_anti_social_behaviour", "30_places"):
        html = (built[period] / f"{section}.html").read_text(encoding="utf-8")
        assert "No hotspot classes (persistent, emerging, former ...)" in html
    payload = json.loads((built[period] / "key_figures" / "30_places.json").read_text())
    assert payload["figures"]["crime_persistent_squares"]["value"] is None  # unknown, not 0


def test_the_window_counts_on_the_page_match_the_months_held(built: dict[str, Path]) -> None:
    # Jan-Feb 2019: two-month windows Jan-Feb 2017 (not held), 2018 and 2019 (both held).
    html = (built["2019-01..2019-02"] / "30_places.html").read_text(encoding="utf-8")
    assert ("1 of 2 two-month windows before Jan 2019 to Feb 2019 and 1 of 1 within it "
            "have complete data") in html
    # 2018/19: of the 8 earlier quarters only Jan-Mar 2018; within it Apr-Jun and Oct-Dec 2018.
    html = (built["2018-19"] / "30_places.html").read_text(encoding="utf-8")
    assert "1 of 8 quarterly windows before 2018/19 and 2 of 4 within it" in html


@pytest.mark.parametrize("period", PERIODS)
def test_no_table_reaches_past_the_period(built: dict[str, Path], period: str) -> None:
    end = Period.parse(period).end
    checked = 0
    for table in (built[period] / "tables").glob("*.csv"):
        frame = pd.read_csv(table)
        for column in ("month", "quarter"):
            if column in frame.columns:
                months = pd.to_datetime(frame[column]).dropna().dt.date
                assert months.empty or months.max() <= end, table.name
                checked += 1
        if "Year" in frame.columns:
            assert frame["Year"].max() <= end.year, table.name
    assert checked >= 3


def test_the_asb_control_chart_does_not_join_the_gap(built: dict[str, Path]) -> None:
    tables = built["2022-01..2024-04"] / "tables"
    chart = pd.read_csv(tables / "20_anti_social_behaviour__asb_xmr.csv",
                        parse_dates=["month"]).set_index("month")
    trend = pd.read_csv(tables / "20_anti_social_behaviour__asb_monthly_trend.csv",
                        parse_dates=["month"]).set_index("month")["asb_incidents"].dropna()
    # Dec 2022 to Dec 2023 are not held: on the chart as gaps, never as values.
    gap = chart.loc["2022-12-01":"2023-12-01", "value"]
    assert len(gap) == 13 and gap.isna().all()
    assert np.isnan(chart.loc["2024-01-01", "moving_range"])
    # Limits from moving ranges of consecutive held months only, counted here from the trend.
    months = [stamp.date() for stamp in trend.index]
    ranges = [abs(trend.iloc[i] - trend.iloc[i - 1]) for i in range(1, len(trend))
              if (months[i].year * 12 + months[i].month) - (months[i - 1].year * 12
                                                            + months[i - 1].month) == 1]
    assert len(ranges) == 10 + 3  # Jan-Nov 2022 and Jan-Apr 2024
    expected = trend.mean() + 2.66 * float(np.mean(ranges))
    assert chart["upper"].iloc[0] == pytest.approx(expected)
    assert date(2024, 1, 1) in months and date(2022, 11, 1) in months
