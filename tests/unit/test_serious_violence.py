"""Tests for analysis.sections.serious_violence on small hand-made crime extracts."""

from __future__ import annotations

import dataclasses
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.core import vocabulary
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
)
from analysis.core.periods import Period, compared_months
from analysis.sections import serious_violence as sv
from analysis.stats import partner_counts
from analysis.stats.disclosure import DisclosureRule, apply_disclosure, check_disclosure
from analysis.stats.harm import shipped_severity_weights, shipped_unit_costs
from analysis.stats.measures import change_table


def _crimes(rows: list[tuple]) -> pd.DataFrame:
    """Crimes from (committed_from, code, subgroup, group, knife, nte, domestic, age, lsoa)."""
    frame = pd.DataFrame(rows, columns=["committed_from", "offence_code", "offence_subgroup",
                                        "offence_group", "knife_sharp_instrument",
                                        "night_time_economy", "domestic_abuse",
                                        "victim_age_band", "lsoa_code"])
    frame["committed_from"] = pd.to_datetime(frame["committed_from"])
    frame["ward_code"] = frame["lsoa_code"].str.replace("E01", "E05")
    return frame.astype({"knife_sharp_instrument": "boolean", "night_time_economy": "boolean",
                         "domestic_abuse": "boolean", "offence_subgroup": "string",
                         "offence_group": "string", "victim_age_band": "string"})


VAP = "Violence against the person"
CRIMES = _crimes([
    # Friday 2024-05-03 23:00: wounding with a knife, victim 18-24, NTE
    ("2024-05-03 23:00", "5D", "Violence with injury", VAP, True, True, False, "18-24", "E01A"),
    # Saturday 2024-05-04 01:30 (Friday night): assault with injury, no knife, 35-44
    ("2024-05-04 01:30", "8N", "Violence with injury", VAP, False, True, False, "35-44", "E01A"),
    # Tuesday 2024-05-07 14:00: robbery, knife, victim 0-17
    ("2024-05-07 14:00", "34B", "Robbery of personal property", "Robbery", True, False, False,
     "0-17", "E01B"),
    # Wednesday 2024-06-05 10:00: domestic assault with injury, victim 25-34
    ("2024-06-05 10:00", "8N", "Violence with injury", VAP, False, False, True, "25-34", "E01A"),
    # Sunday 2024-06-09 03:00: murder, no age recorded
    ("2024-06-09 03:00", "1", "Homicide", VAP, False, False, False, None, "E01B"),
    # Monday 2023-05-01 12:00 (previous year): possession of a blade, no victim
    ("2023-05-01 12:00", "10D", "Possession of weapons offences",
     "Possession of weapons offences", False, False, False, None, "E01B"),
])


class TestMasks:
    def test_each_measure_counts_the_right_crimes(self):
        masks = sv.serious_violence_masks(CRIMES)
        counts = {name: int(mask.sum()) for name, mask in masks.items()}
        assert counts == {
            sv.VIOLENCE_WITH_INJURY: 3, sv.HOMICIDE: 1, vocabulary.ROBBERY: 1,
            vocabulary.POSSESSION_OF_WEAPONS: 1, sv.KNIFE: 2,
            sv.SERIOUS_VIOLENCE: 5,  # 3 with injury + robbery + homicide (knife already in)
            sv.UNDER_25: 2,  # the 18-24 wounding and the 0-17 robbery
            sv.NIGHT_TIME_ECONOMY: 2,
        }

    @pytest.mark.parametrize(("band", "expected"), [
        ("0-17", True), ("18-24", True), ("Under 18", True), ("25-34", False), ("20-29", False),
        ("65+", False), ("", None), (None, None), ("adult", None)])
    def test_under_25(self, band, expected):
        assert sv.is_under_25(band) is expected


