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

from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure

from analysis.core.findings import NO_DIRECTION, NOT_ASSESSED, NOT_TESTED, Finding
from analysis.present.chart_text import describe
from analysis.present.charts import FIGSIZE, PALETTE
from analysis.present.narrative import change_finding
from analysis.present.page import Section
from analysis.present.presentable import Chart, Table
from analysis.stats import indicators
from analysis.stats.indicators import AREA, NO_INTERVAL
from analysis.stats.partner_counts import headline

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
    """Proven reoffending rate by cohort and geography with 95 % Wilson intervals as bars;
    the legend below the plot, clear of the bars."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
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
    fig.legend(loc="outside lower center", fontsize=8, ncols=len(geographies))
    shown = "; ".join(f"{row['geography']}, {row['cohort']} ({row['period']} cohort): "
                      f"{row['rate']:.1f} % (95 % interval {row['lower']:.1f} to "
                      f"{row['upper']:.1f})" for _, row in rates.dropna(subset=["rate"]).iterrows())
    return describe(fig, "Bar chart of the proven reoffending rate by cohort and geography "
                         f"with 95 % intervals: {shown or 'no rates'}.")


COHORT_LAG_CAVEAT = ("Reoffending cohorts run about two years behind the assessment period: "
                     "the follow-up and the wait for court outcomes take 18 months before the "
                     "figures are published.")

RJ_TEST_CAVEAT = ("Restorative-justice referrals count the service's activity; their change "
                  "is tested as a change in counts (exact Poisson test), which does not say "
                  "why referrals changed.")

NO_EXTRACT_CAVEAT = ("No partner indicators extract: proven reoffending, first-time entrants "
                     "and restorative-justice referrals cannot be shown.")

NO_EXTRACT_SOURCE = "No partner indicators extract was supplied for this area"

NO_EXTRACT_FINDING = (
    "No partner indicators were supplied, so reoffending, first-time entrants and restorative "
    "justice cannot be reported. They need the Ministry of Justice proven reoffending tables "
    "(area, force, England, with cohort sizes), Youth Justice Board first-time entrants and "
    "the restorative-justice service's referral counts in the indicators extract.")

_TEST_COLUMNS = {"comparison": "Comparison", "p_value": "p-value", "significance": "Result",
                 "method": "Test"}


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator's rows for the area, force and England, and the tests of its latest
    period: ``periods`` are the latest (up to two) periods started by the assessment period,
    ``tests`` the :func:`analysis.stats.indicators.comparison_table` of the last of them (None when
    there is no such period, or no rows)."""

    name: str
    rows: pd.DataFrame
    periods: list[str]
    tests: pd.DataFrame | None

    @property
    def kind(self) -> indicators.IndicatorKind:
        """What the indicator's value is (proportion, rate or count)."""
        return indicators.kind_of(self.name)

    @property
    def latest(self) -> str | None:
        """The latest period tested, or None."""
        return self.periods[-1] if self.periods else None


def indicator_result(name: str, rows: pd.DataFrame, section: Section) -> IndicatorResult:
    """The latest periods of indicator ``name`` up to the section's period and their tests
    (against the rest of the force and England, and the area's previous period)."""
    periods = indicators.latest_periods(rows, section.period, 2)
    tests = (indicators.comparison_table(rows, indicators.kind_of(name), periods[-1],
                                         periods[0] if len(periods) > 1 else None)
             if periods else None)
    return IndicatorResult(name, rows, periods, tests)


@dataclass(frozen=True)
class ReoffendingData:
    """The section's indicators: each reoffending cohort's and the first-time entrants'
    results, the restorative-justice referral rows and whether the area supplied an
    indicators extract at all."""

    supplied: bool
    cohorts: list[IndicatorResult]
    entrants: IndicatorResult
    referrals: pd.DataFrame


@dataclass(frozen=True)
class ReoffendingPage:
    """The outputs of the offending and reoffending page, one field per notebook cell."""

    header: HTML
    reoffending: list[Table | Markdown]
    reoffending_chart: list[Chart]
    entrants: list[Table | Markdown]
    restorative_justice: list[Table | Markdown]
    findings: list[Finding]


def load_data(section: Section) -> ReoffendingData:
    """The indicators of this section from the area's partner indicators extract."""
    table = section.partner("indicators")
    geographies = indicators.Geographies.from_config(section.config)

    def result(name: str) -> IndicatorResult:
        return indicator_result(name, indicators.indicator_table(table, name, geographies),
                                section)

    return ReoffendingData(
        supplied=table is not None, cohorts=[result(name) for name in REOFFENDING_COHORTS],
        entrants=result(FIRST_TIME_ENTRANTS),
        referrals=indicators.indicator_table(table, RJ_REFERRALS, geographies))


def page(section: Section) -> ReoffendingPage:
    """The offending and reoffending page for ``section`` (see :func:`page_from`)."""
    return page_from(section, load_data(section))


