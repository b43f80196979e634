"""The published Home Office recorded crime (PRC) tables as the seeds' table 3.1: each offence
group and subgroup, this financial year and last, the change and its significance, and the
rate per 1,000 against the force and the most similar group (MSG) average.

Counts in the PRC tables are per quarter. A financial year is the sum of its four quarters; a
partnership holding fewer than four quarters of a year has an **incomplete** year, whose
annual count is unknown (<NA>), never the sum of the quarters it has (that would read as a
fall) and never one quarter. An offence with no row in a quarter the partnership holds is 0.

The MSG comparison (see docs/methods.md, "Published recorded crime and the most similar
group"): the MSG average is the mean of the other members' rates per 1,000 (each partnership
counts once, as "the average of our most similar comparator CSPs"); the area's rate has a 95 %
interval for a Poisson count (Byar's method from 10 offences, exact below,
:func:`analysis.stats.measures.byar_interval`). The area is significantly higher than the MSG
average when the average lies below the interval, significantly lower when above it, and not
significantly different otherwise: a test of the area's rate against a fixed target, as a
funnel plot does, that an analyst can check by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.offences import load_offence_classification
from analysis.core.vocabulary import ALL_CRIME
from analysis.inputs.recorded_crime import financial_year_label
from analysis.stats.comparators import HIGHER, LOWER, SIMILAR
from analysis.stats.measures import (
    NOT_ASSESSED,
    RELIABLE_BASE,
    byar_interval,
    percent_change,
    poisson_change_test,
    require_columns,
    significance_label,
)

QUARTERS = (1, 2, 3, 4)
GROUP_ROW = "All"
"""The subgroup column of a group's own row (its total), as the change tables write it."""


def quarters_label(quarters: Sequence[int]) -> str:
    """Quarters held as text: 'Q1-Q4', 'Q1, Q3', or 'none'."""
    held = sorted(set(quarters))
    if not held:
        return "none"
    if held == list(range(held[0], held[-1] + 1)) and len(held) > 1:
        return f"Q{held[0]}–Q{held[-1]}"
    return ", ".join(f"Q{q}" for q in held)


def quarters_held(quarters: pd.DataFrame, year: str, area_col: str, area: str) -> tuple[int, ...]:
    """The quarters of ``year`` with any row for ``area`` (in ``area_col``)."""
    rows = quarters[(quarters["financial_year"] == year) & (quarters[area_col] == area)]
    return tuple(sorted(int(q) for q in rows["quarter"].unique()))


