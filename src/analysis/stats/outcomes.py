"""The outcome profile: what share of each crime type's crimes ended with no suspect
identified, are still under investigation, were charged or reached court, or closed otherwise,
this period against the comparison period.

Input is crimes counted by month, crime type and police.uk outcome string (from
:func:`analysis.store.outcomes.crime_outcome_counts` or a partner extract). Outcome strings are
grouped by ``reference/police_uk_outcomes.csv`` (:mod:`analysis.core.outcomes`); a string not in
it is counted as 'Outcome not recognised' and listed by :func:`unrecognised_outcomes`, never
dropped. Shares are of all the crimes of the type in the months counted.

Periods are compared like for like: when either period misses months, only the months held in
both (paired month by month, :func:`analysis.core.periods.compared_months`) are counted; when no
month is held in both, shares are given for the months held and no change is tested. Each
group's share is tested with the pooled two-proportion z-test
(:func:`analysis.stats.survey.proportion_change`, 5 % level) on the crimes of the two periods.

Outcomes mature: a crime recorded last month is far more likely to be 'Under investigation'
than one recorded two years ago, and later downloads revise it.
:func:`months_still_changing` names the months whose outcomes are still changing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from analysis.core.outcomes import (
    OUTCOME_GROUPS,
    UNDER_INVESTIGATION,
    UNRECOGNISED,
    outcome_groups,
)
from analysis.core.periods import MonthsCompared, month_starts
from analysis.core.vocabulary import ALL_CRIME
from analysis.stats.survey import proportion_change

PROFILE_COLUMNS = ("crime_type", "outcome_group", "previous", "previous_crimes",
                   "previous_share", "current", "current_crimes", "current_share",
                   "difference_points", "p_value", "significance")
"""The columns of :func:`outcome_profile`: counts of the group and of all crimes of the type
in each period, the shares (%), the change in percentage points and its test."""

RECENT_MONTHS = 6
"""Months up to the latest month held whose outcomes are treated as still changing."""

OPEN_SHARE = 0.10
"""A month is also still changing when at least this share of its crimes is under
investigation."""

NO_CRIMES = "no crimes"


def grouped_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` (``month``, ``crime_type``, ``outcome``, ``count``) with each outcome's group
    in ``outcome_group``, summed by month, crime type and group."""
    frame = counts.assign(month=month_starts(counts["month"]),
                          outcome_group=outcome_groups(counts["outcome"]))
    return frame.groupby(["month", "crime_type", "outcome_group"], as_index=False)["count"].sum()


def groups_shown(counts: pd.DataFrame) -> list[str]:
    """The profile's groups: :data:`OUTCOME_GROUPS`, then 'Outcome not recognised' when any
    crime of ``counts`` has an outcome outside the mapping."""
    unknown = (outcome_groups(counts["outcome"]) == UNRECOGNISED).any()
    return [*OUTCOME_GROUPS, *([UNRECOGNISED] if unknown else [])]


def _period_totals(grouped: pd.DataFrame, months: Iterable[date], groups: list[str]
                   ) -> pd.DataFrame:
    """Crimes by crime type (and All crime) and group over ``months``: one column per group,
    every group present (0 when none)."""
    wanted = set(months)
    part = grouped[grouped["month"].isin(wanted)]
    wide = part.pivot_table(index="crime_type", columns="outcome_group", values="count",
                            aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=groups, fill_value=0)
    wide.loc[ALL_CRIME] = wide.sum()
    return wide.astype("int64")


def outcome_profile(counts: pd.DataFrame, compared: MonthsCompared,
                    groups: list[str] | None = None) -> pd.DataFrame:
    """Each crime type's (and all crime's) outcome shares in both periods, and their change.

    ``counts`` are one geography's crimes by ``month``, ``crime_type``, ``outcome`` and
    ``count``; ``compared`` says which months each period counts
    (:meth:`~analysis.core.periods.MonthsCompared.counted_months`). Rows: crime types by
    crimes this period (largest first), then All crime; within each, the groups of
    ``groups`` (default :func:`groups_shown` of ``counts``; pass the force's so an area and
    its force have the same rows). Columns :data:`PROFILE_COLUMNS`. A period holding no month has
    missing counts and shares (never 0); a change is tested only when the periods are
    compared and both have crimes of the type.
    """
    groups = groups if groups is not None else groups_shown(counts)
    grouped = grouped_counts(counts)
    current = _period_totals(grouped, compared.counted_months("current"), groups)
    previous = _period_totals(grouped, compared.counted_months("previous"), groups)
    types = current.index.union(previous.index).drop(ALL_CRIME)
    crimes_now = current.sum(axis=1).reindex(types, fill_value=0)
    order = [*sorted(types, key=lambda t: (-crimes_now[t], t)), ALL_CRIME]
    rows = []
    for crime_type in order:
        for group in groups:
            rows.append(_profile_row(crime_type, group, current, previous, compared))
    table = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    table.attrs["months_compared"] = compared
    return table


