"""The crime overview: the year-on-year table by crime type and the monthly totals behind it.

This is the seeds' table 3.1 (count, previous count, # diff, % diff by crime type, all crime)
for the area with the force's change beside it. ASB is reported as incidents on its own row,
below and outside the all-crime total: ASB is never added to crime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from IPython.display import HTML, Markdown

from analysis import store
from analysis.charts import apply_house_style, monthly_trend
from analysis.comparators import (
    comparator_table,
    funnel_limits,
    peer_comparison,
    plot_funnel,
    position,
)
from analysis.config import TrendBreak, breaks_for
from analysis.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_TESTED,
    Finding,
)
from analysis.harm import SEVERITY_UNIT, ValueTable, value_tables
from analysis.harm import harm_and_cost as compute_harm_and_cost
from analysis.measures import change_table, count_headings
from analysis.narrative import change_finding, peer_finding
from analysis.partner_counts import headline
from analysis.periods import Period, to_month
from analysis.pipeline import force_populations, population_release
from analysis.presentable import Chart, Table
from analysis.report import Section, police_uk_source
from analysis.safe_text import markdown_from
from analysis.trends import describe_chart, plot_xmr, trend_xmr

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
    table = table.merge(force, on="crime_type", how="left", validate="one_to_one")
    table.attrs["months_compared"] = crimes.attrs["months_compared"]
    return table


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
    """The change table with the column headings an analyst expects (as in the seeds).

    The count headings say what they cover when the comparison is not over whole periods
    (:meth:`analysis.periods.MonthsCompared.heading`, e.g. '2018/19 (Jan–Feb 2019 only)');
    a comparison that could not be made says why in **Change**.
    """
    compared = table.attrs.get("months_compared")
    headings = count_headings(table, current, previous)
    columns = {
        "crime_type": "Crime type",
        "previous": headings[0],
        "current": headings[1],
        "diff": "# diff.",
        "pct_diff": "% diff.",
        "significance": "Change",
        "force_pct_diff": "Force % diff.",
    }
    shown = table[list(columns)].rename(columns=columns)
    unreliable = ~table["pct_reliable"].astype(bool) & table["pct_diff"].notna()
    shown.loc[unreliable, "Change"] = (table.loc[unreliable, "significance"]
                                       + " (base under 10: % unreliable)")
    if compared is not None and not compared.comparable:
        shown["Change"] = compared.summary()
    return shown


def split_area_and_force(counts_by_csp: pd.DataFrame, csp_code: str
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From monthly counts by ``csp_code`` and ``crime_type`` over a force, the area's counts
    and the force's (the sum over all its CSPs), both as ``month, crime_type, count``."""
    area = counts_by_csp[counts_by_csp["csp_code"] == csp_code]
    force = counts_by_csp.groupby(["month", "crime_type"], as_index=False)["count"].sum()
    return area.drop(columns="csp_code").reset_index(drop=True), force


