"""Tests for analysis.trends: XmR limits and the four Making Data Count rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.errors import ConfigError, InputError
from analysis.trends import RULE_COLUMNS, plot_xmr, xmr

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


class TestErrors:
    def test_missing_values(self):
        with pytest.raises(InputError):
            xmr([1, 2, float("nan"), 4])

    def test_unknown_break(self):
        with pytest.raises(ConfigError):
            xmr(BASE, breaks=[99])

    def test_too_short_phase(self):
        with pytest.raises(InputError):
            xmr(BASE, breaks=[4])

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