def page_from(section: Section, data: ReoffendingData) -> ReoffendingPage:
    """The page's outputs and findings from ``data``; records the section's key figures."""
    rj_change = referral_change(section, data.referrals)
    findings = [*(finding for cohort in data.cohorts
                  for finding in cohort_findings(section, cohort)),
                *entrant_findings(section, data.entrants),
                *referral_findings(section, rj_change)]
    if not data.supplied:
        findings.append(Finding(NO_EXTRACT_FINDING, NO_DIRECTION, NOT_ASSESSED))
    return ReoffendingPage(
        header=header(section, data),
        reoffending=[item for cohort in data.cohorts for item in cohort_items(section, cohort)],
        reoffending_chart=chart_items(section, data.cohorts),
        entrants=entrant_items(section, data.entrants),
        restorative_justice=referral_items(section, data.referrals, rj_change),
        findings=findings)


def header(section: Section, data: ReoffendingData) -> HTML:
    """The page header: the indicators' sources (or that there are none) and the caveats."""
    everything = [*(cohort.rows for cohort in data.cohorts), data.entrants.rows,
                  data.referrals]
    sources = sorted({source for rows in everything for source in rows["source"].dropna()})
    caveats = [FOLLOW_UP_DEFINITION, COHORT_LAG_CAVEAT, REOFFENDING_TEST, RJ_TEST_CAVEAT]
    if not data.supplied:
        caveats.append(NO_EXTRACT_CAVEAT)
    return section.header("Offending and reoffending", sources=sources or [NO_EXTRACT_SOURCE],
                          caveats=caveats)


def cohort_items(section: Section, result: IndicatorResult) -> list[Table | Markdown]:
    """A cohort's rates table and its tests table, or a note saying what is missing."""
    cohort = REOFFENDING_COHORTS[result.name]
    if result.rows.empty:
        return [section.text("**{cohort} proven reoffending:** not supplied (the Ministry of "
                             "Justice proven reoffending tables for the area, force and "
                             "England go in the indicators extract).", cohort=cohort)]
    if result.tests is None:
        return [section.text("**{cohort} proven reoffending:** no cohort up to {period}.",
                             cohort=cohort, period=section.period.label)]
    area = f"{section.config.csp_name} (%)"
    return [
        Table(cohort_table(result.rows, cohort), f"reoffending_{cohort.lower()}",
              f"{cohort} proven reoffending: area, force and England", source="open",
              counts=["Reoffenders", "Cohort size"],
              formats={"Reoffenders": "{:,.0f}", "Cohort size": "{:,.0f}",
                       "Proven reoffending rate (%)": "{:.1f}"}),
        Table(result.tests.rename(columns={
                  **_TEST_COLUMNS, "area_value": area, "other_value": "Compared with (%)",
                  "difference": "Difference (points)"}),
              f"reoffending_{cohort.lower()}_tests",
              f"{cohort} proven reoffending: is the difference more than chance? "
              f"({result.latest} cohort)", source="open",
              formats={area: "{:.1f}", "Compared with (%)": "{:.1f}",
                       "Difference (points)": "{:+.1f}", "p-value": "{:.3f}"})]


def chart_items(section: Section, cohorts: list[IndicatorResult]) -> list[Chart]:
    """The chart of the latest cohort's rates by geography; none when no cohort is tested."""
    latest = {REOFFENDING_COHORTS[c.name]: c.latest for c in cohorts if c.latest is not None}
    if not latest:
        return []
    rates = latest_cohort_rates({REOFFENDING_COHORTS[c.name]: c.rows for c in cohorts}, latest)
    title = f"Proven reoffending, latest cohort, {section.config.csp_name}"
    return [Chart(lambda shown: plot_cohort_rates(shown, title), rates, "reoffending_latest",
                  source="open")]


def entrant_items(section: Section, result: IndicatorResult) -> list[Table | Markdown]:
    """The first-time entrants' rates and their tests, or a note saying what is missing."""
    if result.rows.empty:
        return [Markdown("**First-time entrants:** not supplied (Youth Justice Board figures "
                         "go in the indicators extract).")]
    items: list[Table | Markdown] = [Table(
        indicators.presentable_indicator(result.rows, result.kind), "first_time_entrants",
        "First-time entrants per 100,000 aged 10-17", source="open",
        counts=["Numerator", "Denominator"],
        formats={"Numerator": "{:,.0f}", "Denominator": "{:,.0f}"})]
    if result.tests is None:
        items.append(section.text("**First-time entrants:** no figures for a period starting "
                                  "by {start}, so none are tested for {label}.",
                                  start=f"{section.period.start:%b %Y}",
                                  label=section.period.label))
        return items
    area = section.config.csp_name
    items.append(Table(
        result.tests.rename(columns={**_TEST_COLUMNS, "area_value": area,
                                     "other_value": "Compared with",
                                     "difference": "Difference"}),
        "first_time_entrants_tests", f"First-time entrants: tests ({result.latest})",
        source="open", formats={area: "{:.1f}", "Compared with": "{:.1f}",
                                "Difference": "{:+.1f}", "p-value": "{:.3f}"}))
    return items


