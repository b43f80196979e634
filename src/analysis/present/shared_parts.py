"""Page parts that several sections build the same way: from police.uk counts, the monthly
counts by CSP and crime type over the force, the table of rates per 1,000 with the area's
place, the funnel plot against the force's partnerships and the XmR chart with its note; and
the header notes on a partner crime extract (its date range, coverage and crimes not placed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import Markdown

from analysis.core.config import TrendBreak
from analysis.core.findings import ABOVE_COMPARATORS, BELOW_COMPARATORS, NO_DIRECTION
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.present.charts import plot_funnel, plot_xmr
from analysis.present.page import Section
from analysis.present.presentable import Chart, Table
from analysis.stats.comparators import funnel_limits
from analysis.stats.partner_counts import extract_months
from analysis.stats.police_uk_counts import (
    presentable_rates,
    rate_period_note,
    split_area_and_force,
)
from analysis.stats.trends import describe_chart, trend_xmr
from analysis.store import query

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem


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
    """The funnel plot of the force's partnerships around the force rate (the rate of the
    force as a whole, named so in the legend: it is not an average of the partnerships);
    ``title`` is followed by the months note when the rates are not over 12 months."""
    csp_rates = rates[rates["area_level"] == "CSP"].rename(columns={"area_name": "area"})
    force = rates.loc[rates["area_level"] == "PFA"].iloc[0]
    force_rate = float(force["rate"])
    limits = funnel_limits(force_rate, csp_rates["population"])
    shown_title = f"{title}{rate_period_note(rates)}"
    centre = f"{force['area_name']} rate ({force_rate:.1f} per 1,000)"
    return Chart(lambda _: plot_funnel(csp_rates, limits, highlight=area_name,
                                       title=shown_title, centre_label=centre),
                 csp_rates[["area", "count", "population", "rate"]], name, source="open",
                 counts=["count"])


def xmr_items(series: pd.Series, breaks: list[TrendBreak], *, name: str, title: str,
              ylabel: str) -> list[PageItem]:
    """The XmR chart of a monthly series (:func:`analysis.stats.trends.trend_xmr`), then the note
    on its gaps and phase breaks when there is one."""
    chart = trend_xmr(series, breaks)
    items: list[PageItem] = [
        Chart(lambda _: plot_xmr(chart, title=title, ylabel=ylabel),
              chart.rename_axis("month").reset_index(), name, source="open", counts=["value"])]
    if note := describe_chart(chart, breaks):
        items.append(Markdown(markdown_from("{note}", note=note)))
    return items


def police_uk_counts(section: Section, where: str = "pfa_code = $force"
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Monthly police.uk counts by CSP and crime type over the area's force (rows chosen by
    ``where``), and from them the area's counts and the force's
    (:func:`split_area_and_force`)."""
    config = section.config
    counts_by_csp = query.monthly_counts(section.store_dir, by=("csp_code", "crime_type"),
                                         where=where, params={"force": config.force.code})
    return counts_by_csp, *split_area_and_force(counts_by_csp, config.csp_code)


def crime_extract_notes(crimes: pd.DataFrame | None, outside: int, *, area_name: str,
                        time_col: str, current: Period, previous: Period
                        ) -> tuple[list[str], list[str]]:
    """The header's source line and caveats for the area's partner crime extract (``crimes``,
    None without one): its size and date range, the months of each period it holds, and how
    many of its crimes (``outside``) are outside the area or could not be placed."""
    if crimes is None:
        return [], []
    stamps = crimes[time_col]
    sources = [f"Partner crime extract: {len(crimes):,} crimes in {area_name}, "
               f"committed {stamps.min():%b %Y} to {stamps.max():%b %Y}; Home Office "
               "offence classification"]
    caveats = [current.coverage(extract_months(stamps)).describe(),
               previous.coverage(extract_months(stamps)).describe()]
    if outside:
        caveats.append(f"{outside:,} crimes in the extract are outside {area_name} or "
                       "could not be placed, and are not counted.")
    return sources, caveats
