"""Tests for analysis.stats.measures: change tables, % change, Poisson tests, Byar rates."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import Period
from analysis.stats.measures import (
    add_rates,
    byar_interval,
    change_table,
    percent_change,
    poisson_change_test,
    rate_per_1000,
    significance_label,
)

FY17 = Period.financial_year(2017)
FY18 = Period.financial_year(2018)

# Seed 003, table 3.1 (Thurrock, 2017/18 -> 2018/19).
SEED = {
    "Violence with injury": (1297, 1476),
    "Burglary (all types)": (1238, 1134),
    "Robbery": (205, 244),
}


def seed_counts(timestamps: bool = False) -> pd.DataFrame:
    """Long monthly table: each period's count split over its first two months."""
    rows = []
    for group, (previous, current) in SEED.items():
        for period, total in ((FY17, previous), (FY18, current)):
            first, second = period.months[0], period.months[1]
            rows.append({"month": first, "group": group, "count": total // 2})
            rows.append({"month": second, "group": group, "count": total - total // 2})
    table = pd.DataFrame(rows)
    if timestamps:
        table["month"] = pd.to_datetime(table["month"])
    return table


class TestPercentChange:
    @pytest.mark.parametrize(
        ("current", "previous", "expected"),
        [
            (1476, 1297, 13.8),  # 179 / 1297 = 0.13801 -> 13.8
            (1134, 1238, -8.4),  # -104 / 1238 = -0.084006 -> -8.4
            (244, 205, 19.0),  # 39 / 205 = 0.190244 -> 19.0
            (5696, 3940, 44.6),  # 1756 / 3940 = 0.445685 -> 44.6 (seed VAP row)
            (17, 16, 6.3),  # 1 / 16 = 6.25 % exactly -> half away from zero -> 6.3
            (15, 16, -6.3),  # -6.25 % -> -6.3
            (7, 7, 0.0),
        ],
    )
    def test_values(self, current, previous, expected):
        assert percent_change(current, previous) == expected

    def test_zero_base_is_nan(self):
        assert math.isnan(percent_change(5, 0))

    def test_rejects_negative(self):
        with pytest.raises(InputError):
            percent_change(-1, 5)


class TestPoissonChangeTest:
    def test_all_in_one_period_small(self):
        # 0 vs 5: P(X=0 | n=5, p=.5) = 1/32; two-sided = 2/32 = 0.0625
        assert poisson_change_test(0, 5) == pytest.approx(0.0625)
        # 0 vs 6: 2 / 64 = 0.03125
        assert poisson_change_test(0, 6) == pytest.approx(0.03125)
        assert poisson_change_test(6, 0) == pytest.approx(0.03125)

    def test_equal_counts(self):
        # X=5 is the most likely outcome of Bin(10, .5), so every outcome is as extreme: p = 1
        assert poisson_change_test(5, 5) == pytest.approx(1.0)

    def test_both_zero(self):
        assert poisson_change_test(0, 0) == 1.0

    def test_exposure_ratio(self):
        # current exposure twice previous: X ~ Bin(3, 2/3) under no change; observed X = 3.
        # P(0)=1/27, P(1)=6/27, P(2)=12/27, P(3)=8/27; outcomes with P <= 8/27: 0, 1, 3 -> 15/27
        assert poisson_change_test(3, 0, exposure_ratio=2.0) == pytest.approx(15 / 27)

    @pytest.mark.parametrize(
        ("current", "previous", "low", "high"),
        [
            # Normal approx with continuity correction, n = c + p, sd = sqrt(n)/2:
            # VWI: n=2773, sd=26.33, z=(89.5-0.5)/26.33=3.38 -> p~0.0007
            (1476, 1297, 0.0003, 0.0015),
            # Burglary: n=2372, sd=24.35, z=(52-0.5)/24.35=2.115 -> p~0.034
            (1134, 1238, 0.025, 0.045),
            # Robbery: n=449, sd=10.595, z=(19.5-0.5)/10.595=1.79 -> p~0.073
            (244, 205, 0.06, 0.09),
        ],
    )
    def test_seed_rows_match_normal_approximation(self, current, previous, low, high):
        assert low < poisson_change_test(current, previous) < high

    def test_rejects_bad_input(self):
        with pytest.raises(InputError):
            poisson_change_test(1.5, 2)
        with pytest.raises(InputError):
            poisson_change_test(1, 2, exposure_ratio=0)


class TestSignificanceLabel:
    def test_labels(self):
        assert significance_label(0.01, 5) == "significant increase"
        assert significance_label(0.01, -5) == "significant decrease"
        assert significance_label(0.2, 5) == "no significant change"
        assert significance_label(0.05, 5) == "no significant change"  # p must be < alpha
        assert significance_label(float("nan"), 5) == "not assessed"


class TestChangeTable:
    def test_seed_table(self):
        table = change_table(seed_counts(), FY18, FY17, "group")
        assert list(table.columns) == [
            "group", "current", "previous", "diff", "pct_diff", "pct_reliable", "p_value",
            "significance", "complete", "basis",
        ]
        rows = table.set_index("group")
        assert rows.loc["Violence with injury", ["current", "previous", "diff"]].tolist() == [
            1476, 1297, 179]
        assert rows.loc["Violence with injury", "pct_diff"] == 13.8
        assert rows.loc["Burglary (all types)", "diff"] == -104
        assert rows.loc["Burglary (all types)", "pct_diff"] == -8.4
        assert rows.loc["Robbery", "diff"] == 39
        assert rows.loc["Robbery", "pct_diff"] == 19.0
        assert rows.loc["Violence with injury", "significance"] == "significant increase"
        assert rows.loc["Burglary (all types)", "significance"] == "significant decrease"
        assert rows.loc["Robbery", "significance"] == "no significant change"

    def test_total_row_and_order(self):
        table = change_table(seed_counts(), FY18, FY17, "group")
        assert table["group"].tolist() == [*SEED, "All crime"]
        total = table.iloc[-1]
        # 1476 + 1134 + 244 = 2854 ; 1297 + 1238 + 205 = 2740 ; diff 114 ; 114/2740 = 4.16 %
        assert (total["current"], total["previous"], total["diff"]) == (2854, 2740, 114)
        assert total["pct_diff"] == 4.2

    def test_no_total_row(self):
        table = change_table(seed_counts(), FY18, FY17, "group", total_label=None)
        assert "All crime" not in table["group"].tolist()

    def test_timestamps_accepted(self):
        a = change_table(seed_counts(), FY18, FY17, "group")
        b = change_table(seed_counts(timestamps=True), FY18, FY17, "group")
        pd.testing.assert_frame_equal(a, b)

    def test_counts_are_exact_integers(self):
        table = change_table(seed_counts(), FY18, FY17, "group")
        for column in ("current", "previous", "diff"):
            assert str(table[column].dtype) == "Int64"

    def test_group_absent_in_complete_period_counts_zero(self):
        counts = pd.concat([seed_counts(), pd.DataFrame(
            [{"month": FY18.months[3], "group": "New thing", "count": 4}])])
        table = change_table(counts, FY18, FY17, "group", available_months=FY17.months
                             + FY18.months)
        row = table.set_index("group").loc["New thing"]
        assert (row["current"], row["previous"], row["diff"]) == (4, 0, 4)
        assert math.isnan(row["pct_diff"])
        assert not row["pct_reliable"]
        assert bool(row["complete"]) is True

    def test_incomplete_period_compared_like_for_like(self):
        # Seed counts sit in April and May of each year; "New thing" 4 in July 2018.
        # March 2018 missing: March 2019 is left out too, the other 11 pairs are compared.
        counts = pd.concat([seed_counts(), pd.DataFrame(
            [{"month": FY18.months[3], "group": "New thing", "count": 4},
             {"month": FY18.months[11], "group": "Robbery", "count": 1000}])])  # Mar 2019
        available = FY17.months[:-1] + FY18.months  # March 2018 missing
        table = change_table(counts, FY18, FY17, "group", available_months=available)
        assert not table["complete"].any()
        assert (table["basis"] == "like for like").all()
        rows = table.set_index("group")
        # Held in both, so the absent previous count is a real 0.
        assert (rows.loc["New thing", "current"], rows.loc["New thing", "previous"]) == (4, 0)
        # Robbery's 1,000 in March 2019 is not counted: March 2018 is not held.
        assert (rows.loc["Robbery", "previous"], rows.loc["Robbery", "current"]) == (205, 244)
        assert rows.loc["Robbery", "significance"] == "no significant change"
        # All crime over the 11 shared months: 1476 + 1134 + 244 + 4 against 2740.
        assert (rows.loc["All crime", "current"], rows.loc["All crime", "previous"]) == (
            2858, 2740)
        assert table.attrs["missing_months"] == {"2017/18": [dt.date(2018, 3, 1)], "2018/19": []}
        assert table.attrs["coverage_checked"] is True
        assert table.attrs["months_compared"].counted_months("current") == FY18.months[:-1]

    def test_previous_period_with_no_month_is_unknown_everywhere(self):
        counts = seed_counts()
        table = change_table(counts, FY18, FY17, "group", available_months=FY18.months)
        assert (table["basis"] == "not compared").all()
        total = table.set_index("group").loc["All crime"]
        assert total["current"] == 2854  # the months held are still counted
        for column in ("previous", "diff"):
            assert table[column].isna().all()
        assert table["pct_diff"].isna().all() and table["p_value"].isna().all()
        assert (table["significance"] == "not assessed").all()

    def test_subtotals_of_a_period_with_no_month_are_unknown(self):
        counts = seed_counts().assign(sub=lambda t: t["group"])
        table = change_table(counts, FY18, FY17, ["group", "sub"], subtotals=True,
                             available_months=FY18.months)
        assert table["previous"].isna().all()

    def test_coverage_not_checked(self):
        table = change_table(seed_counts(), FY18, FY17, "group")
        assert table["complete"].isna().all()
        assert table.attrs["coverage_checked"] is False

    def test_rows_outside_both_periods_ignored(self):
        extra = pd.DataFrame([{"month": dt.date(2016, 5, 1), "group": "Robbery", "count": 99}])
        table = change_table(pd.concat([seed_counts(), extra]), FY18, FY17, "group")
        assert table.set_index("group").loc["Robbery", "previous"] == 205

    def test_subgroups_with_subtotals(self):
        counts = pd.DataFrame([
            {"month": FY17.months[0], "grp": "VAP", "sub": "VWI", "count": 1297},
            {"month": FY18.months[0], "grp": "VAP", "sub": "VWI", "count": 1476},
            {"month": FY17.months[0], "grp": "VAP", "sub": "VWO", "count": 1721},
            {"month": FY18.months[0], "grp": "VAP", "sub": "VWO", "count": 2257},
            {"month": FY17.months[0], "grp": "Robbery", "sub": "Personal", "count": 205},
            {"month": FY18.months[0], "grp": "Robbery", "sub": "Personal", "count": 244},
        ])
        table = change_table(counts, FY18, FY17, ["grp", "sub"], subtotals=True)
        assert table[["grp", "sub"]].values.tolist() == [
            ["VAP", "All"], ["VAP", "VWI"], ["VAP", "VWO"], ["Robbery", "All"],
            ["Robbery", "Personal"], ["All crime", "All crime"]]
        vap = table.iloc[0]
        # 1476 + 2257 = 3733 ; 1297 + 1721 = 3018 ; diff 715 ; 715 / 3018 = 23.69 %
        assert (vap["current"], vap["previous"], vap["diff"], vap["pct_diff"]) == (
            3733, 3018, 715, 23.7)
        assert table.iloc[-1]["current"] == 3733 + 244

    def test_bad_inputs(self):
        counts = seed_counts()
        with pytest.raises(InputError) as info:
            change_table(counts.rename(columns={"count": "n"}), FY18, FY17, "group")
        assert info.value.column == "count"
        negative = counts.copy()
        negative.loc[0, "count"] = -3
        with pytest.raises(InputError):
            change_table(negative, FY18, FY17, "group")
        fractional = counts.astype({"count": float})
        fractional.loc[0, "count"] = 2.5
        with pytest.raises(InputError):
            change_table(fractional, FY18, FY17, "group")
        blank = counts.copy()
        blank.loc[0, "group"] = None
        with pytest.raises(InputError):
            change_table(blank, FY18, FY17, "group")
        with pytest.raises(ConfigError):
            change_table(counts, FY18, Period.rolling_12(dt.date(2018, 9, 1)), "group")

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 23),
                      st.integers(0, 500)),
            min_size=1, max_size=40,
        )
    )
    def test_invariants(self, records):
        months = FY17.months + FY18.months
        counts = pd.DataFrame(
            [{"month": months[m], "group": g, "count": n} for g, m, n in records]
        )
        table = change_table(counts, FY18, FY17, "group", available_months=months)
        parts, total = table.iloc[:-1], table.iloc[-1]
        assert total["current"] == parts["current"].sum()
        assert total["previous"] == parts["previous"].sum()
        assert total["current"] == counts.loc[counts["month"] >= FY18.start, "count"].sum()
        assert (table["diff"] == table["current"] - table["previous"]).all()
        for _, row in table.iterrows():
            if row["previous"] > 0:
                exact = 100 * row["diff"] / row["previous"]
                assert abs(row["pct_diff"] - exact) <= 0.05 + 1e-9
                assert math.copysign(1, row["pct_diff"]) == math.copysign(1, exact) or \
                    row["pct_diff"] == 0
            assert row["pct_reliable"] == (row["previous"] >= 10)
            assert 0 <= row["p_value"] <= 1


