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
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from analysis.core.config import breaks_for
from analysis.core.findings import NO_DIRECTION, NOT_TESTED, Finding
from analysis.core.periods import (
    COMPLETE,
    DEFAULT_COMPARISON,
    Period,
    add_months,
    compared_months,
    months_between,
)
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import ASB
from analysis.inputs.geography import load_lsoa_polygons
from analysis.inputs.partner import times_of_day
from analysis.present import maps
from analysis.present.charts import apply_house_style, monthly_trend
from analysis.present.disclosure_register import change_columns
from analysis.present.narrative import change_finding, number
from analysis.present.page import Section, police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.present.shared_parts import (
    funnel_item,
    police_uk_counts,
    rank_direction,
    rates_table_item,
    xmr_items,
)
from analysis.stats import grid_squares, hotspots, profiles
from analysis.stats.disclosure import DisclosureRule
from analysis.stats.measures import (
    NOT_ASSESSED,
    change_table,
    count_headings,
    require_columns,
)
from analysis.stats.partner_counts import (
    area_wards,
    extract_months,
    headline,
    in_area,
    monthly_record_counts,
    presentable_change,
)
from analysis.stats.police_uk_counts import (
    monthly_totals,
    months_counted,
    rate_period_note,
    rate_position,
    rates_by_csp,
)
from analysis.store import query
from analysis.store.area import area_lookup, force_populations, population_release

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem

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
    :func:`analysis.stats.measures.change_table`; a period with a missing month is not assessed.
    """
    rows = pd.concat([asb_counts(area_counts).assign(place=area_name),
                      asb_counts(force_counts).assign(place=force_name)], ignore_index=True)
    return change_table(rows, current, previous, "place", total_label=None,
                        available_months=list(available_months))


def asb_rates(counts_by_csp: pd.DataFrame, populations: pd.DataFrame, period: Period,
              area_code: str, available_months: Iterable[date] | None = None
              ) -> pd.DataFrame:
    """ASB incidents per 1,000 residents (Byar 95 % interval) for every CSP of the force.

    As :func:`analysis.sections.overview.crime_rates` but for ASB incidents: ``counts_by_csp`` has
    ``month, csp_code, crime_type, count``; ``populations`` comes from
    :func:`analysis.store.area.force_populations`. Each row says whether the area's rate
    differs from it (exact conditional Poisson test). Rows: CSPs by rate, then the force.
    The months of ``period`` held in ``available_months`` are in ``attrs["months_counted"]``
    (see :func:`analysis.sections.overview.presentable_rates`).
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
    :func:`analysis.stats.measures.change_table` and ``share_percent`` (share of all incidents
    this period). Coverage is the months the extract spans.
    """
    counts = monthly_record_counts(asb, "occurred_at", ("category", "asb_type"))
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


def describe_publication(comparison: Mapping[str, Any] | None, area_name: str
                         ) -> str | None:
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


def hotspot_squares(placed: pd.DataFrame, grid: grid_squares.Grid, period: Period,
                    available_months: Iterable[date], *,
                    comparison: str = DEFAULT_COMPARISON) -> tuple[pd.DataFrame, bool]:
    """Hotspot squares for ASB: :func:`analysis.sections.hotspots.hotspot_trend`, and whether it
    gave
    classes.

    Classes need enough complete windows both before and within the period
    (:data:`analysis.sections.hotspots.MIN_EARLIER_WINDOWS`,
    :data:`analysis.sections.hotspots.MIN_RECENT_WINDOWS`);
    when the months held do not give them (e.g. police.uk gaps, a short period) the squares
    carry this period's Gi* result only (:data:`analysis.sections.hotspots.HOT_NOW_ONLY`), the
    second
    value is False and ``attrs["classification_note"]`` says why, for the page.
    """
    trend = hotspots.hotspot_trend(placed, grid, period, available_months,
                                 comparison=comparison)
    return trend, bool(trend.attrs["classes_given"])


def mark_unknown_change(table: pd.DataFrame, current: Period, previous: Period,
                        available_months: Iterable[date]) -> pd.DataFrame:
    """A copy of a place table (``current``, ``previous``, ``diff``, ``change`` ...) that
    does not claim a change the coverage cannot support.

    The coverage rule is :func:`analysis.core.periods.compared_months`, as for every change table.
    Unless both periods are complete, ``change`` becomes
    :data:`analysis.stats.measures.NOT_ASSESSED`
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

    ``police_source`` is :func:`analysis.present.page.police_uk_source`; ``incidents`` the partner
    extract's incidents in the area and ``outside`` how many it holds elsewhere
    (:func:`analysis.stats.partner_counts.in_area`), or None and 0 without an extract, which is
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
                 publication: str | None, rate_direction: str = NO_DIRECTION) -> list[Finding]:
    """Findings from the computed ASB figures; absent inputs are skipped.

    ``change`` is :func:`asb_change` (area row first, force row second); its finding carries
    the row's direction and test. ``rate_direction`` is the area's place among the force's
    partnerships (:func:`analysis.sections.overview.rank_direction`). The shares, repeat callers,
    busiest hour and long-run level state no change and no test.
    """
    area, force = change.iloc[0], change.iloc[1]
    findings = [change_finding(area, f"ASB incidents recorded on police.uk in {area_name}",
                               unit="incidents", force_pct=force["pct_diff"],
                               force_label=force_name,
                               figures=("asb_incidents_current", "asb_incidents_previous",
                                        "asb_pct_diff", "asb_significance"),
                               measure=f"police.uk change: {ASB}", table="asb_change")]
    if rate_position:
        findings.append(Finding(f"{area_name}'s ASB rate per 1,000 residents is the "
                                f"{rate_position} among the partnerships of {force_name}.",
                                rate_direction, NOT_TESTED, ("asb_rate", "asb_rate_position"),
                                table="asb_rates"))
    if shares:
        parts = ", ".join(f"{shares[c]:.0f} % {c}" for c in CATEGORIES if c in shares)
        findings.append(Finding(f"Of the ASB incidents in the partner extract, {parts}.",
                                figures=tuple(f"asb_{c}_pct" for c in shares),
                                table="asb_categories"))
    if repeat is not None:
        latest = repeat.iloc[-1]
        findings.append(Finding(
            f"Repeat callers reported {number(latest['repeat_caller_incidents'])} incidents in "
            f"{latest['period']}, {latest['share_percent']:.1f} % of incidents with a known "
            "repeat-caller flag.", figures=("asb_repeat_caller_pct",),
            table="asb_repeat_callers"))
    if peak is not None:
        day, hour, count = peak
        findings.append(Finding(f"The busiest hour of the week for ASB is {day} {hour:02d}:00 "
                                f"to {hour:02d}:59 ({number(count)} incidents this period).",
                                figures=("asb_peak_day_hour",), table="asb_day_hour"))
    if publication:
        findings.append(Finding(publication, figures=("asb_published_change_pct",),
                                table="asb_publication_by_year"))
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
    :func:`analysis.stats.partner_counts.headline`).
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