def yearly_counts(quarters: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Quarterly PRC counts summed to financial years by ``by`` (the first is the area:
    ``csp_name`` or ``force_name``).

    The quarters an area holds in a year are those with any row for it; the year is complete
    with all four. Returns ``by``, financial_year, count (Int64: the year's total, <NA> when
    incomplete), held_count (the sum over the quarters held), quarters_held ('Q1–Q3') and
    complete.
    """
    by = list(by)
    require_columns(quarters, ["financial_year", "quarter", "count", *by])
    area_col = by[0]
    held = (quarters.groupby([area_col, "financial_year"])["quarter"]
            .agg(lambda q: tuple(sorted(set(int(v) for v in q)))).rename("held"))
    sums = (quarters.groupby([*by, "financial_year"], sort=False)["count"].sum()
            .rename("held_count").reset_index())
    out = sums.join(held, on=[area_col, "financial_year"])
    out["complete"] = [h == QUARTERS for h in out["held"]]
    out["quarters_held"] = [quarters_label(h) for h in out["held"]]
    out["held_count"] = out["held_count"].astype("int64")
    out["count"] = out["held_count"].astype("Int64").where(out["complete"])
    return out[[*by, "financial_year", "count", "held_count", "quarters_held", "complete"]]


def msg_comparison(count: int, population: float, member_rates: Sequence[float], *,
                   per: int = 1000, confidence: float = 0.95) -> dict[str, Any]:
    """The area's rate against the MSG average (the mean of ``member_rates``, the other
    members' rates per ``per``).

    Returns rate, lower, upper (the Byar / exact interval of the rate), msg_mean, members
    (how many rates were averaged) and significance: 'significantly higher' when the MSG
    mean is below the interval, 'significantly lower' when above, 'not significantly
    different' otherwise, 'not assessed' when no member rate is known.
    """
    if not population or pd.isna(population) or population <= 0:
        raise InputError("Population must be a positive number", found=population)
    low, high = byar_interval(int(count), confidence)
    scale = per / float(population)
    rates = [float(r) for r in member_rates if not pd.isna(r)]
    mean = sum(rates) / len(rates) if rates else math.nan
    if not rates:
        label = NOT_ASSESSED
    elif mean < low * scale:
        label = HIGHER
    elif mean > high * scale:
        label = LOWER
    else:
        label = SIMILAR
    return {"rate": int(count) * scale, "lower": low * scale, "upper": high * scale,
            "msg_mean": mean, "members": len(rates), "significance": label}


def offence_rows(quarters: pd.DataFrame) -> pd.DataFrame:
    """The offence groups and subgroups present in ``quarters``, in the order of the Home
    Office classification: each group's own row (subgroup 'All') before its subgroups."""
    order = load_offence_classification()[["offence_group", "offence_subgroup"]]
    order = order.drop_duplicates().reset_index(drop=True)
    present = set(zip(quarters["offence_group"], quarters["offence_subgroup"], strict=True))
    rows: list[tuple[str, str]] = []
    for group, members in order.groupby("offence_group", sort=False):
        subgroups = [s for s in members["offence_subgroup"] if (group, s) in present]
        if subgroups:
            rows.append((str(group), GROUP_ROW))
            rows.extend((str(group), str(s)) for s in subgroups)
    return pd.DataFrame(rows, columns=["offence_group", "offence_subgroup"])


def _counts_by_row(yearly: pd.DataFrame, rows: pd.DataFrame, year: str,
                   complete: bool) -> pd.Series:
    """One area's count in ``year`` for every row of ``rows`` (groups summed), plus the all
    crime total last; <NA> throughout when the year is incomplete."""
    if not complete:
        return pd.Series([pd.NA] * (len(rows) + 1), dtype="Int64")
    this = yearly[yearly["financial_year"] == year]
    by_subgroup = this.groupby(["offence_group", "offence_subgroup"])["held_count"].sum()
    by_group = this.groupby("offence_group")["held_count"].sum()
    values = [int(by_group.get(g, 0)) if s == GROUP_ROW else int(by_subgroup.get((g, s), 0))
              for g, s in zip(rows["offence_group"], rows["offence_subgroup"], strict=True)]
    return pd.Series([*values, int(this["held_count"].sum())], dtype="Int64")


def _year_complete(quarters: pd.DataFrame, year: str, area_col: str, area: str) -> bool:
    return quarters_held(quarters, year, area_col, area) == QUARTERS


def member_status(quarters: pd.DataFrame, members: pd.DataFrame, populations: pd.Series,
                  year: str, area_code: str) -> pd.DataFrame:
    """Each MSG member (``csp_code, csp_name``) for ``year``: force, quarters held, population
    (``populations`` by CSP code, <NA> when none is held) and whether its rate is in the MSG
    average ('area', 'used', or the reason it is not)."""
    rows = []
    for member in members.itertuples(index=False):
        held = quarters_held(quarters, year, "csp_name", member.csp_name)
        in_rows = quarters[(quarters["csp_name"] == member.csp_name)
                           & (quarters["financial_year"] == year)]
        forces = sorted(in_rows["force_name"].unique())
        population = populations.get(member.csp_code, pd.NA)
        if member.csp_code == area_code:
            status = "the area"
        elif not held:
            status = f"not in the published table for {year}"
        elif held != QUARTERS:
            status = f"incomplete year: {quarters_label(held)} held"
        elif pd.isna(population):
            status = "no population estimate held"
        else:
            status = "in the MSG average"
        rows.append({"csp_code": member.csp_code, "csp_name": member.csp_name,
                     "force_name": ", ".join(forces) if forces else pd.NA,
                     "quarters_held": quarters_label(held), "population": population,
                     "status": status})
    out = pd.DataFrame(rows, columns=["csp_code", "csp_name", "force_name", "quarters_held",
                                      "population", "status"])
    out["population"] = out["population"].astype("Int64")
    return out


def recorded_crime_table(quarters: pd.DataFrame, *, area_code: str, area_name: str,
                         force_name: str, area_population: float, force_population: float,
                         members: pd.DataFrame, populations: pd.Series, current_year: str,
                         previous_year: str, alpha: float = 0.05) -> pd.DataFrame:
    """Table 3.1 from the published quarters: each offence group and subgroup (and all crime)
    for ``area_name``, ``previous_year`` and ``current_year``.

    ``members`` are the MSG members (``csp_code, csp_name``, the area included) and
    ``populations`` their residents by CSP code (only members with a complete year and a
    population are averaged, see :func:`member_status`). Columns: offence_group,
    offence_subgroup, row_kind ('group', 'subgroup', 'total'), previous, current (Int64, <NA>
    for an incomplete year), diff, pct_diff, pct_reliable, p_value, significance (exact
    conditional Poisson test, as the other change tables), rate, lower, upper, force_rate,
    msg_mean, msg_members and against_msg (:func:`msg_comparison`). ``attrs`` hold the
    quarters held in each year and the member table.
    """
    require_columns(quarters, ["financial_year", "quarter", "force_name", "csp_name",
                               "offence_group", "offence_subgroup", "count"])
    years = quarters["financial_year"].isin([current_year, previous_year])
    in_force = quarters[years & (quarters["force_name"] == force_name)]
    rows = offence_rows(in_force if not in_force.empty else quarters[years])
    by = ["offence_group", "offence_subgroup"]
    area = yearly_counts(quarters[quarters["csp_name"] == area_name], ["csp_name", *by])
    force = yearly_counts(in_force, ["force_name", *by])
    complete = {year: _year_complete(quarters, year, "csp_name", area_name)
                for year in (current_year, previous_year)}
    table = pd.concat([rows, pd.DataFrame({"offence_group": [ALL_CRIME],
                                           "offence_subgroup": [ALL_CRIME]})],
                      ignore_index=True)
    table["row_kind"] = ["group" if s == GROUP_ROW else "subgroup" for s in rows[
        "offence_subgroup"]] + ["total"]
    table["previous"] = _counts_by_row(area, rows, previous_year, complete[previous_year])
    table["current"] = _counts_by_row(area, rows, current_year, complete[current_year])
    force_complete = _year_complete(quarters, current_year, "force_name", force_name)
    force_current = _counts_by_row(force, rows, current_year, force_complete)
    table = _with_change(table, alpha)
    status = member_status(quarters, members, populations, current_year, area_code)
    used = status[status["status"] == "in the MSG average"]
    member_counts = []
    for member in used.itertuples(index=False):
        counts = yearly_counts(quarters[quarters["csp_name"] == member.csp_name],
                               ["csp_name", *by])
        member_counts.append(_counts_by_row(counts, rows, current_year, True)
                             / float(member.population) * 1000)
    comparisons = [
        msg_comparison(int(count), area_population, [rates.iloc[i] for rates in member_counts])
        if not pd.isna(count) else None
        for i, count in enumerate(table["current"])
    ]
    for key in ("rate", "lower", "upper", "msg_mean"):
        table[key] = [np.nan if c is None else c[key] for c in comparisons]
    table["msg_members"] = len(used)
    table["against_msg"] = [NOT_ASSESSED if c is None else c["significance"]
                            for c in comparisons]
    table["force_rate"] = (force_current.astype("Float64") / force_population * 1000
                           ).astype("float64")
    table.attrs.update(
        current_year=current_year, previous_year=previous_year,
        quarters_held={year: quarters_label(quarters_held(quarters, year, "csp_name",
                                                          area_name))
                       for year in (previous_year, current_year)},
        members=status)
    return table


def _with_change(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """diff, pct_diff, pct_reliable, p_value and significance of each row (unknown and 'not
    assessed' where a year is incomplete)."""
    out = table.copy()
    out["diff"] = out["current"] - out["previous"]
    known = out["current"].notna() & out["previous"].notna()
    pct, p_values, labels = [], [], []
    for is_known, current, previous in zip(known, out["current"], out["previous"],
                                           strict=True):
        if not is_known:
            pct.append(np.nan)
            p_values.append(np.nan)
            labels.append(NOT_ASSESSED)
            continue
        p_value = poisson_change_test(int(current), int(previous))
        pct.append(percent_change(int(current), int(previous)))
        p_values.append(p_value)
        labels.append(significance_label(p_value, int(current) - int(previous), alpha=alpha))
    out["pct_diff"] = pd.Series(pct, index=out.index, dtype="float64")
    out["pct_reliable"] = (out["previous"].fillna(0) >= RELIABLE_BASE).astype(bool)
    out["p_value"] = pd.Series(p_values, index=out.index, dtype="float64")
    out["significance"] = labels
    return out


def force_in_table(quarters: pd.DataFrame, area_name: str, default: str) -> str:
    """The force name the PRC table gives the area's rows (the tables write e.g. 'Essex',
    not the 'Essex Police' of data.police.uk), or ``default`` when it has none."""
    names = quarters.loc[quarters["csp_name"] == area_name, "force_name"]
    return str(names.mode().iloc[0]) if not names.empty else default


def financial_year_for(end_year: int, end_month: int) -> str:
    """The latest financial year (label '2024/25') ending on or before the month
    ``end_year``-``end_month``: the PRC tables are by financial year."""
    return financial_year_label(end_year - 1 if end_month >= 3 else end_year - 2)