class TestByar:
    def test_published_value_100(self):
        # Byar: 100 (1 - 1/900 - 1.96/30)^3 = 100 * 0.933556^3 = 81.36
        #       101 (1 - 1/909 + 1.96/(3*10.04988))^3 = 101 * 1.063909^3 = 121.63
        lower, upper = byar_interval(100)
        assert lower == pytest.approx(81.36, abs=0.005)
        assert upper == pytest.approx(121.63, abs=0.005)

    def test_exact_below_ten(self):
        # Exact: chi2(0.025, 10)/2 = 3.2470/2 = 1.6235 ; chi2(0.975, 12)/2 = 23.3367/2 = 11.668
        lower, upper = byar_interval(5)
        assert lower == pytest.approx(1.6235, abs=1e-3)
        assert upper == pytest.approx(11.668, abs=1e-3)

    def test_zero(self):
        # lower 0 ; upper = chi2(0.975, 2)/2 = -ln(0.025) = 3.6889
        assert byar_interval(0) == (0.0, pytest.approx(-math.log(0.025)))

    def test_998(self):
        # z = 3.0902: 100 (1 - 0.001111 - 0.103007)^3 = 100 * 0.895882^3 = 71.90
        lower, _ = byar_interval(100, confidence=0.998)
        assert lower == pytest.approx(71.90, abs=0.01)

    def test_rejects(self):
        with pytest.raises(InputError):
            byar_interval(-1)
        with pytest.raises(ConfigError):
            byar_interval(10, confidence=95)


