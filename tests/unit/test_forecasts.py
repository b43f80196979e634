"""Tests for analysis.stats.forecasts: the seasonal naive benchmark and MASE by hand, the
back-test, the prediction intervals, the emerging rule and the five-year table."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.core.periods import add_months
from analysis.core.vocabulary import ALL_CRIME, ASB
from analysis.stats import forecasts as fc

END = date(2025, 3, 1)


def monthly(values, end: date = END) -> pd.Series:
    """``values`` on consecutive months ending at ``end``."""
    n = len(values)
    return pd.Series(np.asarray(values, dtype="float64"),
                     index=[add_months(end, i - n + 1) for i in range(n)])


def seasonal_counts(n: int = 48, level: float = 100.0, seed: int = 7) -> np.ndarray:
    """Poisson counts around ``level`` with a 10 % summer peak (seeded: the same every run)."""
    rng = np.random.default_rng(seed)
    months = np.arange(n)
    mean = level * (1 + 0.1 * np.sin(2 * np.pi * months / 12))
    return rng.poisson(mean).astype("float64")


class TestSeasonalNaive:
    def test_repeats_the_last_season(self):
        history = list(range(1, 25))  # 1 .. 24
        assert fc.seasonal_naive(history, 14).tolist() == [*range(13, 25), 13, 14]

    def test_needs_a_season(self):
        with pytest.raises(ConfigError, match="whole season"):
            fc.seasonal_naive([1, 2, 3], 3, season=4)

    def test_in_sample_mae_by_hand(self):
        # y_t - y_(t-4): 3, 1, 1, 2, 0, 1, 0, -2 -> |.| sums to 10 over 8 -> 1.25
        history = [1, 2, 3, 4, 4, 3, 4, 6, 4, 4, 4, 4]
        assert fc.seasonal_naive_mae(history, season=4) == pytest.approx(1.25)

    def test_mase_by_hand(self):
        history = [1, 2, 3, 4, 4, 3, 4, 6, 4, 4, 4, 4]
        # errors 2, 1, 0, 3 -> MAE 1.5 ; scale 1.25 -> 1.2
        assert fc.mase([5, 5, 5, 5], [7, 4, 5, 8], history, season=4) == pytest.approx(1.2)
        # the seasonal naive forecast (4, 4, 4, 4) is 1 off each month: 1 / 1.25
        naive = fc.seasonal_naive(history, 4, season=4)
        assert fc.mase([5, 5, 5, 5], naive, history, season=4) == pytest.approx(0.8)

    def test_mase_undefined_when_history_repeats_exactly(self):
        assert np.isnan(fc.mase([2, 2], [1, 1], [1, 2, 1, 2], season=2))


class TestBacktest:
    def test_trend_and_season_by_hand(self):
        # y = 100 + t + 10 * season: every same-month difference is 12, so the in-sample
        # seasonal naive MAE is 12 and the naive forecast of the last 12 months is 12 low
        # each month: naive MAE 12, naive MASE exactly 1.
        t = np.arange(48)
        values = 100 + t + 10 * np.sin(2 * np.pi * t / 12)
        result = fc.backtest(monthly(values))
        assert result.months == 12
        assert result.scale == pytest.approx(12.0)
        assert result.naive_mae == pytest.approx(12.0)
        assert result.naive_mase == pytest.approx(1.0)
        assert result.model_mase == pytest.approx(result.model_mae / 12.0)
        assert result.model_mase < 0.5  # the model learns the trend the naive forecast misses
        assert 0 <= result.inside_80 <= result.inside_95 <= 12

    def test_no_warnings_escape(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fc.backtest(monthly(seasonal_counts(36, level=12)))


class TestIntervals:
    def test_nested_widening_and_not_negative(self):
        table = fc.forecast_frame(monthly(seasonal_counts()))
        assert table["month"].tolist() == [add_months(END, i) for i in range(1, 13)]
        assert (table["lower_95"] <= table["lower_80"]).all()
        assert (table["lower_80"] <= table["forecast"]).all()
        assert (table["forecast"] <= table["upper_80"]).all()
        assert (table["upper_80"] <= table["upper_95"]).all()
        width = table["upper_95"] - table["lower_95"]
        assert (width.diff().dropna() >= -1e-9).all()  # wider the further ahead
        assert (table.drop(columns="month") >= 0).all().all()

    def test_small_counts_clipped_at_zero(self):
        values = np.resize([0.0, 1, 0, 2, 0, 0, 1, 0, 3, 0, 0, 1], 36)
        table = fc.forecast_frame(monthly(values))
        assert (table["lower_95"] >= 0).all()


class TestRun:
    def test_stops_at_a_gap_and_a_break(self):
        values = monthly([1, 2, np.nan, 4, 5, 6])
        assert fc.held_run(values, END).tolist() == [4, 5, 6]
        assert fc.held_run(values, END, breaks=[date(2025, 2, 1)]).tolist() == [5, 6]
        assert fc.held_run(values, END, breaks=[date(2025, 6, 1)]).tolist() == [4, 5, 6]

    def test_end_not_held_is_empty(self):
        values = monthly([1, 2, np.nan])
        assert fc.held_run(values, END).empty

    def test_months_after_the_end_are_not_read(self):
        values = monthly([1, 2, 3, 4])  # Dec 2024 to Mar 2025
        assert fc.held_run(values, date(2025, 1, 1)).tolist() == [1, 2]

    def test_eligibility(self):
        assert "only 35 consecutive months" in fc.eligibility(monthly(np.full(35, 50.0)))
        assert "under 10 a month" in fc.eligibility(monthly(np.full(36, 9.0)))
        assert fc.eligibility(monthly(np.full(36, 10.0))) == ""


class TestEmerging:
    def test_flags_a_planted_rise(self):
        values = seasonal_counts()
        values[-3:] *= 1.6
        result = fc.forecast_series("Shoplifting", monthly(values), END)
        assert result.emerging is not None
        assert result.emerging.above >= 2
        assert result.flagged

    def test_stable_series_not_flagged(self):
        result = fc.forecast_series("Burglary", monthly(seasonal_counts()), END)
        assert result.forecast is not None
        assert result.emerging is not None and result.emerging.above < 2
        assert not result.flagged

    def test_rule_counts_months_above_the_upper_95(self):
        item = fc.Emerging(months=(date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)),
                           actual=(10.0, 12.0, 15.0), upper=(11.0, 11.0, 15.0))
        assert item.above == 1  # 15 equals the bound: not above it
        assert not item.flagged
        assert fc.Emerging(item.months, (12.0, 12.0, 9.0), item.upper).flagged

    def test_series_with_a_gap_is_not_forecast(self):
        values = seasonal_counts()
        values[-3:] *= 1.6
        values[-5] = np.nan  # a month not published inside the window
        result = fc.forecast_series("Shoplifting", monthly(values), END)
        assert result.forecast is None and result.emerging is None
        assert not result.flagged
        assert "only 4 consecutive months" in result.reason
        summary = fc.forecast_summary([result])
        assert summary.loc[0, "Not forecast because"] == result.reason


def long_counts(months: list[date]) -> pd.DataFrame:
    rows = [(m, "Burglary", 10) for m in months] + [(m, "Shoplifting", 5) for m in months] \
        + [(m, ASB, 7) for m in months]
    return pd.DataFrame(rows, columns=["month", "crime_type", "count"])


class TestMonthlySeries:
    def test_gaps_stay_missing_and_asb_is_apart(self):
        months = [add_months(date(2024, 10, 1), i) for i in range(8)]  # Oct 2024 .. May 2025
        held = [m for m in months if m != date(2025, 1, 1)]
        wide = fc.monthly_series(long_counts(held), END, held)
        assert list(wide.index) == months[:6]  # nothing after March 2025
        assert list(wide.columns) == [ALL_CRIME, ASB, "Burglary", "Shoplifting"]
        assert wide.loc[date(2024, 12, 1), ALL_CRIME] == 15  # ASB never added to crime
        assert wide.loc[date(2024, 12, 1), ASB] == 7
        assert wide.loc[date(2025, 1, 1)].isna().all()  # not held: missing, not 0


class TestFiveYears:
    def test_annual_totals_with_missing_months_stated(self):
        months = [add_months(date(2020, 4, 1), i) for i in range(60)]  # 2020/21 .. 2024/25
        held = [m for m in months if m != date(2021, 6, 1)]
        wide = fc.monthly_series(long_counts(held), END, held)
        assert fc.long_trend_gap(wide, END) == ""
        table = fc.five_year_table(wide, END).set_index("Series")
        assert list(table.columns) == ["2020/21", "2021/22 (11 of 12 months)", "2022/23",
                                       "2023/24", "2024/25"]
        assert table.loc[ALL_CRIME].tolist() == [180, 165, 180, 180, 180]
        assert table.loc[ASB].tolist() == [84, 77, 84, 84, 84]
        assert table.loc["Burglary", "2021/22 (11 of 12 months)"] == 110

    def test_four_years_is_not_enough(self):
        months = [add_months(date(2021, 4, 1), i) for i in range(48)]
        wide = fc.monthly_series(long_counts(months), END, months)
        gap = fc.long_trend_gap(wide, END)
        assert gap.startswith("A five-year view needs data.police.uk months in each of the 5 "
                               "years to Mar 2025 (2020/21 to 2024/25)")
        assert "48 months (from Apr 2021)" in gap
        table = fc.five_year_table(wide, END)
        assert table["2020/21 (0 of 12 months)"].isna().all()

    def test_calendar_years(self):
        labels = [p.label for p in fc.year_periods(date(2022, 12, 1))]
        assert labels == ["2018", "2019", "2020", "2021", "2022"]