class TestCounts:
    def test_monthly_counts_cover_every_month_of_the_extract(self):
        masks = sv.serious_violence_masks(CRIMES)
        counts = partner_counts.monthly_measure_counts(CRIMES, {sv.KNIFE: masks[sv.KNIFE]})
        # May 2023 .. Jun 2024 = 14 months; knife: 2 in May 2024
        assert len(counts) == 14
        assert counts.loc[counts["month"] == date(2024, 5, 1), "count"].item() == 2
        assert counts["count"].sum() == 2

    def test_extract_months(self):
        months = partner_counts.crime_extract_months(CRIMES)
        assert (months[0], months[-1], len(months)) == (date(2023, 5, 1), date(2024, 6, 1), 14)

    def test_split_small_counts_keeps_only_counts_for_small_rows(self):
        change = pd.DataFrame({"measure": ["big", "small"], "current": [20, 3],
                               "previous": [15, 12], "diff": [5, -9], "pct_diff": [33.3, -75.0],
                               "pct_reliable": [True, True], "p_value": [0.4, 0.03],
                               "significance": ["x", "y"], "complete": [True, True]})
        shown, small = partner_counts.split_small_counts(change, 10)
        assert list(shown["measure"]) == ["big"]
        assert list(small.columns) == ["measure", "previous", "current"]
        assert small.iloc[0].tolist() == ["small", 12, 3]


class TestUnknownComparisonYear:
    """The extract (May 2023 to Jun 2024) does not cover the comparison period at all."""

    CURRENT = Period.custom(date(2024, 5, 1), date(2024, 6, 1))
    UNCOVERED = Period.custom(date(2022, 5, 1), date(2022, 6, 1))

    def test_unknown_counts_neither_make_a_row_small_nor_keep_it_large(self):
        change = pd.DataFrame({"measure": ["big", "small"], "current": [20, 3],
                               "previous": pd.array([pd.NA, pd.NA], dtype="Int64"),
                               "diff": [np.nan, np.nan]})
        shown, small = partner_counts.split_small_counts(change, 10)
        assert list(shown["measure"]) == ["big"] and pd.isna(shown["previous"].iloc[0])
        assert small["measure"].tolist() == ["small"] and pd.isna(small["previous"].iloc[0])

    def test_small_counts_table_goes_through_disclosure_with_blanks(self):
        masks = sv.serious_violence_masks(CRIMES)
        months = partner_counts.crime_extract_months(CRIMES)
        change = change_table(partner_counts.monthly_measure_counts(CRIMES, masks), self.CURRENT,
                              self.UNCOVERED, "measure", total_label=None,
                              available_months=months)
        assert change["previous"].isna().all()
        _, small = partner_counts.split_small_counts(change, 10)
        rule = DisclosureRule.named("ons")
        published = apply_disclosure(small, rule, ["previous", "current"])
        assert published["previous"].isna().all()  # unknown, not 0 and not suppressed
        assert set(published["current"]) == {rule.symbol}  # 1 to 5 crimes each: hidden
        assert check_disclosure(published, rule, ["previous", "current"]).empty

    def test_victim_ages_of_an_uncovered_period_are_unknown_and_so_is_the_total(self):
        masks = sv.serious_violence_masks(CRIMES)
        table = sv.with_total_row(sv.victim_age_table(
            CRIMES, masks[sv.SERIOUS_VIOLENCE], self.CURRENT, self.UNCOVERED,
            partner_counts.crime_extract_months(CRIMES)))
        assert table["previous"].isna().all()
        assert table["current"].tolist() == [1, 1, 1, 1, 1, 5]
        assert table["victim_age_band"].iloc[-1] == "All serious violence"

    def test_the_table_says_why_a_column_is_blank(self):
        months = partner_counts.crime_extract_months(CRIMES)
        assert sv.coverage_note([self.UNCOVERED, self.CURRENT], months) == (
            "The force crime extract holds no month of May 2022 to Jun 2022: its counts are "
            "unknown, shown blank (not 0), and no change is given.")
        partial = Period.custom(date(2023, 3, 1), date(2023, 6, 1))  # Mar, Apr not held
        assert "misses 2 of 4 months of Mar 2023 to Jun 2023" in sv.coverage_note(
            [partial], months)
        assert sv.coverage_note([self.CURRENT], months) == ""


