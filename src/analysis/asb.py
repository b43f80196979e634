"""Anti-social behaviour: incidents by category and type, rates, repeat callers and places.

ASB is counted in **incidents**, never crimes, and never added to a crime total. Two sources
feed the section: police.uk (every force, monthly, no category, used for the trend, the rate
and the position among the force's partnerships) and the partner ASB extract (category, type,
date and time, repeat-caller flag). police.uk ASB has fallen sharply since 2018 in many forces
because of how incidents are recorded and published, so the long-run series is shown with that
caveat (see :func:`publication_by_year`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis import places
from analysis.measures import (
    NOT_ASSESSED,
    change_table,
    count_headings,
    require_columns,
)
from analysis.narrative import describe_change, number
from analysis.overview import months_counted, rate_period_note, rates_by_csp
from analysis.partner_counts import extract_months, headline, monthly_counts
from analysis.periods import (
    COMPLETE,
    DEFAULT_COMPARISON,
    Period,
    add_months,
    compared_months,
    months_between,
)

ASB = "Anti-social behaviour"
"""The police.uk crime type holding ASB incidents."""

CATEGORIES = ("personal", "nuisance", "environmental")
"""The national ASB categories, in the order partners report them."""

ALL_ASB = "All ASB incidents"
ALL_TYPES = "All types"
REPEAT_THRESHOLDS = (3, 10, 25)
"""Incidents at one location in a period that make it a repeat location (shown for each)."""

PUBLICATION_FALL = 0.25
"""A fall of at least this share in published incidents per month between the first and the
last calendar year held is called out as a recording and publication effect."""


def asb_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The ASB rows of police.uk monthly counts (``month, crime_type, count``, ...)."""
    require_columns(counts, ["month", "crime_type", "count"])
    return counts[counts["crime_type"] == ASB].reset_index(drop=True)


def asb_change(area_counts: pd.DataFrame, force_counts: pd.DataFrame, current: Period,
               previous: Period, available_months: Iterable[date], *, area_name: str,
               force_name: str) -> pd.DataFrame:
    """police.uk ASB incidents this period and last for the area and its force.

    Inputs are monthly counts with ``month, crime_type, count`` (crime rows are ignored).
    One row each (``place`` = area name, force name) with the change columns of
    :func:`analysis.measures.change_table`; a period with a missing month is not assessed.
    """
    rows = pd.concat([asb_counts(area_counts).assign(place=area_name),
                      asb_counts(force_counts).assign(place=force_name)], ignore_index=True)
    return change_table(rows, current, previous, "place", total_label=None,
                        available_months=list(available_months))


def asb_rates(counts_by_csp: pd.DataFrame, populations: pd.DataFrame, period: Period,
              area_code: str, available_months: Iterable[date] | None = None
              ) -> pd.DataFrame:
    """ASB incidents per 1,000 residents (Byar 95 % interval) for every CSP of the force.

    As :func:`analysis.overview.crime_rates` but for ASB incidents: ``counts_by_csp`` has
    ``month, csp_code, crime_type, count``; ``populations`` comes from
    :func:`analysis.pipeline.force_populations`. Each row says whether the area's rate
    differs from it (exact conditional Poisson test). Rows: CSPs by rate, then the force.
    The months of ``period`` held in ``available_months`` are in ``attrs["months_counted"]``
    (see :func:`analysis.overview.presentable_rates`).
    """
    asb = asb_counts(counts_by_csp)
    in_period = pd.to_datetime(asb["month"]).dt.date.isin(set(period.months))
    totals = asb[in_period].groupby("csp_code")["count"].sum()
    return rates_by_csp(totals, populations, area_code,
                        months=months_counted(period, available_months))


