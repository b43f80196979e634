"""police.uk counts by crime type: the change against the previous period beside the force's, rates
per 1,000 population for every CSP of the force with intervals, and the area's position among
them and its peers. Shared by the crime overview, ASB, serious violence and exploitation pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from analysis.core.periods import Period, month_starts
from analysis.core.vocabulary import ALL_CRIME, ASB
from analysis.stats.comparators import comparator_table, peer_comparison, position
from analysis.stats.measures import change_table, count_headings


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
    frame = counts.assign(month=month_starts(counts["month"]))
    frame["series"] = frame["crime_type"].where(frame["crime_type"] == ASB, ALL_CRIME)
    wide = frame.pivot_table(index="month", columns="series", values="count", aggfunc="sum")
    wanted = list(months)
    wide = wide.reindex(index=wanted, columns=[ALL_CRIME, ASB]).fillna(0)
    present = set(available_months)
    wide.loc[[m not in present for m in wanted], :] = float("nan")
    wide = wide.rename(columns={ALL_CRIME: "all_crime", ASB: "asb_incidents"})
    return wide.rename_axis("month").reset_index().rename_axis(columns=None)


def presentable_type_change(table: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """The change table with the column headings an analyst expects (as in the seeds).

    The count headings say what they cover when the comparison is not over whole periods
    (:meth:`analysis.core.periods.MonthsCompared.heading`, e.g. '2018/19 (Jan–Feb 2019 only)');
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
    in_period = month_starts(counts["month"]).isin(set(period.months))
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

    ``populations`` comes from :func:`analysis.store.area.force_populations`; a CSP with no
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


def counts_of_type(counts_by_csp: pd.DataFrame, crime_type: str) -> pd.DataFrame:
    """Monthly counts by CSP of one police.uk crime type (input to crime_rates)."""
    return counts_by_csp[counts_by_csp["crime_type"] == crime_type].reset_index(drop=True)


def type_rate_summary(rates: pd.DataFrame, area_code: str, crime_type: str,
                      peer_codes: list[str]) -> dict[str, object]:
    """One row for the rates table: the area's rate per 1,000 for ``crime_type`` with its
    Byar interval, the force's rate, the area's place among the force's partnerships and
    the test against the force and (when configured) its peers.

    ``rates`` comes from :func:`analysis.stats.police_uk_counts.crime_rates` on that crime type's
    counts.
    """
    by_code = rates.set_index("area_code")
    own = by_code.loc[area_code]
    force = rates[rates["area_level"] == "PFA"].iloc[0]
    peers = peer_group_comparison(rates, area_code, peer_codes)
    return {
        "crime_type": crime_type,
        "crimes": int(own["count"]),
        "rate": float(own["rate"]),
        "lower": float(own["lower"]),
        "upper": float(own["upper"]),
        "force_rate": float(force["rate"]),
        "against_force": str(force["significance"]),
        "position": rate_position(rates, area_code),
        "against_peers": str(peers["significance"]) if peers else "no peer group configured",
    }


def presentable_type_rates(summaries: list[dict[str, object]], force_name: str) -> pd.DataFrame:
    """The rate summaries with readable headings and the interval as one column."""
    table = pd.DataFrame(summaries)
    return pd.DataFrame({
        "Crime type": table["crime_type"],
        "Crimes": table["crimes"],
        "Rate per 1,000": table["rate"].round(2),
        "95 % interval": [f"{lo:.2f} to {hi:.2f}" for lo, hi in
                          zip(table["lower"], table["upper"], strict=True)],
        f"{force_name} rate": table["force_rate"].round(2),
        f"Against {force_name}": table["against_force"],
        "Place among the force's partnerships": table["position"],
        "Against peers": table["against_peers"],
    })

