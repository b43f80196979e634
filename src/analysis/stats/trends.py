"""XmR statistical process control charts with the NHS "Making Data Count" rules.

An XmR chart asks whether the latest months differ from the usual month-to-month noise,
instead of comparing two points a year apart. The centre line is the mean; the process
limits are mean ± 2.66 × the mean moving range (the average absolute month-to-month change).
Four rules mark "special cause" variation: a point beyond a limit, a run of seven points on
one side of the mean, seven points each higher (or each lower) than the last, and two of
three points beyond two-thirds of the way to a limit on the same side.

Real series have gaps (months not published) and breaks (a known change in recording or
publication). A gap is never bridged: no moving range spans it and the plotted line stops
there. A break starts a new phase with its own mean and limits, and the rules are evaluated
within a phase, as the NHS *Making Data Count* guidance does. Breaks are configured per area
or force (``trend_breaks`` in the config, :func:`analysis.core.config.breaks_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.config import TrendBreak
from analysis.core.errors import ConfigError
from analysis.core.periods import add_months, months_between, to_month

LIMIT_CONSTANT = 2.66
"""Limits sit 2.66 mean moving ranges from the mean (3 sigma for an individuals chart)."""

NEAR_FRACTION = 2 / 3
"""The 'two of three' rule uses points beyond two-thirds of the distance to a limit."""

RUN_LENGTH = 7
"""Points needed for a run on one side of the mean, or a trend."""

RULE_COLUMNS = ("rule_beyond_limits", "rule_run_of_7", "rule_trend_of_7", "rule_two_of_three")


def xmr(
    values: Sequence[float] | pd.Series,
    *,
    baseline: int | None = None,
    breaks: Iterable[Any] | None = None,
) -> pd.DataFrame:
    """An XmR chart table: one row per point, indexed like ``values``.

    A missing value (NaN) is a gap, never a zero: the point has no moving range, the next
    point has none either (a moving range is taken between consecutive points only, so the
    limits never rest on a jump across a gap), no rule fires on it, and the run, trend and
    two-of-three rules count consecutive points only, so a gap ends a run. Pass every point of
    the time axis with NaN where data are missing (:func:`with_gaps` fills in the months or
    quarters a trend does not hold), or a gap cannot be seen.

    ``baseline``: compute each phase's mean and limits from its first ``baseline`` points
    with a value only, then hold them for the rest of the phase (useful to judge new points
    against a settled past). ``breaks``: index labels where a new phase starts (a stated
    change such as a new recording practice), as in the NHS *Making Data Count* guidance:
    each phase has its own mean and limits, no moving range spans a break and the rules are
    evaluated within a phase. On a sorted index a break between two labels starts the phase
    at the next one; a break at or before the first point, or after the last, changes nothing.
    A phase without two consecutive values has a mean but no limits (NaN) and no signals.

    Columns: value, phase, mean, upper, lower, near_upper, near_lower, moving_range, one
    boolean column per rule (rule_beyond_limits, rule_run_of_7, rule_trend_of_7,
    rule_two_of_three) and signal (any rule).
    """
    if baseline is not None and baseline < 2:
        raise ConfigError("A baseline needs at least 2 points", found=baseline)
    series = pd.Series(values, dtype="float64")
    phase = _phase_numbers(series.index, breaks)
    table = pd.DataFrame({"value": series, "phase": phase}, index=series.index)
    parts = [_phase_chart(part, baseline) for _, part in table.groupby("phase", sort=False)]
    chart = pd.concat(parts) if parts else _phase_chart(table, baseline)
    chart["signal"] = chart[list(RULE_COLUMNS)].any(axis=1)
    return chart


def with_gaps(series: pd.Series, step_months: int = 1) -> pd.Series:
    """``series`` (indexed by the first day of each month or quarter) on a complete time
    axis: every ``step_months`` from its first value to its last, NaN where it has none.

    A trend of the same months in three years, or a force's unpublished months, leaves holes
    in the index (or NaN values); an XmR chart of the bare series would take a moving range
    across them and draw a line over them. Labels come back as ``datetime.date``; missing
    points before the first value and after the last are dropped.
    """
    known = pd.Series(series.to_numpy(dtype="float64"),
                      index=[to_month(label) for label in series.index]).dropna()
    if known.empty:
        return known
    first, last = min(known.index), max(known.index)
    axis = [add_months(first, i) for i in range(0, months_between(first, last), step_months)]
    return known.reindex(axis)


def trend_xmr(series: pd.Series, breaks: Sequence[TrendBreak] = (), *,
              step_months: int = 1) -> pd.DataFrame:
    """The XmR chart of a monthly (or, with ``step_months=3``, quarterly) trend as a report
    draws it: on a complete time axis (:func:`with_gaps`), so gaps stay gaps, with a new
    phase at each configured break (:func:`analysis.core.config.breaks_for`).
    """
    return xmr(with_gaps(series, step_months), breaks=[item.month for item in breaks])


def describe_chart(chart: pd.DataFrame, breaks: Sequence[TrendBreak] = ()) -> str:
    """A sentence for the page under an XmR chart: its gaps and its phase breaks.

    ``breaks`` are the configured :class:`analysis.core.config.TrendBreak` the chart was drawn
    with; those inside the chart are named with their reason. Empty when there is neither.
    """
    parts = []
    missing = int(chart["value"].isna().sum())
    if missing:
        parts.append(f"{missing} point(s) on the time axis have no value (not held, or not "
                     "in the trend's months) and are gaps, not zeros: the line is not drawn "
                     "across them and no moving range spans them, so the limits rest on "
                     "consecutive points only.")
    labels = [to_month(label) for label in chart.index] if breaks else []
    new_phase = (chart["phase"].diff().fillna(0) != 0).to_numpy()
    starts = {label for label, new in zip(labels, new_phase, strict=True) if new} if breaks \
        else set()
    for item in breaks:
        first_after = next((label for label in labels if label >= item.month), None)
        if first_after not in starts:
            continue
        parts.append(f"A new phase starts in {item.month:%b %Y} ({item.reason}): its mean and "
                     "limits are computed from its own points, and signals are judged within "
                     "each phase.")
    no_limits = chart.groupby("phase")["upper"].apply(lambda u: u.isna().all())
    if no_limits.any():
        parts.append("A phase without two consecutive points of data has no process limits.")
    return " ".join(parts)


def _phase_numbers(index: pd.Index, breaks: Iterable[Any] | None) -> np.ndarray:
    """Phase 0, 1, 2 … for each point; a new phase starts at each break (see :func:`xmr`)."""
    phase = np.zeros(len(index), dtype=int)
    for label in breaks or []:
        if label in index:
            position = index.get_loc(label)
        elif index.is_monotonic_increasing:
            try:
                position = int(index.searchsorted(label))
            except TypeError as exc:
                raise ConfigError("A break is not comparable with the chart's points",
                                  found=label, expected="a label like the values' index") from exc
        else:
            raise ConfigError(
                "A break is not one of the chart's points", found=label,
                expected="an index label of the values (or a sorted index)",
            )
        if 0 < position < len(index):
            phase[position:] += 1
    return phase


def _phase_chart(part: pd.DataFrame, baseline: int | None) -> pd.DataFrame:
    """Mean, limits, moving ranges and rules of one phase (NaN values are gaps)."""
    y = part["value"].to_numpy(dtype=float)
    moving_range = np.abs(np.diff(y, prepend=np.nan))  # NaN next to a gap
    known = np.flatnonzero(~np.isnan(y))
    basis = known if baseline is None else known[:baseline]
    in_basis = np.zeros(len(y), dtype=bool)
    in_basis[basis] = True
    basis_ranges = moving_range[in_basis & np.roll(in_basis, 1) & (np.arange(len(y)) > 0)]
    basis_ranges = basis_ranges[~np.isnan(basis_ranges)]
    mean = float(y[basis].mean()) if basis.size else np.nan
    half_width = LIMIT_CONSTANT * float(basis_ranges.mean()) if basis_ranges.size else np.nan
    out = part.copy()
    out["mean"] = mean
    out["upper"] = mean + half_width
    out["lower"] = mean - half_width
    out["near_upper"] = mean + NEAR_FRACTION * half_width
    out["near_lower"] = mean - NEAR_FRACTION * half_width
    out["moving_range"] = moving_range
    out["rule_beyond_limits"] = (y > out["upper"].to_numpy()) | (y < out["lower"].to_numpy())
    # Sequence rules run over each stretch of consecutive values, never across a gap.
    for name in ("rule_run_of_7", "rule_trend_of_7", "rule_two_of_three"):
        out[name] = False
    for stretch in _stretches(y):
        seg = y[stretch]
        out.iloc[stretch, out.columns.get_loc("rule_run_of_7")] = _runs(
            np.sign(seg - mean), RUN_LENGTH)
        out.iloc[stretch, out.columns.get_loc("rule_trend_of_7")] = _runs(
            np.sign(np.diff(seg)), RUN_LENGTH - 1, include_previous=True)
        out.iloc[stretch, out.columns.get_loc("rule_two_of_three")] = _two_of_three(
            seg, out["near_upper"].to_numpy()[stretch], out["near_lower"].to_numpy()[stretch])
    return out


def _stretches(y: np.ndarray) -> list[slice]:
    """Slices of ``y`` holding runs of consecutive non-missing values."""
    known = ~np.isnan(y)
    edges = np.diff(np.concatenate([[0], known.astype(int), [0]]))
    return [slice(a, b) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1),
                                        strict=True)]


def _runs(signs: np.ndarray, length: int, *, include_previous: bool = False) -> np.ndarray:
    """Flag every element in a run of at least ``length`` equal non-zero signs.

    With ``include_previous`` the signs are of differences between neighbouring points, so a
    run of ``length`` differences covers ``length + 1`` points, all of which are flagged.
    """
    n_points = len(signs) + (1 if include_previous else 0)
    flags = np.zeros(n_points, dtype=bool)
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start] or signs[i] == 0:
            if signs[start] != 0 and i - start >= length:
                end = i + 1 if include_previous else i
                flags[start:end] = True
            start = i
    return flags


def _two_of_three(y: np.ndarray, near_upper: np.ndarray, near_lower: np.ndarray) -> np.ndarray:
    """Flag points beyond a near limit that are 2 (or 3) of 3 consecutive on the same side."""
    flags = np.zeros(len(y), dtype=bool)
    for side in (y > near_upper, y < near_lower):
        for start in range(len(y) - 2):
            window = side[start : start + 3]
            if window.sum() >= 2:
                flags[start : start + 3] |= window
    return flags


