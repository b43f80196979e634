"""Benjamini–Hochberg through scipy gives the values of the step-up formula written out."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.hotspots import benjamini_hochberg


def step_up(p: np.ndarray) -> np.ndarray:
    """The formula by hand: q_(k) = min over j >= k of p_(j) m / j, capped at 1 (NaN kept out)."""
    q = np.full(p.size, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    order = known[np.argsort(p[known], kind="stable")]
    scaled = p[order] * order.size / np.arange(1, order.size + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=0, max_size=60))
def test_scipy_bh_matches_the_formula(values: list[float]) -> None:
    p = np.array(values, dtype=float)
    np.testing.assert_allclose(benjamini_hochberg(p), step_up(p), rtol=1e-12, atol=0)


def test_ties_and_all_missing() -> None:
    np.testing.assert_allclose(benjamini_hochberg(np.array([0.02, 0.02, 0.5])),
                               [0.03, 0.03, 0.5])
    assert np.isnan(benjamini_hochberg(np.array([np.nan, np.nan]))).all()
    assert benjamini_hochberg(np.array([])).size == 0