class TestWhenAndWhere:
    def test_weekend_night_includes_after_midnight(self):
        times = pd.Series(pd.to_datetime(["2024-05-03 23:00", "2024-05-04 01:30",
                                          "2024-05-04 02:00", "2024-05-03 21:59",
                                          "2024-05-05 00:10", "2024-05-06 00:10"]))
        # Fri 23:00 yes; Sat 01:30 yes; Sat 02:00 no; Fri 21:59 no; Sun 00:10 yes; Mon no
        assert sv.weekend_night(times).tolist() == [True, True, False, False, True, False]
        share = sv.weekend_night_share(times)
        assert share == {"crimes": 6, "weekend_night": 3, "share_percent": 50.0}

    def test_violence_places(self):
        street = sv.street_violence(CRIMES)  # 4 non-domestic VAP (incl. homicide)
        table = sv.violence_places(CRIMES, street, n=5)
        assert table.to_dict("records") == [
            {"lsoa_code": "E01A", "ward_code": "E05A", "violence": 2, "weekend_night": 2,
             "night_time_economy": 2},
            {"lsoa_code": "E01B", "ward_code": "E05B", "violence": 1, "weekend_night": 0,
             "night_time_economy": 0},
        ]

    def test_victim_age_table_adds_up(self):
        masks = sv.serious_violence_masks(CRIMES)
        table = sv.victim_age_table(CRIMES, masks[sv.SERIOUS_VIOLENCE],
                                    Period.parse("2024/25"), Period.parse("2023/24"))
        assert table.to_dict("records") == [
            {"victim_age_band": "0-17", "previous": 0, "current": 1},
            {"victim_age_band": "18-24", "previous": 0, "current": 1},
            {"victim_age_band": "25-34", "previous": 0, "current": 1},
            {"victim_age_band": "35-44", "previous": 0, "current": 1},
            {"victim_age_band": "not recorded", "previous": 0, "current": 1},
        ]

    def test_peak_cell(self):
        table = pd.DataFrame([[1, 5], [2, 0]], index=["Monday", "Tuesday"], columns=[0, 1])
        assert sv.peak_cell(table) == ("Monday", 1, 5)