def _counts_of(totals: pd.DataFrame, crime_type: str, group: str, held: bool
               ) -> tuple[float, float]:
    """(crimes of the group, crimes of the type) in one period; NaN when nothing is held."""
    if not held:
        return float("nan"), float("nan")
    if crime_type not in totals.index:
        return 0.0, 0.0
    return float(totals.loc[crime_type, group]), float(totals.loc[crime_type].sum())


def _profile_row(crime_type: str, group: str, current: pd.DataFrame, previous: pd.DataFrame,
                 compared: MonthsCompared) -> dict[str, object]:
    """One row of :func:`outcome_profile`."""
    now, now_all = _counts_of(current, crime_type, group, not compared.holds_none("current"))
    before, before_all = _counts_of(previous, crime_type, group,
                                    not compared.holds_none("previous"))
    row: dict[str, object] = {
        "crime_type": crime_type, "outcome_group": group,
        "previous": before, "previous_crimes": before_all, "previous_share": _share(before,
                                                                                    before_all),
        "current": now, "current_crimes": now_all, "current_share": _share(now, now_all),
        "difference_points": float("nan"), "p_value": float("nan"),
    }
    if not compared.comparable:
        row["significance"] = compared.summary()
    elif not (now_all > 0 and before_all > 0):
        row["significance"] = NO_CRIMES
    else:
        test = proportion_change(before / before_all, before_all, now / now_all, now_all)
        row.update(difference_points=float(test["difference_points"]),
                   p_value=float(test["p_value"]), significance=str(test["label"]))
    return row


def _share(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole``; NaN when there is no whole."""
    return 100 * part / whole if whole > 0 else float("nan")


def months_still_changing(counts: pd.DataFrame, months: Iterable[date], latest_month: date,
                          *, recent: int = RECENT_MONTHS, open_share: float = OPEN_SHARE
                          ) -> pd.DataFrame:
    """For each of ``months`` held in ``counts``: its crimes, the share (%) still under
    investigation and whether its outcomes are still changing.

    A month is still changing when it is one of the ``recent`` months up to ``latest_month``
    (the newest month of data: later downloads will revise these months' outcomes), or when at
    least ``open_share`` of its crimes are still under investigation (a month taken from an
    early download). Columns ``month``, ``crimes``, ``under_investigation_share``,
    ``still_changing``.
    """
    grouped = grouped_counts(counts)
    wanted = sorted(set(months) & set(grouped["month"]))
    by_month = grouped[grouped["month"].isin(wanted)]
    crimes = by_month.groupby("month")["count"].sum()
    open_cases = by_month[by_month["outcome_group"] == UNDER_INVESTIGATION].groupby(
        "month")["count"].sum().reindex(crimes.index, fill_value=0)
    first_recent = (pd.Timestamp(latest_month) - pd.DateOffset(months=recent - 1)).date()
    share = 100 * open_cases / crimes
    table = pd.DataFrame({
        "month": list(crimes.index),
        "crimes": crimes.to_numpy(dtype="int64"),
        "under_investigation_share": share.to_numpy(dtype="float64"),
    })
    recent_month = pd.Series([m >= first_recent for m in table["month"]], dtype=bool)
    table["still_changing"] = recent_month | (
        table["under_investigation_share"] >= 100 * open_share)
    return table


def unrecognised_outcomes(counts: pd.DataFrame) -> pd.DataFrame:
    """Outcome strings of ``counts`` not in the mapping, with their crimes (largest first);
    a crime with no outcome at all is listed as '(blank)'. Columns ``outcome``, ``crimes``."""
    unknown = counts[outcome_groups(counts["outcome"]) == UNRECOGNISED]
    named = unknown.assign(outcome=unknown["outcome"].fillna("(blank)").astype(str))
    table = named.groupby("outcome", as_index=False)["count"].sum().rename(
        columns={"count": "crimes"})
    return table.sort_values(["crimes", "outcome"], ascending=[False, True],
                             ignore_index=True)


def outcome_sources(counts: pd.DataFrame) -> dict[str, int]:
    """Crimes per ``outcome_source`` ('outcomes file', 'street file') in ``counts``."""
    return {str(k): int(v) for k, v in counts.groupby("outcome_source")["count"].sum().items()}
