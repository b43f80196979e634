"""Tests for analysis.sections.reoffending: cohort tables, headline values and the chart."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.core.findings import (
    ABOVE_COMPARATORS,
    DECREASE,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
    SIMILAR_TO_COMPARATORS,
)
from analysis.present.page import Section
from analysis.sections import reoffending as ro
from analysis.stats.indicators import NO_INTERVAL, Geographies, indicator_table

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


# --- the page, from a hand-made indicators extract for the demo area (Kingsmere) --------------
AREA_CODE, FORCE_CODE, ENGLAND_CODE = "E22900001", "E23900001", "E92000001"


def _extract(*rows: tuple) -> pd.DataFrame:
    """An indicators extract from (indicator, area, period, value, numerator, denominator)."""
    frame = pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "numerator",
                                        "denominator"])
    return frame.assign(source="Test " + frame["indicator"], note=None).astype(
        {"value": "Float64", "numerator": "Float64", "denominator": "Float64"})


ADULT = (("proven_reoffending_adult", AREA_CODE, "2021-22", 25.8, 258, 1000),
         ("proven_reoffending_adult", AREA_CODE, "2022-23", 27.1, 271, 1000),
         ("proven_reoffending_adult", FORCE_CODE, "2022-23", 25.3, 1012, 4000),
         ("proven_reoffending_adult", ENGLAND_CODE, "2022-23", 25.6, 35840, 140000))
# rest of the force 300.6 vs 348 / 106,100 = 328.0: not different; rest of England
# 6,948 / 5,099,700 = 136.2: higher (p < 0.001); 2023-24 45 / 17,300 = 260.1: no change
ENTRANTS = (("first_time_entrants", AREA_CODE, "2023-24", 260.1, 45, 17300),
            ("first_time_entrants", AREA_CODE, "2024-25", 300.6, 52, 17300),
            ("first_time_entrants", FORCE_CODE, "2024-25", 324.1, 400, 123400),
            ("first_time_entrants", ENGLAND_CODE, "2024-25", 136.8, 7000, 5117000))


@pytest.fixture
def section(tmp_path: Path) -> Section:
    return Section.open("80_offending_reoffending", "demo", "2024-25", str(tmp_path))


def _page(section: Section, monkeypatch: pytest.MonkeyPatch,
          extract: pd.DataFrame | None) -> ro.ReoffendingPage:
    monkeypatch.setattr(section, "partner", lambda kind: extract)
    return ro.page(section)


def _facts(findings: list) -> list[tuple[str, str]]:
    return [(f.direction, f.significance) for f in findings]


def _figures(section: Section) -> dict[str, object]:
    return {key: entry["value"] for key, entry in section.key_figures.items()}


def test_a_tested_cohort_and_the_notes_for_what_is_missing(section, monkeypatch):
    page = _page(section, monkeypatch, _extract(
        *ADULT, ("first_time_entrants", AREA_CODE, "2025-26", 300.0, 52, 17300),
        ("rj_referrals", AREA_CODE, "2023-24", 45, None, None)))
    adult, adult_tests, youth = page.reoffending
    assert (adult.name, adult_tests.name) == ("reoffending_adult", "reoffending_adult_tests")
    assert list(adult_tests.frame["Kingsmere (%)"]) == [27.1, 27.1, 27.1]
    assert youth.data.startswith("**Youth proven reoffending:** not supplied")
    [chart] = page.reoffending_chart
    assert list(chart.data["rate"]) == [27.1, 25.3, 25.6]  # the 2022-23 cohort only
    entrants, no_period = page.entrants
    assert entrants.name == "first_time_entrants"
    assert no_period.data == ("**First-time entrants:** no figures for a period starting by "
                              "Apr 2024, so none are tested for 2024/25.")
    referrals, no_change = page.restorative_justice
    assert referrals.source == "partner"
    assert no_change.data.startswith("No referral figures for both 2023/24 and 2024/25")
    assert page.findings[0].statement == (
        "Adult proven reoffending in Kingsmere (2022-23) was 27.1 % (271 of 1,000; 95 % "
        "interval 24.4 to 29.9, Wilson score); Demoshire Police 25.3 %, England 25.6 %.")
    assert _facts(page.findings) == [(NO_DIRECTION, NOT_TESTED),
                                     (SIMILAR_TO_COMPARATORS, NOT_SIGNIFICANT),
                                     (SIMILAR_TO_COMPARATORS, NOT_SIGNIFICANT),
                                     (NO_DIRECTION, NOT_SIGNIFICANT)]
    assert _figures(section) == {"adult_reoffending_rate": 27.1,
                                 "adult_reoffending_cohort_size": 1000,
                                 "adult_reoffending_cohort_year": "2022-23"}
    assert "Test proven_reoffending_adult" in page.header.data


def test_first_time_entrants_tested_against_the_force_england_and_last_year(section,
                                                                            monkeypatch):
    page = _page(section, monkeypatch, _extract(*ENTRANTS))
    assert [item.name for item in page.entrants] == ["first_time_entrants",
                                                     "first_time_entrants_tests"]
    assert page.reoffending_chart == []  # no cohort tested
    assert _facts(page.findings) == [(NO_DIRECTION, NOT_TESTED),
                                     (SIMILAR_TO_COMPARATORS, NOT_SIGNIFICANT),
                                     (ABOVE_COMPARATORS, SIGNIFICANT),
                                     (NO_DIRECTION, NOT_SIGNIFICANT)]
    assert page.findings[2].statement.startswith(
        "First-time entrants, Kingsmere against the rest of England: significantly higher")
    assert _figures(section) == {"first_time_entrants_rate": 300.6}


def test_restorative_justice_change_under_the_disclosure_rule(section, monkeypatch):
    page = _page(section, monkeypatch, _extract(
        ("rj_referrals", AREA_CODE, "2023-24", 45, None, None),
        ("rj_referrals", AREA_CODE, "2024-25", 25, None, None)))
    [finding] = page.findings
    assert finding.statement == ("Restorative-justice referrals fell by 20 referrals (44.4 %), "
                                 "a statistically significant decrease.")
    assert (finding.direction, finding.significance) == (DECREASE, SIGNIFICANT)
    assert _figures(section) == {"rj_referrals_current": 25, "rj_referrals_previous": 45,
                                 "rj_referrals_pct_diff": -44.4,
                                 "rj_referrals_significance": "significant decrease"}


def test_a_small_referral_count_is_withheld(section, monkeypatch):
    page = _page(section, monkeypatch, _extract(
        ("rj_referrals", AREA_CODE, "2023-24", 45, None, None),
        ("rj_referrals", AREA_CODE, "2024-25", 6, None, None)))
    [finding] = page.findings
    assert finding.statement == ("Restorative-justice referrals: not shown, a count is under "
                                 "10 (disclosure control).")
    assert (finding.direction, finding.significance) == (NO_DIRECTION, NOT_ASSESSED)
    figures = _figures(section)
    assert (figures["rj_referrals_current"], figures["rj_referrals_pct_diff"]) == ("[c]", None)


def test_without_an_indicators_extract_nothing_is_reported(section, monkeypatch):
    page = _page(section, monkeypatch, None)
    assert [item.data.split(":**")[0] for item in page.reoffending] == [
        "**Adult proven reoffending", "**Youth proven reoffending"]
    assert page.reoffending_chart == []
    assert [item.data for item in page.entrants + page.restorative_justice] == [
        "**First-time entrants:** not supplied (Youth Justice Board figures go in the "
        "indicators extract).", "**Restorative-justice referrals:** not supplied."]
    [finding] = page.findings
    assert finding.statement == ro.NO_EXTRACT_FINDING
    assert (finding.direction, finding.significance) == (NO_DIRECTION, NOT_ASSESSED)
    assert ro.NO_EXTRACT_SOURCE in page.header.data and ro.NO_EXTRACT_CAVEAT in page.header.data
    assert _figures(section) == {}


def test_indicator_result_keeps_the_latest_two_periods_started_by_the_assessment(tmp_path):
    rows = indicator_table(
        _extract(*ADULT), "proven_reoffending_adult",
        Geographies((AREA_CODE,), FORCE_CODE, "Kingsmere", "Demoshire Police"))
    early = Section.open("80_offending_reoffending", "demo", "2021-22", str(tmp_path))
    result = ro.indicator_result("proven_reoffending_adult", rows, early)
    assert (result.periods, result.latest) == (["2021-22"], "2021-22")
    assert list(result.tests["comparison"]) == []  # no force or England row for 2021-22
    none = ro.indicator_result("proven_reoffending_adult", rows.iloc[0:0],
                               Section.open("80_offending_reoffending", "demo", "2024-25",
                                            str(tmp_path)))
    assert (none.periods, none.latest, none.tests) == ([], None, None)


def test_a_cohort_later_than_the_assessment_is_not_tested(section, monkeypatch):
    page = _page(section, monkeypatch, _extract(
        ("proven_reoffending_adult", AREA_CODE, "2025-26", 27.1, 271, 1000)))
    assert page.reoffending[0].data == ("**Adult proven reoffending:** no cohort up to "
                                        "2024/25.")
    assert page.findings == [] and page.reoffending_chart == []
