"""Offending and reoffending: proven reoffending, first-time entrants and restorative justice.

Proven reoffending (Ministry of Justice) is a proportion of a *cohort*: the adults or young
people (10-17) cautioned, convicted (other than to custody) or released from custody in a
year, of whom the share who commit an offence within 12 months that is proven by a court
conviction or caution within that year or a further 6 months. Because the follow-up and the
wait take 18 months, the latest cohort is about two years older than the assessment period.
Rates are compared with the rest of the force area and of England (the area is part of
both) by a pooled two-proportion z-test on the cohort sizes, and carry Wilson intervals.
First-time entrants to the youth justice system are a rate per 100,000 aged 10-17 (Byar
intervals); restorative-justice referrals are a count of service activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.present.charts import FIGSIZE, PALETTE
from analysis.stats.indicators import AREA, NO_INTERVAL

REOFFENDING_COHORTS = {"proven_reoffending_adult": "Adult", "proven_reoffending_youth": "Youth"}
"""Proven reoffending indicator ids and the cohort they describe."""

FIRST_TIME_ENTRANTS = "first_time_entrants"
RJ_REFERRALS = "rj_referrals"

FOLLOW_UP_DEFINITION = (
    "Proven reoffending: of the people cautioned, convicted (other than to custody) or "
    "released from custody in the cohort year, the share who commit an offence within 12 "
    "months that is proven by a court conviction or caution within those 12 months or a "
    "further 6 months (12 months' follow-up plus 6 months' wait for court outcomes)."
)

REOFFENDING_TEST = ("Differences are tested with a pooled two-proportion z-test on the cohort "
                    "sizes (5 % level); the area is compared "
                    "with the rest of the force area and the rest of England, because it is "
                    "part of both.")


def cohort_table(rows: pd.DataFrame, cohort: str) -> pd.DataFrame:
    """Proven reoffending rows (from :func:`analysis.stats.indicators.indicator_table`) with the
    headings a reader expects: cohort, geography, cohort year, reoffenders, cohort size,
    rate (%) and its 95 % Wilson interval (or why there is none)."""
    return pd.DataFrame({
        "Cohort": cohort,
        "Geography": rows["geography"],
        "Cohort year": rows["period"],
        "Reoffenders": rows["numerator"],
        "Cohort size": rows["denominator"],
        "Proven reoffending rate (%)": rows["value"],
        "95 % interval (%)": [
            method if method == NO_INTERVAL else f"{lo:.1f} to {hi:.1f}"
            for lo, hi, method in zip(rows["lower"], rows["upper"], rows["interval_method"],
                                      strict=True)],
    }).reset_index(drop=True)


def area_value(rows: pd.DataFrame, period: str) -> float | None:
    """The area's value in ``period`` (None when there is no such row)."""
    found = rows[(rows["level"] == AREA) & (rows["period"] == period)]
    return None if found.empty else float(found["value"].iloc[0])


def area_cohort_size(rows: pd.DataFrame, period: str) -> int | None:
    """The area's cohort size (denominator, people) in ``period``; None when not supplied."""
    found = rows[(rows["level"] == AREA) & (rows["period"] == period)]
    if found.empty or pd.isna(found["denominator"].iloc[0]):
        return None
    return int(found["denominator"].iloc[0])


def latest_cohort_rates(rows_by_cohort: dict[str, pd.DataFrame], periods: dict[str, str]
                        ) -> pd.DataFrame:
    """The latest cohort's rates for each cohort and geography, with interval bounds:
    cohort, geography, period, rate, lower, upper (the data behind the chart)."""
    frames = [rows[rows["period"] == periods[cohort]].assign(cohort=cohort)
              for cohort, rows in rows_by_cohort.items() if cohort in periods]
    if not frames:
        return pd.DataFrame(columns=["cohort", "geography", "period", "rate", "lower", "upper"])
    table = pd.concat(frames, ignore_index=True)
    return table[["cohort", "geography", "period", "value", "lower", "upper"]].rename(
        columns={"value": "rate"})


def plot_cohort_rates(rates: pd.DataFrame, title: str) -> Figure:
    """Proven reoffending rate by cohort and geography with 95 % Wilson intervals as bars."""
    fig = Figure(figsize=FIGSIZE)
    ax = fig.subplots()
    geographies = list(dict.fromkeys(rates["geography"]))
    cohorts = list(dict.fromkeys(rates["cohort"]))
    width = 0.8 / max(len(geographies), 1)
    for i, (geography, colour) in enumerate(zip(geographies, PALETTE, strict=False)):
        part = rates[rates["geography"] == geography].set_index("cohort").reindex(cohorts)
        x = np.arange(len(cohorts)) + (i - (len(geographies) - 1) / 2) * width
        errors = np.vstack([part["rate"] - part["lower"], part["upper"] - part["rate"]])
        ax.bar(x, part["rate"], width, color=colour, label=geography,
               yerr=np.nan_to_num(errors), capsize=3, ecolor="#333333")
    ax.set_xticks(np.arange(len(cohorts)),
                  [f"{c} ({rates.loc[rates['cohort'] == c, 'period'].iloc[0]} cohort)"
                   for c in cohorts])
    ax.set_ylabel("proven reoffending rate (%)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, ncols=len(geographies))
    fig.tight_layout()
    return fig
