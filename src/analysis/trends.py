"""XmR statistical process control charts with the NHS "Making Data Count" rules.

An XmR chart asks whether the latest months differ from the usual month-to-month noise,
instead of comparing two points a year apart. The centre line is the mean; the process
limits are mean ± 2.66 × the mean moving range (the average absolute month-to-month change).
Four rules mark "special cause" variation: a point beyond a limit, a run of seven points on
one side of the mean, seven points each higher (or each lower) than the last, and two of
three points beyond two-thirds of the way to a limit on the same side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.errors import ConfigError, InputError

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

    ``baseline``: compute each phase's mean and limits from its first ``baseline`` points
    only, then hold them for the rest of the phase (useful to judge new points against a
    settled past). ``breaks``: index labels where a new phase starts (a stated change such as
    a new recording practice); limits are recalculated from that point and moving ranges do
    not span a break.

    Columns: value, phase, mean, upper, lower, near_upper, near_lower, moving_range, one
    boolean column per rule (rule_beyond_limits, rule_run_of_7, rule_trend_of_7,
    rule_two_of_three) and signal (any rule).
    """
    series = pd.Series(values, dtype="float64")
    if series.isna().any():
        raise InputError(
            "An XmR chart needs a value for every point",
            found=f"{int(series.isna().sum())} missing",
            hint="leave out missing months explicitly rather than passing blanks",
        )
    phase = _phase_numbers(series.index, breaks)
    table = pd.DataFrame({"value": series, "phase": phase}, index=series.index)
    parts = [_phase_chart(part, baseline) for _, part in table.groupby("phase", sort=False)]
    chart = pd.concat(parts)
    chart["signal"] = chart[list(RULE_COLUMNS)].any(axis=1)
    return chart


def _phase_numbers(index: pd.Index, breaks: Iterable[Any] | None) -> np.ndarray:
    """Phase 0, 1, 2 … for each point; a new phase starts at each break label."""
    phase = np.zeros(len(index), dtype=int)
    for label in breaks or []:
        if label not in index:
            raise ConfigError(
                "A break is not one of the chart's points", found=label,
                expected="an index label of the values",
            )
        position = index.get_loc(label)
        if position == 0:
            raise ConfigError("A break cannot be the first point", found=label)
        phase[position:] += 1
    return phase


def _phase_chart(part: pd.DataFrame, baseline: int | None) -> pd.DataFrame:
    y = part["value"].to_numpy()
    if baseline is not None and baseline < 2:
        raise ConfigError("A baseline needs at least 2 points", found=baseline)
    basis = y if baseline is None else y[:baseline]
    if len(basis) < 2:
        raise InputError(
            "Each phase of an XmR chart needs at least 2 points", found=f"{len(basis)} point(s)"
        )
    moving_range = np.abs(np.diff(y, prepend=np.nan))
    mean = float(basis.mean())
    mean_moving_range = float(np.abs(np.diff(basis)).mean())
    half_width = LIMIT_CONSTANT * mean_moving_range
    out = part.copy()
    out["mean"] = mean
    out["upper"] = mean + half_width
    out["lower"] = mean - half_width
    out["near_upper"] = mean + NEAR_FRACTION * half_width
    out["near_lower"] = mean - NEAR_FRACTION * half_width
    out["moving_range"] = moving_range
    out["rule_beyond_limits"] = (y > out["upper"].to_numpy()) | (y < out["lower"].to_numpy())
    out["rule_run_of_7"] = _runs(np.sign(y - mean), RUN_LENGTH)
    out["rule_trend_of_7"] = _runs(np.sign(np.diff(y)), RUN_LENGTH - 1, include_previous=True)
    out["rule_two_of_three"] = _two_of_three(
        y, out["near_upper"].to_numpy(), out["near_lower"].to_numpy()
    )
    return out


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


def plot_xmr(
    chart: pd.DataFrame, *, title: str = "", ylabel: str = "Count", xlabel: str = ""
) -> Figure:
    """Draw an XmR chart from :func:`xmr`'s table: values, mean, limits, signals highlighted.

    Returns a matplotlib Figure (nothing is shown or saved).
    """
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    x = chart.index
    axes.plot(x, chart["value"], marker="o", color="#4d4d4d", linewidth=1.2, label="Value")
    for _, part in chart.groupby("phase", sort=False):
        axes.plot(part.index, part["mean"], color="#1f77b4", linewidth=1, label="_mean")
        for column in ("upper", "lower"):
            axes.plot(part.index, part[column], color="#d62728", linestyle="--", linewidth=1,
                      label="_limit")
    signals = chart[chart["signal"]]
    axes.scatter(signals.index, signals["value"], color="#ff7f0e", zorder=3, s=50,
                 label="Special cause")
    axes.plot([], [], color="#1f77b4", label="Mean")
    axes.plot([], [], color="#d62728", linestyle="--", label="Process limits")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_xlabel(xlabel)
    axes.legend(loc="best", fontsize="small")
    return figure