class TestSummaries:
    def test_severity_lists_codes_without_a_weight(self):
        masks = sv.serious_violence_masks(CRIMES)
        harm = sv.severity_by_period(CRIMES, masks[sv.SERIOUS_VIOLENCE],
                                     [Period.parse("2024/25")], population=2000)
        row = harm.table.iloc[0]
        assert row["crimes"] == 5 and row["crimes_weighted"] == 5 and row["weighted_share"] == 1
        # 5D 1,965.338 + 2 x 8N 184.099 + 34B 746.543 + homicide 7,978.793 = 11,058.872 days
        assert row["severity_days"] == pytest.approx(11_058.872)
        assert row["severity_days_per_1000"] == pytest.approx(11_058.872 / 2)
        # 3 violence with injury x 14,050 + robbery of personal property 11,320 + homicide
        # 3,200,000 = 3,253,470 pounds at 2015/16 prices
        assert row["cost_gbp"] == pytest.approx(3_253_470)
        assert harm.gaps.empty

    def test_needs_assessment_summary_says_what_is_missing(self):
        police = pd.DataFrame({"crime_type": ["Robbery"], "current": [10], "previous": [8],
                               "pct_diff": [25.0], "pct_reliable": [False],
                               "significance": ["no significant change"]})
        table = sv.needs_assessment_summary(None, police, None, partner_missing="no extract",
                                            hospital_missing="no A&E")
        assert (table.loc[table["source"] == "force crime extract", "note"] == "no extract").all()
        robbery = table[table["source"] == "data.police.uk"].iloc[0]
        assert pd.isna(robbery["pct_diff"]) and robbery["note"] == "base under 10: % not shown"
        assert table.iloc[-1]["note"] == "no A&E"
        assert pd.isna(table.iloc[0]["current"])  # unknown, never 0

    def test_needs_assessment_summary_says_why_a_percent_is_not_shown(self):
        police = pd.DataFrame({"crime_type": ["Robbery", "Possession of weapons"],
                               "current": [1869, 12], "previous": [pd.NA, 40],
                               "pct_diff": [np.nan, -70.0], "pct_reliable": [False, True],
                               "significance": ["not compared", "significant decrease"]})
        table = sv.needs_assessment_summary(None, police, None, partner_missing="no extract",
                                            hospital_missing="no A&E")
        table = table[table["source"] == "data.police.uk"].set_index("figure")
        # 1,869 offences are not a small base: the comparison period's months are missing.
        assert table.loc["Robbery", "note"] == (
            "not compared: months missing from the data, % not shown")
        assert table.loc["Possession of weapons", "note"] == ""
        assert table.loc["Possession of weapons", "pct_diff"] == -70.0

    def test_monthly_series_leaves_missing_months_empty(self):
        counts = pd.DataFrame({"month": [date(2024, 1, 1)], "measure": ["a"], "count": [3]})
        months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
        wide = partner_counts.wide_monthly_series(counts, "measure", ["a"], months,
                                 [date(2024, 1, 1), date(2024, 2, 1)])
        assert wide["a"].tolist()[:2] == [3.0, 0.0] and pd.isna(wide["a"].iloc[2])

    def test_change_table_on_measures(self):
        masks = sv.serious_violence_masks(CRIMES)
        counts = partner_counts.monthly_measure_counts(CRIMES, masks)
        current = Period.parse("2024/25")
        change = change_table(counts, current, current.previous(), "measure", total_label=None)
        weapons = change.set_index("measure").loc[vocabulary.POSSESSION_OF_WEAPONS]
        assert (weapons["current"], weapons["previous"]) == (0, 1)


CURRENT = Period.parse("2024/25")
PREVIOUS = CURRENT.previous()
BOTH_YEARS = PREVIOUS.months + CURRENT.months


class TestHeaderNotes:
    def test_lists_the_extract_and_hospital_data_when_supplied(self):
        sources, caveats = sv.header_notes(
            police_source="data.police.uk", population_vintage="Mid-2023",
            extract_months=[date(2023, 5, 1), date(2024, 6, 1)], hospital_source="NHS trust",
            current=CURRENT, previous=PREVIOUS, police_months=BOTH_YEARS, minimum=11)
        assert sources == [
            "data.police.uk", "Population: Mid-2023",
            "Force crime extract (Home Office offence codes and flags), May 2023 to Jun 2024",
            "A&E assault attendances: NHS trust",
        ]
        assert caveats[:2] == ["2024/25 is complete (12 months).",
                               "2023/24 is complete (12 months)."]
        assert caveats[-1] == ("Counts under 11 are not shown beside a difference or "
                               "percentage; they are published through disclosure control only.")
        assert len(caveats) == 5

    def test_says_what_cannot_be_shown_without_an_extract(self):
        sources, caveats = sv.header_notes(
            police_source="data.police.uk", population_vintage="Mid-2023",
            extract_months=None, hospital_source=None, current=CURRENT, previous=PREVIOUS,
            police_months=CURRENT.months, minimum=0)
        assert sources == ["data.police.uk", "Population: Mid-2023"]
        assert caveats[1].startswith("2023/24 is incomplete: 12 of 12 months missing")
        assert caveats[-1] == ("No force crime extract: knife crime, violence with injury, "
                               "homicide, under-25 victims, night-time economy and times of day "
                               "cannot be shown.")
        assert len(caveats) == 6


def _police_change() -> pd.DataFrame:
    """police.uk rows: violence complete, robbery with months missing, no weapons row."""
    return pd.DataFrame({
        "crime_type": ["Violence and sexual offences", "Robbery"],
        "current": [9616.0, float("nan")], "previous": [8471.0, 244.0],
        "diff": [1145.0, float("nan")], "pct_diff": [13.5, float("nan")],
        "pct_reliable": [True, True], "significance": ["significant increase", "not assessed"],
        "force_pct_diff": [5.9, -4.7],
    })


