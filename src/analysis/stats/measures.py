"""Change tables, rates per 1,000 population, confidence intervals and significance of change.

These are the numbers behind the crime overview: how many this period and last, the
difference as a count and a percentage (one decimal, as published CSP tables show it),
whether a percentage rests on too small a base, and whether a change is larger than chance
would produce. Counts are treated as Poisson; see ``docs/methods.md`` for the methods, their
sources and their limits.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import COMPLETE, Period, compared_months, to_month

RELIABLE_BASE = 10
"""A percentage change is flagged unreliable when the previous count is below this."""

BYAR_MINIMUM = 10
"""Byar's approximation is used from this many events; below it the exact method is used."""

SIGNIFICANT_INCREASE = "significant increase"
SIGNIFICANT_DECREASE = "significant decrease"
NO_SIGNIFICANT_CHANGE = "no significant change"
NOT_ASSESSED = "not assessed"


# --- single numbers ------------------------------------------------------------------------
def _check_count(value: object, name: str) -> int:
    """Return ``value`` as an int, or raise InputError if it is not a whole number >= 0."""
    try:
        number = float(value)  # type: ignore[arg-type]  # any value: float() rejects a non-number
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or number < 0 or number != int(number):
        raise InputError(f"{name} must be a whole number of events, 0 or more", found=value)
    return int(number)


def percent_change(current: int, previous: int) -> float:
    """Percentage change from ``previous`` to ``current`` rounded to one decimal place.

    Rounded half away from zero using exact integer arithmetic (as a spreadsheet's ROUND
    does), so 1 on a base of 16 (6.25 %) shows as 6.3. NaN when ``previous`` is 0.
    """
    current, previous = _check_count(current, "current"), _check_count(previous, "previous")
    if previous == 0:
        return math.nan
    diff = current - previous
    tenths = (2 * 1000 * abs(diff) + previous) // (2 * previous)
    return math.copysign(tenths / 10, diff) if diff else 0.0


def poisson_change_test(current: int, previous: int, *, exposure_ratio: float = 1.0) -> float:
    """Two-sided p-value that two Poisson counts come from the same underlying rate.

    The exact conditional test: given the total ``current + previous``, the current count is
    binomial with probability ``r / (1 + r)`` under no change, where ``r`` is
    ``exposure_ratio`` (current exposure / previous exposure; 1 for two periods of equal
    length and population). Returns 1.0 when both counts are zero.
    """
    current, previous = _check_count(current, "current"), _check_count(previous, "previous")
    if not exposure_ratio > 0 or math.isinf(exposure_ratio):
        raise InputError("exposure_ratio must be a positive number", found=exposure_ratio)
    total = current + previous
    if total == 0:
        return 1.0
    share = exposure_ratio / (1 + exposure_ratio)
    return float(stats.binomtest(current, total, share, alternative="two-sided").pvalue)


def significance_label(p_value: float, difference: float, *, alpha: float = 0.05) -> str:
    """Plain words for a test result: 'significant increase', 'significant decrease',
    'no significant change', or 'not assessed' when there is no p-value."""
    if p_value is None or pd.isna(p_value) or pd.isna(difference):
        return NOT_ASSESSED
    if p_value < alpha and difference > 0:
        return SIGNIFICANT_INCREASE
    if p_value < alpha and difference < 0:
        return SIGNIFICANT_DECREASE
    return NO_SIGNIFICANT_CHANGE


