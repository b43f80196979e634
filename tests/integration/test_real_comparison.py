"""The comparison period and unknown-is-unknown on the real Thurrock months (sections 10, 99
and the index), checked against the raw police.uk files counted here, not through our helpers.

Essex months held: Jan-Jul and Oct-Dec 2018, Jan-Feb and Nov 2019, Jan-Nov 2022, Jan-Apr
2024. So Jan-Feb 2019 is compared in full with Jan-Feb 2018, 2018/19 only like for like on
Jan-Feb, and 2022 (no month of 2021 held) not at all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from real_builds import raw_crimes, strict_json

pytestmark = pytest.mark.integration
PERIODS = ("2019-01..2019-02", "2018-19", "2022")


@pytest.fixture(scope="module")
def reports(real_reports: dict[tuple[str, str], Path]) -> dict[str, Path]:
    """Thurrock's report folder for each period (built once for the suite, ``conftest.py``)."""
    return {period: real_reports[("thurrock", period)] for period in PERIODS}


def _change(report: Path) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / "10_crime_overview__crime_type_change.csv"
                       ).set_index("Crime type")


def test_a_month_range_is_compared_with_the_same_months_a_year_earlier(
        reports: dict[str, Path], real_data: Path) -> None:
    report = reports["2019-01..2019-02"]
    total = _change(report).loc["All crime"]
    previous = sum(raw_crimes(real_data, "Thurrock", m) for m in ("2018-01", "2018-02"))
    current = sum(raw_crimes(real_data, "Thurrock", m) for m in ("2019-01", "2019-02"))
    assert total["Jan 2018 to Feb 2018"] == previous
    assert total["Jan 2019 to Feb 2019"] == current
    manifest = strict_json(report / "manifest.json")["comparison"]
    assert manifest["rule"] == "year_earlier" and manifest["basis"] == "complete"
    assert manifest["previous"]["label"] == "Jan 2018 to Feb 2018"
    page = (report / "10_crime_overview.html").read_text(encoding="utf-8")
    assert "compared with Jan 2018 to Feb 2018 (the same months a year earlier)" in page


def test_a_partial_year_is_compared_like_for_like_on_the_shared_months(
        reports: dict[str, Path], real_data: Path) -> None:
    report = reports["2018-19"]
    total = _change(report).loc["All crime"]
    assert total["2017/18 (Jan–Feb 2018 only)"] == sum(
        raw_crimes(real_data, "Thurrock", m) for m in ("2018-01", "2018-02"))
    assert total["2018/19 (Jan–Feb 2019 only)"] == sum(
        raw_crimes(real_data, "Thurrock", m) for m in ("2019-01", "2019-02"))
    findings = strict_json(report / "key_figures" / "10_crime_overview.json")["figures"]
    all_crime = next(f["statement"] for f in findings["findings"]["value"]
                     if f["statement"].startswith("All crime"))
    assert "like for like on the 2 of 12 months held in both periods" in all_crime
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "2018/19: 9 of 12 months held (missing: Aug–Sep 2018, Mar 2019)." in index


def test_a_comparison_period_with_no_data_is_unknown_everywhere(
        reports: dict[str, Path]) -> None:
    report = reports["2022"]
    change = _change(report)
    assert change["2021 (no data)"].isna().all() and change["# diff."].isna().all()
    assert (change["Change"] == "not compared: 2021 holds no month of data").all()
    figures = strict_json(report / "key_figures.json")["10_crime_overview"]
    assert figures["all_crime_previous"]["value"] is None
    assert figures["all_crime_pct_diff"]["value"] is None
    text = " ".join(f["statement"] for f in figures["findings"]["value"])
    assert "none to" not in text and " rose " not in text
    headline = pd.read_csv(report / "tables" / "99_key_findings__headline_figures.csv")
    previous = headline.loc[headline["Key"] == "all_crime_previous", "Value"]
    assert previous.isna().all()  # a dash on the page, never 0
    summary = (report / "99_key_findings.html").read_text(encoding="utf-8")
    assert "2021: 0 of 12 months held (missing: Jan–Dec 2021)." in summary
    rates = pd.read_csv(report / "tables" / "10_crime_overview__crime_rates.csv")
    assert "Rate per 1,000 (11 months)" in rates.columns
    assert "Annualised rate per 1,000 (estimate)" in rates.columns