# --- the section page: what notebook 20 shows, built where the numbers are ------------------
NO_EXTRACT_CATEGORIES = ("**Not available:** there is no partner ASB extract for this area, and "
                         "police.uk does not publish ASB categories or types. Provide the "
                         "council's or police's incident extract to add them.")
NO_EXTRACT_DAY_HOUR = ("**Not available:** peak days and times need the date and time of each "
                       "incident, which police.uk does not publish. The partner ASB extract "
                       "provides them.")
NO_EXTRACT_REPEATS = ("**Not available:** police.uk does not identify callers or exact "
                      "locations. The partner ASB extract with a repeat-caller flag and grid "
                      "references provides them.")
NO_REPEAT_FLAG = ("The partner extract does not record whether a caller is a repeat caller, so "
                  "repeat callers cannot be shown.")
NO_GRID_REFERENCES = ("The partner extract has no grid references, so repeat locations cannot "
                      "be shown.")



def change_item(change: pd.DataFrame, current: Period, previous: Period) -> Table:
    """The police.uk ASB change table (:func:`asb_change`) for the area and its force."""
    headings = count_headings(change, current, previous)
    return Table(presentable_change(change, "place", "Area", current, previous), "asb_change",
                 f"ASB incidents on police.uk: {current.label} compared with {previous.label}. "
                 f"{change.attrs['months_compared'].note()}",
                 source="open", counts=list(headings),
                 formats={**dict.fromkeys(headings, "{:,}"), "# diff.": "{:+,}",
                          "% diff.": "{:+.1f}"})