class TestRates:
    def test_rate_and_interval(self):
        result = rate_per_1000(100, 50_000, population_vintage="ONS mid-2023")
        # 100 / 50,000 * 1,000 = 2.0 ; interval 81.36/50 and 121.63/50
        assert result["rate"] == pytest.approx(2.0)
        assert result["lower"] == pytest.approx(1.6272, abs=1e-4)
        assert result["upper"] == pytest.approx(2.4326, abs=1e-4)
        assert result["population_vintage"] == "ONS mid-2023"
        assert result["population"] == 50_000
        assert result["method"] == "Byar"
        assert rate_per_1000(5, 1000, population_vintage="x")["method"] == "exact"

    def test_requires_vintage_and_population(self):
        with pytest.raises(ConfigError):
            rate_per_1000(5, 1000, population_vintage="")
        with pytest.raises(InputError):
            rate_per_1000(5, 0, population_vintage="x")

    def test_add_rates(self):
        table = pd.DataFrame({"area": ["a", "b"], "count": [100, 5],
                              "population": [50_000, 1_000]})
        out = add_rates(table, population_vintage="mid-2023")
        assert out["rate"].tolist() == pytest.approx([2.0, 5.0])
        assert (out["population_vintage"] == "mid-2023").all()
        assert "rate" not in table.columns

    @given(st.integers(0, 5000), st.integers(1000, 10_000_000), st.integers(2, 10))
    def test_rates_scale_with_population(self, count, population, factor):
        base = rate_per_1000(count, population, population_vintage="v")
        bigger = rate_per_1000(count, population * factor, population_vintage="v")
        for key in ("rate", "lower", "upper"):
            assert bigger[key] * factor == pytest.approx(base[key], rel=1e-9, abs=1e-12)
        assert base["lower"] <= base["rate"] <= base["upper"]
