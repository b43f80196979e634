"""Numbers in presented tables as people read them, applied to every table in one place.

A table's CSV keeps full precision (its numbers feed other work); the page shows them for
reading. Two rules apply to every column a section gives no explicit format for:

* a p-value column (a name :data:`P_VALUE_HEADING` matches) shows three decimals, and
  '< 0.001' below that, never '0.000', which reads as "impossible";
* a column of whole numbers held as floats (a column with gaps is float in pandas: IMD deciles,
  ranks, counts) shows them as integers, '3' not '3.0'.
"""

from __future__ import annotations

import re

import pandas as pd

P_VALUE_HEADING = re.compile(r"(?:^|[^a-z])p[-_ ]value(?:$|[^a-z])", re.IGNORECASE)
"""'p-value', 'P value', 'p_value', 'knife_crime_p_value': a column of p-values."""
SMALLEST_P_SHOWN = 0.001


def p_value_text(value: float) -> str:
    """A p-value for a page: '0.042', or '< 0.001' below the smallest three-decimal value."""
    return f"< {SMALLEST_P_SHOWN}" if value < SMALLEST_P_SHOWN else f"{value:.3f}"


def _whole_floats(column: pd.Series) -> bool:
    """Whether a float column holds only whole numbers (gaps aside) and at least one."""
    held = column.dropna()
    return (pd.api.types.is_float_dtype(column) and not held.empty
            and bool((held == held.round()).all()))


def human_cells(frame: pd.DataFrame, formatted: set[str]) -> pd.DataFrame:
    """``frame`` with :func:`p_value_text` and whole-number display applied to each column not
    in ``formatted`` (the columns the section formats itself); gaps stay gaps."""
    shown = frame.copy()
    for column in shown.columns:
        if column in formatted:
            continue
        values = shown[column]
        if P_VALUE_HEADING.search(str(column)) and pd.api.types.is_numeric_dtype(values):
            shown[column] = [None if pd.isna(v) else p_value_text(float(v)) for v in values]
        elif _whole_floats(values):
            shown[column] = [None if pd.isna(v) else str(int(v)) for v in values]
    return shown