RATE_SUMMARIES = [{"crime_type": "Violence and sexual offences", "rate": 55.2641,
                   "position": "highest of 4"},
                  {"crime_type": "Robbery", "rate": 1.3, "position": "lowest of 4"}]

POLICE_FINDINGS = [
    "Violence and sexual offences (data.police.uk) rose by 1,145 offences (13.5 %), a "
    "statistically significant increase; Demoshire Police rose 5.9 %.",
    "Robbery (data.police.uk): no change is given (the two periods do not hold the same months "
    "of data).",
]

POLICE_FIGURES = [
    ("police_uk_violence_sexual_offences_current", 9616,
     "Violence and sexual offences (police.uk) 2024/25"),
    ("police_uk_violence_sexual_offences_significance", "significant increase",
     "Violence and sexual offences (police.uk) change"),
    # robbery: months missing, so its count is not recorded, only the (not assessed) change
    ("police_uk_robbery_significance", "not assessed", "Robbery (police.uk) change"),
    ("police_uk_violence_sexual_offences_rate", 55.26,
     "Violence and sexual offences per 1,000 (police.uk), 2024/25"),
]


def _findings_and_figures(measure_change, night_share, hospital_change,
                          police_months=BOTH_YEARS):
    """The findings' sentences and the figures; :func:`_findings` gives the Findings."""
    findings, figures = _findings(measure_change, night_share, hospital_change, police_months)
    return [finding.statement for finding in findings], figures


def _findings(measure_change, night_share, hospital_change, police_months=BOTH_YEARS):
    return sv.findings_and_figures(
        _police_change(), RATE_SUMMARIES, measure_change, night_share, hospital_change,
        area_name="Kingsmere", force_name="Demoshire Police", current=CURRENT,
        previous=PREVIOUS, police_months=police_months)


class TestFindingsAndFigures:
    def test_every_source_supplied(self):
        measures = pd.DataFrame({
            "measure": [sv.KNIFE, sv.VIOLENCE_WITH_INJURY],  # under-25 split off as small
            "current": [210.0, 900.0], "previous": [150.0, float("nan")],
            "diff": [60.0, float("nan")], "pct_diff": [40.0, float("nan")],
            "pct_reliable": [True, True], "p_value": [0.001834, float("nan")],
            "significance": ["significant increase", "not assessed"], "complete": [True, False],
        })
        night = {"crimes": 40, "weekend_night": 24, "share_percent": 60.04}
        hospital = {"current": 688, "previous": 612, "diff": 76, "pct_diff": 12.4,
                    "significance": "significant increase"}
        findings, figures = _findings_and_figures(measures, night, hospital)
        assert findings == [
            *POLICE_FINDINGS,
            "Kingsmere's rate of violence and sexual offences was 55.3 per 1,000 residents, the "
            "highest of 4 partnerships in Demoshire Police.",
            "Knife or sharp instrument offences rose by 60 offences (40.0 %), a statistically "
            "significant increase.",
            "60.0 % of violence outside the home in the two busiest neighbourhoods happened on "
            "Friday and Saturday nights (22:00 to 01:59), eight hours that make up under 5 % of "
            "the week.",
            "Assault attendances at A&E rose by 76 attendances (12.4 %), a statistically "
            "significant increase.",
        ]
        knife = sv.KNIFE
        assert figures == [
            *POLICE_FIGURES,
            ("knife_crime_current", 210, f"{knife} 2024/25"),
            ("knife_crime_previous", 150, f"{knife} 2023/24"),
            ("knife_crime_pct_diff", 40.0, f"{knife} % change"),
            ("knife_crime_p_value", 0.0018, f"{knife} p-value (exact Poisson test)"),
            ("knife_crime_significance", "significant increase", f"{knife} change"),
            ("violence_weekend_night_share", 60.0,
             "% of violence in the two busiest LSOAs on Fri/Sat nights"),
            ("ae_assault_attendances_current", 688, "A&E assault attendances 2024/25"),
        ]
        assert all(type(value) is int for key, value, _ in figures if key.endswith("_current"))

    def test_without_extract_or_hospital_data_says_what_cannot_be_reported(self):
        findings, figures = _findings_and_figures(None, None, None)
        assert findings[len(POLICE_FINDINGS) + 1:] == [
            "Knife crime, violence with injury, homicide, victims under 25 and the times of "
            "violence cannot be reported: they need the force's crime extract.",
            "Hospital (A&E) assault data were not supplied, so violence that is not reported to "
            "the police is not shown.",
        ]
        assert figures == POLICE_FIGURES

    def test_rate_over_part_of_the_year_says_it_is_too_low(self):
        findings, _ = _findings_and_figures(None, None, None,
                                             police_months=CURRENT.months[:10])
        assert findings[len(POLICE_FINDINGS)] == (
            "Kingsmere's rate of violence and sexual offences was 55.3 per 1,000 residents, the "
            "highest of 4 partnerships in Demoshire Police (over the 10 months held: a full-year "
            "rate would be higher).")