def _z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ConfigError("confidence must be between 0 and 1", found=confidence)
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def exact_poisson_interval(observed: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (chi-squared) confidence interval for a Poisson count."""
    alpha = 1 - confidence
    lower = 0.0 if observed == 0 else float(stats.chi2.ppf(alpha / 2, 2 * observed) / 2)
    upper = float(stats.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2)
    return lower, upper


def byar_interval(observed: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval for a Poisson count: Byar's method from 10 events, exact below.

    Byar: lower = O(1 - 1/(9O) - z/(3√O))³, upper = (O+1)(1 - 1/(9(O+1)) + z/(3√(O+1)))³,
    as in the Public Health England (Fingertips) technical guidance.
    """
    observed = _check_count(observed, "observed")
    z = _z_value(confidence)
    if observed < BYAR_MINIMUM:
        return exact_poisson_interval(observed, confidence)
    o, o1 = observed, observed + 1
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lower, upper


def rate_per_1000(
    count: int,
    population: float,
    *,
    population_vintage: str,
    confidence: float = 0.95,
    per: int = 1000,
) -> dict[str, Any]:
    """Rate per 1,000 population with its confidence interval and the population's vintage.

    Returns a dict with count, population, population_vintage, rate, lower, upper, per,
    confidence and method ('Byar' from 10 events, 'exact' below).
    """
    count = _check_count(count, "count")
    if not population or pd.isna(population) or population <= 0:
        raise InputError("Population must be a positive number", found=population)
    if not population_vintage or not str(population_vintage).strip():
        raise ConfigError(
            "The population vintage must be stated",
            expected="e.g. 'ONS mid-2023 estimates'",
        )
    lower, upper = byar_interval(count, confidence)
    scale = per / population
    return {
        "count": count,
        "population": population,
        "population_vintage": population_vintage,
        "rate": count * scale,
        "lower": lower * scale,
        "upper": upper * scale,
        "per": per,
        "confidence": confidence,
        "method": "Byar" if count >= BYAR_MINIMUM else "exact",
    }


def add_rates(
    table: pd.DataFrame,
    *,
    count_col: str = "count",
    population_col: str = "population",
    population_vintage: str,
    confidence: float = 0.95,
    per: int = 1000,
) -> pd.DataFrame:
    """A copy of ``table`` with rate, lower, upper and population_vintage columns added."""
    require_columns(table, [count_col, population_col])
    results = [
        rate_per_1000(
            row[count_col], row[population_col], population_vintage=population_vintage,
            confidence=confidence, per=per,
        )
        for _, row in table.iterrows()
    ]
    out = table.copy()
    for key in ("rate", "lower", "upper"):
        out[key] = [r[key] for r in results]
    out["population_vintage"] = population_vintage
    return out


# --- change tables -----------------------------------------------------------------------
def require_columns(table: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if column not in table.columns:
            raise InputError(
                "Column missing from the table",
                column=column,
                expected=f"columns including {', '.join(columns)}",
                found=list(table.columns),
            )


def _validated_counts(counts: pd.DataFrame, count_col: str) -> pd.Series:
    values = pd.to_numeric(counts[count_col], errors="coerce")
    bad = values.isna() | (values < 0) | (values != values.round())
    if bad.any():
        first = bad.idxmax()
        raise InputError(
            "Counts must be whole numbers, 0 or more",
            column=count_col,
            found=counts.loc[first, count_col],
            hint=f"check the row with index {first!r}",
        )
    return values.astype("int64")


def _month_keys(column: pd.Series) -> pd.Series:
    lookup = {value: to_month(value) for value in pd.unique(column)}
    return column.map(lookup)


def _period_counts(
    data: pd.DataFrame, groups: pd.DataFrame, months: list[datetime.date], by: list[str]
) -> np.ndarray:
    """Counts per group over ``months`` (all held, so a group with no rows there has 0);
    unknown (<NA>) for every group when ``months`` is empty (no month of data)."""
    in_months = data["_month"].isin(set(months))
    sums = data[in_months].groupby(by, sort=False)["_count"].sum().rename("n")
    counts = groups.join(sums, on=by)["n"].astype("Int64")
    return (counts.fillna(0) if months else counts).to_numpy()


def change_table(
    counts: pd.DataFrame,
    current: Period,
    previous: Period,
    by: str | list[str],
    *,
    count_col: str = "count",
    month_col: str = "month",
    total_label: str | None = "All crime",
    available_months: Iterable[datetime.date] | None = None,
    subtotals: bool = False,
    subtotal_label: str = "All",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Current vs previous period by group: counts, # and % change, reliability, significance.

    ``counts`` is a long table of monthly counts (``month_col`` first-of-month dates, the
    ``by`` columns, ``count_col`` whole numbers). Rows come in order of each group's first
    appearance among the rows of the two periods (sort ``counts`` first to control it),
    then a total row whose ``by`` columns hold ``total_label`` (none if it is None). With
    ``subtotals=True`` and two or more ``by`` columns, a row for each top-level group (lower
    columns = ``subtotal_label``) comes before its members. Only groups with rows in one of
    the two periods are listed.

    Columns: the ``by`` columns, current, previous, diff (Int64, exact), pct_diff (one
    decimal, NaN on a zero base), pct_reliable (previous >= 10), p_value (exact conditional
    Poisson test), significance (label), complete, basis.

    Coverage (:func:`analysis.core.periods.compared_months`): when ``available_months`` is given,
    ``complete`` is True only if both periods have every month, and ``basis`` says what was
    compared. When both periods hold every month, or some month pairs are held in both
    (``basis`` "like for like": only those months are counted in both columns, and tested),
    the change is given. Otherwise (``basis`` "not compared", e.g. a period with no month of
    data) each column counts the months that period holds, a period holding none is <NA>
    (unknown, never 0) in every row including the total, and diff, pct_diff and p_value are
    missing with significance "not assessed". Without ``available_months``, coverage is not
    checked, whole periods are counted and ``complete`` and ``basis`` are <NA>.
    The same facts are in ``attrs``: current_period, previous_period, missing_months
    (period label -> list of missing months), coverage_checked and months_compared (the
    :class:`analysis.core.periods.MonthsCompared`, or None).
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ConfigError("change_table needs at least one 'by' column")
    if set(current.months) & set(previous.months):
        raise ConfigError(
            "The current and previous periods overlap",
            found=f"{current.label} and {previous.label}",
            expected="two periods with no month in common",
        )
    require_columns(counts, [month_col, count_col, *by])
    blank = counts[by].isna().any(axis=1)
    if blank.any():
        raise InputError(
            "A group column is blank", column=", ".join(by),
            hint=f"fill or drop the row with index {blank.idxmax()!r}",
        )

    data = counts[by].copy()
    data["_count"] = _validated_counts(counts, count_col)
    data["_month"] = _month_keys(counts[month_col])
    both = set(current.months) | set(previous.months)
    data = data[data["_month"].isin(both)]

    compared = None
    missing_months: dict[str, list[datetime.date]] = {}
    if available_months is not None:
        months = list(available_months)
        compared = compared_months(current, previous, months)
        missing_months = {p.label: p.coverage(months).missing for p in (current, previous)}
    counted = {"current": current.months, "previous": previous.months}
    if compared is not None:
        counted = {which: compared.counted_months(which) for which in counted}

    groups = data[by].drop_duplicates().reset_index(drop=True)
    for column, months_counted in counted.items():
        groups[column] = _period_counts(data, groups[by], months_counted, by)

    rows = _with_subtotals(groups, by, subtotal_label) if subtotals and len(by) > 1 else groups
    if total_label is not None:
        total: dict[str, object] = {col: total_label for col in by}
        for column, months_counted in counted.items():
            in_months = data["_month"].isin(set(months_counted))
            total[column] = int(data.loc[in_months, "_count"].sum()) if months_counted else pd.NA
        rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)

    table = _add_change_columns(rows, alpha)
    if compared is not None:
        table["complete"] = pd.array([compared.basis == COMPLETE] * len(table), dtype="boolean")
        table["basis"] = compared.basis
        if not compared.comparable:
            # Counts over different months are not comparable: no change, no test claimed.
            table["diff"] = pd.array([pd.NA] * len(table), dtype="Int64")
            table["pct_diff"] = np.nan
            table["p_value"] = np.nan
            table["significance"] = NOT_ASSESSED
    else:
        table["complete"] = pd.array([pd.NA] * len(table), dtype="boolean")
        table["basis"] = pd.NA
    table.attrs.update(
        current_period=current.label,
        previous_period=previous.label,
        coverage_checked=compared is not None,
        missing_months=missing_months,
        months_compared=compared,
    )
    return table


def count_headings(table: pd.DataFrame, current: Period, previous: Period) -> tuple[str, str]:
    """(previous, current) headings for the count columns of a change table: the period
    labels, or what the counts cover when the comparison is like for like or not made
    (:meth:`analysis.core.periods.MonthsCompared.heading`, from ``attrs["months_compared"]``)."""
    compared = table.attrs.get("months_compared")
    if compared is None:
        return previous.label, current.label
    return compared.heading("previous"), compared.heading("current")


def _with_subtotals(groups: pd.DataFrame, by: list[str], subtotal_label: str) -> pd.DataFrame:
    """Insert a subtotal row for each top-level group before its members."""
    pieces = []
    for top, members in groups.groupby(by[0], sort=False):
        subtotal = {by[0]: top, **{col: subtotal_label for col in by[1:]}}
        for column in ("current", "previous"):
            subtotal[column] = members[column].sum(min_count=1)  # <NA> if no month held
        pieces.extend([pd.DataFrame([subtotal]), members])
    return pd.concat(pieces, ignore_index=True)


def _add_change_columns(rows: pd.DataFrame, alpha: float) -> pd.DataFrame:
    table = rows.copy()
    table["current"] = table["current"].astype("Int64")
    table["previous"] = table["previous"].astype("Int64")
    table["diff"] = table["current"] - table["previous"]
    known = table["current"].notna() & table["previous"].notna()
    pct, p_values, labels = [], [], []
    for is_known, cur, prev, diff in zip(
        known, table["current"], table["previous"], table["diff"], strict=True
    ):
        if not is_known:
            pct.append(np.nan)
            p_values.append(np.nan)
            labels.append(NOT_ASSESSED)
            continue
        p_value = poisson_change_test(int(cur), int(prev))
        pct.append(percent_change(int(cur), int(prev)))
        p_values.append(p_value)
        labels.append(significance_label(p_value, int(diff), alpha=alpha))
    table["pct_diff"] = pd.Series(pct, index=table.index, dtype="float64")
    table["pct_reliable"] = (table["previous"].fillna(0) >= RELIABLE_BASE).astype(bool)
    table["p_value"] = pd.Series(p_values, index=table.index, dtype="float64")
    table["significance"] = labels
    return table
