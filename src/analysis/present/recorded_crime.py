"""The published Home Office recorded crime part of the crime overview: the seeds' table 3.1
by offence group and subgroup with the force and most similar group (MSG) columns, the MSG
members behind the average, the findings where the area is above the MSG average, and the one
sentence saying how to add the tables when the area configures none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import Markdown

from analysis.core.config import AreaConfig
from analysis.core.findings import ABOVE_COMPARATORS, SIGNIFICANT, Finding
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import ALL_CRIME
from analysis.inputs.recorded_crime import group_of, read_most_similar_groups
from analysis.present.page import Section
from analysis.present.presentable import Table
from analysis.stats.comparators import HIGHER
from analysis.stats.recorded_crime import (
    GROUP_ROW,
    financial_year_for,
    force_in_table,
    recorded_crime_table,
)
from analysis.store.area import csp_populations, force_populations
from analysis.store.recorded_crime import recorded_crime_quarters

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem

HOW_TO_ADD = (
    "The Home Office recorded crime tables for partnerships are not configured, so this page "
    "uses data.police.uk only; to lead it with them (counts by offence group with the most "
    "similar group comparison), save the CSP-level open data table as CSV and name it under "
    "`sources.recorded_crime` in the area config (README.md)."
)

METHOD = (
    "## Published recorded crime by offence group\n\n"
    "The Home Office police recorded crime open data tables for Community Safety "
    "Partnerships, by offence group and subgroup, as in the partnership's earlier "
    "assessments (table 3.1). The tables are by financial year and the quarters are summed "
    "to years; a year missing a quarter is incomplete and its count is left blank, never "
    "part-counted. **Change** is the exact test on the two counts (5 % level) used "
    "throughout. **Rate per 1,000** is per resident; **Force rate** is the whole force's; "
    "**MSG average** is the mean of the rates of the other partnerships in the area's most "
    "similar group (each counted once). **Against MSG** compares the area with that "
    "average: significantly higher when the average lies below the 95 % interval of the "
    "area's rate (Byar's method), significantly lower when above it. The second table lists "
    "the group's members and which are in the average."
)


@dataclass(frozen=True)
class PublishedCrime:
    """What the page shows from the published tables (or the sentence saying how to add
    them), the sources line for the header, findings and key figures."""

    items: list[PageItem]
    sources: list[str]
    findings: list[Finding]
    key_figures: list[tuple[str, object, str]]


def _members(config: AreaConfig, section: Section) -> tuple[pd.DataFrame, str]:
    """The MSG members (the area's group in the configured file; the area alone without one)
    and a note on where they come from."""
    path = config.sources.most_similar_groups
    alone = pd.DataFrame({"csp_code": [config.csp_code], "csp_name": [config.csp_name]})
    if path is None:
        return alone, "no most similar group file is configured (sources.most_similar_groups)"
    resolved = config.resolve(path, section.root)
    groups = read_most_similar_groups(resolved)
    if config.csp_code not in set(groups["csp_code"]):
        return alone, f"{config.csp_code} is in no group of the most similar group file"
    return group_of(groups, config.csp_code, resolved), ""


def _year_heading(year: str, held: str) -> str:
    """A year's count heading: the year, or what the table holds of it."""
    if held == "none":
        return f"{year} (not in the published table)"
    return year if held == "Q1–Q4" else f"{year} (incomplete: {held} held)"


def presentable_table(table: pd.DataFrame) -> pd.DataFrame:
    """Table 3.1 with the page's column names: counts under their year (marked incomplete
    when a quarter is missing), change, rates and the MSG comparison."""
    held = table.attrs["quarters_held"]
    previous = _year_heading(table.attrs["previous_year"], held[table.attrs["previous_year"]])
    current = _year_heading(table.attrs["current_year"], held[table.attrs["current_year"]])
    subgroup = [ALL_CRIME if kind == "total" else "All" if s == GROUP_ROW else s
                for kind, s in zip(table["row_kind"], table["offence_subgroup"], strict=True)]
    return pd.DataFrame({
        "Offence group": table["offence_group"],
        "Offence subgroup": subgroup,
        previous: table["previous"],
        current: table["current"],
        "# diff.": table["diff"],
        "% diff.": table["pct_diff"],
        "Change": table["significance"],
        "Rate per 1,000": table["rate"].round(2),
        "Force rate per 1,000": table["force_rate"].round(2),
        "MSG average per 1,000": table["msg_mean"].round(2),
        "Against MSG": table["against_msg"],
    })


def members_table(members: pd.DataFrame, year: str) -> pd.DataFrame:
    """The MSG members with force, quarters held, residents and status for ``year``."""
    return pd.DataFrame({
        "CSP code": members["csp_code"], "Partnership": members["csp_name"],
        "Force": members["force_name"], f"Quarters held {year}": members["quarters_held"],
        "Residents": members["population"], "In the MSG average": members["status"],
    })


def _rate(value: float) -> str:
    """A rate as the findings write it: one decimal from 10, two below."""
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def msg_findings(table: pd.DataFrame, *, area_name: str, year: str) -> list[Finding]:
    """Findings where the area's rate is significantly higher than the MSG average (the
    seeds' "higher per 1,000 than the average of our most similar comparator CSPs"): one for
    each such offence group, naming its subgroups that are higher too, and one for each
    higher subgroup whose group as a whole is not."""
    higher = table[table["against_msg"] == HIGHER]
    groups = higher[higher["row_kind"] == "group"]
    subgroups = higher[higher["row_kind"] == "subgroup"]
    findings = []
    for row in groups.itertuples(index=False):
        within = subgroups[subgroups["offence_group"] == row.offence_group]
        detail = "; ".join(f"{s.offence_subgroup.lower()} {_rate(s.rate)} against "
                           f"{_rate(s.msg_mean)}" for s in within.itertuples(index=False))
        findings.append(_msg_finding(row, row.offence_group, area_name, year,
                                     f" Within it: {detail}." if detail else ""))
    for row in subgroups[~subgroups["offence_group"].isin(groups["offence_group"])].itertuples(
            index=False):
        findings.append(_msg_finding(row, row.offence_subgroup, area_name, year, ""))
    return findings


def _msg_finding(row: object, subject: str, area_name: str, year: str, detail: str
                 ) -> Finding:
    """One 'higher than the MSG average' finding for a row of table 3.1."""
    rate, mean, members = (getattr(row, key) for key in ("rate", "msg_mean", "msg_members"))
    return Finding(
        f"{subject} in {area_name}: {_rate(rate)} per 1,000 residents in {year} (Home Office "
        f"recorded crime), significantly higher than the average of its most similar group "
        f"({_rate(mean)}, {members} comparator partnerships).{detail}",
        ABOVE_COMPARATORS, SIGNIFICANT, (), subject)


def published_crime(section: Section) -> PublishedCrime:
    """The published recorded crime part of the page, from the store's PRC quarters (see
    :func:`analysis.stats.recorded_crime.recorded_crime_table`); the how-to-add sentence when
    the area configures no table."""
    config, period = section.config, section.period
    quarters = recorded_crime_quarters(section.store_dir)
    if quarters is None:
        return PublishedCrime([Markdown(HOW_TO_ADD)], [], [], [])
    current_year = financial_year_for(period.end.year, period.end.month)
    start = int(current_year[:4])
    previous_year = Period.financial_year(start - 1).label
    members, note = _members(config, section)
    year_period = Period.financial_year(start)
    populations, vintage = csp_populations(config, list(members["csp_code"]), year_period,
                                           section.root)
    force = force_populations(config, section.root, period=year_period).set_index("area_code")
    table = recorded_crime_table(
        quarters, area_code=config.csp_code, area_name=config.csp_name,
        force_name=force_in_table(quarters, config.csp_name, config.force.name),
        area_population=float(force.loc[config.csp_code, "population"]),
        force_population=float(force.loc[config.force.code, "population"]),
        members=members, populations=populations, current_year=current_year,
        previous_year=previous_year)
    shown = presentable_table(table)
    before, now = shown.columns[2], shown.columns[3]
    caption = (f"Police recorded crime by Home Office offence group, {config.csp_name}: "
               f"{current_year} compared with {previous_year} (Home Office open data tables; "
               f"residents: {vintage})")
    items: list[PageItem] = [
        Markdown(METHOD),
        Table(shown, "published_crime_by_group", caption, source="open", counts=[before, now],
              formats={before: "{:,}", now: "{:,}", "# diff.": "{:+,}", "% diff.": "{:+.1f}",
                       "Rate per 1,000": "{:.2f}", "Force rate per 1,000": "{:.2f}",
                       "MSG average per 1,000": "{:.2f}"}),
        Table(members_table(table.attrs["members"], current_year), "most_similar_group",
              f"Most similar group of {config.csp_name}, {current_year}: members and which "
              f"are in the average", source="open", formats={"Residents": "{:,}"}),
    ]
    if note:
        items.append(Markdown(markdown_from("The MSG average is not assessed: {note}.",
                                            note=note)))
    files = ", ".join(p.name for p in config.sources.recorded_crime)
    total = table[table["row_kind"] == "total"].iloc[0]
    figures: list[tuple[str, object, str]] = [
        ("prc_all_crime_current", None if pd.isna(total["current"]) else int(total["current"]),
         f"All crime {current_year} (Home Office recorded crime)"),
        ("prc_all_crime_rate", None if pd.isna(total["rate"]) else round(float(total["rate"]),
                                                                          1),
         f"All crime per 1,000 {current_year} (Home Office recorded crime; {vintage})"),
        ("prc_all_crime_against_msg", str(total["against_msg"]),
         "All crime against the most similar group average"),
    ]
    return PublishedCrime(
        items, [f"Home Office police recorded crime open data tables ({files})"],
        msg_findings(table, area_name=config.csp_name, year=current_year), figures)
