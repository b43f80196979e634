"""How concentrated crime is in a few places: share in the top x % of places and a Gini.

A small share of places (streets, grid cells, LSOAs) usually accounts for a large share of
crime. These two measures say how large, so that a partnership can judge whether a
place-based response would reach most of the problem. Places with no crime must be
included: leaving them out makes crime look less concentrated than it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

TOP_FRACTIONS = (0.01, 0.05, 0.10)


def _counts_array(counts: Iterable[float]) -> np.ndarray:
    values = np.asarray(list(counts), dtype=float)
    if values.size == 0:
        raise InputError("No places given", expected="one count per place, zeros included")
    if np.isnan(values).any() or (values < 0).any():
        raise InputError("Counts per place must be numbers, 0 or more")
    if values.sum() == 0:
        raise InputError("There are no events, so concentration is undefined")
    return values


def share_in_top(
    counts: Iterable[float], fractions: Sequence[float] = TOP_FRACTIONS
) -> pd.DataFrame:
    """Share of all events in the busiest ``fractions`` of places.

    The number of places in the top x % is x % of all places rounded up (at least one), so
    with 10 places the top 10 % is the single busiest place. Returns fraction, places,
    events and share (0 to 1).
    """
    values = np.sort(_counts_array(counts))[::-1]
    rows = []
    for fraction in fractions:
        if not 0 < fraction <= 1:
            raise InputError("A top fraction must be above 0 and at most 1", found=fraction)
        places = max(1, math.ceil(round(fraction * values.size, 9)))
        events = float(values[:places].sum())
        rows.append({"fraction": fraction, "places": places, "events": events,
                     "share": events / float(values.sum())})
    return pd.DataFrame(rows)


def gini(counts: Iterable[float]) -> float:
    """Gini coefficient of events across places: 0 when every place has the same count,
    approaching 1 when one place has them all ((n - 1) / n exactly for n places).

    With fewer events than places the Gini is high even for random scatter; compare it with
    the same measure on the previous period rather than reading it alone.
    """
    values = np.sort(_counts_array(counts))
    n = values.size
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * values).sum() / (n * values.sum()) - (n + 1) / n)
