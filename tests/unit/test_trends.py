"""Tests for analysis.stats.trends: XmR limits and the four Making Data Count rules."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.core.config import TrendBreak, breaks_for
from analysis.core.errors import ConfigError
from analysis.present.charts import plot_xmr
from analysis.stats.trends import RULE_COLUMNS, describe_chart, trend_xmr, with_gaps, xmr

BASE = [10, 12, 11, 13, 12]
# mean 11.6 ; moving ranges 2, 1, 2, 1 -> mean MR 1.5 ; 2.66 * 1.5 = 3.99
# limits 15.59 and 7.61 ; near limits 11.6 ± (2/3) * 3.99 = 11.6 ± 2.66 -> 14.26 and 8.94


def flagged(chart: pd.DataFrame, rule: str) -> list[int]:
    return [i for i, flag in enumerate(chart[rule]) if flag]


class TestLimits:
    def test_published_example(self):
        chart = xmr(BASE)
        assert chart["mean"].iloc[0] == pytest.approx(11.6)
        assert chart["upper"].iloc[0] == pytest.approx(15.59)
        assert chart["lower"].iloc[0] == pytest.approx(7.61)
        assert chart["near_upper"].iloc[0] == pytest.approx(14.26)
        assert math.isnan(chart["moving_range"].iloc[0])
        assert chart["moving_range"].iloc[1:].tolist() == [2, 1, 2, 1]
        assert not chart["signal"].any()

    def test_columns(self):
        chart = xmr(BASE)
        for column in ("value", "mean", "upper", "lower", "moving_range", "signal",
                       *RULE_COLUMNS):
            assert column in chart.columns

    def test_keeps_index(self):
        months = pd.date_range("2024-04-01", periods=5, freq="MS")
        chart = xmr(pd.Series(BASE, index=months))
        assert chart.index.equals(months)

    def test_baseline_fixes_limits(self):
        chart = xmr([*BASE, 30, 40], baseline=5)
        assert chart["mean"].tolist() == pytest.approx([11.6] * 7)
        assert chart["upper"].iloc[-1] == pytest.approx(15.59)

    def test_break_recalculates(self):
        values = pd.Series(BASE + [v + 10 for v in BASE], index=range(10))
        chart = xmr(values, breaks=[5])
        assert chart["phase"].tolist() == [0] * 5 + [1] * 5
        # second phase: mean 21.6, same moving ranges -> 25.59 and 17.61
        assert chart["mean"].iloc[5] == pytest.approx(21.6)
        assert chart["upper"].iloc[5] == pytest.approx(25.59)
        assert math.isnan(chart["moving_range"].iloc[5])  # no range across a break
        assert not chart["rule_beyond_limits"].any()

    def test_break_by_month_label(self):
        months = pd.date_range("2024-01-01", periods=10, freq="MS")
        values = pd.Series(BASE + [v + 10 for v in BASE], index=months)
        chart = xmr(values, breaks=[months[5]])
        assert chart["phase"].iloc[4] == 0 and chart["phase"].iloc[5] == 1


class TestRules:
    def test_beyond_limits(self):
        # 16 > 15.59 is a signal; 15 < 15.59 is not; 7 < 7.61 is a signal
        chart = xmr([*BASE, 15, 16, 7], baseline=5)
        assert flagged(chart, "rule_beyond_limits") == [6, 7]

    def test_run_of_seven_above_mean(self):
        # after the baseline, seven points above 11.6 but below the near limit 14.26;
        # 13 and 12 at positions 3, 4 are also above the mean, so the run is 3..11
        values = [*BASE, 12, 12.5, 12, 12.5, 12, 12.5, 12]
        chart = xmr(values, baseline=5)
        assert flagged(chart, "rule_run_of_7") == list(range(3, 12))
        assert not chart["rule_trend_of_7"].any()
        assert not chart["rule_two_of_three"].any()

    def test_six_on_one_side_is_not_a_run(self):
        values = [*BASE[:3], 12, 12, 12, 12, 12, 12, 11]  # positions 3..8: six above 11.6
        chart = xmr(values, baseline=5)
        assert chart["mean"].iloc[0] == pytest.approx(11.4)  # (10+12+11+12+12)/5
        assert not chart["rule_run_of_7"].any()

    def test_point_on_mean_breaks_run(self):
        values = [*BASE, 12, 12, 12, 11.6, 12, 12, 12]
        chart = xmr(values, baseline=5)
        assert not chart["rule_run_of_7"].any()

    def test_trend_of_seven(self):
        chart = xmr([1, 2, 3, 4, 5, 6, 7])
        assert chart["rule_trend_of_7"].all()
        chart = xmr([7, 6, 5, 4, 3, 2, 1])
        assert chart["rule_trend_of_7"].all()

    def test_six_rising_is_not_a_trend(self):
        chart = xmr([1, 2, 3, 4, 5, 6, 5])
        assert not chart["rule_trend_of_7"].any()

    def test_tie_breaks_trend(self):
        chart = xmr([1, 2, 3, 3, 4, 5, 6, 7])
        assert not chart["rule_trend_of_7"].any()

    def test_two_of_three_near_upper(self):
        # near upper 14.26, upper 15.59: 15 at positions 6 and 8 are 2 of 3 beyond it
        chart = xmr([*BASE, 11, 15, 11, 15], baseline=5)
        assert flagged(chart, "rule_two_of_three") == [6, 8]
        assert not chart["rule_beyond_limits"].any()
        assert chart["signal"].tolist() == [False] * 6 + [True, False, True]

    def test_one_of_three_is_not_enough(self):
        chart = xmr([*BASE, 11, 15, 11, 11], baseline=5)
        assert not chart["rule_two_of_three"].any()

    def test_two_of_three_must_be_same_side(self):
        # 15 > 14.26 and 8 < 8.94, opposite sides
        chart = xmr([*BASE, 15, 8, 11], baseline=5)
        assert not chart["rule_two_of_three"].any()

    def test_signal_is_any_rule(self):
        rng = np.random.default_rng(5)
        chart = xmr(rng.poisson(20, 40))
        assert (chart["signal"] == chart[list(RULE_COLUMNS)].any(axis=1)).all()


def _months(first: str, values: list[float]) -> pd.Series:
    return pd.Series(values, index=[d.date() for d in pd.date_range(first, periods=len(values),
                                                                     freq="MS")])


class TestGaps:
    # Jan-Mar 2022 then Jan-Feb 2023, nine months missing between (as police.uk can be).
    # Values 10, 12, 11 | 30, 32: mean 95 / 5 = 19. Moving ranges of consecutive months only:
    # 2, 1 and 2 (not 30 - 11 = 19 across the gap): mean 5 / 3, half width 2.66 * 5 / 3.
    HELD = pd.concat([_months("2022-01-01", [10, 12, 11]), _months("2023-01-01", [30, 32])])

    def test_with_gaps_puts_the_missing_months_back(self):
        filled = with_gaps(self.HELD)
        assert len(filled) == 14 and filled.index[3] == date(2022, 4, 1)
        assert filled.isna().sum() == 9

    def test_limits_rest_on_consecutive_months_only(self):
        chart = xmr(with_gaps(self.HELD))
        assert chart["mean"].iloc[0] == pytest.approx(19.0)
        assert chart["upper"].iloc[0] == pytest.approx(19 + 2.66 * 5 / 3)
        assert chart["lower"].iloc[0] == pytest.approx(19 - 2.66 * 5 / 3)
        ranges = chart["moving_range"]
        assert ranges.loc[date(2022, 2, 1)] == 2 and ranges.loc[date(2022, 3, 1)] == 1
        assert math.isnan(ranges.loc[date(2023, 1, 1)])  # no range across the gap
        assert ranges.loc[date(2023, 2, 1)] == 2
        assert not chart.loc[chart["value"].isna(), "signal"].any()

    def test_the_bare_series_would_join_the_gap(self):
        # Dropping the gap (the old way) takes |30 - 11| = 19 as a moving range: (2+1+19+2)/4.
        chart = xmr(self.HELD.reset_index(drop=True))
        assert chart["upper"].iloc[0] == pytest.approx(19 + 2.66 * 6)

    def test_a_gap_ends_a_run(self):
        # BASE (mean 11.6), then 4 and 3 points above the mean either side of a gap: the
        # stretches above are positions 3..8 (6) and 10..12 (3), never 7 in a row.
        values = [*BASE, 12, 12.5, 12, 12.5, np.nan, 12, 12.5, 12]
        assert not xmr(values, baseline=5)["rule_run_of_7"].any()
        joined = [*BASE, 12, 12.5, 12, 12.5, 12, 12.5, 12]
        assert xmr(joined, baseline=5)["rule_run_of_7"].any()

    def test_plot_breaks_the_line_at_a_gap(self):
        chart = xmr(with_gaps(self.HELD))
        value_line = plot_xmr(chart).axes[0].lines[0]
        assert np.isnan(np.asarray(value_line.get_ydata(), dtype=float)).sum() == 9

    def test_describe_names_the_gap(self):
        assert describe_chart(xmr(with_gaps(self.HELD))).startswith("9 point(s) on the time axis")
        assert describe_chart(xmr(BASE)) == ""

    def test_quarters(self):
        quarters = pd.Series([5.0, 6.0, 7.0], index=[date(2022, 1, 1), date(2022, 4, 1),
                                                     date(2022, 10, 1)])
        filled = with_gaps(quarters, step_months=3)
        assert filled.index.tolist() == [date(2022, m, 1) for m in (1, 4, 7, 10)]
        assert math.isnan(filled.iloc[2])


class TestPhases:
    # Jan-May 2022: 10, 12, 11, 13, 12 (mean 11.6, mean MR 1.5: limits 7.61 to 15.59);
    # a recording change from Jun 2022: 20, 22, 21, 23, 22 (mean 21.6: 17.61 to 25.59).
    SERIES = _months("2022-01-01", [*BASE, *(v + 10 for v in BASE)])
    CHANGE = TrendBreak(month="2022-06", reason="ASB recording change", applies_to="asb")

    def test_each_phase_has_its_own_mean_and_limits(self):
        chart = trend_xmr(self.SERIES, [self.CHANGE])
        assert chart["phase"].tolist() == [0] * 5 + [1] * 5
        assert chart["mean"].iloc[0] == pytest.approx(11.6)
        assert (chart["lower"].iloc[0], chart["upper"].iloc[0]) == pytest.approx((7.61, 15.59))
        assert chart["mean"].iloc[5] == pytest.approx(21.6)
        assert (chart["lower"].iloc[5], chart["upper"].iloc[5]) == pytest.approx((17.61, 25.59))
        assert math.isnan(chart["moving_range"].iloc[5])  # the 8 across the break is not used
        assert not chart["signal"].any()

    def test_without_the_break_the_change_is_a_signal(self):
        # One phase: mean 16.6, moving ranges 2,1,2,1,8,2,1,2,1 (mean 20 / 9): upper 22.51.
        chart = trend_xmr(self.SERIES)
        assert chart["upper"].iloc[0] == pytest.approx(16.6 + 2.66 * 20 / 9)
        assert chart["signal"].any()

    def test_a_break_in_a_gap_starts_the_phase_at_the_next_point(self):
        held = self.SERIES.drop([date(2022, 6, 1)])  # June missing: the phase starts there
        chart = trend_xmr(held, [self.CHANGE])
        assert chart.loc[date(2022, 6, 1), "phase"] == 1
        assert chart.loc[date(2022, 7, 1), "mean"] == pytest.approx(88 / 4)  # 22+21+23+22
        on_sparse_index = xmr(held, breaks=[date(2022, 6, 1)])  # label not in the index
        assert on_sparse_index.loc[date(2022, 7, 1), "phase"] == 1

    def test_breaks_outside_the_chart_change_nothing(self):
        before = TrendBreak(month="2019-04", reason="earlier change")
        assert trend_xmr(self.SERIES, [before])["phase"].eq(0).all()
        assert xmr(BASE, breaks=[99])["phase"].eq(0).all()

    def test_describe_names_the_break_and_its_reason(self):
        note = describe_chart(trend_xmr(self.SERIES, [self.CHANGE]), [self.CHANGE])
        assert "A new phase starts in Jun 2022 (ASB recording change)" in note

    def test_breaks_for_picks_the_series(self):
        crime = TrendBreak(month="2020-01", reason="new crime system", applies_to="crime")
        both = TrendBreak(month="2019-01", reason="both")
        assert breaks_for([self.CHANGE, crime, both], "asb") == [both, self.CHANGE]
        with pytest.raises(ValueError):
            TrendBreak(month="2022-4", reason="x")

    def test_plot_marks_the_phase_break(self):
        chart = trend_xmr(self.SERIES, [self.CHANGE])
        labels = [line.get_label() for line in plot_xmr(chart).axes[0].lines]
        assert "Phase break" in labels


class TestErrors:
    def test_missing_values_are_gaps_not_errors(self):
        chart = xmr([1, 2, float("nan"), 4])
        assert math.isnan(chart["moving_range"].iloc[3])
        assert chart["upper"].iloc[0] == pytest.approx(7 / 3 + 2.66)

    def test_unsortable_unknown_break(self):
        with pytest.raises(ConfigError):
            xmr(pd.Series(BASE, index=[3, 1, 2, 5, 4]), breaks=[99])

    def test_a_phase_too_short_for_limits_has_none(self):
        chart = xmr(BASE, breaks=[4])
        assert chart["phase"].tolist() == [0, 0, 0, 0, 1]
        assert math.isnan(chart["upper"].iloc[4]) and not chart["signal"].iloc[4]
        assert chart["mean"].iloc[4] == 12

    def test_bad_baseline(self):
        with pytest.raises(ConfigError):
            xmr(BASE, baseline=1)


def test_plot_returns_figure():
    months = pd.date_range("2024-04-01", periods=8, freq="MS")
    chart = xmr(pd.Series([*BASE, 15, 16, 7], index=months), baseline=5)
    figure = plot_xmr(chart, title="Violence with injury", ylabel="Offences")
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert axes.get_title() == "Violence with injury"
    # one value line + mean + two limit lines (one phase) + two legend proxies
    assert len(axes.lines) == 6
    # special causes: 16 and 7 beyond the limits; 15 and 16 are 2 of 3 beyond 14.26
    assert len(axes.collections[0].get_offsets()) == 3