def _crime_in(counts: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Crime rows (ASB excluded) of the months of ``period``."""
    in_period = _as_date(counts["month"]).isin(set(period.months))
    return counts[in_period & (counts["crime_type"] != ASB)]


def months_counted(period: Period, available_months: Iterable[date] | None) -> int:
    """How many months of ``period`` a rate over it counts: those the data holds (all of
    them when ``available_months`` is None)."""
    if available_months is None:
        return len(period)
    return len(period) - len(period.coverage(available_months).missing)


def crime_rates(counts_by_csp: pd.DataFrame, populations: pd.DataFrame, period: Period,
                area_code: str, available_months: Iterable[date] | None = None
                ) -> pd.DataFrame:
    """All-crime rate per 1,000 (Byar 95 % interval) for every CSP of the force and the force.

    See :func:`rates_by_csp`; ASB is left out (it is incidents, not crime). The rate is over
    the months of ``period`` held in ``available_months`` (``attrs["months_counted"]``), so
    a partial period gives a partial-period rate, labelled as such by
    :func:`presentable_rates`.
    """
    totals = _crime_in(counts_by_csp, period).groupby("csp_code")["count"].sum()
    return rates_by_csp(totals, populations, area_code,
                        months=months_counted(period, available_months))


def rates_by_csp(totals: pd.Series, populations: pd.DataFrame, area_code: str, *,
                 months: int = 12) -> pd.DataFrame:
    """Rate per 1,000 (Byar 95 % interval) of ``totals`` (counts indexed by CSP code) for
    every CSP of the force and for the force.

    ``populations`` comes from :func:`analysis.pipeline.force_populations`; a CSP with no
    count has 0 (the force's data cover it). Each row also says whether the area's rate
    differs significantly from that row's (exact conditional Poisson test on the two counts
    with the population ratio). Rows: CSPs by rate, then the force. ``months`` is how many
    months the counts cover, kept in ``attrs["months_counted"]`` for the labels.
    """
    csps = populations[populations["area_level"] == "CSP"].copy()
    csps["count"] = csps["area_code"].map(totals).fillna(0).astype("int64")
    force = populations[populations["area_level"] == "PFA"].copy()
    force["count"] = int(csps["count"].sum())
    table = pd.concat([csps, force], ignore_index=True)
    vintage = str(table["population_vintage"].iloc[0])
    rates = comparator_table(table.drop(columns="population_vintage"), area_code,
                             population_vintage=vintage, area_col="area_code")
    is_force = rates["area_level"] == "PFA"
    ordered = pd.concat([rates[~is_force].sort_values("rate", ascending=False), rates[is_force]])
    ordered = ordered.reset_index(drop=True)
    ordered.attrs["months_counted"] = months
    return ordered


def _months(n: int) -> str:
    return f"{n} month" if n == 1 else f"{n} months"


def rate_heading(months: int) -> str:
    """'Rate per 1,000', or 'Rate per 1,000 (4 months)' when the counts cover other than a
    year: such a rate is not an annual rate and must not be read beside one."""
    return "Rate per 1,000" if months == 12 else f"Rate per 1,000 ({_months(months)})"


def rate_period_note(rates: pd.DataFrame) -> str:
    """'' for a 12-month rate, else e.g. ' (4 months of data: not an annual rate)' for
    chart titles and captions."""
    months = int(rates.attrs.get("months_counted", 12))
    return "" if months == 12 else f" ({_months(months)} of data: not an annual rate)"


def presentable_rates(rates: pd.DataFrame, area_name: str) -> pd.DataFrame:
    """The rates table with readable headings and the interval as one column.

    Over other than 12 months of data the rate heading says how many months it covers, and an
    "Annualised rate per 1,000 (estimate)" column (rate x 12 / months) is added, marked as an
    estimate: it assumes the months missing were like those held, ignoring seasonality.
    """
    months = int(rates.attrs.get("months_counted", 12))
    shown = pd.DataFrame({
        "Area": rates["area_name"],
        "Crimes": rates["count"],
        "Population": rates["population"],
        rate_heading(months): rates["rate"].round(1),
        "95 % interval": [f"{lo:.1f} to {hi:.1f}" for lo, hi in
                          zip(rates["lower"], rates["upper"], strict=True)],
        f"{area_name} compared with this area": rates["significance"],
    })
    if months != 12 and months > 0:
        shown.insert(4, "Annualised rate per 1,000 (estimate)",
                     (rates["rate"] * 12 / months).round(1))
    return shown


def rate_position(rates: pd.DataFrame, area_code: str) -> str:
    """The area's place among the force's CSPs by crime rate, e.g. '2nd highest of 14'."""
    csps = rates[rates["area_level"] == "CSP"].set_index("area_code")["rate"]
    return position(csps, area_code, highest=True)


def peer_group_comparison(rates: pd.DataFrame, area_code: str, peer_codes: list[str]
                          ) -> dict[str, object] | None:
    """The area against its most similar group (pooled rate of the other members).

    Only peers present in ``rates`` can be compared (a peer outside the force needs its own
    data); None when the config names no peer that is available.
    """
    members = rates[rates["area_code"].isin([area_code, *peer_codes])
                    & (rates["area_level"] == "CSP")]
    if len(members) < 2:
        return None
    return peer_comparison(members, area_code, area_col="area_code")


def harm_and_cost(area_counts: pd.DataFrame, current: Period, previous: Period, *,
                  population: float | None = None, weights: ValueTable | None = None,
                  costs: ValueTable | None = None,
                  available_months: Iterable[object] | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harm (severity-weighted days) and cost of crime for both periods, and the crimes
    left out, from :func:`analysis.harm.harm_and_cost` (the computation the violence section
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
    ]


def key_findings(change: pd.DataFrame, force_name: str) -> list[Finding]:
    """Findings for all crime, each significant change by type, then ASB, each with the
    direction and test result of its row (:func:`analysis.narrative.change_finding`)."""
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
                       figures=figures.get(name, ()))
        for name in chosen if name in rows.index
    ]

# --- the section page: what notebook 10 shows, built where the numbers are ------------------
def rank_direction(rates: pd.DataFrame, area_code: str) -> str:
    """The area's rate against the other partnerships of the force, as a finding's direction:
    above comparators when no partnership's rate is higher, below when none is lower (and
    there are others), otherwise none (a middle place states no direction)."""
    csps = rates[rates["area_level"] == "CSP"].set_index("area_code")["rate"]
    own = csps.loc[area_code]
    if not (csps > own).any():
        return ABOVE_COMPARATORS
    if not (csps < own).any():
        return BELOW_COMPARATORS
    return NO_DIRECTION


def comparison_findings(rates: pd.DataFrame, peers: dict[str, object] | None, *,
                        area_code: str, area_name: str, force_name: str) -> list[Finding]:
    """The area's crime rate among the force's partnerships, then against its most similar
    group (:func:`peer_group_comparison`; None when no peer is configured or available, so
    the comparison is not assessed)."""
    place = Finding(f"{area_name}'s crime rate is the {rate_position(rates, area_code)} "
                    f"among the partnerships of {force_name}.",
                    rank_direction(rates, area_code), NOT_TESTED, ("all_crime_rate",))
    if peers is None:
        return [place, Finding("No most-similar group is configured (peers in the area "
                               "config).", NO_DIRECTION, NOT_ASSESSED)]
    return [place, peer_finding(peers, "Crime", area_name=area_name)]


def change_table_item(change: pd.DataFrame, current: Period, previous: Period,
                      area_name: str) -> Table:
    """The crime-type change table (:func:`presentable`) with its caption and formats."""
    shown = presentable(change, current, previous)
    before, now = shown.columns[1], shown.columns[2]
    return Table(shown, "crime_type_change",
                 f"Recorded crime by type, {area_name}: {current.label} compared with "
                 f"{previous.label}. {change.attrs['months_compared'].note()}",
                 source="open", counts=[before, now],
                 formats={before: "{:,}", now: "{:,}", "# diff.": "{:+,}",
                          "% diff.": "{:+.1f}", "Force % diff.": "{:+.1f}"})


def rates_table_item(rates: pd.DataFrame, area_name: str, name: str, caption: str,
                     counted: str = "Crimes") -> Table:
    """The rates table (:func:`presentable_rates`), its count column named ``counted``; the
    caption is followed by the months note and the population vintage."""
    shown = presentable_rates(rates, area_name).rename(columns={"Crimes": counted})
    return Table(shown, name,
                 f"{caption}{rate_period_note(rates)} ({rates['population_vintage'].iloc[0]})",
                 source="open", counts=[counted],
                 formats={counted: "{:,}", "Population": "{:,}"})


def funnel_item(rates: pd.DataFrame, area_name: str, name: str, title: str) -> Chart:
    """The funnel plot of the force's partnerships against the force rate; ``title`` is
    followed by the months note when the rates are not over 12 months."""
    csp_rates = rates[rates["area_level"] == "CSP"].rename(columns={"area_name": "area"})
    force_rate = float(rates.loc[rates["area_level"] == "PFA", "rate"].iloc[0])
    limits = funnel_limits(force_rate, csp_rates["population"])
    shown_title = f"{title}{rate_period_note(rates)}"
    return Chart(lambda _: plot_funnel(csp_rates, limits, highlight=area_name,
                                       title=shown_title),
                 csp_rates[["area", "count", "population", "rate"]], name, source="open",
                 counts=["count"])


def xmr_items(series: pd.Series, breaks: list[TrendBreak], *, name: str, title: str,
              ylabel: str) -> list[Chart | Markdown]:
    """The XmR chart of a monthly series (:func:`analysis.trends.trend_xmr`), then the note
    on its gaps and phase breaks when there is one."""
    chart = trend_xmr(series, breaks)
    items: list[Chart | Markdown] = [
        Chart(lambda _: plot_xmr(chart, title=title, ylabel=ylabel),
              chart.rename_axis("month").reset_index(), name, source="open", counts=["value"])]
    if note := describe_chart(chart, breaks):
        items.append(Markdown(markdown_from("{note}", note=note)))
    return items


def harm_items(harm: pd.DataFrame, gaps: pd.DataFrame, *, area_name: str, current: Period,
               weights_vintage: str, costs_vintage: str, population_vintage: str
               ) -> tuple[Table, Table]:
    """The harm-and-cost table (:func:`harm_and_cost`) and the crimes it could not value."""
    table = Table(harm, "harm_and_cost",
                  f"Harm and cost of crime, {area_name} (weights: {weights_vintage}; unit "
                  f"costs: {costs_vintage}; residents: {population_vintage})",
                  source="open",
                  formats={column: ("{:.1f}" if "Share" in column else "{:,.0f}")
                           for column in harm.columns if column != "Period"})
    missing = Table(gaps, "harm_and_cost_gaps",
                    f"Crimes in {current.label} with no weight or unit cost in the tables used",
                    source="open", counts=["Crimes"], formats={"Crimes": "{:,}"})
    return table, missing


@dataclass(frozen=True)
class OverviewPage:
    """What the crime-overview notebook shows, cell by cell, and the figures it records."""

    header: HTML
    crime_type_change: Table
    rates: Table
    comparison: list[Finding]
    funnel: Chart
    monthly_trend: Chart
    xmr: list[Chart | Markdown]
    harm: Table
    harm_gaps: Table
    key_figures: list[tuple[str, object, str]]
    findings: list[Finding]


CAVEATS = [  # the months each period holds are on the header's period line
    "data.police.uk counts are published crimes by month of recording; they differ slightly "
    "from the Home Office recorded-crime tables, which are revised later.",
    "Crimes are placed in an area by their (anonymised) location; the few with no location "
    "cannot be placed and are in no area's count.",
    "Anti-social behaviour is counted in incidents and is never added to crime totals.",
]


def police_uk_counts(section: Section, where: str = "pfa_code = $force"
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Monthly police.uk counts by CSP and crime type over the area's force (rows chosen by
    ``where``), and from them the area's counts and the force's
    (:func:`split_area_and_force`)."""
    config = section.config
    counts_by_csp = store.monthly_counts(section.store_dir, by=("csp_code", "crime_type"),
                                         where=where, params={"force": config.force.code})
    return counts_by_csp, *split_area_and_force(counts_by_csp, config.csp_code)