def publication_items(long_run: pd.DataFrame, publication: str | None,
                      area_name: str) -> list[PageItem]:
    """The police.uk ASB incidents by calendar year (:func:`publication_by_year`), then the
    sentence on the long-run level (:func:`describe_publication`) when there is one."""
    table = Table(long_run.rename(columns={
        "year": "Year", "months_held": "Months published", "incidents": "Incidents",
        "per_month": "Average per month", "lowest": "Lowest month", "highest": "Highest month"}),
        "asb_publication_by_year", f"police.uk ASB incidents by calendar year, {area_name}",
        source="open", counts=["Incidents"],
        formats={"Incidents": "{:,}", "Average per month": "{:,.0f}"})
    if not publication:
        return [table]
    return [table, Markdown(markdown_from("{publication}", publication=publication))]


def category_items(incidents: pd.DataFrame | None, current: Period, previous: Period
                   ) -> tuple[list[PageItem], dict[str, float] | None]:
    """The partner ASB incidents by category and type (:func:`category_change`) and the
    categories' shares; without a partner extract, a note saying so and no shares."""
    if incidents is None:
        return [Markdown(NO_EXTRACT_CATEGORIES)], None
    categories = category_change(incidents, current, previous)
    headings = count_headings(categories, current, previous)
    shown = presentable_change(categories, "asb_type", "Type", current, previous)
    shown.insert(0, "Category", categories["category"].to_numpy())
    shown["% of all incidents"] = categories["share_percent"].to_numpy()
    table = Table(
        shown, "asb_categories",
        f"ASB incidents by category and type (partner extract), {current.label} compared "
        f"with {previous.label}",
        source="partner", counts=list(headings),
        derived={**change_columns(headings[1], headings[0]),
                 "% of all incidents": ("share_of_last", headings[1])},
        labels=["Category", "Type"], order=f"{headings[1]} within Category",
        formats={**dict.fromkeys(headings, "{:,}"), "# diff.": "{:+,}", "% diff.": "{:+.1f}",
                 "% of all incidents": "{:.1f}"})
    return [table], category_shares(categories)


def ward_item(wards: pd.DataFrame, current: Period, previous: Period) -> Table:
    """Wards ranked by police.uk ASB incidents this period
    (:func:`analysis.sections.profiles.place_profile`
    after :func:`mark_unknown_change`)."""
    return Table(
        wards[["rank", "name", "previous", "current", "diff", "pct_diff", "change"]].rename(
            columns={"name": "Ward", "previous": previous.label, "current": current.label,
                     "diff": "# diff.", "pct_diff": "% diff.", "change": "Change"}),
        "asb_wards", f"ASB incidents by ward (police.uk), {current.label}, busiest first",
        source="open", counts=[previous.label, current.label],
        formats={"# diff.": "{:+,}", "% diff.": "{:+.1f}"})


def top_squares_item(top: pd.DataFrame, current: Period, previous: Period) -> Table:
    """The ten 250 m squares with most ASB incidents (:func:`analysis.sections.hotspots.top_cells`
    with
    ward names, after :func:`mark_unknown_change`)."""
    return Table(
        top[["rank", "street", "ward_name", "previous", "current", "diff", "change",
             "hotspot_class", "cell_id"]].rename(columns={
                 "ward_name": "ward", "previous": previous.label, "current": current.label,
                 "diff": "# diff.", "hotspot_class": "hotspot class"}),
        "asb_top_squares", f"The ten 250 m squares with most ASB incidents, {current.label}",
        source="open", counts=[previous.label, current.label], formats={"# diff.": "{:+,}"})


def day_hour_items(incidents: pd.DataFrame | None, current: Period,
                   rule: DisclosureRule | None = None
                   ) -> tuple[list[PageItem], tuple[str, int, int] | None]:
    """Partner ASB incidents by day of the week and hour this period, drawn from the
    published counts, and the busiest hour with its count as the area's disclosure ``rule``
    shows it (the table beside it is published under the rule); without a partner extract, a
    note and no peak."""
    if incidents is None:
        return [Markdown(NO_EXTRACT_DAY_HOUR)], None
    in_period = incidents["occurred_at"].dt.to_period("M").dt.start_time.dt.date.isin(
        current.months)
    day_hour = profiles.day_hour_table(times_of_day(incidents[in_period], "occurred_at"))
    peak = peak_day_hour(day_hour)
    title = f"ASB incidents by day and hour, {current.label}"
    chart = Chart(lambda published: maps.day_hour_heatmap(published.set_index("day"), title),
                  day_hour.reset_index(), "asb_day_hour", source="partner",
                  counts=list(range(24)))
    busiest = Markdown(markdown_from(
        "Busiest hour: **{day} {hour:02d}:00 to {hour:02d}:59** ({count} incidents).",
        day=peak[0], hour=peak[1],
        count=rule.shown(peak[2]) if rule is not None else f"{peak[2]:,}"))
    return [chart, busiest], peak