def referral_change(section: Section, referrals: pd.DataFrame) -> dict[str, object] | None:
    """The area's restorative-justice referrals this period against the last (exact Poisson
    test); None when either period's figure, or the indicator, is missing."""
    if referrals.empty:
        return None
    return indicators.change_between(referrals, AREA,
                                     indicators.indicator_period(section.previous),
                                     indicators.indicator_period(section.period),
                                     indicators.kind_of(RJ_REFERRALS))


def referral_items(section: Section, referrals: pd.DataFrame,
                   change: dict[str, object] | None) -> list[Table | Markdown]:
    """The referrals table (partner counts), with a note when no change can be given; a
    note when the indicator is not supplied."""
    if referrals.empty:
        return [Markdown("**Restorative-justice referrals:** not supplied.")]
    items: list[Table | Markdown] = [
        Table(
            indicators.presentable_indicator(referrals, indicators.kind_of(RJ_REFERRALS)),
            "rj_referrals",
            "Restorative-justice referrals",
            source="partner",
            counts=["Value (referrals)", "Numerator", "Denominator"],
            labels=["Geography", "Period"],
            order="labels",
            formats={"Value (referrals)": "{:,.0f}"},
        )
    ]
    if change is None:
        items.append(
            section.text(
                "No referral figures for both {previous} and {current}, so no change is given.",
                previous=section.previous.label,
                current=section.period.label,
            )
        )
    return items


def cohort_findings(section: Section, result: IndicatorResult) -> list[Finding]:
    """A tested cohort's level (with its interval, the force's and England's) and each test
    as findings; records its rate, cohort size and cohort year. None when not tested."""
    if result.tests is None or result.latest is None:
        return []
    cohort = REOFFENDING_COHORTS[result.name]
    subject, key = f"{cohort} proven reoffending", f"{cohort.lower()}_reoffending"
    figures = (f"{key}_rate", f"{key}_cohort_size", f"{key}_cohort_year")
    findings = [
        Finding(
            indicators.describe_level(result.rows, result.kind, result.latest, subject),
            NO_DIRECTION,
            NOT_TESTED,
            figures,
            subject,
        ),
        *(
            indicators.comparison_finding(test, subject, (f"{key}_rate",))
            for test in result.tests.to_dict("records")
        ),
    ]
    section.record(
        f"{key}_rate",
        area_value(result.rows, result.latest),
        label=f"{cohort} proven reoffending rate (%), {result.latest} cohort",
    )
    section.record(
        f"{key}_cohort_size",
        area_cohort_size(result.rows, result.latest),
        label=f"{cohort} reoffending cohort size, {result.latest}",
    )
    section.record(f"{key}_cohort_year", result.latest, label=f"{cohort} reoffending cohort")
    return findings


def entrant_findings(section: Section, result: IndicatorResult) -> list[Finding]:
    """The first-time entrants' rate and each test as findings; records the rate. None
    when not tested."""
    if result.tests is None or result.latest is None:
        return []
    findings = [
        Finding(
            indicators.describe_level(
                result.rows, result.kind, result.latest, "The rate of first-time entrants"
            ),
            NO_DIRECTION,
            NOT_TESTED,
            ("first_time_entrants_rate",),
            "First-time entrants",
        ),
        *(
            indicators.comparison_finding(
                test, "First-time entrants", ("first_time_entrants_rate",)
            )
            for test in result.tests.to_dict("records")
        ),
    ]
    section.record(
        "first_time_entrants_rate",
        area_value(result.rows, result.latest),
        label=f"First-time entrants per 100,000 aged 10-17, {result.latest}",
    )
    return findings


def referral_findings(section: Section, change: dict[str, object] | None) -> list[Finding]:
    """The referrals' change as the table publishes the counts; records both counts, the
    % change and the test result under the disclosure rule. None without a change."""
    if change is None:
        return []
    subject, current, previous = (
        "Restorative-justice referrals",
        section.period.label,
        section.previous.label,
    )
    shown = section.published_change(headline(pd.Series(change)))
    section.record("rj_referrals_current", shown["current"], label=f"{subject} {current}")
    section.record("rj_referrals_previous", shown["previous"], label=f"{subject} {previous}")
    section.record("rj_referrals_pct_diff", shown["pct_diff"], label=f"{subject} % change")
    section.record("rj_referrals_significance", shown["significance"], label=f"{subject} change")
    return [
        change_finding(
            section.published_row(change),
            subject,
            unit="referrals",
            figures=(
                "rj_referrals_current",
                "rj_referrals_previous",
                "rj_referrals_pct_diff",
                "rj_referrals_significance",
            ),
        )
    ]
