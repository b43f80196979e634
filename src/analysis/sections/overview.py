"""The crime overview: the year-on-year table by crime type and the monthly totals behind it.

This is the seeds' table 3.1 (count, previous count, # diff, % diff by crime type, all crime)
for the area with the force's change beside it. ASB is reported as incidents on its own row,
below and outside the all-crime total: ASB is never added to crime.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.core.periods import Period, to_month
from analysis.core.vocabulary import ALL_CRIME, ASB
from analysis.present.narrative import describe_change
from analysis.stats.harm import SEVERITY_UNIT, ValueTable
from analysis.stats.harm import harm_and_cost as compute_harm_and_cost
from analysis.stats.measures import count_headings
from analysis.stats.partner_counts import headline
from analysis.stats.police_uk_counts import _crime_in, rate_period_note


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
    ]


def key_findings(change: pd.DataFrame, force_name: str) -> list[str]:
    """Plain-English findings: all crime, each significant change by type, then ASB."""
    rows = change.set_index("crime_type")
    significant = change[(change["row_kind"] == "crime type")
                         & change["significance"].str.startswith("significant")]
    chosen = [ALL_CRIME, *significant["crime_type"], ASB]
    units = {ASB: "incidents"}
    return [
        describe_change(rows.loc[name], name, unit=units.get(name, "offences"),
                        force_pct=rows.loc[name, "force_pct_diff"], force_label=force_name,
                        compared=change.attrs.get("months_compared"))
        for name in chosen if name in rows.index
    ]