class TestFindingFields:
    """Direction and significance come from each change row, not from the sentence."""

    def test_every_source_supplied(self):
        measures = pd.DataFrame({
            "measure": [sv.KNIFE], "current": [210.0], "previous": [150.0], "diff": [60.0],
            "pct_diff": [40.0], "pct_reliable": [True], "p_value": [0.001834],
            "significance": ["significant increase"], "complete": [True]})
        hospital = {"current": 600, "previous": 612, "diff": -12, "pct_diff": -2.0,
                    "significance": "no significant change"}
        findings, _ = _findings(measures, {"share_percent": 60.0}, hospital)
        fields = [(f.direction, f.significance) for f in findings]
        assert fields == [
            (INCREASE, SIGNIFICANT),  # violence and sexual offences, police.uk
            (NO_DIRECTION, NOT_ASSESSED),  # robbery: months missing, no change given
            (ABOVE_COMPARATORS, NOT_TESTED),  # the highest rate of 4 partnerships
            (INCREASE, SIGNIFICANT),  # knife crime
            (NO_DIRECTION, NOT_TESTED),  # weekend-night share
            (DECREASE, NOT_SIGNIFICANT),  # A&E
        ]
        assert findings[3].figures[0] == "knife_crime_current"
        assert findings[5].figures == ("ae_assault_attendances_current",)

    def test_missing_sources_are_not_assessed_and_a_middle_place_has_no_direction(self):
        summaries = [{**RATE_SUMMARIES[0], "position": "2nd highest of 4"}]
        findings, _ = sv.findings_and_figures(
            _police_change(), summaries, None, None, None, area_name="K", force_name="F",
            current=CURRENT, previous=PREVIOUS, police_months=BOTH_YEARS)
        rate, extract, hospital = findings[2:]
        assert (rate.direction, rate.significance) == (NO_DIRECTION, NOT_TESTED)
        assert extract.significance == hospital.significance == NOT_ASSESSED
        withheld = {"current": np.nan, "previous": np.nan, "diff": np.nan, "pct_diff": np.nan,
                    "significance": "significant increase",
                    "withheld": "not shown, a count is under 10 (disclosure control)"}
        findings, figures = sv.findings_and_figures(
            _police_change(), RATE_SUMMARIES, None, None, withheld, area_name="K",
            force_name="F", current=CURRENT, previous=PREVIOUS, police_months=BOTH_YEARS)
        assert (findings[3].direction, findings[3].significance) == (NO_DIRECTION, NOT_ASSESSED)
        assert findings[3].figures == ()
        assert not any(key.startswith("ae_") for key, _, _ in figures)


