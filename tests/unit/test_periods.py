"""Tests for analysis.core.periods: period arithmetic, parsing, labels and coverage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import (
    COMPLETE,
    LIKE_FOR_LIKE,
    NOT_COMPARED,
    Period,
    add_months,
    compared_months,
    comparison_period,
    comparison_rule_text,
    months_between,
    to_month,
)


def d(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


class TestConstructorsAndLabels:
    def test_financial_year(self):
        p = Period.financial_year(2024)
        assert (p.start, p.end, p.kind, p.label) == (d(2024, 4), d(2025, 3), "financial_year",
                                                     "2024/25")

    def test_financial_year_label_across_century(self):
        assert Period.financial_year(1999).label == "1999/00"

    def test_calendar_year(self):
        p = Period.calendar_year(2024)
        assert (p.start, p.end, p.label) == (d(2024, 1), d(2024, 12), "2024")

    def test_rolling_12(self):
        p = Period.rolling_12(d(2025, 3))
        assert (p.start, p.end, p.label) == (d(2024, 4), d(2025, 3), "12 months to Mar 2025")

    def test_custom(self):
        p = Period.custom(d(2024, 4), d(2024, 9))
        assert p.label == "Apr 2024 to Sep 2024"
        assert len(p) == 6

    def test_custom_single_month(self):
        assert Period.custom(d(2024, 4), d(2024, 4)).label == "Apr 2024"

    def test_months_in_order(self):
        months = Period.financial_year(2024).months
        assert months[0] == d(2024, 4) and months[-1] == d(2025, 3)
        assert len(months) == 12 and months == sorted(months)

    def test_rejects_mid_month_dates(self):
        with pytest.raises(ConfigError):
            Period(dt.date(2024, 4, 2), d(2025, 3), "custom", "x")

    def test_rejects_bad_kind_and_wrong_length(self):
        with pytest.raises(ConfigError):
            Period(d(2024, 4), d(2025, 3), "quarter", "x")
        with pytest.raises(ConfigError):
            Period(d(2024, 4), d(2025, 2), "financial_year", "x")
        with pytest.raises(ConfigError):
            Period(d(2024, 1), d(2024, 12), "financial_year", "x")

    def test_rejects_reversed_custom(self):
        with pytest.raises(ConfigError):
            Period.custom(d(2024, 9), d(2024, 4))


class TestParse:
    @pytest.mark.parametrize("text", ["2024/25", "2024-25", "FY2024/25", "fy 2024/25"])
    def test_financial_year_forms(self, text):
        assert Period.parse(text) == Period.financial_year(2024)

    def test_calendar(self):
        assert Period.parse("2024") == Period.calendar_year(2024)

    def test_rolling(self):
        assert Period.parse("R12-2025-03") == Period.rolling_12(d(2025, 3))

    def test_custom(self):
        assert Period.parse("2024-04..2024-09") == Period.custom(d(2024, 4), d(2024, 9))

    @pytest.mark.parametrize(
        "text", ["2024/26", "2024-12", "April 2024", "R12-2025-13", "2024-04..2024-13", ""]
    )
    def test_rejects_with_config_error(self, text):
        with pytest.raises(ConfigError) as info:
            Period.parse(text)
        assert info.value.found == text


class TestPrevious:
    def test_financial_year(self):
        assert Period.financial_year(2024).previous() == Period.financial_year(2023)

    def test_calendar(self):
        assert Period.calendar_year(2024).previous() == Period.calendar_year(2023)

    def test_rolling(self):
        prev = Period.rolling_12(d(2025, 3)).previous()
        assert prev == Period.rolling_12(d(2024, 3))
        assert prev.label == "12 months to Mar 2024"

    def test_custom_is_immediately_before(self):
        # Apr–Sep 2024 (6 months) -> the 6 months before: Oct 2023 – Mar 2024
        prev = Period.custom(d(2024, 4), d(2024, 9)).previous()
        assert (prev.start, prev.end, prev.label) == (d(2023, 10), d(2024, 3),
                                                      "Oct 2023 to Mar 2024")

    def test_custom_year_earlier(self):
        earlier = Period.custom(d(2024, 4), d(2024, 9)).year_earlier()
        assert (earlier.start, earlier.end) == (d(2023, 4), d(2023, 9))


class TestComparisonPeriod:
    def test_month_range_is_compared_with_the_same_months_a_year_earlier(self):
        compared = comparison_period(Period.parse("2019-01..2019-02"))
        assert (compared.start, compared.end) == (d(2018, 1), d(2018, 2))
        assert compared.label == "Jan 2018 to Feb 2018"

    def test_preceding_rule_takes_the_months_just_before(self):
        compared = comparison_period(Period.parse("2019-01..2019-02"), "preceding")
        assert (compared.start, compared.end) == (d(2018, 11), d(2018, 12))

    @pytest.mark.parametrize("rule", ["year_earlier", "preceding"])
    @pytest.mark.parametrize(("text", "expected"), [
        ("2018-19", "2017/18"), ("2022", "2021"), ("R12-2025-03", "12 months to Mar 2024")])
    def test_twelve_month_periods_keep_their_meaning(self, text, expected, rule):
        assert comparison_period(Period.parse(text), rule).label == expected
        assert comparison_rule_text(Period.parse(text), rule) == "the 12 months before"

    def test_longer_range_steps_back_whole_years_so_months_never_overlap(self):
        # Jan 2023 – Jun 2024 (18 months): two years back keeps the seasons, no overlap.
        compared = comparison_period(Period.parse("2023-01..2024-06"))
        assert (compared.start, compared.end) == (d(2021, 1), d(2022, 6))
        assert comparison_rule_text(Period.parse("2023-01..2024-06")) == (
            "the same months 2 years earlier")

    def test_rule_text_for_a_month_range(self):
        period = Period.parse("2019-01..2019-02")
        assert comparison_rule_text(period) == "the same months a year earlier"
        assert comparison_rule_text(period, "preceding") == "the 2 months just before"

    def test_unknown_rule_is_refused(self):
        with pytest.raises(ConfigError):
            comparison_period(Period.parse("2022"), "last_week")


class TestComparedMonths:
    FY = Period.parse("2018-19")  # Apr 2018 – Mar 2019
    # The real Essex months around it: Jan-Jul 2018, Oct 2018 - Feb 2019.
    HELD = [d(2018, m) for m in (1, 2, 3, 4, 5, 6, 7, 10, 11, 12)] + [d(2019, 1), d(2019, 2)]

    def test_complete_when_both_periods_hold_every_month(self):
        current = Period.parse("2019-01..2019-02")
        compared = compared_months(current, comparison_period(current), self.HELD)
        assert compared.basis == COMPLETE
        assert compared.heading("current") == "Jan 2019 to Feb 2019"
        assert compared.counted_months("previous") == [d(2018, 1), d(2018, 2)]

    def test_like_for_like_pairs_only_the_months_held_in_both(self):
        compared = compared_months(self.FY, comparison_period(self.FY), self.HELD)
        # 9 of 12 held now, 3 of 12 (Jan-Mar 2018) before; Mar 2019 is missing, so only
        # Jan and Feb are held in both.
        assert compared.basis == LIKE_FOR_LIKE
        assert compared.counted_months("current") == [d(2019, 1), d(2019, 2)]
        assert compared.counted_months("previous") == [d(2018, 1), d(2018, 2)]
        assert compared.heading("current") == "2018/19 (Jan–Feb 2019 only)"
        assert compared.note().startswith("Like for like on the 2 of 12 months held in both "
                                          "periods: Jan–Feb 2019 against Jan–Feb 2018.")
        assert compared.completeness() == [
            "2018/19: 9 of 12 months held (missing: Aug–Sep 2018, Mar 2019).",
            "2017/18: 3 of 12 months held (missing: Apr–Dec 2017).",
        ]

    def test_a_period_with_no_month_is_not_compared(self):
        current = Period.parse("2018")
        compared = compared_months(current, comparison_period(current), self.HELD)
        assert compared.basis == NOT_COMPARED and not compared.comparable
        assert compared.holds_none("previous")
        assert compared.counted_months("current") == self.HELD[:10]
        assert compared.heading("previous") == "2017 (no data)"
        assert compared.heading("current") == "2018 (10 of 12 months)"
        assert compared.note().startswith("Not compared: 2017 holds no month of data")

    def test_a_complete_period_keeps_its_label_when_the_other_holds_nothing(self):
        current = Period.parse("2019-01..2019-02")
        compared = compared_months(current, comparison_period(current), current.months)
        assert compared.heading("current") == "Jan 2019 to Feb 2019"
        assert compared.heading("previous") == "Jan 2018 to Feb 2018 (no data)"

    def test_record_for_the_manifest(self):
        record = compared_months(self.FY, comparison_period(self.FY), self.HELD).as_record(
            "year_earlier")
        assert record["basis"] == LIKE_FOR_LIKE
        assert record["months_compared"] == ["2019-01-01", "2019-02-01"]
        assert record["previous"]["months_held"] == ["2018-01-01", "2018-02-01", "2018-03-01"]

    def test_periods_of_different_length_are_refused(self):
        with pytest.raises(ConfigError):
            compared_months(Period.parse("2022"), Period.parse("2021-01..2021-02"), self.HELD)


class TestTrendWindow:
    def test_three_financial_years_oldest_first(self):
        window = Period.financial_year(2024).trend_window()
        assert [p.label for p in window] == ["2022/23", "2023/24", "2024/25"]

    def test_longer_window(self):
        assert len(Period.calendar_year(2024).trend_window(5)) == 5

    def test_custom_steps_by_year(self):
        window = Period.custom(d(2024, 4), d(2024, 9)).trend_window(3)
        assert [p.start for p in window] == [d(2022, 4), d(2023, 4), d(2024, 4)]

    def test_a_period_over_12_months_is_its_own_window(self):
        # Year-earlier copies of an 18-month period would overlap it.
        long = Period.custom(d(2023, 1), d(2024, 6))
        assert long.trend_window() == [long]

    def test_refuses_zero_years(self):
        with pytest.raises(ConfigError):
            Period.financial_year(2024).trend_window(0)


class TestCoverage:
    def test_complete(self):
        fy = Period.financial_year(2024)
        cov = fy.coverage(fy.months)
        assert cov.complete and cov.missing == []

    def test_missing_months_listed_in_order(self):
        fy = Period.financial_year(2024)
        available = [m for m in fy.months if m not in (d(2024, 7), d(2025, 1))]
        cov = fy.coverage(available)
        assert not cov.complete
        assert cov.missing == [d(2024, 7), d(2025, 1)]
        assert "2 of 12 months missing (Jul 2024, Jan 2025)" in cov.describe()

    def test_accepts_timestamps_and_strings(self):
        fy = Period.financial_year(2024)
        available = [pd.Timestamp(m) for m in fy.months[:6]] + [m.isoformat()[:7]
                                                                for m in fy.months[6:]]
        assert fy.coverage(available).complete


class TestMonthHelpers:
    @pytest.mark.parametrize(
        "value",
        [dt.date(2024, 4, 17), dt.datetime(2024, 4, 17, 13, 5), pd.Timestamp("2024-04-17"),
         np.datetime64("2024-04-17"), "2024-04", "2024-04-17"],
    )
    def test_to_month(self, value):
        assert to_month(value) == d(2024, 4)

    @pytest.mark.parametrize("value", ["not a date", 202404, None, pd.NaT])
    def test_to_month_rejects(self, value):
        with pytest.raises(InputError):
            to_month(value)

    def test_add_months_across_years(self):
        assert add_months(d(2024, 11), 3) == d(2025, 2)
        assert add_months(d(2024, 1), -1) == d(2023, 12)

    @given(st.integers(1990, 2100), st.integers(1, 12), st.integers(0, 600))
    def test_add_months_round_trip(self, year, month, n):
        start = d(year, month)
        moved = add_months(start, n)
        assert moved.day == 1
        assert add_months(moved, -n) == start
        assert months_between(start, moved) == n + 1

    @given(st.integers(1990, 2100), st.integers(1, 12), st.integers(1, 36))
    def test_previous_is_adjacent_and_same_length(self, year, month, length):
        p = Period.custom(d(year, month), add_months(d(year, month), length - 1))
        prev = p.previous()
        assert len(prev) == len(p)
        assert add_months(prev.end, 1) == p.start


def test_index_and_key_findings_open_with_both_periods_completeness():
    from analysis.publish.index_page import completeness_html

    current = Period.parse("2022")
    block = completeness_html(compared_months(current, comparison_period(current),
                                              [d(2022, m) for m in range(1, 12)]))
    assert "2022: 11 of 12 months held (missing: Dec 2022)." in block
    assert "2021: 0 of 12 months held (missing: Jan–Dec 2021)." in block
    assert "Not compared: 2021 holds no month of data" in block
    assert "No data.police.uk months" in completeness_html(None)
