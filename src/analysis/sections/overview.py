"""The crime overview: the year-on-year table by crime type and the monthly totals behind it.

This is the seeds' table 3.1 (count, previous count, # diff, % diff by crime type, all crime)
for the area with the force's change beside it. ASB is reported as incidents on its own row,
below and outside the all-crime total: ASB is never added to crime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from analysis.core.config import breaks_for
from analysis.core.findings import (
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_TESTED,
    Finding,
)
from analysis.core.periods import Period, to_month
from analysis.core.vocabulary import ALL_CRIME, ASB
from analysis.present.charts import apply_house_style, monthly_trend
from analysis.present.future_trends import FuturePart, future_part
from analysis.present.narrative import change_finding, peer_finding
from analysis.present.page import Section, police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.present.recorded_crime import published_crime
from analysis.present.shared_parts import (
    funnel_item,
    police_uk_counts,
    rank_direction,
    rates_table_item,
    xmr_items,
)
from analysis.stats.harm import SEVERITY_UNIT, ValueTable, value_tables
from analysis.stats.harm import harm_and_cost as compute_harm_and_cost
from analysis.stats.measures import count_headings
from analysis.stats.partner_counts import headline
from analysis.stats.police_uk_counts import (
    _crime_in,
    crime_rates,
    crime_type_change,
    monthly_totals,
    peer_group_comparison,
    presentable_type_change,
    rate_period_note,
    rate_position,
)
from analysis.store import query
from analysis.store.area import force_populations, population_release

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem


def harm_and_cost(area_counts: pd.DataFrame, current: Period, previous: Period, *,
                  population: float | None = None, weights: ValueTable | None = None,
                  costs: ValueTable | None = None,
                  available_months: Iterable[object] | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harm (severity-weighted days) and cost of crime for both periods, and the crimes
    left out, from :func:`analysis.stats.harm.harm_and_cost` (the computation the violence section
    and the priority matrix use too).

    data.police.uk categories have a weight or cost only where the table used gives one
    (see ``reference/SOURCES.md``): each figure is shown with the share of crimes it covers,
    and the second table lists the crime types of ``current`` without a value, saying which
    table (vintage) has none. Each row says how many of its months are held (the figures
    cover those months, not annualised); a period with none of its months in
    ``available_months`` is not held: its row is missing, never 0.
    """
    labelled = pd.concat([
        _crime_in(area_counts, period).assign(period=period.label)
        for period in (previous, current)
    ])
    result = compute_harm_and_cost(labelled, key_col="crime_type",
                                   classification="police_uk_crime_type", by="period",
                                   population=population, weights=weights, costs=costs)
    table = pd.DataFrame({"period": [previous.label, current.label]}).merge(
        result.table, on="period", how="left")
    periods = (previous, current)
    held = ({to_month(m) for m in available_months} if available_months is not None
            else {m for period in periods for m in period.months})
    months_held = [len(held & set(period.months)) for period in periods]
    table.loc[[n == 0 for n in months_held], table.columns.drop("period")] = pd.NA
    days, money = SEVERITY_UNIT, result.cost_unit
    summary = pd.DataFrame({
        "Period": table["period"],
        "Months held": [f"{n} of {len(period)}" for n, period in zip(months_held, periods,
                                                                     strict=True)],
        "Crimes": table["crimes"].astype("Int64"),
        "Crimes weighted": table["crimes_weighted"].astype("Int64"),
        "Share weighted (%)": (100 * table["weighted_share"]).astype("Float64").round(1),
        f"Harm ({days})": table["severity_days"],
        f"Harm per 1,000 residents ({days})": table["severity_days_per_1000"],
        "Crimes costed": table["crimes_costed"].astype("Int64"),
        "Share costed (%)": (100 * table["costed_share"]).astype("Float64").round(1),
        f"Cost ({money})": table["cost_gbp"],
        f"Cost per 1,000 residents ({money})": table["cost_gbp_per_1000"],
    })
    gaps = (result.gaps[result.gaps["period"] == current.label]
            .drop(columns="period")
            .rename(columns={"key": "Crime type", "count": "Crimes", "missing": "Not valued"})
            .reset_index(drop=True))
    return summary, gaps


