"""The crime overview table and monthly series, against hand-computed numbers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.core.findings import NO_DIRECTION, NOT_ASSESSED
from analysis.core.periods import Period
from analysis.core.vocabulary import ASB
from analysis.sections.overview import harm_and_cost, key_findings
from analysis.stats.police_uk_counts import (
    crime_type_change,
    monthly_totals,
    presentable_type_change,
)

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
    shown = presentable_type_change(table.reset_index(), CURRENT, PREVIOUS)
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
    shown = presentable_type_change(table, CURRENT, PREVIOUS)
    assert list(shown.columns[1:3]) == ["2023/24 (Apr–Sep 2023, Nov 2023–Mar 2024 only)",
                                        "2024/25 (Apr–Sep 2024, Nov 2024–Mar 2025 only)"]


def test_previous_period_with_no_month_shows_no_change() -> None:
    table = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, CURRENT.months)
    total = table.set_index("crime_type").loc["All crime"]
    assert total["current"] == 197 and pd.isna(total["previous"]) and pd.isna(total["diff"])
    shown = presentable_type_change(table, CURRENT, PREVIOUS)
    assert shown.columns[1] == "2023/24 (no data)"
    assert (shown["Change"] == "not compared: 2023/24 holds no month of data").all()
    findings = key_findings(table, "Essex Police")
    assert findings[0].statement == ("All crime: no change is given (not compared: 2023/24 "
                                     "holds no month of data).")
    assert not any(word in " ".join(f.statement for f in findings)
                   for word in ("rose", "fell", "none to"))
    assert {(f.direction, f.significance) for f in findings} == {(NO_DIRECTION, NOT_ASSESSED)}


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

    rates = pd.DataFrame({"area_code": ["A"], "rate": [12.34], "lower": [11.04],
                          "upper": [13.55], "population_vintage": ["test"]})
    rates.attrs["months_counted"] = 12
    missing = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, CURRENT.months)
    figures = {key: (value, label) for key, value, label in
               key_figures(missing, rates, "A", CURRENT, PREVIOUS)}
    assert figures["all_crime_rate_interval"] == ("11.0 to 13.6",
                                                  "All crime per 1,000: 95 % interval")
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


# --- the page's parts --------------------------------------------------------------------
def _rates(rates: dict[str, float], months: int = 12) -> pd.DataFrame:
    """A rates table as :func:`analysis.sections.overview.rates_by_csp` gives it: CSPs, then the
    force."""
    frame = pd.DataFrame({
        "area_code": [*rates, "F"], "area_name": [f"Area {c}" for c in rates] + ["Force"],
        "area_level": ["CSP"] * len(rates) + ["PFA"],
        "count": [int(r * 10) for r in rates.values()] + [int(sum(rates.values()) * 10)],
        "population": [10_000] * len(rates) + [10_000 * len(rates)],
        "rate": [*rates.values(), sum(rates.values()) / len(rates)],
        "lower": [r - 1 for r in rates.values()] + [0.0],
        "upper": [r + 1 for r in rates.values()] + [99.0],
        "significance": ["similar"] * (len(rates) + 1),
        "population_vintage": ["Mid-2023"] * (len(rates) + 1)})
    frame.attrs["months_counted"] = months
    return frame


def test_rank_direction_is_above_below_or_none_by_the_rates() -> None:
    from analysis.core.findings import ABOVE_COMPARATORS, BELOW_COMPARATORS
    from analysis.present.shared_parts import rank_direction

    rates = _rates({"A": 30.0, "B": 20.0, "C": 10.0})
    assert rank_direction(rates, "A") == ABOVE_COMPARATORS
    assert rank_direction(rates, "B") == NO_DIRECTION
    assert rank_direction(rates, "C") == BELOW_COMPARATORS  # '3rd highest of 3' in words
    assert rank_direction(_rates({"A": 5.0, "B": 5.0}), "B") == ABOVE_COMPARATORS  # joint


def test_comparison_findings_without_a_most_similar_group_are_not_assessed() -> None:
    from analysis.core.findings import ABOVE_COMPARATORS, NOT_TESTED
    from analysis.sections.overview import comparison_findings

    place, peers = comparison_findings(_rates({"A": 30.0, "B": 20.0}), None, area_code="A",
                                       area_name="Kingsmere", force_name="Demo Police")
    assert place.statement == ("Kingsmere's crime rate is the highest of 2 among the "
                               "partnerships of Demo Police.")
    assert (place.direction, place.significance) == (ABOVE_COMPARATORS, NOT_TESTED)
    assert place.figures == ("all_crime_rate",)
    assert peers.statement == "No most-similar group is configured (peers in the area config)."
    assert (peers.direction, peers.significance) == (NO_DIRECTION, NOT_ASSESSED)


def test_comparison_findings_with_a_most_similar_group() -> None:
    from analysis.core.findings import ABOVE_COMPARATORS, SIGNIFICANT
    from analysis.sections.overview import comparison_findings
    from analysis.stats.comparators import HIGHER

    result = {"rate": 30.0, "peer_rate": 20.0, "position": "highest of 2",
              "significance": HIGHER}
    _, peers = comparison_findings(_rates({"A": 30.0, "B": 20.0}), result, area_code="A",
                                   area_name="Kingsmere", force_name="Demo Police")
    assert peers.statement.startswith("Crime in Kingsmere was 30.0 per 1,000 population")
    assert (peers.direction, peers.significance) == (ABOVE_COMPARATORS, SIGNIFICANT)


def test_key_findings_carry_each_row_direction_and_test(table: pd.DataFrame) -> None:
    from analysis.core.findings import DECREASE, INCREASE, NOT_SIGNIFICANT, SIGNIFICANT

    change = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, ALL_MONTHS)
    findings = {f.theme: f for f in key_findings(change, "Essex Police")}
    # all crime 158 -> 197: z = 39 / sqrt(355) = 2.07, p ~ 0.04, a significant increase;
    # ASB 40 -> 30: z = 10 / sqrt(70) = 1.20, not significant; no type changed significantly
    assert list(findings) == ["All crime", ASB]
    assert (findings["All crime"].direction, findings["All crime"].significance) == (
        INCREASE, SIGNIFICANT)
    assert findings["All crime"].figures[0] == "all_crime_current"
    assert (findings[ASB].direction, findings[ASB].significance) == (DECREASE, NOT_SIGNIFICANT)
    assert "10 incidents" in findings[ASB].statement
    significant = change.assign(significance=["significant increase", "no significant change",
                                              "no significant change",
                                              "no significant change", "no significant change"])
    chosen = key_findings(significant, "Essex Police")
    assert [f.theme for f in chosen] == ["All crime", VIOLENCE, ASB]
    assert chosen[1].significance == SIGNIFICANT  # each row's own test label
    assert chosen[0].significance == NOT_SIGNIFICANT


def test_change_table_item_formats_the_count_columns(table: pd.DataFrame) -> None:
    from analysis.sections.overview import change_table_item

    change = crime_type_change(AREA, FORCE, CURRENT, PREVIOUS, ALL_MONTHS)
    item = change_table_item(change, CURRENT, PREVIOUS, "Kingsmere")
    assert item.caption.startswith("Recorded crime by type, Kingsmere: 2024/25 compared with "
                                   "2023/24. ")
    assert list(item.counts) == ["2023/24", "2024/25"]
    assert item.formats["2023/24"] == "{:,}" and item.formats["# diff."] == "{:+,}"


def test_rates_table_item_names_the_count_and_a_partial_period() -> None:
    from analysis.present.shared_parts import rates_table_item

    item = rates_table_item(_rates({"A": 3.0}, months=4), "Kingsmere", "asb_rates",
                            "ASB incidents per 1,000 population, 2024/25", "ASB incidents")
    assert item.caption == ("ASB incidents per 1,000 population, 2024/25 (4 months of data: "
                            "not an annual rate) (Mid-2023)")
    assert "ASB incidents" in item.frame.columns and "Crimes" not in item.frame.columns
    assert list(item.counts) == ["ASB incidents"]
    full = rates_table_item(_rates({"A": 3.0}), "Kingsmere", "crime_rates", "All crime")
    assert full.caption == "All crime (Mid-2023)"


def test_funnel_item_plots_the_partnerships_only() -> None:
    from analysis.present.shared_parts import funnel_item

    item = funnel_item(_rates({"A": 30.0, "B": 20.0}), "Area A", "crime_rate_funnel", "Rate")
    assert item.data["area"].tolist() == ["Area A", "Area B"]
    assert list(item.data.columns) == ["area", "count", "population", "rate"]
    figure = item.draw(item.data)
    assert figure.axes[0].get_title() == "Rate"


def test_xmr_items_add_the_note_only_when_there_is_one() -> None:
    from IPython.display import Markdown

    from analysis.present.shared_parts import xmr_items

    months = pd.date_range("2023-01-01", periods=12, freq="MS").date
    full = pd.Series([10.0, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 10], index=months)
    items = xmr_items(full, [], name="x", title="T", ylabel="y")
    assert len(items) == 1 and items[0].name == "x"
    assert list(items[0].data.columns[:2]) == ["month", "value"]
    gap = full.copy()
    gap.iloc[5] = float("nan")  # a month not published: the note names the gap
    items = xmr_items(gap, [], name="x", title="T", ylabel="y")
    assert len(items) == 2 and isinstance(items[1], Markdown)


def test_harm_items_caption_names_the_tables_used() -> None:
    from analysis.sections.overview import harm_items

    harm = pd.DataFrame({"Period": ["2024/25"], "Crimes": [10], "Share weighted (%)": [50.0]})
    gaps = pd.DataFrame({"Crime type": ["Drugs"], "Crimes": [3], "Not valued": ["weight"]})
    table, missing = harm_items(harm, gaps, area_name="Kingsmere", current=CURRENT,
                                weights_vintage="W1", costs_vintage="C1",
                                population_vintage="Mid-2023")
    assert table.caption == ("Harm and cost of crime, Kingsmere (weights: W1; unit costs: C1; "
                             "residents: Mid-2023)")
    assert dict(table.formats) == {"Crimes": "{:,.0f}", "Share weighted (%)": "{:.1f}"}
    assert missing.caption == ("Crimes in 2024/25 with no weight or unit cost in the tables "
                               "used")
    assert list(missing.counts) == ["Crimes"]