def repeat_items(incidents: pd.DataFrame | None, current: Period, previous: Period
                 ) -> tuple[list[PageItem], pd.DataFrame | None]:
    """Incidents from repeat callers (:func:`repeat_callers`) and repeat locations
    (:func:`repeat_locations`) from the partner extract, each replaced by a note when the
    extract is missing or does not record what it needs; the repeat-caller table or None."""
    if incidents is None:
        return [Markdown(NO_EXTRACT_REPEATS)], None
    items: list[PageItem] = []
    repeat = repeat_callers(incidents, current, previous)
    if repeat is None:
        items.append(Markdown(NO_REPEAT_FLAG))
    else:
        items.append(Table(
            repeat.rename(columns={
                "period": "Period", "incidents": "Incidents",
                "repeat_caller_incidents": "From repeat callers",
                "flag_unknown": "Repeat-caller flag blank",
                "share_percent": "% from repeat callers"}),
            "asb_repeat_callers", "ASB incidents reported by repeat callers (partner extract)",
            source="partner", order="labels",
            counts=["Incidents", "From repeat callers", "Repeat-caller flag blank"],
            derived={"% from repeat callers": ("share", "From repeat callers", "Incidents",
                                               "Repeat-caller flag blank")},
            formats={"Incidents": "{:,}", "From repeat callers": "{:,}",
                     "% from repeat callers": "{:.1f}"}))
    locations = repeat_locations(incidents, current)
    if locations is None:
        return [*items, Markdown(NO_GRID_REFERENCES)], repeat
    items.append(Table(
        locations.rename(columns={
            "min_incidents": "At least this many incidents", "locations": "Locations",
            "incidents": "Incidents there", "share_percent": "% of incidents"}),
        "asb_repeat_locations", f"Repeat ASB locations, {current.label}",
        source="partner", counts=["Locations", "Incidents there"], order="labels",
        labels=["At least this many incidents"],
        kept={"% of incidents": "share of every incident with a grid reference, "
                                "whose number is not published"},
        formats={"Incidents there": "{:,}", "% of incidents": "{:.1f}"}))
    if locations.attrs["no_location"]:
        items.append(Markdown(markdown_from(
            "{count:,} incidents had no grid reference and are not in this table.",
            count=locations.attrs["no_location"])))
    return items, repeat


@dataclass(frozen=True)
class AsbPage:
    """What the ASB notebook shows, cell by cell, and the figures it records."""

    header: HTML
    change: Table
    rates: Table
    funnel: Chart
    monthly_trend: Chart
    xmr: list[PageItem]
    publication: list[PageItem]
    categories: list[PageItem]
    wards: Table
    hotspots: list[PageItem]
    day_hour: list[PageItem]
    repeats: list[PageItem]
    key_figures: list[tuple[str, object, str]]
    findings: list[Finding]


def _where_asb_happens(section: Section, events: pd.DataFrame, lookup: pd.DataFrame,
                       force_months: list[date]) -> tuple[Table, list[PageItem]]:
    """The ward table and the hotspot squares (a note, the map when classes are given, the
    ten busiest squares) from the area's police.uk ASB events."""
    config, current, previous = section.config, section.period, section.previous
    wards = mark_unknown_change(profiles.place_profile(
        events, "ward_code",
        area_wards(lookup, config.lad_codes).rename(columns={"ward_name": "name"}),
        current, previous, population_vintage=None), current, previous, force_months)
    geography = grid_squares.area_geography(
        load_lsoa_polygons([config.resolve(p, section.root)
                            for p in config.sources.lsoa_boundaries]),
        lookup, config.lad_codes)
    grid = grid_squares.make_grid(geography.outline, grid_squares.CELL_SIZE)
    placed = grid_squares.assign_cells(events, grid)
    squares, classed = hotspot_squares(placed, grid, current, force_months,
                                       comparison=config.comparison)
    items: list[PageItem] = [Markdown(markdown_from("{note}",
                                                 note=squares.attrs["classification_note"]))]
    if classed:
        hot = squares[squares["hotspot_class"] != hotspots.NOT_HOTSPOT]
        title = f"ASB hotspot squares, {current.label}"
        items.append(Markdown(maps.NO_BASEMAP_NOTE))
        items.append(Chart(
            lambda _: maps.hotspot_map(geography, grid, squares["hotspot_class"], title),
            hot[["cell_id", "easting", "northing", "hotspot_class", "windows_hot",
                 "windows_used", "current", "previous"]], "asb_hotspot_map", source="open",
            counts=["current", "previous"]))
    top = mark_unknown_change(hotspots.top_cells(squares, placed), current, previous,
                              force_months).merge(
        geography.wards[["ward_code", "ward_name"]], on="ward_code", how="left")
    items.append(top_squares_item(top, current, previous))
    return ward_item(wards, current, previous), items