def category_change(asb: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """Partner ASB incidents by category and type, this period and last, with shares.

    Rows: each category (personal, nuisance, environmental) with ``asb_type`` =
    :data:`ALL_TYPES`, followed by its types (busiest first), then :data:`ALL_ASB`.
    Columns: category, asb_type, the change columns of
    :func:`analysis.measures.change_table` and ``share_percent`` (share of all incidents
    this period). Coverage is the months the extract spans.
    """
    counts = monthly_counts(asb, "occurred_at", ("category", "asb_type"))
    in_current = counts["month"].isin(current.months)
    size = counts[in_current].groupby("asb_type")["count"].sum()
    rank = {name: i for i, name in enumerate(CATEGORIES)}
    counts = counts.assign(_category=counts["category"].map(rank).fillna(len(CATEGORIES)),
                           _size=-counts["asb_type"].map(size).fillna(0))
    counts = counts.sort_values(["_category", "category", "_size", "asb_type", "month"])
    table = change_table(counts.drop(columns=["_category", "_size"]), current, previous,
                         ["category", "asb_type"], total_label=ALL_ASB, subtotals=True,
                         subtotal_label=ALL_TYPES,
                         available_months=extract_months(asb["occurred_at"]))
    total = table.loc[table["category"] == ALL_ASB, "current"].iloc[0]
    table["share_percent"] = (table["current"].astype("Float64") / total * 100
                              if pd.notna(total) and total else np.nan)
    return table


def category_shares(table: pd.DataFrame) -> dict[str, float]:
    """Share (%) of this period's incidents in each category, from :func:`category_change`."""
    rows = table[table["asb_type"] == ALL_TYPES].set_index("category")["share_percent"]
    return {category: float(rows[category]) for category in CATEGORIES if category in rows}


def repeat_callers(asb: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame | None:
    """Incidents reported by repeat callers in each period, and their share.

    Uses the extract's ``repeat_caller`` flag. A blank flag is unknown: such incidents are
    counted apart and left out of the share's base. Columns: period, incidents,
    repeat_caller_incidents, flag_unknown, share_percent. None when no incident carries the
    flag (the extract does not record it).
    """
    require_columns(asb, ["occurred_at", "repeat_caller"])
    flag = asb["repeat_caller"].astype("boolean")
    if flag.isna().all():
        return None
    months = pd.to_datetime(asb["occurred_at"]).dt.to_period("M").dt.start_time.dt.date
    rows = []
    for period in (previous, current):
        chosen = flag[months.isin(period.months).to_numpy()]
        known = int(chosen.notna().sum())
        repeat = int(chosen.fillna(False).sum())
        rows.append({"period": period.label, "incidents": len(chosen),
                     "repeat_caller_incidents": repeat,
                     "flag_unknown": len(chosen) - known,
                     "share_percent": repeat / known * 100 if known else np.nan})
    return pd.DataFrame(rows)


def repeat_locations(asb: pd.DataFrame, period: Period,
                     thresholds: Sequence[int] = REPEAT_THRESHOLDS) -> pd.DataFrame | None:
    """Locations (the same grid reference) with repeated incidents in ``period``.

    For each threshold: locations with at least that many incidents, the incidents there and
    their share of the period's incidents with a grid reference. No individual location is
    listed (one point can be one household). ``attrs['no_location']`` counts incidents with
    no grid reference. None when no incident has one.
    """
    require_columns(asb, ["occurred_at", "easting", "northing"])
    months = pd.to_datetime(asb["occurred_at"]).dt.to_period("M").dt.start_time.dt.date
    rows = asb[months.isin(period.months).to_numpy()]
    placed = rows.dropna(subset=["easting", "northing"])
    if placed.empty:
        return None
    per_point = placed.groupby([placed["easting"].round(), placed["northing"].round()]).size()
    table = pd.DataFrame({
        "min_incidents": list(thresholds),
        "locations": [int((per_point >= t).sum()) for t in thresholds],
        "incidents": [int(per_point[per_point >= t].sum()) for t in thresholds],
    })
    table["share_percent"] = table["incidents"] / len(placed) * 100
    table.attrs["no_location"] = len(rows) - len(placed)
    return table


def long_run_months(held_months: Iterable[date], period: Period) -> list[date]:
    """Every calendar month from the first one held to the end of ``period``.

    The long-run view of a year's assessment stops where its period does: a 2018/19 report
    must not quote months published after March 2019, however many are held now. Months in
    between that are not held are listed too, so they show as gaps. Empty when nothing is held
    on or before the period's end.
    """
    held = [month for month in held_months if month <= period.end]
    if not held:
        return []
    first = min(held)
    return [add_months(first, i) for i in range(months_between(first, period.end))]


def publication_by_year(monthly: pd.DataFrame, value_col: str = "asb_incidents"
                        ) -> pd.DataFrame:
    """police.uk ASB incidents per month by calendar year, over the months published.

    ``monthly`` has ``month`` and ``value_col`` with NaN for months not published. Columns:
    year, months_held, incidents, per_month (mean over the months held), lowest, highest.
    Years with no month held are left out.
    """
    frame = monthly.dropna(subset=[value_col])
    year = pd.to_datetime(frame["month"]).dt.year.rename("year")
    grouped = frame[value_col].groupby(year)
    table = pd.DataFrame({
        "months_held": grouped.size(),
        "incidents": grouped.sum().astype("int64"),
        "per_month": grouped.mean(),
        "lowest": grouped.min().astype("int64"),
        "highest": grouped.max().astype("int64"),
    })
    return table.reset_index()


MIN_COMMON_MONTHS = 3
"""Calendar months two years must both hold before their levels are compared."""


def like_for_like(monthly: pd.DataFrame, value_col: str = "asb_incidents"
                  ) -> dict[str, Any] | None:
    """The earliest and latest years that share at least :data:`MIN_COMMON_MONTHS` published
    calendar months, and their average per month over just those months.

    Comparing the same months removes the seasonal pattern (a January-to-April year is not
    comparable with a full one). The widest such pair of years is chosen. Returns first_year,
    last_year, months (calendar month numbers), first_per_month, last_per_month and
    change_percent; None when no two years share enough months.
    """
    frame = monthly.dropna(subset=[value_col])
    stamps = pd.to_datetime(frame["month"])
    values = pd.Series(frame[value_col].to_numpy(dtype=float),
                       index=pd.MultiIndex.from_arrays([stamps.dt.year, stamps.dt.month]))
    held = {year: set(values.loc[year].index) for year in sorted(set(stamps.dt.year))}
    pairs = sorted(((a, b) for a in held for b in held if a < b),
                   key=lambda pair: (pair[0] - pair[1], pair[0]))
    for first, last in pairs:
        common = sorted(held[first] & held[last])
        if len(common) >= MIN_COMMON_MONTHS:
            before = float(values.loc[first].loc[common].mean())
            after = float(values.loc[last].loc[common].mean())
            return {"first_year": int(first), "last_year": int(last), "months": common,
                    "first_per_month": before, "last_per_month": after,
                    "change_percent": (after - before) / before * 100 if before else np.nan}
    return None


def describe_publication(comparison: Mapping[str, Any] | None, area_name: str) -> str | None:
    """A sentence on the long-run level of police.uk ASB from :func:`like_for_like`.

    A fall of :data:`PUBLICATION_FALL` or more is called out as a recording and publication
    effect; None without a comparison.
    """
    if comparison is None:
        return None
    months = comparison["months"]
    span = (f"{date(2000, months[0], 1):%B} to {date(2000, months[-1], 1):%B}"
            if months == list(range(months[0], months[-1] + 1)) else
            ", ".join(f"{date(2000, m, 1):%b}" for m in months))
    text = (f"Over the same months ({span}), police.uk published about "
            f"{comparison['first_per_month']:,.0f} ASB incidents a month for {area_name} in "
            f"{comparison['first_year']} and about {comparison['last_per_month']:,.0f} a month "
            f"in {comparison['last_year']}.")
    if comparison["change_percent"] <= -PUBLICATION_FALL * 100:
        text += (" A fall of this size mostly reflects changes in how police record and "
                 "publish ASB (incidents now recorded as crimes, such as public order "
                 "offences, and changes in force incident systems), not a real fall in ASB: "
                 "compare years with care and use the council's and partners' records as well.")
    return text


def hotspot_squares(placed: pd.DataFrame, grid: places.Grid, period: Period,
                    available_months: Iterable[date], *,
                    comparison: str = DEFAULT_COMPARISON) -> tuple[pd.DataFrame, bool]:
    """Hotspot squares for ASB: :func:`analysis.places.hotspot_trend`, and whether it gave
    classes.

    Classes need enough complete windows both before and within the period
    (:data:`analysis.places.MIN_EARLIER_WINDOWS`, :data:`analysis.places.MIN_RECENT_WINDOWS`);
    when the months held do not give them (e.g. police.uk gaps, a short period) the squares
    carry this period's Gi* result only (:data:`analysis.places.HOT_NOW_ONLY`), the second
    value is False and ``attrs["classification_note"]`` says why, for the page.
    """
    trend = places.hotspot_trend(placed, grid, period, available_months,
                                 comparison=comparison)
    return trend, bool(trend.attrs["classes_given"])


def mark_unknown_change(table: pd.DataFrame, current: Period, previous: Period,
                        available_months: Iterable[date]) -> pd.DataFrame:
    """A copy of a place table (``current``, ``previous``, ``diff``, ``change`` ...) that
    does not claim a change the coverage cannot support.

    The coverage rule is :func:`analysis.periods.compared_months`, as for every change table.
    Unless both periods are complete, ``change`` becomes :data:`analysis.measures.NOT_ASSESSED`
    (the place counts are over whole periods, not the months held in both); a period with no
    month of data at all has unknown counts (NA, never 0), and so do ``diff`` and ``pct_diff``.
    """
    compared = compared_months(current, previous, available_months)
    out = table.copy()
    if compared.basis == COMPLETE:
        return out
    out["change"] = NOT_ASSESSED
    for name in ("current", "previous"):
        if compared.holds_none(name):
            out[name] = pd.array([pd.NA] * len(out), dtype="Int64")
            for column in ("diff", "pct_diff"):
                if column in out.columns:
                    out[column] = np.nan
    return out


def peak_day_hour(table: pd.DataFrame) -> tuple[str, int, int]:
    """(day, hour, incidents) of the busiest cell of a 7 x 24 day-by-hour table.

    Ties go to the earliest day of the week, then the earliest hour.
    """
    stacked = table.stack()
    day, hour = stacked.idxmax()
    return str(day), int(hour), int(stacked.max())


def header_notes(*, police_source: str, population_vintage: str,
                 incidents: pd.DataFrame | None, outside: int, area_name: str,
                 current: Period, previous: Period, police_months: Iterable[date]
                 ) -> tuple[list[str], list[str]]:
    """The data sources and caveats the section's page header lists.

    ``police_source`` is :func:`analysis.report.police_uk_source`; ``incidents`` the partner
    extract's incidents in the area and ``outside`` how many it holds elsewhere
    (:func:`analysis.partner_counts.in_area`), or None and 0 without an extract, which is
    named as a caveat because everything the extract adds is then missing from the page.
    """
    months = list(police_months)
    sources = [police_source, f"Population: {population_vintage}"]
    caveats = [
        current.coverage(months).describe(),
        previous.coverage(months).describe(),
        "Anti-social behaviour is counted in incidents, not crimes, and is never added to crime "
        "totals.",
        "police.uk ASB is incidents reported to the police only; councils, housing providers and "
        "others record ASB the police never see.",
    ]
    if incidents is None:
        caveats.append("No partner ASB extract is configured for this area, so ASB categories "
                       "and types, days and times, and repeat callers cannot be shown.")
        return sources, caveats
    stamps = incidents["occurred_at"]
    sources.append(f"Partner ASB extract: {len(incidents):,} incidents in {area_name}, "
                   f"{stamps.min():%b %Y} to {stamps.max():%b %Y}")
    if outside:
        caveats.append(f"{outside:,} incidents in the partner extract are outside "
                       f"{area_name} or could not be placed, and are not counted.")
    return sources, caveats


def key_findings(change: pd.DataFrame, *, area_name: str, force_name: str,
                 rate_position: str | None, shares: dict[str, float] | None,
                 repeat: pd.DataFrame | None, peak: tuple[str, int, int] | None,
                 publication: str | None) -> list[str]:
    """Plain-English findings from the computed ASB figures; absent inputs are skipped.

    ``change`` is :func:`asb_change` (area row first, force row second).
    """
    area, force = change.iloc[0], change.iloc[1]
    findings = [describe_change(area, f"ASB incidents recorded on police.uk in {area_name}",
                                unit="incidents", force_pct=force["pct_diff"],
                                force_label=force_name)]
    if rate_position:
        findings.append(f"{area_name}'s ASB rate per 1,000 residents is the {rate_position} "
                        f"among the partnerships of {force_name}.")
    if shares:
        parts = ", ".join(f"{shares[c]:.0f} % {c}" for c in CATEGORIES if c in shares)
        findings.append(f"Of the ASB incidents in the partner extract, {parts}.")
    if repeat is not None:
        latest = repeat.iloc[-1]
        findings.append(f"Repeat callers reported {number(latest['repeat_caller_incidents'])} "
                        f"incidents in {latest['period']}, {latest['share_percent']:.1f} % of "
                        "incidents with a known repeat-caller flag.")
    if peak is not None:
        day, hour, count = peak
        findings.append(f"The busiest hour of the week for ASB is {day} {hour:02d}:00 to "
                        f"{hour:02d}:59 ({number(count)} incidents this period).")
    if publication:
        findings.append(publication)
    return findings


def key_figures(change: pd.DataFrame, rates: pd.DataFrame, area_code: str, *,
                rate_position: str, shares: dict[str, float] | None,
                repeat: pd.DataFrame | None, comparison: Mapping[str, Any] | None,
                peak: tuple[str, int, int] | None, current: Period, previous: Period
                ) -> list[tuple[str, object, str]]:
    """The section's headline figures as (key, value, label) for the executive summary.

    ``change`` is :func:`asb_change` (area row first), ``rates`` :func:`asb_rates`;
    ``shares`` (:func:`category_shares`), ``repeat`` (:func:`repeat_callers`),
    ``comparison`` (:func:`like_for_like`) and ``peak`` (:func:`peak_day_hour`) are None when
    they could not be computed, and their figures are then left out rather than recorded as
    zero. An unknown police.uk count is recorded as None (see
    :func:`analysis.partner_counts.headline`).
    """
    area = headline(change.iloc[0])
    area_rate = rates.set_index("area_code").loc[area_code]
    before, now = count_headings(change, current, previous)
    figures: list[tuple[str, object, str]] = [
        ("asb_incidents_current", area["current"], f"ASB incidents {now} (police.uk)"),
        ("asb_incidents_previous", area["previous"], f"ASB incidents {before} (police.uk)"),
        ("asb_pct_diff", area["pct_diff"], "ASB incidents % change"),
        ("asb_significance", area["significance"], "ASB change"),
        ("asb_rate", round(float(area_rate["rate"]), 1),
         f"ASB incidents per 1,000{rate_period_note(rates)} ({area_rate['population_vintage']})"),
        ("asb_rate_position", rate_position, "ASB rate among the force's CSPs"),
    ]
    if shares:
        figures += [(f"asb_{category}_pct", round(share, 1), f"% of ASB {category}")
                    for category, share in shares.items()]
    if repeat is not None:
        figures.append(("asb_repeat_caller_pct", round(float(repeat.iloc[-1]["share_percent"]), 1),
                        "% of ASB incidents from repeat callers"))
    if comparison is not None:
        years = f"{comparison['first_year']} to {comparison['last_year']}"
        figures.append(("asb_published_change_pct", round(comparison["change_percent"], 1),
                        f"Change in police.uk ASB per month, {years} (same months)"))
    if peak is not None:
        figures.append(("asb_peak_day_hour", f"{peak[0]} {peak[1]:02d}:00",
                        "Busiest hour of the week for ASB"))
    return figures
