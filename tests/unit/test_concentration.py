"""Tests for analysis.stats.concentration: share in the top places and the Gini coefficient."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import InputError
from analysis.stats.concentration import gini, share_in_top


class TestShareInTop:
    def test_all_in_one_place(self):
        result = share_in_top([10, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0.10])
        assert result.loc[0, "places"] == 1
        assert result.loc[0, "share"] == 1.0

    def test_default_fractions_round_up(self):
        counts = list(range(1, 201))  # 200 places, 20,100 events
        result = share_in_top(counts).set_index("fraction")
        # top 1 % = 2 places: 200 + 199 = 399 ; 399 / 20,100 = 0.019851
        assert result.loc[0.01, "places"] == 2
        assert result.loc[0.01, "share"] == pytest.approx(399 / 20_100)
        # top 5 % = 10 places: 200 + ... + 191 = 1,955
        assert result.loc[0.05, "events"] == 1955
        # top 10 % = 20 places: 200 + ... + 181 = 3,810
        assert result.loc[0.10, "events"] == 3810

    def test_uniform(self):
        result = share_in_top([3] * 20, [0.10])
        assert result.loc[0, "share"] == pytest.approx(0.10)

    def test_errors(self):
        with pytest.raises(InputError):
            share_in_top([])
        with pytest.raises(InputError):
            share_in_top([0, 0])
        with pytest.raises(InputError):
            share_in_top([1, -1])
        with pytest.raises(InputError):
            share_in_top([1, 2], [0])

    @given(st.lists(st.integers(0, 100), min_size=1, max_size=300).filter(lambda v: sum(v) > 0))
    def test_share_at_least_fraction_and_ordered(self, counts):
        result = share_in_top(counts)
        assert (result["share"] >= result["places"] / len(counts) - 1e-12).all()
        assert result["share"].is_monotonic_increasing
        assert (result["share"] <= 1).all()


class TestGini:
    def test_uniform_is_zero(self):
        assert gini([5, 5, 5, 5]) == pytest.approx(0.0)

    def test_one_place_has_all(self):
        # sorted ascending: nine 0s then 10 -> 2 * 10 * 10 / (10 * 10) - 11/10 = 0.9
        assert gini([10, 0, 0, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(0.9)

    def test_small_example(self):
        # [1,2,3,4]: sum |xi - xj| over ordered pairs = 20 ; G = 20 / (2 * 16 * 2.5) = 0.25
        assert gini([4, 1, 3, 2]) == pytest.approx(0.25)

    @given(st.lists(st.integers(0, 1000), min_size=1, max_size=200).filter(lambda v: sum(v) > 0),
           st.integers(1, 5))
    def test_bounds_and_scale_invariance(self, counts, factor):
        value = gini(counts)
        assert -1e-12 <= value <= (len(counts) - 1) / len(counts) + 1e-12
        assert gini([c * factor for c in counts]) == pytest.approx(value, abs=1e-12)