def page(section: Section) -> AsbPage:
    """Everything the ASB page shows, from the area's store and partner ASB extract (if the
    area has one): police.uk change, rates, trend and long-run level, categories, where and
    when ASB happens, repeat callers and locations, and the key figures and findings."""
    apply_house_style()
    config, current, previous = section.config, section.period, section.previous
    force_months = query.force_months(section.store_dir, config.force.name)
    extract = section.partner("asb")
    incidents, outside = in_area(extract, config.csp_code) if extract is not None else (None, 0)
    sources, caveats = header_notes(
        police_source=police_uk_source(config.force.name, force_months),
        population_vintage=population_release(config, current, section.root).label,
        incidents=incidents, outside=outside, area_name=config.csp_name, current=current,
        previous=previous, police_months=force_months)
    header = section.header("Anti-social behaviour", sources=sources, caveats=caveats)
    counts_by_csp, area, force = police_uk_counts(section, "pfa_code = $force AND is_asb")
    change = asb_change(area, force, current, previous, force_months,
                        area_name=config.csp_name, force_name=config.force.name)
    populations = force_populations(config, section.root, period=current)
    rates = asb_rates(counts_by_csp, populations, current, config.csp_code, force_months)
    position = rate_position(rates, config.csp_code)
    window = [month for p in current.trend_window(3) for month in p.months]
    trend = monthly_totals(area, window, force_months)[["month", "asb_incidents"]]
    trend_title = f"ASB incidents per month, {config.csp_name} (police.uk)"
    long_monthly = monthly_totals(area, long_run_months(force_months, current), force_months)
    comparison = like_for_like(long_monthly)
    publication = describe_publication(comparison, config.csp_name)
    categories, shares = category_items(incidents, current, previous)
    lookup = area_lookup(config, section.root)
    events = query.load_events(section.store_dir, config.csp_code,
                                hotspots.months_to_load(current, config.comparison))
    wards, squares = _where_asb_happens(section, events[events["is_asb"]].reset_index(drop=True),
                                         lookup, force_months)
    day_hour, peak = day_hour_items(incidents, current, section.disclosure_rule)
    repeats, repeat = repeat_items(incidents, current, previous)
    return AsbPage(
        header=header,
        change=change_item(change, current, previous),
        rates=rates_table_item(rates, config.csp_name, "asb_rates",
                               f"ASB incidents per 1,000 population, {current.label}",
                               "ASB incidents"),
        funnel=funnel_item(rates, config.csp_name, "asb_rate_funnel",
                           f"ASB rate against population, {current.label}"),
        monthly_trend=Chart(
            lambda data: monthly_trend(data.rename(columns={"asb_incidents": "ASB incidents"}),
                                       value_cols=["ASB incidents"], ylabel="incidents per month",
                                       title=trend_title, shade=(current.start, current.end)),
            trend, "asb_monthly_trend", source="open", counts=["asb_incidents"]),
        xmr=xmr_items(trend.set_index("month")["asb_incidents"],
                      breaks_for(config.trend_breaks, "asb"), name="asb_xmr",
                      title=f"ASB incidents per month, {config.csp_name} (XmR chart)",
                      ylabel="incidents per month"),
        publication=publication_items(publication_by_year(long_monthly), publication,
                                      config.csp_name),
        categories=categories, wards=wards, hotspots=squares, day_hour=day_hour,
        repeats=repeats,
        key_figures=key_figures(change, rates, config.csp_code, rate_position=position,
                                shares=shares, repeat=repeat, comparison=comparison,
                                peak=peak, current=current, previous=previous),
        findings=key_findings(change, area_name=config.csp_name, force_name=config.force.name,
                              rate_position=position,
                              rate_direction=rank_direction(rates, config.csp_code),
                              shares=shares, repeat=repeat, peak=peak, publication=publication),
    )
