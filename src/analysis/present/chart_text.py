"""The words a chart is read by when its picture cannot be seen: alt text made from its data.

A house-style drawing function (:mod:`analysis.present.charts`, :mod:`analysis.present.maps`)
knows what it drew, so it attaches a description to the figure with :func:`describe`: the kind
of chart, what it measures, the span it covers and its salient values (first, last, highest,
lowest). :meth:`analysis.present.page.Section.chart` uses it as the image's alt text. The
description is made from the data the function was given, which for a partner chart is the
published data (hidden cells missing), so it never says more than the table file.
"""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

_DESCRIPTIONS: WeakKeyDictionary[Figure, str] = WeakKeyDictionary()


def describe(fig: Figure, text: str) -> Figure:
    """Attach ``text`` to ``fig`` as its description and return ``fig``."""
    _DESCRIPTIONS[fig] = " ".join(text.split())
    return fig


def description(fig: Figure) -> str | None:
    """The description attached to ``fig`` by :func:`describe`, or None."""
    return _DESCRIPTIONS.get(fig)


def number(value: float) -> str:
    """A value as people read it: an integer without decimals, else one decimal place."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def month_span(months: Sequence[pd.Timestamp] | pd.Series) -> str:
    """'April 2021 to March 2025' for the first and last of ``months``."""
    stamps = pd.to_datetime(pd.Series(months))
    return f"{stamps.min():%B %Y} to {stamps.max():%B %Y}"


def series_summary(name: str, months: pd.Series, values: pd.Series) -> str:
    """One series of a monthly chart in words: first and last value, highest and lowest month
    and how many months have no value (gaps, never zeros)."""
    stamps = pd.to_datetime(months).reset_index(drop=True)
    values = pd.to_numeric(values, errors="coerce").reset_index(drop=True)
    known = values.notna()
    if not known.any():
        return f"{name}: no values"
    first, last = values[known].index[0], values[known].index[-1]
    high, low = values.idxmax(), values.idxmin()
    text = (f"{name}: {number(values[first])} in {stamps[first]:%B %Y}, "
            f"{number(values[last])} in {stamps[last]:%B %Y}; highest {number(values[high])} "
            f"({stamps[high]:%B %Y}), lowest {number(values[low])} ({stamps[low]:%B %Y})")
    gaps = int((~known).sum())
    return text + (f"; {gaps} month{'s' if gaps != 1 else ''} with no value" if gaps else "")


def peak_cell(table: pd.DataFrame) -> tuple[object, object, float] | None:
    """The row label, column label and value of the largest cell of ``table`` (None when
    every cell is missing)."""
    values = table.to_numpy(dtype=float)
    if not np.isfinite(values).any():
        return None
    row, column = np.unravel_index(np.nanargmax(values), values.shape)
    return table.index[row], table.columns[column], float(values[row, column])
