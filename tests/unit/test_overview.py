"""The crime overview table and monthly series, against hand-computed numbers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.core.periods import Period
from analysis.core.vocabulary import ASB
from analysis.sections.overview import harm_and_cost, key_findings
from analysis.stats.police_uk_counts import crime_type_change, monthly_totals, presentable

VIOLENCE = "Violence and sexual offences"
CURRENT = Period.parse("2024-25")
PREVIOUS = CURRENT.previous()
ALL_MONTHS = PREVIOUS.months + CURRENT.months


def _counts(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(date.fromisoformat(m + "-01"), t, c) for m, t, c in rows],
        columns=["month", "crime_type", "count"],
    )


AREA = _counts([
    ("2023-04", VIOLENCE, 100), ("2023-10", VIOLENCE, 50),
    ("2024-04", VIOLENCE, 120), ("2025-03", VIOLENCE, 60),
    ("2023-05", "Burglary", 8), ("2024-06", "Burglary", 12),
    ("2024-09", "Robbery", 5),
    ("2023-06", ASB, 40), ("2024-06", ASB, 30),
    ("2022-06", "Burglary", 99),  # outside both periods: ignored
])
FORCE = _counts([
    ("2023-04", VIOLENCE, 1000), ("2024-04", VIOLENCE, 1100),
    ("2023-05", "Burglary", 200), ("2024-05", "Burglary", 180),
    ("2023-05", "Robbery", 50), ("2024-05", "Robbery", 55),
    ("2023-05", ASB, 400), ("2024-05", ASB, 300),
])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, ALL_MONTHS).set_index("crime_type")


def test_rows_are_types_by_size_then_total_then_asb(table: pd.DataFrame) -> None:
    assert list(table.index) == ["Violence and sexual offences", "Burglary", "Robbery",
                                 "All crime", ASB]
    assert list(table["row_kind"]) == ["crime type"] * 3 + ["total", "incidents (not crime)"]


def test_counts_and_differences_by_hand(table: pd.DataFrame) -> None:
    violence = table.loc["Violence and sexual offences"]
    assert (violence["previous"], violence["current"], violence["diff"]) == (150, 180, 30)
    assert violence["pct_diff"] == 20.0  # 30 / 150
    burglary = table.loc["Burglary"]
    assert (burglary["previous"], burglary["current"], burglary["pct_diff"]) == (8, 12, 50.0)
    assert not burglary["pct_reliable"]  # base of 8 is below 10
    robbery = table.loc["Robbery"]
    assert (robbery["previous"], robbery["current"]) == (0, 5)
    assert pd.isna(robbery["pct_diff"])  # no % change on a zero base


def test_all_crime_excludes_asb(table: pd.DataFrame) -> None:
    total = table.loc["All crime"]
    assert (total["previous"], total["current"], total["diff"]) == (158, 197, 39)
    assert total["pct_diff"] == 24.7  # 39 / 158 = 24.68 %
    asb = table.loc[ASB]
    assert (asb["previous"], asb["current"], asb["pct_diff"]) == (40, 30, -25.0)


def test_force_change_beside_each_row(table: pd.DataFrame) -> None:
    assert table.loc["Violence and sexual offences", "force_pct_diff"] == 10.0  # 1000 -> 1100
    assert table.loc["Burglary", "force_pct_diff"] == -10.0  # 200 -> 180
    assert table.loc["All crime", "force_pct_diff"] == 6.8  # 1250 -> 1335
    assert table.loc[ASB, "force_pct_diff"] == -25.0  # 400 -> 300


def test_significance_by_hand(table: pd.DataFrame) -> None:
    # 180 vs 150: z = 30 / sqrt(330) = 1.65, two-sided p ~ 0.11 -> not significant
    assert table.loc["Violence and sexual offences", "significance"] == "no significant change"
    # 1,335 vs 1,250 would not matter here: only the area's own counts are tested
    assert table.loc["Violence and sexual offences", "p_value"] > 0.05


def test_presentable_headings_and_unreliable_flag(table: pd.DataFrame) -> None:
    shown = presentable(table.reset_index(), CURRENT, PREVIOUS)
    assert list(shown.columns) == ["Crime type", "2023/24", "2024/25", "# diff.", "% diff.",
                                   "Change", "Force % diff."]
    burglary = shown.set_index("Crime type").loc["Burglary", "Change"]
    assert burglary.endswith("(base under 10: % unreliable)")


def test_monthly_totals_keep_missing_months_missing() -> None:
    counts = _counts([("2024-04", "Burglary", 10), ("2024-04", ASB, 3), ("2024-06", ASB, 2)])
    months = [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)]
    available = [date(2024, 4, 1), date(2024, 6, 1)]  # May has no published file
    series = monthly_totals(counts, months, available)
    assert series["all_crime"].tolist()[0] == 10
    assert pd.isna(series["all_crime"].iloc[1]) and pd.isna(series["asb_incidents"].iloc[1])
    assert series["all_crime"].iloc[2] == 0  # published, no crime: a real zero
    assert series["asb_incidents"].tolist()[2] == 2


def test_incomplete_periods_compared_like_for_like() -> None:
    # Oct 2023 unpublished: Oct 2024 is left out too (no area crime there), 11 months each.
    available = [m for m in ALL_MONTHS if m != date(2023, 10, 1)]
    table = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, available)
    rows = table.set_index("crime_type")
    # Violence: 120 + 60 against 100 (the 50 of Oct 2023 is in a month not compared).
    assert (rows.loc[VIOLENCE, "current"], rows.loc[VIOLENCE, "previous"]) == (180, 100)
    assert (rows.loc["All crime", "current"], rows.loc["All crime", "previous"]) == (197, 108)
    shown = presentable(table, CURRENT, PREVIOUS)
    assert list(shown.columns[1:3]) == ["2023/24 (Apr–Sep 2023, Nov 2023–Mar 2024 only)",
                                        "2024/25 (Apr–Sep 2024, Nov 2024–Mar 2025 only)"]


def test_previous_period_with_no_month_shows_no_change() -> None:
    table = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, CURRENT.months)
    total = table.set_index("crime_type").loc["All crime"]
    assert total["current"] == 197 and pd.isna(total["previous"]) and pd.isna(total["diff"])
    shown = presentable(table, CURRENT, PREVIOUS)
    assert shown.columns[1] == "2023/24 (no data)"
    assert (shown["Change"] == "not compared: 2023/24 holds no month of data").all()
    findings = key_findings(table, "Essex Police")
    assert findings[0] == ("All crime: no change is given (not compared: 2023/24 holds no "
                           "month of data).")
    assert not any(word in " ".join(findings) for word in ("rose", "fell", "none to"))


def test_harm_and_cost_shows_coverage_units_and_unknown_for_a_period_not_held() -> None:
    current, previous = Period.calendar_year(2022), Period.calendar_year(2021)
    months = [date(2022, m, 1) for m in range(1, 12)]  # Jan-Nov 2022 held, 2021 not at all
    counts = pd.DataFrame(
        [(m, "Shoplifting", 10) for m in months] + [(m, "Burglary", 30) for m in months]
        + [(m, "Anti-social behaviour", 99) for m in months],
        columns=["month", "crime_type", "count"])
    summary, gaps = harm_and_cost(counts, current, previous, population=2_000,
                                  available_months=months)
    rows = summary.set_index("Period")
    now = rows.loc["2022"]
    # 110 shoplifting x 13 = 1,430 days; 440 crimes, 110 weighted = 25 %; per 1,000: 715
    assert now["Months held"] == "11 of 12"
    assert now["Crimes"] == 440 and now["Crimes weighted"] == 110
    assert now["Share weighted (%)"] == pytest.approx(25.0)
    assert now["Harm (severity-weighted days)"] == pytest.approx(1_430)
    assert now["Harm per 1,000 residents (severity-weighted days)"] == pytest.approx(715)
    assert pd.isna(now["Cost (£ at 2015/16 prices)"])
    assert rows.loc["2021"].drop("Months held").isna().all()  # not held: unknown, not 0
    assert gaps.set_index("Crime type").loc["Burglary", "Crimes"] == 330
    assert "Anti-social behaviour" not in set(gaps["Crime type"])


def test_key_figures_are_null_when_unknown_and_name_the_months() -> None:
    from analysis.sections.overview import key_figures

    rates = pd.DataFrame({"area_code": ["A"], "rate": [12.34],
                          "population_vintage": ["test"]})
    rates.attrs["months_counted"] = 12
    missing = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, CURRENT.months)
    figures = {key: (value, label) for key, value, label in
               key_figures(missing, rates, "A", CURRENT, PREVIOUS)}
    assert figures["all_crime_current"] == (197, "All crime 2024/25")
    assert figures["all_crime_previous"] == (None, "All crime 2023/24 (no data)")
    assert figures["all_crime_pct_diff"][0] is None
    assert figures["all_crime_significance"][0] == "not assessed"
    rates.attrs["months_counted"] = 4
    partial = [m for m in ALL_MONTHS if m != date(2023, 10, 1)]
    figures = {key: (value, label) for key, value, label in key_figures(
        crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, partial), rates, "A", CURRENT,
        PREVIOUS)}
    assert figures["all_crime_previous"] == (108, "All crime 2023/24 (Apr–Sep 2023, "
                                                  "Nov 2023–Mar 2024 only)")
    assert figures["all_crime_pct_diff"][0] == 82.4  # 89 more on 108: 82.41 %
    assert "like for like on the 11 of 12 months" in figures["all_crime_pct_diff"][1]
    assert figures["all_crime_rate"][1] == (
        "All crime per 1,000 (4 months of data: not an annual rate) (test)")