def key_figures(change: pd.DataFrame, rates: pd.DataFrame, area_code: str, current: Period,
                previous: Period) -> list[tuple[str, object, str]]:
    """The section's headline figures as (key, value, label) for the executive summary.

    ``change`` is :func:`crime_type_change`, ``rates`` :func:`crime_rates`. An unknown count
    or change is None (JSON null), never 0; the labels say which months a count covers when
    the comparison is like for like or not made, and how many months a rate covers.
    """
    total = headline(change.set_index("crime_type").loc[ALL_CRIME])
    compared = change.attrs.get("months_compared")
    headings = count_headings(change, current, previous)[::-1]
    basis = f" ({compared.summary()})" if compared is not None and compared.summary() else ""
    area_rate = rates.set_index("area_code").loc[area_code]
    rate_label = f"All crime per 1,000{rate_period_note(rates)} ({area_rate['population_vintage']})"
    return [
        ("all_crime_current", total["current"], f"All crime {headings[0]}"),
        ("all_crime_previous", total["previous"], f"All crime {headings[1]}"),
        ("all_crime_pct_diff", total["pct_diff"], f"All crime % change{basis}"),
        ("all_crime_significance", total["significance"], f"All crime change{basis}"),
        ("all_crime_comparison", (compared.summary() or "complete") if compared else None,
         "All crime: months compared"),
        ("all_crime_rate", round(float(area_rate["rate"]), 1), rate_label),
        ("all_crime_rate_interval",
         f"{float(area_rate['lower']):.1f} to {float(area_rate['upper']):.1f}",
         "All crime per 1,000: 95 % interval"),
    ]


def key_findings(change: pd.DataFrame, force_name: str) -> list[Finding]:
    """Findings for all crime, each significant change by type, then ASB, each with the
    direction and test result of its row (:func:`analysis.present.narrative.change_finding`)."""
    rows = change.set_index("crime_type")
    significant = change[(change["row_kind"] == "crime type")
                         & change["significance"].str.startswith("significant")]
    chosen = [ALL_CRIME, *significant["crime_type"], ASB]
    units = {ASB: "incidents"}
    figures = {ALL_CRIME: ("all_crime_current", "all_crime_previous", "all_crime_pct_diff",
                           "all_crime_significance")}
    return [
        change_finding(rows.loc[name], name, unit=units.get(name, "offences"),
                       force_pct=rows.loc[name, "force_pct_diff"], force_label=force_name,
                       compared=change.attrs.get("months_compared"),
                       figures=figures.get(name, ()), measure=f"police.uk change: {name}",
                       table="crime_type_change")
        for name in chosen if name in rows.index
    ]


def comparison_findings(rates: pd.DataFrame, peers: dict[str, object] | None, *,
                        area_code: str, area_name: str, force_name: str) -> list[Finding]:
    """The area's crime rate among the force's partnerships, then against its most similar
    group (:func:`peer_group_comparison`; None when no peer is configured or available, so
    the comparison is not assessed)."""
    place = Finding(f"{area_name}'s crime rate is the {rate_position(rates, area_code)} "
                    f"among the partnerships of {force_name}.",
                    rank_direction(rates, area_code), NOT_TESTED, ("all_crime_rate",),
                    table="crime_rates")
    if peers is None:
        return [place, Finding("No most-similar group is configured (peers in the area "
                               "config).", NO_DIRECTION, NOT_ASSESSED)]
    return [place, peer_finding(peers, "Crime", area_name=area_name, table="crime_rates")]


def change_table_item(change: pd.DataFrame, current: Period, previous: Period,
                      area_name: str) -> Table:
    """The crime-type change table (:func:`presentable_type_change`), its caption and formats."""
    shown = presentable_type_change(change, current, previous)
    before, now = shown.columns[1], shown.columns[2]
    return Table(
        shown,
        "crime_type_change",
        f"Recorded crime by type, {area_name}: {current.label} compared with "
        f"{previous.label}. {change.attrs['months_compared'].note()}",
        source="open",
        counts=[before, now],
        formats={
            before: "{:,}",
            now: "{:,}",
            "# diff.": "{:+,}",
            "% diff.": "{:+.1f}",
            "Force % diff.": "{:+.1f}",
        },
    )


def harm_items(
    harm: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    area_name: str,
    current: Period,
    weights_vintage: str,
    costs_vintage: str,
    population_vintage: str,
) -> tuple[Table, Table]:
    """The harm-and-cost table (:func:`harm_and_cost`) and the crimes it could not value."""
    table = Table(
        harm,
        "harm_and_cost",
        f"Harm and cost of crime, {area_name} (weights: {weights_vintage}; unit "
        f"costs: {costs_vintage}; residents: {population_vintage})",
        source="open",
        formats={
            column: ("{:.1f}" if "Share" in column else "{:,.0f}")
            for column in harm.columns
            if column != "Period"
        },
    )
    missing = Table(
        gaps,
        "harm_and_cost_gaps",
        f"Crimes in {current.label} with no weight or unit cost in the tables used",
        source="open",
        counts=["Crimes"],
        formats={"Crimes": "{:,}"},
    )
    return table, missing