def page(section: Section) -> OverviewPage:
    """Everything the crime-overview page shows, from the area's store: the change by crime
    type, rates and comparisons, the monthly trend and its XmR chart, harm and cost, and
    the key figures and findings. The house chart style is applied for its charts."""
    apply_house_style()
    config, current, previous = section.config, section.period, section.previous
    force_months = store.force_months(section.store_dir, config.force.name)
    header = section.header(
        "Crime overview",
        sources=[police_uk_source(config.force.name, force_months),
                 f"Population: {population_release(config, current, section.root).label}"],
        caveats=CAVEATS)
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
    harm, gaps = harm_and_cost(area, current, previous, population=residents,
                               weights=weights, costs=costs, available_months=force_months)
    harm_table, harm_gaps = harm_items(
        harm, gaps, area_name=config.csp_name, current=current, weights_vintage=weights.vintage,
        costs_vintage=costs.vintage, population_vintage=populations["population_vintage"].iloc[0])
    return OverviewPage(
        header=header,
        crime_type_change=change_table_item(change, current, previous, config.csp_name),
        rates=rates_table_item(rates, config.csp_name, "crime_rates",
                               f"All crime per 1,000 population, {current.label}"),
        comparison=comparison_findings(rates, peers, area_code=config.csp_code,
                                       area_name=config.csp_name, force_name=config.force.name),
        funnel=funnel_item(rates, config.csp_name, "crime_rate_funnel",
                           f"Crime rate against population, {current.label}"),
        monthly_trend=Chart(
            lambda data: monthly_trend(data.rename(columns=names),
                                       value_cols=list(names.values()), title=trend_title,
                                       ylabel="per month", shade=(current.start, current.end)),
            trend, "monthly_trend", source="open", counts=list(names)),
        xmr=xmr_items(trend.set_index("month")["all_crime"],
                      breaks_for(config.trend_breaks, "crime"), name="all_crime_xmr",
                      title=f"All crime per month, {config.csp_name} (XmR chart)",
                      ylabel="crimes per month"),
        harm=harm_table,
        harm_gaps=harm_gaps,
        key_figures=key_figures(change, rates, config.csp_code, current, previous),
        findings=key_findings(change, config.force.name),
    )


def record_key_figures(section: Section, figures: list[tuple[str, object, str]]) -> None:
    """Record each (key, value, label) headline figure in the section's key figures."""
    for key, value, label in figures:
        section.record(key, value, label=label)