class TestPageParts:
    def test_smallest_count_beside_a_difference(self):
        assert sv.smallest_count_beside_a_difference("none") == 0
        assert sv.smallest_count_beside_a_difference("ons") == 10

    def test_police_uk_tables_are_open_data_with_their_counts_declared(self):
        change = _police_change()
        change.attrs["months_compared"] = compared_months(CURRENT, PREVIOUS, BOTH_YEARS)
        table = sv.police_uk_change_table(change, CURRENT, PREVIOUS, "Kingsmere")
        assert (table.name, table.source) == ("police_uk_change", "open")
        assert table.counts == ["2023/24", "2024/25"]
        assert table.caption.startswith("Violence, robbery and weapons offences "
                                        "(data.police.uk), Kingsmere: 2024/25 compared with "
                                        "2023/24. ")
        summaries = [{"crime_type": "Robbery", "crimes": 12, "rate": 1.234, "lower": 0.6,
                      "upper": 2.1, "force_rate": 1.0, "against_force": "not significant",
                      "position": "2nd highest of 4", "against_peers": "no peer group"}]
        rates = sv.rates_table(summaries, "Demoshire Police", CURRENT, "Mid-2023")
        assert rates.caption == "Rates per 1,000 population, 2024/25 (Mid-2023)"
        assert rates.frame.iloc[0].tolist()[:4] == ["Robbery", 12, 1.23, "0.60 to 2.10"]

    def test_funnel_shows_the_partnerships_and_draws_around_the_force_rate(self):
        rates = pd.DataFrame({"area_level": ["CSP", "CSP", "PFA"], "area_name": ["A", "B", "F"],
                              "count": [50, 30, 80], "population": [1000, 1000, 2000],
                              "rate": [50.0, 30.0, 40.0]})
        chart = sv.violence_funnel(rates, "A", CURRENT)
        assert chart.data.to_dict("list") == {"area": ["A", "B"], "count": [50, 30],
                                              "population": [1000, 1000], "rate": [50.0, 30.0]}
        figure = chart.draw(chart.data)
        assert figure.axes[0].get_title() == ("Violence and sexual offences against population, "
                                              "2024/25")
        plt.close(figure)

    def test_measure_items_keep_small_counts_apart_and_say_which_months_are_missing(self):
        masks = sv.serious_violence_masks(CRIMES)
        # May 2023 to Jun 2024: both years partly covered
        held = partner_counts.crime_extract_months(CRIMES)
        change, small = partner_counts.split_small_counts(
            change_table(partner_counts.monthly_measure_counts(CRIMES, masks), CURRENT, PREVIOUS,
                         "measure", total_label=None, available_months=held), 10)
        items = sv.measure_items(change, small, held, area_name="K", current=CURRENT,
                                 previous=PREVIOUS)
        assert [getattr(item, "name", "text") for item in items] == [
            "measures_change", "small_counts", "text"]
        assert items[1].counts == ["2024/25", "2023/24"]  # counts only, no difference
        assert "misses 1 of 12 months of 2023/24" in items[2].data  # April 2023
        full = sv.measure_items(change, small.iloc[0:0], BOTH_YEARS, area_name="K",
                                current=CURRENT, previous=PREVIOUS)
        assert [item.name for item in full] == ["measures_change"]

    def test_knife_trend_is_empty_outside_the_extract(self):
        masks = sv.serious_violence_masks(CRIMES)
        counts = partner_counts.monthly_measure_counts(CRIMES, masks)
        window = [date(2024, 5, 1), date(2024, 6, 1), date(2024, 7, 1)]
        chart = sv.knife_trend_chart(counts, window, partner_counts.crime_extract_months(CRIMES),
                                     area_name="K", current=CURRENT)
        assert (chart.source, chart.counts) == ("partner", [sv.KNIFE, vocabulary.ROBBERY])
        assert chart.data[sv.KNIFE].tolist()[:2] == [2.0, 0.0]
        assert pd.isna(chart.data[sv.KNIFE].iloc[2])  # July 2024: after the extract

    def test_when_and_where(self):
        masks = sv.serious_violence_masks(CRIMES)
        wards = pd.Series({"E05A": "Ward A", "E05B": "Ward B"})
        items, share = sv.when_and_where(CRIMES, masks[sv.SERIOUS_VIOLENCE], wards, CURRENT)
        # violence outside the home in 2024/25: E01A Fri 23:00 and Sat 01:30 (both weekend
        # nights), E01B the Sunday 03:00 homicide (not): 2 of 3
        assert share == {"crimes": 3, "weekend_night": 2, "share_percent": pytest.approx(66.667,
                                                                                      abs=1e-3)}
        chart, places, text = items
        assert chart.data.drop(columns="day").to_numpy().sum() == 5  # serious violence
        assert places.frame["ward"].tolist() == ["Ward A", "Ward B"]
        assert places.frame.iloc[0, 2:].tolist() == [2, 2, 2]
        # every cell holds one crime: the first in the week's order is Tuesday 14:00
        assert text.data == ("Busiest hour for serious violence: **Tuesday 14:00-14:59**. In "
                             "the two LSOAs with most violence outside the home (E01A, E01B), "
                             r"**66\.7 %** of it fell on Friday and Saturday nights.")

    def test_victim_items_with_a_total_row_and_a_note_for_missing_months(self):
        masks = sv.serious_violence_masks(CRIMES)
        held = partner_counts.crime_extract_months(CRIMES)
        table, note = sv.victim_items(CRIMES, masks[sv.SERIOUS_VIOLENCE], held, area_name="K",
                                      current=CURRENT, previous=PREVIOUS)
        assert table.total_row == len(table.frame) - 1 == 5
        total = table.frame.iloc[-1]
        assert total["Victim age"] == "All serious violence"
        # 2023/24 holds no serious violence in the months the extract has: unknown, not 0
        assert pd.isna(total["2023/24"]) and total["2024/25"] == 5
        assert "misses" in note.data

    def test_severity_tables_keep_sums_of_weights_not_counts(self):
        masks = sv.serious_violence_masks(CRIMES)
        weights, costs = shipped_severity_weights(), shipped_unit_costs()
        harm = sv.severity_by_period(CRIMES, masks[sv.SERIOUS_VIOLENCE], [CURRENT],
                                     population=2000, weights=weights, costs=costs)
        severity, gaps = sv.severity_tables(harm, weights, costs)
        assert (severity.name, gaps.name) == ("severity", "severity_gaps")
        assert severity.frame["Share weighted (%)"].tolist() == [100.0]
        assert set(severity.kept) == {"Harm (severity-weighted days)",
                                      "Harm per 1,000 residents (severity-weighted days)",
                                      f"Cost ({harm.cost_unit})",
                                      f"Cost per 1,000 residents ({harm.cost_unit})"}

    def test_hospital_items_without_attendances_say_so(self):
        items, change = sv.hospital_items(pd.DataFrame(), CURRENT, PREVIOUS)
        assert change is None
        assert items[0].data == ("**A&E assault attendances:** needs A&amp;E assault "
                                 "attendances in the indicators extract, not supplied.")

    def test_needs_assessment_table_headings(self):
        police = pd.DataFrame({"crime_type": ["Robbery"], "current": [10], "previous": [8],
                               "pct_diff": [25.0], "pct_reliable": [True],
                               "significance": ["no significant change"]})
        table = sv.needs_assessment_table(
            sv.needs_assessment_summary(None, police, None, partner_missing="x",
                                        hospital_missing="y"), "K", CURRENT, PREVIOUS)
        assert list(table.frame.columns) == ["Figure", "Source", "2023/24", "2024/25",
                                             "% diff.", "Change", "Note"]
        assert table.derived == {"% diff.": ("percent_change", "2024/25", "2023/24")}


def test_the_page_without_an_extract_fills_every_extract_cell():
    cells = {field.name for field in dataclasses.fields(sv.SeriousViolencePage)}
    assert set(sv.WITHOUT_EXTRACT) <= cells
    assert sv.WITHOUT_EXTRACT["knife_trend"] == []  # no chart, not an empty one
    assert all(item.data.startswith("**Not available:**")
               for key, items in sv.WITHOUT_EXTRACT.items() for item in items)