@dataclass(frozen=True)
class OverviewPage:
    """What the crime-overview notebook shows, cell by cell, and the figures it records."""

    header: HTML
    published: list[PageItem]
    crime_type_change: Table
    rates: Table
    comparison: list[Finding]
    funnel: Chart
    monthly_trend: Chart
    xmr: list[PageItem]
    harm: Table
    harm_gaps: Table
    key_figures: list[tuple[str, object, str]]
    findings: list[Finding]
    future: FuturePart  # forecasts, emerging trends and the five-year view (end of the page)


CAVEATS = [  # the months each period holds are on the header's period line
    "data.police.uk counts are published crimes by month of recording; they differ slightly "
    "from the Home Office recorded-crime tables, which are revised later.",
    "Crimes are placed in an area by their (anonymised) location; the few with no location "
    "cannot be placed and are in no area's count.",
    "Anti-social behaviour is counted in incidents and is never added to crime totals.",
]


def page(section: Section) -> OverviewPage:
    """Everything the crime-overview page shows, from the area's store: the change by crime
    type, rates and comparisons, the monthly trend and its XmR chart, harm and cost, and
    the key figures and findings. The house chart style is applied for its charts."""
    apply_house_style()
    config, current, previous = section.config, section.period, section.previous
    force_months = query.force_months(section.store_dir, config.force.name)
    published = published_crime(section)
    header = section.header(
        "Crime overview",
        sources=[
            *published.sources,
            police_uk_source(config.force.name, force_months),
            f"Population: {population_release(config, current, section.root).label}",
        ],
        caveats=CAVEATS,
    )
    counts_by_csp, area, force = police_uk_counts(section)
    change = crime_type_change(area, force, current, previous, force_months)
    populations = force_populations(config, section.root, period=current)
    rates = crime_rates(counts_by_csp, populations, current, config.csp_code, force_months)
    peers = peer_group_comparison(rates, config.csp_code, config.peers)
    window = [month for p in current.trend_window(3) for month in p.months]
    trend = monthly_totals(area, window, force_months)
    trend_title = f"Recorded crime and ASB incidents per month, {config.csp_name}"
    names = {"all_crime": "All crime", "asb_incidents": "ASB incidents"}
    weights, costs = value_tables(config, section.root)
    residents = float(populations.set_index("area_code").loc[config.csp_code, "population"])
    harm, gaps = harm_and_cost(
        area,
        current,
        previous,
        population=residents,
        weights=weights,
        costs=costs,
        available_months=force_months,
    )
    harm_table, harm_gaps = harm_items(
        harm,
        gaps,
        area_name=config.csp_name,
        current=current,
        weights_vintage=weights.vintage,
        costs_vintage=costs.vintage,
        population_vintage=populations["population_vintage"].iloc[0],
    )
    future = future_part(area, force_months, current, config)
    return OverviewPage(
        header=header,
        published=published.items,
        crime_type_change=change_table_item(change, current, previous, config.csp_name),
        rates=rates_table_item(
            rates,
            config.csp_name,
            "crime_rates",
            f"All crime per 1,000 population, {current.label}",
        ),
        comparison=comparison_findings(
            rates,
            peers,
            area_code=config.csp_code,
            area_name=config.csp_name,
            force_name=config.force.name,
        ),
        funnel=funnel_item(
            rates,
            config.csp_name,
            "crime_rate_funnel",
            f"Crime rate against population, {current.label}",
        ),
        monthly_trend=Chart(
            lambda data: monthly_trend(
                data.rename(columns=names),
                value_cols=list(names.values()),
                title=trend_title,
                ylabel="per month",
                shade=(current.start, current.end),
            ),
            trend,
            "monthly_trend",
            source="open",
            counts=list(names),
        ),
        xmr=xmr_items(
            trend.set_index("month")["all_crime"],
            breaks_for(config.trend_breaks, "crime"),
            name="all_crime_xmr",
            title=f"All crime per month, {config.csp_name} (XmR chart)",
            ylabel="crimes per month",
        ),
        harm=harm_table,
        harm_gaps=harm_gaps,
        key_figures=[*key_figures(change, rates, config.csp_code, current, previous),
                     *published.key_figures,
                     ("emerging_trends", ", ".join(future.flagged) or "none",
                      "Emerging trends (above the forecast's upper 95 % interval)")],
        findings=[*key_findings(change, config.force.name), *published.findings,
                  *future.findings],
        future=future,
    )

