"""Tests for analysis.stats.comparators: position, peer comparison and funnel limits."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.core.errors import InputError
from analysis.present.charts import plot_funnel
from analysis.stats.comparators import (
    comparator_table,
    funnel_bands,
    funnel_limits,
    ordinal,
    peer_comparison,
    position,
)

# Rates per 1,000: A 12, B 10, C 8, D 10
PEERS = pd.DataFrame({"area": ["A", "B", "C", "D"], "count": [120, 100, 80, 100],
                      "population": [10_000] * 4})


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                         (11, "11th"), (12, "12th"), (13, "13th"),
                                         (21, "21st"), (22, "22nd"), (101, "101st"),
                                         (111, "111th")])
def test_ordinal(n, text):
    assert ordinal(n) == text


class TestPosition:
    def test_positions(self):
        rates = pd.Series([12.0, 10.0, 8.0, 10.0], index=list("ABCD"))
        assert position(rates, "A") == "highest of 4"
        assert position(rates, "C") == "4th highest of 4"
        assert position(rates, "B") == "joint 2nd highest of 4"
        assert position(rates, "C", highest=False) == "lowest of 4"

    def test_third_of_fifteen(self):
        rates = pd.Series(range(15, 0, -1), index=[f"p{i}" for i in range(15)])
        assert position(rates, "p2") == "3rd highest of 15"

    def test_unknown_area(self):
        with pytest.raises(InputError):
            position(pd.Series([1.0], index=["A"]), "Z")


class TestPeerComparison:
    def test_hand_computed(self):
        result = peer_comparison(PEERS, "A")
        # peer average excludes A: 280 / 30,000 x 1,000 = 9.3333 ; difference 12 - 9.3333
        assert result["rate"] == pytest.approx(12.0)
        assert result["peer_rate"] == pytest.approx(9.3333, abs=1e-4)
        assert result["difference"] == pytest.approx(2.6667, abs=1e-4)
        # X ~ Bin(400, 1/4) under no difference: E = 100, sd = sqrt(75) = 8.66;
        # z = (20 - 0.5) / 8.66 = 2.25 -> p about 0.024
        assert 0.015 < result["p_value"] < 0.035
        assert result["significance"] == "significantly higher"
        assert result["position"] == "highest of 4"

    def test_not_different(self):
        result = peer_comparison(PEERS, "B")
        # B: 100 vs the others' 300 on 30,000, exactly the peer average;
        # X ~ Bin(400, 1/4) observed at its mean 100, so the p-value is large
        assert result["p_value"] > 0.5
        assert result["significance"] == "not significantly different"
        assert result["position"] == "joint 2nd highest of 4"

    def test_errors(self):
        with pytest.raises(InputError):
            peer_comparison(PEERS, "Z")
        with pytest.raises(InputError):
            peer_comparison(PEERS.iloc[:1], "A")
        with pytest.raises(InputError):
            peer_comparison(pd.concat([PEERS, PEERS.iloc[:1]]), "A")


def test_comparator_table():
    table = pd.DataFrame({
        "area": ["Thurrock", "Essex", "England and Wales"],
        "count": [130, 1_000, 50_000],
        "population": [10_000, 100_000, 5_000_000],
    })
    out = comparator_table(table, "Thurrock", population_vintage="ONS mid-2023")
    # rates 13, 10, 10 per 1,000
    assert out["rate"].tolist() == pytest.approx([13.0, 10.0, 10.0])
    # vs Essex: X ~ Bin(1130, 1/11): E = 102.7, sd = 9.67, z = (27.3 - 0.5)/9.67 = 2.77
    # vs E&W: X ~ Bin(50130, 0.002/1.002): E = 100.06, sd = 10.0, z = 2.94 -> both p < 0.01
    assert (out["p_value"].iloc[1:] < 0.01).all()
    assert out["significance"].tolist()[0] == ""
    assert out["significance"].tolist()[1:] == ["significantly higher"] * 2
    assert (out["population_vintage"] == "ONS mid-2023").all()
    assert out["lower"].iloc[0] < 13 < out["upper"].iloc[0]


def test_comparator_table_not_significant():
    # 120 vs Essex 1,000 (rates 12 vs 10): E = 101.8, sd = 9.62, z = (18.2 - 0.5)/9.62 = 1.84
    table = pd.DataFrame({"area": ["T", "Essex"], "count": [120, 1_000],
                          "population": [10_000, 100_000]})
    out = comparator_table(table, "T", population_vintage="v")
    assert 0.05 < out["p_value"].iloc[1] < 0.09
    assert out["significance"].iloc[1] == "not significantly different"


class TestFunnel:
    def test_limits_match_exact_poisson(self):
        # target 10 per 1,000 on 10,000 people: E = 100; exact 95 % limits 81.36 and 121.63
        # counts -> 8.136 and 12.163 per 1,000
        limits = funnel_limits(10, [10_000]).set_index("population")
        row = limits.loc[10_000.0]
        assert row["expected"] == pytest.approx(100)
        assert row["lower_95"] == pytest.approx(8.136, abs=0.001)
        assert row["upper_95"] == pytest.approx(12.163, abs=0.001)
        assert row["lower_99_8"] < row["lower_95"] and row["upper_99_8"] > row["upper_95"]

    def test_funnel_narrows_with_population(self):
        limits = funnel_limits(10, [1_000, 1_000_000], n_points=50)
        widths = limits["upper_95"] - limits["lower_95"]
        assert widths.is_monotonic_decreasing
        assert len(limits) == 50
        assert (limits["lower_95"] < 10).all() and (limits["upper_95"] > 10).all()

    def test_bands(self):
        points = pd.DataFrame({"area": list("WXYZ"), "count": [100, 125, 140, 70],
                               "population": [10_000] * 4})
        # limits at E = 100: 95 % [8.14, 12.16]; 99.8 % about [7.2, 13.4]
        out = funnel_bands(points, 10)
        assert out["funnel_band"].tolist() == [
            "within 95% limits", "above 95% limit", "above 99.8% limit", "below 99.8% limit"]

    def test_bad_input(self):
        with pytest.raises(InputError):
            funnel_limits(10, [0])
        with pytest.raises(InputError):
            funnel_limits(0, [1000])

    def test_plot(self):
        points = funnel_bands(PEERS, 10)
        limits = funnel_limits(10, points["population"])
        figure = plot_funnel(points, limits, highlight="A", title="Violence")
        assert isinstance(figure, Figure)
        axes = figure.axes[0]
        assert axes.get_title() == "Violence"
        assert len(axes.collections) == 2  # peers and the highlighted area
        assert len(axes.lines) == 5  # average + two pairs of limits
