"""ASB helpers on small hand-made incident tables and monthly counts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.core import vocabulary
from analysis.core.findings import (
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_DIRECTION,
    NOT_SIGNIFICANT,
    NOT_TESTED,
)
from analysis.core.periods import Period
from analysis.sections import asb
from analysis.stats.disclosure import DisclosureRule
from analysis.stats.police_uk_counts import presentable_rates, rate_period_note

CURRENT = Period.custom("2024-03", "2024-04")
PREVIOUS = CURRENT.previous()  # Jan and Feb 2024
MONTHS = [date(2024, m, 1) for m in (1, 2, 3, 4)]


def _incidents(spec: list[tuple[str, str, str]], **extra: list[object]) -> pd.DataFrame:
    stamps, categories, types = zip(*spec, strict=True)
    return pd.DataFrame({"occurred_at": pd.to_datetime(list(stamps)),
                         "category": list(categories), "asb_type": list(types), **extra})


def _counts(rows: list[tuple[str, str, int]], csp: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["month", "crime_type", "count"])
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame if csp is None else frame.assign(csp_code=csp)


def test_asb_change_area_and_force_ignore_crime() -> None:
    area = _counts([("2024-01-01", vocabulary.ASB, 10), ("2024-02-01", vocabulary.ASB, 10),
                    ("2024-03-01", vocabulary.ASB, 15), ("2024-04-01", vocabulary.ASB, 15),
                    ("2024-03-01", "Burglary", 99)])
    force = _counts([("2024-01-01", vocabulary.ASB, 50), ("2024-03-01", vocabulary.ASB, 40),
                     ("2024-02-01", vocabulary.ASB, 50), ("2024-04-01", vocabulary.ASB, 40)])
    table = asb.asb_change(area, force, CURRENT, PREVIOUS, MONTHS, area_name="A",
                           force_name="F")
    # area 20 -> 30: +10 (+50.0 %); force 100 -> 80: -20 (-20.0 %)
    assert table["place"].tolist() == ["A", "F"]
    assert table["current"].tolist() == [30, 80]
    assert table["pct_diff"].tolist() == [50.0, -20.0]


def test_asb_change_missing_month_compared_like_for_like() -> None:
    # January missing: March (paired with January) is left out, April is compared with Feb.
    area = _counts([("2024-03-01", vocabulary.ASB, 15), ("2024-04-01", vocabulary.ASB, 6),
                    ("2024-02-01", vocabulary.ASB, 3)])
    table = asb.asb_change(area, area, CURRENT, PREVIOUS, MONTHS[1:], area_name="A",
                           force_name="F")
    assert table["current"].tolist() == [6, 6] and table["previous"].tolist() == [3, 3]
    assert set(table["basis"]) == {"like for like"}


def test_asb_change_previous_period_with_no_month_not_assessed() -> None:
    area = _counts([("2024-03-01", vocabulary.ASB, 15)])
    table = asb.asb_change(area, area, CURRENT, PREVIOUS, MONTHS[2:], area_name="A",
                           force_name="F")
    assert set(table["significance"]) == {"not assessed"}
    assert table["previous"].isna().all() and table["current"].tolist() == [15, 15]


def test_asb_rates_by_csp_and_force() -> None:
    counts = pd.concat([
        _counts([("2024-03-01", vocabulary.ASB, 30), ("2024-03-01", "Robbery", 500),
                 ("2024-01-01", vocabulary.ASB, 999)], "C1"),
        _counts([("2024-04-01", vocabulary.ASB, 10)], "C2"),
    ])
    populations = pd.DataFrame({
        "area_code": ["C1", "C2", "P"], "area_name": ["One", "Two", "Force"],
        "area_level": ["CSP", "CSP", "PFA"], "population": [1000, 2000, 3000],
        "population_vintage": "test"})
    rates = asb.asb_rates(counts, populations, CURRENT, "C1")
    # C1 30/1000 -> 30.0 per 1,000; C2 10/2000 -> 5.0; force 40/3000 -> 13.33
    assert rates["area_code"].tolist() == ["C1", "C2", "P"]
    assert rates["rate"].round(2).tolist() == [30.0, 5.0, 13.33]
    assert rates.loc[1, "significance"] == "significantly higher"


def test_category_change_order_subtotals_and_shares() -> None:
    spec = ([("2024-03-02", "nuisance", "Noise")] * 6 + [("2024-03-03", "personal", "Dispute")] * 3
            + [("2024-04-03", "environmental", "Graffiti")] + [("2024-01-05", "nuisance", "Noise")])
    table = asb.category_change(_incidents(spec), CURRENT, PREVIOUS)
    assert table["category"].tolist() == ["personal", "personal", "nuisance", "nuisance",
                                          "environmental", "environmental", asb.ALL_ASB]
    assert table["asb_type"].tolist()[:2] == [asb.ALL_TYPES, "Dispute"]
    # current: personal 3, nuisance 6, environmental 1 of 10 -> 30, 60, 10 %
    assert asb.category_shares(table) == pytest.approx(
        {"personal": 30.0, "nuisance": 60.0, "environmental": 10.0})
    assert table.loc[table["category"] == asb.ALL_ASB, "previous"].item() == 1


def test_repeat_callers_share_of_known_flags() -> None:
    spec = [("2024-03-01", "nuisance", "Noise")] * 5 + [("2024-01-01", "nuisance", "Noise")] * 2
    rows = _incidents(spec, repeat_caller=pd.array([True, False, False, None, True, True, False],
                                                   dtype="boolean"))
    table = asb.repeat_callers(rows, CURRENT, PREVIOUS)
    # current: 2 repeat of 4 known (1 blank) -> 50.0 %; previous: 1 of 2 -> 50.0 %
    current = table.iloc[1]
    assert (current["incidents"], current["repeat_caller_incidents"],
            current["flag_unknown"]) == (5, 2, 1)
    assert current["share_percent"] == 50.0
    none = _incidents(spec, repeat_caller=pd.array([None] * 7, dtype="boolean"))
    assert asb.repeat_callers(none, CURRENT, PREVIOUS) is None


def test_repeat_locations_thresholds() -> None:
    spec = [("2024-03-01", "nuisance", "Noise")] * 7
    rows = _incidents(spec, easting=[1.0, 1.0, 1.0, 2.0, 2.0, 3.0, None],
                      northing=[5.0, 5.0, 5.0, 5.0, 5.0, 5.0, None])
    table = asb.repeat_locations(rows, CURRENT, thresholds=(2, 3))
    # points: (1,5) x3, (2,5) x2, (3,5) x1 of 6 placed; >=2: 2 places, 5 incidents (83.3 %)
    assert table["locations"].tolist() == [2, 1]
    assert table["incidents"].tolist() == [5, 3]
    assert table["share_percent"].round(1).tolist() == [83.3, 50.0]
    assert table.attrs["no_location"] == 1


def test_publication_and_like_for_like() -> None:
    months = pd.to_datetime(["2018-01-01", "2018-02-01", "2018-03-01", "2018-07-01",
                             "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]).date
    monthly = pd.DataFrame({"month": months,
                            "asb_incidents": [400, 300, 350, 999, 100, 150, 110, np.nan]})
    years = asb.publication_by_year(monthly)
    assert years["months_held"].tolist() == [4, 3]
    assert years["per_month"].tolist() == [512.25, 120.0]
    comparison = asb.like_for_like(monthly)
    # Jan-Mar both years: 350 a month then 120 a month: -65.7 %
    assert comparison["months"] == [1, 2, 3]
    assert comparison["first_per_month"] == 350.0 and comparison["last_per_month"] == 120.0
    text = asb.describe_publication(comparison, "Area")
    assert "January to March" in text and "not a real fall" in text
    small = dict(comparison, last_per_month=300.0, change_percent=-14.3)
    assert "not a real fall" not in asb.describe_publication(small, "Area")
    assert asb.like_for_like(monthly.iloc[:3]) is None


def test_long_run_months_stop_at_the_end_of_the_period() -> None:
    held = [date(2018, 1, 1), date(2018, 2, 1), date(2018, 4, 1), date(2022, 1, 1),
            date(2024, 4, 1)]
    months = asb.long_run_months(held, Period.financial_year(2018))  # ends March 2019
    assert months[0] == date(2018, 1, 1) and months[-1] == date(2019, 3, 1)
    assert len(months) == 15 and date(2018, 3, 1) in months  # a gap stays in, to show as one
    assert not [m for m in months if m > date(2019, 3, 1)]
    assert asb.long_run_months(held, Period.calendar_year(2024))[-1] == date(2024, 12, 1)
    assert asb.long_run_months(held, Period.calendar_year(2017)) == []


def test_a_2018_19_long_run_never_quotes_later_years() -> None:
    # 2018/19 held alongside 2022 and 2024: the table and like-for-like end in 2019.
    held = [date(2018, m, 1) for m in range(1, 13)] + [date(2019, 1, 1), date(2022, 1, 1),
                                                       date(2024, 1, 1)]
    months = asb.long_run_months(held, Period.financial_year(2018))
    counts = {m: 100.0 for m in held}
    monthly = pd.DataFrame({"month": months,
                            "asb_incidents": [counts.get(m, np.nan) for m in months]})
    assert asb.publication_by_year(monthly)["year"].tolist() == [2018, 2019]
    comparison = asb.like_for_like(monthly)
    assert comparison is None  # 2019 holds only January: too few common months


def test_peak_day_hour_first_of_ties() -> None:
    table = pd.DataFrame(0, index=["Monday", "Tuesday"], columns=range(24))
    table.loc["Tuesday", 3] = 5
    table.loc["Monday", 22] = 5
    assert asb.peak_day_hour(table) == ("Monday", 22, 5)


def test_mark_unknown_change() -> None:
    table = pd.DataFrame({"current": [3], "previous": [0], "diff": [3], "pct_diff": [np.nan],
                          "change": ["significant increase"]})
    kept = asb.mark_unknown_change(table, CURRENT, PREVIOUS, MONTHS)
    assert kept["change"].item() == "significant increase"
    hidden = asb.mark_unknown_change(table, CURRENT, PREVIOUS, MONTHS[2:])
    assert hidden["change"].item() == "not assessed"
    assert pd.isna(hidden["previous"].item()) and np.isnan(hidden["diff"].item())
    assert hidden["current"].item() == 3


def test_key_findings_skips_what_is_missing() -> None:
    change = pd.DataFrame({"place": ["A", "F"], "current": [30, 80], "previous": [20, 100],
                           "diff": [10, -20], "pct_diff": [50.0, -20.0],
                           "pct_reliable": [True, True],
                           "significance": ["no significant change"] * 2,
                           "complete": [True, True]})
    findings = asb.key_findings(change, area_name="A", force_name="F", rate_position=None,
                                shares=None, repeat=None, peak=None, publication=None)
    assert [f.statement for f in findings] == [
        "ASB incidents recorded on police.uk in A rose by 10 incidents (50.0 %), not a "
        "statistically significant change; F fell 20.0 %."]
    assert (findings[0].direction, findings[0].significance) == (INCREASE, NOT_SIGNIFICANT)


def test_header_notes_name_the_extract_and_what_it_left_out() -> None:
    incidents = _incidents([("2024-01-05 10:00", "personal", "Neighbour"),
                            ("2024-04-20 22:00", "nuisance", "Rowdy")])
    sources, caveats = asb.header_notes(
        police_source="data.police.uk", population_vintage="Mid-2023", incidents=incidents,
        outside=1234, area_name="A", current=CURRENT, previous=PREVIOUS, police_months=MONTHS)
    assert sources == ["data.police.uk", "Population: Mid-2023",
                       "Partner ASB extract: 2 incidents in A, Jan 2024 to Apr 2024"]
    assert caveats[:2] == ["Mar 2024 to Apr 2024 is complete (2 months).",
                           "Jan 2024 to Feb 2024 is complete (2 months)."]
    assert caveats[-1] == ("1,234 incidents in the partner extract are outside A or could not "
                           "be placed, and are not counted.")
    assert len(caveats) == 5
    _, all_inside = asb.header_notes(
        police_source="data.police.uk", population_vintage="Mid-2023", incidents=incidents,
        outside=0, area_name="A", current=CURRENT, previous=PREVIOUS, police_months=MONTHS)
    assert all_inside == caveats[:4]


def test_header_notes_without_an_extract() -> None:
    sources, caveats = asb.header_notes(
        police_source="data.police.uk", population_vintage="Mid-2023", incidents=None,
        outside=0, area_name="A", current=CURRENT, previous=PREVIOUS, police_months=MONTHS)
    assert sources == ["data.police.uk", "Population: Mid-2023"]
    assert caveats[-1] == ("No partner ASB extract is configured for this area, so ASB "
                           "categories and types, days and times, and repeat callers cannot "
                           "be shown.")
    assert len(caveats) == 5


def _change(previous: float) -> pd.DataFrame:
    """An :func:`asb.asb_change` table: area A (30 this period) and force F."""
    return pd.DataFrame({"place": ["A", "F"], "current": [30, 80], "previous": [previous, 100],
                         "diff": [30 - previous, -20], "pct_diff": [(30 / previous - 1) * 100,
                                                                     -20.0],
                         "significance": ["no significant change", "significant decrease"]})


RATES = pd.DataFrame({"area_code": ["E22000001", "E23000001"], "rate": [12.345, 10.0],
                      "population_vintage": ["Mid-2023"] * 2})

HEADLINE_FIGURES = [
    ("asb_incidents_current", 30, "ASB incidents Mar 2024 to Apr 2024 (police.uk)"),
    ("asb_incidents_previous", 20, "ASB incidents Jan 2024 to Feb 2024 (police.uk)"),
    ("asb_pct_diff", 50.0, "ASB incidents % change"),
    ("asb_significance", "no significant change", "ASB change"),
    ("asb_rate", 12.3, "ASB incidents per 1,000 (Mid-2023)"),
    ("asb_rate_position", "2nd highest of 4", "ASB rate among the force's CSPs"),
]


def test_key_figures_from_every_source() -> None:
    repeat = pd.DataFrame({"period": ["Jan 2024 to Feb 2024", "Mar 2024 to Apr 2024"],
                           "share_percent": [10.0, 23.456]})
    comparison = {"first_year": 2018, "last_year": 2024, "change_percent": -65.71}
    figures = asb.key_figures(
        _change(20.0), RATES, "E22000001", rate_position="2nd highest of 4",
        shares={"personal": 20.04, "nuisance": 69.96}, repeat=repeat, comparison=comparison,
        peak=("Friday", 7, 12), current=CURRENT, previous=PREVIOUS)
    assert figures == [
        *HEADLINE_FIGURES,
        ("asb_personal_pct", 20.0, "% of ASB personal"),
        ("asb_nuisance_pct", 70.0, "% of ASB nuisance"),
        ("asb_repeat_caller_pct", 23.5, "% of ASB incidents from repeat callers"),
        ("asb_published_change_pct", -65.7,
         "Change in police.uk ASB per month, 2018 to 2024 (same months)"),
        ("asb_peak_day_hour", "Friday 07:00", "Busiest hour of the week for ASB"),
    ]


def test_key_figures_leave_out_what_is_missing_and_keep_unknown_counts_unknown() -> None:
    figures = asb.key_figures(
        _change(np.nan), RATES, "E22000001", rate_position="2nd highest of 4", shares=None,
        repeat=None, comparison=None, peak=None, current=CURRENT, previous=PREVIOUS)
    assert [key for key, _, _ in figures] == [key for key, _, _ in HEADLINE_FIGURES]
    values = {key: value for key, value, _ in figures}
    assert values["asb_incidents_current"] == 30
    assert values["asb_incidents_previous"] is None and values["asb_pct_diff"] is None


def test_asb_rate_over_a_partial_period_is_labelled_with_an_annualised_estimate() -> None:
    counts = _counts([("2024-03-01", vocabulary.ASB, 30)], "C1")
    populations = pd.DataFrame({
        "area_code": ["C1", "P"], "area_name": ["One", "Force"],
        "area_level": ["CSP", "PFA"], "population": [1000, 1000],
        "population_vintage": "test"})
    # Mar-Apr 2024 with April missing: 1 month held, 30 per 1,000 in that month.
    rates = asb.asb_rates(counts, populations, CURRENT, "C1", MONTHS[:3])
    shown = presentable_rates(rates, "One")
    assert shown["Rate per 1,000 (1 month)"].tolist() == [30.0, 30.0]
    assert shown["Annualised rate per 1,000 (estimate)"].tolist() == [360.0, 360.0]  # x 12
    assert rate_period_note(rates) == " (1 month of data: not an annual rate)"
    whole = presentable_rates(asb.asb_rates(counts, populations, Period.parse("2024"), "C1",
                                            [date(2024, m, 1) for m in range(1, 13)]), "One")
    assert "Rate per 1,000" in whole.columns
    assert "Annualised rate per 1,000 (estimate)" not in whole.columns


# --- the page's parts --------------------------------------------------------------------
def test_key_findings_from_every_source_state_no_test_beyond_the_change() -> None:
    change = pd.DataFrame({"place": ["A", "F"], "current": [20, 80], "previous": [30, 100],
                           "diff": [-10, -20], "pct_diff": [-33.3, -20.0],
                           "pct_reliable": [True, True],
                           "significance": ["no significant change"] * 2,
                           "complete": [True, True]})
    repeat = pd.DataFrame({"period": ["Jan-Feb", "Mar-Apr"], "repeat_caller_incidents": [1, 2],
                           "share_percent": [10.0, 25.0]})
    findings = asb.key_findings(
        change, area_name="A", force_name="F", rate_position="3rd highest of 3",
        rate_direction=BELOW_COMPARATORS, shares={"personal": 30.0, "nuisance": 70.0},
        repeat=repeat, peak=("Friday", 22, 7), publication="Published levels fell.")
    statements = [f.statement for f in findings]
    assert statements[1] == ("A's ASB rate per 1,000 residents is the 3rd highest of 3 among "
                             "the partnerships of F.")
    assert statements[2] == ("Of the ASB incidents in the partner extract, 30 % personal, "
                             "70 % nuisance.")
    assert statements[3] == ("Repeat callers reported 2 incidents in Mar-Apr, 25.0 % of "
                             "incidents with a known repeat-caller flag.")
    assert statements[4] == ("The busiest hour of the week for ASB is Friday 22:00 to 22:59 "
                             "(7 incidents this period).")
    assert statements[5] == "Published levels fell."
    assert (findings[0].direction, findings[0].significance) == (DECREASE, NOT_SIGNIFICANT)
    assert findings[1].direction == BELOW_COMPARATORS
    assert all(f.direction == NO_DIRECTION for f in findings[2:])
    assert all(f.significance == NOT_TESTED for f in findings[1:])
    assert findings[2].figures == ("asb_personal_pct", "asb_nuisance_pct")


def test_change_item_captions_the_months_compared() -> None:
    area = _counts([("2024-01-01", vocabulary.ASB, 10), ("2024-03-01", vocabulary.ASB, 15)])
    change = asb.asb_change(area, area, CURRENT, PREVIOUS, MONTHS, area_name="A",
                            force_name="F")
    item = asb.change_item(change, CURRENT, PREVIOUS)
    assert item.caption == ("ASB incidents on police.uk: Mar 2024 to Apr 2024 compared with "
                            "Jan 2024 to Feb 2024. Mar 2024 to Apr 2024 is compared with Jan "
                            "2024 to Feb 2024: every month of both periods is held.")
    assert list(item.counts) == list(item.frame.columns[1:3])
    assert item.formats["# diff."] == "{:+,}" and item.source == "open"


def test_publication_items_add_the_sentence_only_when_there_is_one() -> None:
    long_run = pd.DataFrame({"year": [2023], "months_held": [12], "incidents": [120],
                             "per_month": [10.0], "lowest": [5], "highest": [15]})
    alone = asb.publication_items(long_run, None, "A")
    assert len(alone) == 1 and alone[0].frame.columns.tolist() == [
        "Year", "Months published", "Incidents", "Average per month", "Lowest month",
        "Highest month"]
    with_text = asb.publication_items(long_run, "Levels *fell*.", "A")
    assert with_text[1].data == r"Levels \*fell\*\."  # data text is escaped, never formats


def test_items_without_a_partner_extract_are_notes_and_no_figures() -> None:
    categories, shares = asb.category_items(None, CURRENT, PREVIOUS)
    day_hour, peak = asb.day_hour_items(None, CURRENT)
    repeats, repeat = asb.repeat_items(None, CURRENT, PREVIOUS)
    assert (shares, peak, repeat) == (None, None, None)
    assert [item.data for item in (*categories, *day_hour, *repeats)] == [
        asb.NO_EXTRACT_CATEGORIES, asb.NO_EXTRACT_DAY_HOUR, asb.NO_EXTRACT_REPEATS]


def test_category_items_declare_the_partner_counts() -> None:
    spec = [("2024-03-02", "nuisance", "Noise")] * 6 + [("2024-01-05", "personal", "Dispute")]
    (table,), shares = asb.category_items(_incidents(spec), CURRENT, PREVIOUS)
    assert shares == pytest.approx({"personal": 0.0, "nuisance": 100.0})
    assert table.source == "partner" and list(table.labels) == ["Category", "Type"]
    before, now = table.counts
    assert table.derived["# diff."] == ("difference", now, before)
    assert table.derived["% of all incidents"] == ("share_of_last", now)
    assert table.order == f"{now} within Category"
    assert table.frame.columns[:2].tolist() == ["Category", "Type"]


def test_day_hour_items_give_the_busiest_hour_of_the_period() -> None:
    spec = ([("2024-03-01 22:15", "nuisance", "Noise")] * 2   # a Friday
            + [("2024-04-02 09:00", "nuisance", "Noise")]      # a Tuesday
            + [("2024-01-01 09:00", "nuisance", "Noise")] * 5)  # previous period: left out
    (chart, busiest), peak = asb.day_hour_items(_incidents(spec), CURRENT)
    assert peak == ("Friday", 22, 2)
    assert chart.source == "partner" and list(chart.counts) == list(range(24))
    assert int(chart.data.drop(columns="day").to_numpy().sum()) == 3
    assert busiest.data == "Busiest hour: **Friday 22:00 to 22:59** (2 incidents)."
    # Under the area's rule the sentence quotes the count as the heat map's table shows it.
    (_, ruled), _ = asb.day_hour_items(_incidents(spec), CURRENT, DisclosureRule.named("ons"))
    assert ruled.data == r"Busiest hour: **Friday 22:00 to 22:59** (\[c\] incidents)."
    many = [("2024-03-01 22:15", "nuisance", "Noise")] * 12
    (_, rounded), _ = asb.day_hour_items(_incidents(many), CURRENT, DisclosureRule.named("ons"))
    assert "(10 incidents)" in rounded.data  # 12 is published as 10, never as 12


def test_repeat_items_say_what_the_extract_does_not_record() -> None:
    spec = [("2024-03-01", "nuisance", "Noise")] * 3
    no_flag_no_grid = _incidents(spec, repeat_caller=pd.array([None] * 3, dtype="boolean"),
                                 easting=[None] * 3, northing=[None] * 3)
    items, repeat = asb.repeat_items(no_flag_no_grid, CURRENT, PREVIOUS)
    assert repeat is None
    assert [item.data for item in items] == [asb.NO_REPEAT_FLAG, asb.NO_GRID_REFERENCES]


def test_repeat_items_with_flags_and_grid_references_note_the_unplaced() -> None:
    spec = [("2024-03-01", "nuisance", "Noise")] * 4
    rows = _incidents(spec, repeat_caller=pd.array([True, False, True, None], dtype="boolean"),
                      easting=[1.0, 1.0, 1.0, None], northing=[5.0, 5.0, 5.0, None])
    items, repeat = asb.repeat_items(rows, CURRENT, PREVIOUS)
    assert [getattr(item, "name", None) for item in items] == [
        "asb_repeat_callers", "asb_repeat_locations", None]
    assert repeat["repeat_caller_incidents"].tolist() == [0, 2]
    assert items[2].data == "1 incidents had no grid reference and are not in this table."
    placed_all = rows.dropna(subset=["easting"])
    assert len(asb.repeat_items(placed_all, CURRENT, PREVIOUS)[0]) == 2  # no note


def test_ward_and_top_square_items_label_the_periods() -> None:
    wards = pd.DataFrame({"rank": [1], "name": ["Central"], "previous": [4], "current": [6],
                          "diff": [2], "pct_diff": [50.0], "change": ["no significant change"],
                          "ward_code": ["W1"]})
    ward = asb.ward_item(wards, CURRENT, PREVIOUS)
    assert ward.frame.columns.tolist() == ["rank", "Ward", PREVIOUS.label, CURRENT.label,
                                           "# diff.", "% diff.", "Change"]
    top = wards.rename(columns={"name": "ward_name"}).assign(cell_id="c1", hotspot_class="hot",
                                                             street="High Street")
    square = asb.top_squares_item(top, CURRENT, PREVIOUS)
    assert square.frame.columns.tolist() == ["rank", "street", "ward", PREVIOUS.label,
                                             CURRENT.label, "# diff.", "change",
                                             "hotspot class", "cell_id"]
    assert list(square.counts) == [PREVIOUS.label, CURRENT.label]
