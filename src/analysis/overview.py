"""The crime overview: the year-on-year table by crime type and the monthly totals behind it.

This is the seeds' table 3.1 (count, previous count, # diff, % diff by crime type, all crime)
for the area with the force's change beside it. ASB is reported as incidents on its own row,
below and outside the all-crime total: ASB is never added to crime.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from analysis.measures import change_table
from analysis.periods import Period

ASB = "Anti-social behaviour"
ALL_CRIME = "All crime"


def _as_date(values: pd.Series) -> pd.Series:
    """First-of-month values as ``datetime.date`` whatever the input type."""
    return pd.to_datetime(values).dt.date


def crime_type_change(area_counts: pd.DataFrame, force_counts: pd.DataFrame, current: Period,
                      previous: Period, available_months: Iterable[date]) -> pd.DataFrame:
    """Year-on-year change by crime type for the area, with the force's change beside it.

    Both inputs are long monthly counts with columns ``month``, ``crime_type``, ``count``
    (ASB rows included; they are separated here). Rows: crime types by current count
    (largest first), then ``All crime``, then ASB. ``row_kind`` says which is which.
    """
    months = sorted(set(available_months))
    is_asb_area = area_counts["crime_type"] == ASB
    crimes = change_table(area_counts[~is_asb_area], current, previous, "crime_type",
                          total_label=ALL_CRIME, available_months=months)
    asb = change_table(area_counts[is_asb_area], current, previous, "crime_type",
                       total_label=None, available_months=months)
    is_asb_force = force_counts["crime_type"] == ASB
    force = pd.concat(
        [
            change_table(force_counts[~is_asb_force], current, previous, "crime_type",
                         total_label=ALL_CRIME, available_months=months),
            change_table(force_counts[is_asb_force], current, previous, "crime_type",
                         total_label=None, available_months=months),
        ]
    )[["crime_type", "current", "previous", "pct_diff"]].rename(
        columns={"current": "force_current", "previous": "force_previous",
                 "pct_diff": "force_pct_diff"}
    )
    types = crimes[crimes["crime_type"] != ALL_CRIME].sort_values(
        ["current", "crime_type"], ascending=[False, True]
    )
    table = pd.concat(
        [
            types.assign(row_kind="crime type"),
            crimes[crimes["crime_type"] == ALL_CRIME].assign(row_kind="total"),
            asb.assign(row_kind="incidents (not crime)"),
        ],
        ignore_index=True,
    )
    return table.merge(force, on="crime_type", how="left", validate="one_to_one")


def monthly_totals(counts: pd.DataFrame, months: Iterable[date],
                   available_months: Iterable[date]) -> pd.DataFrame:
    """Monthly all-crime and ASB totals over ``months``; a month with no data is missing (NaN).

    A month present in the source with no rows for the area is a real zero; a month absent
    from the source is unknown and stays NaN so charts show a gap, not a fall to zero.
    """
    frame = counts.assign(month=_as_date(counts["month"]))
    frame["series"] = frame["crime_type"].where(frame["crime_type"] == ASB, ALL_CRIME)
    wide = frame.pivot_table(index="month", columns="series", values="count", aggfunc="sum")
    wanted = list(months)
    wide = wide.reindex(index=wanted, columns=[ALL_CRIME, ASB]).fillna(0)
    present = set(available_months)
    wide.loc[[m not in present for m in wanted], :] = float("nan")
    wide = wide.rename(columns={ALL_CRIME: "all_crime", ASB: "asb_incidents"})
    return wide.rename_axis("month").reset_index().rename_axis(columns=None)


def presentable(table: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """The change table with the column headings an analyst expects (as in the seeds)."""
    columns = {
        "crime_type": "Crime type",
        "previous": previous.label,
        "current": current.label,
        "diff": "# diff.",
        "pct_diff": "% diff.",
        "significance": "Change",
        "force_pct_diff": "Force % diff.",
    }
    shown = table[list(columns)].rename(columns=columns)
    unreliable = ~table["pct_reliable"].astype(bool)
    shown["% diff."] = shown["% diff."].astype("object")
    shown.loc[unreliable & table["pct_diff"].notna(), "Change"] = (
        table.loc[unreliable & table["pct_diff"].notna(), "significance"]
        + " (base under 10: % unreliable)"
    )
    return shown
