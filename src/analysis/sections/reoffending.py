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

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure

from analysis.core.errors import DataCoverageError
from analysis.core.findings import NO_DIRECTION, NOT_ASSESSED, NOT_TESTED, Finding
from analysis.core.periods import MonthsCompared, compared_months, month_starts
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import ALL_CRIME
from analysis.present.chart_text import describe
from analysis.present.charts import FIGSIZE, PALETTE
from analysis.present.narrative import change_finding
from analysis.present.page import Section
from analysis.present.presentable import Chart, Table
from analysis.stats import indicators
from analysis.stats import outcomes as justice
from analysis.stats.indicators import AREA, NO_INTERVAL
from analysis.stats.partner_counts import extract_months, headline, in_area
from analysis.store import query
from analysis.store.outcomes import (
    OUTCOMES_FILE_SOURCE,
    crime_outcome_counts,
    outcome_files_summary,
)

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
    outcomes: list[Table | Markdown] = field(default_factory=list)


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
    """The offending and reoffending page for ``section`` (see :func:`page_from`), with the
    justice outcomes of the area's police.uk crimes (:func:`outcome_items`)."""
    return replace(page_from(section, load_data(section)), outcomes=outcome_items(section))


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
                       "Difference (points)": "{:+.1f}"})]


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
                                "Difference": "{:+.1f}"}))
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
            table=f"reoffending_{cohort.lower()}",
        ),
        *(
            replace(indicators.comparison_finding(test, subject, (f"{key}_rate",)),
                    table=f"reoffending_{cohort.lower()}_tests")
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
            table="first_time_entrants",
        ),
        *(
            replace(indicators.comparison_finding(
                test, "First-time entrants", ("first_time_entrants_rate",)
            ), table="first_time_entrants_tests")
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
            table=RJ_REFERRALS,
        )
    ]


# --- justice outcomes of police.uk crimes ---------------------------------------------------
NO_POLICE_UK = ("**Justice outcomes:** no data.police.uk months have been ingested for this "
                "area, so no outcome profile can be shown.")


@dataclass(frozen=True)
class OutcomeData:
    """The crimes of the area and of the force by month, crime type and outcome
    (:func:`analysis.store.outcomes.crime_outcome_counts`), the months compared, the newest
    month held and what the store holds from outcomes files."""

    area: pd.DataFrame
    force: pd.DataFrame
    compared: MonthsCompared
    latest_month: date
    files: dict[str, int]


def load_outcomes(section: Section) -> OutcomeData | None:
    """The section's outcome counts from the store; None when no police.uk month is held."""
    config = section.config
    try:
        months = query.force_months(section.store_dir, config.force.name)
    except DataCoverageError:
        return None
    if not months:
        return None
    by_csp = crime_outcome_counts(section.store_dir, where="pfa_code = $force",
                                  params={"force": config.force.code})
    area = by_csp[by_csp["csp_code"] == config.csp_code]
    return OutcomeData(area=area, force=by_csp,
                       compared=compared_months(section.period, section.previous, months),
                       latest_month=max(months), files=outcome_files_summary(section.store_dir))


def outcome_items(section: Section, data: OutcomeData | None = None) -> list[Table | Markdown]:
    """The justice outcomes part: where each crime's outcome comes from, the profile of this
    period, its change against the comparison period for the area and the force, the months
    whose outcomes are still changing, and any outcome string not in the mapping."""
    data = data if data is not None else load_outcomes(section)
    if data is None:
        return [Markdown(NO_POLICE_UK)]
    groups = justice.groups_shown(data.force)
    area_profile = justice.outcome_profile(data.area, data.compared, groups)
    force_profile = justice.outcome_profile(data.force, data.compared, groups)
    name, force = section.config.csp_name, section.config.force.name
    months = sorted({*data.compared.counted_months("current"),
                     *data.compared.counted_months("previous")})
    changing = justice.months_still_changing(data.force, months, data.latest_month)
    return [
        outcome_source_note(section, data),
        Table(profile_table(area_profile, force_profile, name, force), "outcome_profile",
              f"Outcomes of police.uk crimes, {name}, {data.compared.heading('current')}: "
              "share of each crime type's crimes (%)", source="open", counts=["Crimes"],
              formats={"Crimes": "{:,.0f}", **{f"{g} (%)": "{:.1f}" for g in groups}}),
        Table(change_table(area_profile, force_profile, data.compared, force),
              "outcome_change",
              f"Outcome shares, {data.compared.heading('current')} against "
              f"{data.compared.heading('previous')}: {name} and {force}", source="open",
              counts=["Crimes (previous)", "Crimes (current)"],
              formats={"Crimes (previous)": "{:,.0f}", "Crimes (current)": "{:,.0f}",
                       "p-value": "{:.3f}"}),
        still_changing_note(changing),
        Table(changing_table(changing), "outcome_months",
              f"Crimes still under investigation by month, {force}", source="open",
              counts=["Crimes"], formats={"Crimes": "{:,.0f}",
                                          "Under investigation (%)": "{:.1f}"}),
        *unrecognised_items(data.force),
        *partner_outcome_items(section, section.partner("crimes")),
    ]


