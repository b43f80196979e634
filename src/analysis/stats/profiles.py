"""Profiles of where and when: the peak day and hour of events, and the profile of each place
(ward or LSOA): counts this period and last, rate per 1,000 and share of the area.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from analysis.core.errors import DataCoverageError
from analysis.core.periods import Period
from analysis.stats.hotspots import both_periods_complete, known_counts, period_change_columns
from analysis.stats.measures import rate_per_1000

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_hour_table(times: pd.Series) -> pd.DataFrame:
    """Events by day of week (rows, Monday first) and hour (columns 0–23): 7 × 24 counts.

    Missing times are not counted; how many were missing is in ``attrs["missing_times"]``.
    Raises DataCoverageError when no event has a time (monthly data cannot show this).
    """
    stamps = pd.to_datetime(times, errors="coerce")
    known = stamps.dropna()
    if known.empty:
        raise DataCoverageError("no event has a date and time, so peak day and hour cannot "
                                "be shown", hint="load a partner extract with times")
    counts = pd.crosstab(known.dt.day_of_week, known.dt.hour)
    table = counts.reindex(index=range(7), columns=range(24), fill_value=0).astype("int64")
    table.index = pd.Index(DAYS, name="day")
    table.columns = pd.Index(range(24), name="hour")
    table.attrs["missing_times"] = int(stamps.isna().sum())
    return table


def place_profile(events: pd.DataFrame, key: str, places: pd.DataFrame, current: Period,
                  previous: Period, *, population_vintage: str | None,
                  available_months: Iterable[date] | None = None) -> pd.DataFrame:
    """Counts by place this period and last, change, and rate per 1,000 where known.

    ``places`` lists every place of the area (``key``, ``name`` and optional
    ``population``), so a place with no events shows 0. The rate uses ``population`` (stated
    by ``population_vintage``); it is missing where the population is. Ranked by the count
    this period (1 = most), ties by code. Columns: rank, key, name, current, previous, diff,
    pct_diff, p_value, change, population, population_vintage, rate, rate_lower, rate_upper.
    With ``available_months``, a period with no published month has unknown counts, and an
    incomplete period is not compared ("not assessed").
    """
    available = None if available_months is None else set(available_months)
    counted = events[events[key].notna()]
    by_period = {}
    for label, period in (("current", current), ("previous", previous)):
        in_period = counted["month"].isin(period.months)
        by_period[label] = counted[in_period].groupby(key).size()
    table = places.copy()
    if "population" not in table.columns:
        table["population"] = pd.NA
    for (label, counts), period in zip(by_period.items(), (current, previous), strict=True):
        known = table[key].map(counts).fillna(0).astype("int64").to_numpy()
        table[label] = known_counts(known, period, available).to_numpy()
    table = table.reset_index(drop=True)
    assessed = both_periods_complete(current, previous, available)
    table = pd.concat([table, period_change_columns(table["current"].to_numpy(),
                                              table["previous"].to_numpy(),
                                              assessed=assessed)], axis=1)
    populations = pd.to_numeric(table["population"], errors="coerce").astype(float)
    rates = [_rate(count, population, population_vintage)
             for count, population in zip(table["current"], populations, strict=True)]
    table["population_vintage"] = population_vintage if population_vintage else pd.NA
    table["rate"], table["rate_lower"], table["rate_upper"] = np.array(rates).T
    table = table.sort_values(["current", key], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _rate(count: int, population: float, vintage: str | None) -> tuple[float, float, float]:
    """Rate per 1,000 with its interval, or NaNs when there is no usable population."""
    if vintage is None or pd.isna(count) or pd.isna(population) or population <= 0:
        return (np.nan, np.nan, np.nan)
    rate = rate_per_1000(int(count), float(population), population_vintage=vintage)
    return (float(rate["rate"]), float(rate["lower"]), float(rate["upper"]))