def outcome_source_note(section: Section, data: OutcomeData) -> Markdown:
    """Where the outcomes come from: the outcomes files joined by Crime ID, or (without any)
    each street file's Last outcome category."""
    by_source = justice.outcome_sources(data.force)
    joined = by_source.get(OUTCOMES_FILE_SOURCE, 0)
    if data.files["files"] == 0:
        return section.text(
            "**Source of the outcomes:** the data holds no police.uk outcomes files, so each "
            "crime's outcome is the *Last outcome category* of its street file, as it stood "
            "when that file was downloaded.")
    return section.text(
        "**Source of the outcomes:** {files:,} police.uk outcomes files ({rows:,} outcome "
        "rows, {quarantined:,} rows not loaded) joined to the street crimes by Crime ID; the "
        "latest outcome of each crime is used for {joined:,} of the force's {crimes:,} "
        "crimes (all months held), the street file's *Last outcome category* for the rest.",
        files=data.files["files"], rows=data.files["rows"],
        quarantined=data.files["quarantined"], joined=joined,
        crimes=sum(by_source.values()))


def _group_shares(profile: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per crime type: its crimes and each group's share (%) in ``period``."""
    wide = profile.pivot_table(index="crime_type", columns="outcome_group",
                               values=f"{period}_share", sort=False, dropna=False)
    crimes = profile.groupby("crime_type", sort=False)[f"{period}_crimes"].first()
    wide = wide.reindex(columns=[g for g in dict.fromkeys(profile["outcome_group"])])
    wide.columns = [f"{g} (%)" for g in wide.columns]
    return pd.concat([crimes.astype("Int64").rename("Crimes"), wide.round(1)], axis=1)


def profile_table(area: pd.DataFrame, force: pd.DataFrame, area_name: str, force_name: str
                  ) -> pd.DataFrame:
    """This period's shares by crime type for the area, then the force's all-crime row."""
    shares = _group_shares(area, "current")
    force_total = _group_shares(force, "current").loc[[ALL_CRIME]]
    force_total.index = [f"{ALL_CRIME}, {force_name}"]
    table = pd.concat([shares.rename(index={ALL_CRIME: f"{ALL_CRIME}, {area_name}"}),
                       force_total])
    return table.rename_axis("Crime type").reset_index()


def change_table(area: pd.DataFrame, force: pd.DataFrame, compared: MonthsCompared,
                 force_name: str) -> pd.DataFrame:
    """Each crime type's and group's share in both periods for the area with its test, and
    the force's shares and test beside them."""
    before, now = compared.heading("previous"), compared.heading("current")
    joined = area.merge(force, on=["crime_type", "outcome_group"], how="left",
                        suffixes=("", "_force"), validate="one_to_one")
    return pd.DataFrame({
        "Crime type": joined["crime_type"],
        "Outcome": joined["outcome_group"],
        "Crimes (previous)": joined["previous"].astype("Int64"),
        f"{before} (%)": joined["previous_share"].round(1),
        "Crimes (current)": joined["current"].astype("Int64"),
        f"{now} (%)": joined["current_share"].round(1),
        "Change (points)": joined["difference_points"].round(1),
        "p-value": joined["p_value"],
        "Result": joined["significance"],
        f"{force_name} {before} (%)": joined["previous_share_force"].round(1),
        f"{force_name} {now} (%)": joined["current_share_force"].round(1),
        f"{force_name} change (points)": joined["difference_points_force"].round(1),
        f"{force_name} result": joined["significance_force"],
    })


def changing_table(changing: pd.DataFrame) -> pd.DataFrame:
    """The months compared with their crimes, share under investigation and whether their
    outcomes are still changing."""
    return pd.DataFrame({
        "Month": [f"{m:%b %Y}" for m in changing["month"]],
        "Crimes": changing["crimes"],
        "Under investigation (%)": changing["under_investigation_share"].round(1),
        "Outcomes still changing": changing["still_changing"].map({True: "yes", False: "no"}),
    })


def still_changing_note(changing: pd.DataFrame) -> Markdown:
    """The caveat that recent outcomes are still changing, naming the months concerned."""
    months = [f"{m:%b %Y}" for m in changing.loc[changing["still_changing"], "month"]]
    rule = (f"a month is counted as still changing when it is one of the {justice.RECENT_MONTHS}"
            " months up to the newest month of data, or when at least "
            f"{100 * justice.OPEN_SHARE:.0f} % of its crimes are still under investigation")
    if not months:
        return Markdown(markdown_from("**Outcomes still changing:** none of the months compared "
                                      "({rule}).", rule=rule))
    return Markdown(markdown_from(
        "**Outcomes of recent months are still changing:** {months}. Later police.uk "
        "downloads revise these months' outcomes as investigations close and cases reach "
        "court, so their shares under investigation fall and the other shares rise; a change "
        "against an older period partly reflects how long its outcomes have had to be "
        "recorded ({rule}).", months=", ".join(months), rule=rule))


def unrecognised_items(counts: pd.DataFrame) -> list[Table | Markdown]:
    """The outcome strings not in the mapping, with their crimes, or a line saying there
    are none."""
    unknown = justice.unrecognised_outcomes(counts)
    if unknown.empty:
        return [Markdown("Every outcome string in the data is in the outcome mapping.")]
    return [Table(unknown.rename(columns={"outcome": "Outcome string", "crimes": "Crimes"}),
                  "outcome_unrecognised",
                  "Outcome strings not in the mapping (counted as 'Outcome not recognised')",
                  source="open", counts=["Crimes"], formats={"Crimes": "{:,.0f}"})]


NO_PARTNER_OUTCOMES = ("**Partner crime extract:** none with an outcome field was supplied, so "
                       "only the police.uk outcomes are shown (map the force export's outcome "
                       "column to `outcome` in the extract's mapping to add them).")


def partner_outcome_counts(crimes: pd.DataFrame) -> pd.DataFrame:
    """A partner crime extract's crimes by month (committed from), Home Office offence group
    (as ``crime_type``) and ``outcome``: the input of
    :func:`analysis.stats.outcomes.outcome_profile`; a crime without an outcome is kept
    (missing outcome, counted as not recognised)."""
    frame = pd.DataFrame({"month": month_starts(crimes["committed_from"]),
                          "crime_type": crimes["offence_group"].astype(str),
                          "outcome": crimes["outcome"].astype(object)})
    return (frame.groupby(["month", "crime_type", "outcome"], dropna=False, as_index=False)
            .size().rename(columns={"size": "count"}))


def partner_outcome_items(section: Section, extract: pd.DataFrame | None
                          ) -> list[Table | Markdown]:
    """The outcome profile of the area's partner crime extract by offence group, when it has
    an outcome field: crimes of each group and outcome in both periods with their shares,
    under the area's disclosure rule (shares recomputed from the published counts)."""
    if extract is None or "outcome" not in extract or extract["outcome"].isna().all():
        return [Markdown(NO_PARTNER_OUTCOMES)]
    crimes, _ = in_area(extract, section.config.csp_code)
    compared = compared_months(section.period, section.previous,
                               extract_months(crimes["committed_from"]))
    profile = justice.outcome_profile(partner_outcome_counts(crimes), compared)
    groups = list(dict.fromkeys(profile["outcome_group"]))
    types = [*sorted(set(profile["crime_type"]) - {ALL_CRIME}), ALL_CRIME]  # label order
    profile = profile.set_index(["crime_type", "outcome_group"]).loc[
        [(t, g) for t in types for g in groups]].reset_index()
    before, now = compared.heading("previous"), compared.heading("current")
    table = pd.DataFrame({
        "Offence group": profile["crime_type"], "Outcome": profile["outcome_group"],
        f"Crimes {before}": profile["previous"].astype("Int64"),
        f"All crimes of the group {before}": profile["previous_crimes"].astype("Int64"),
        f"{before} (%)": profile["previous_share"].round(1),
        f"Crimes {now}": profile["current"].astype("Int64"),
        f"All crimes of the group {now}": profile["current_crimes"].astype("Int64"),
        f"{now} (%)": profile["current_share"].round(1),
    })
    counts = [c for c in table.columns if c.startswith(("Crimes ", "All crimes "))]
    return [Table(
        table, "outcome_partner_profile",
        f"Outcomes in the partner crime extract by offence group, {section.config.csp_name}",
        source="partner", counts=counts, labels=["Offence group", "Outcome"], order="labels",
        derived={f"{before} (%)": ("share", f"Crimes {before}",
                                   f"All crimes of the group {before}"),
                 f"{now} (%)": ("share", f"Crimes {now}", f"All crimes of the group {now}")},
        formats={**dict.fromkeys(counts, "{:,.0f}"), f"{before} (%)": "{:.1f}",
                 f"{now} (%)": "{:.1f}"})]
