"""Hate crime by strand, over time and by place, from the partner crime extract.

A crime may be flagged for more than one strand (e.g. race and religion). It is counted once
in each of its strands and once in the total, so the strands add up to more than the total.
police.uk carries no hate flag, so without the force's extract nothing here can be shown; the
racially or religiously aggravated offences (Home Office codes 8P, 105B, 8M, 9B, 58J) need
the offence code, which police.uk does not publish either.

:func:`page` gathers the section for its notebook: the parts each cell shows (tables and
charts with their disclosure declared), the key figures and the findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from analysis.core.config import TrendBreak, breaks_for
from analysis.core.findings import NO_DIRECTION, NOT_ASSESSED, Finding
from analysis.core.offences import load_offence_classification
from analysis.core.periods import Period, add_months
from analysis.core.safe_text import markdown_from
from analysis.present.charts import monthly_trend, plot_xmr
from analysis.present.disclosure_register import PARTNER, XMR_KEPT, change_columns, xmr_derived
from analysis.present.narrative import change_finding
from analysis.present.page import Section, police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.present.shared_parts import crime_extract_notes
from analysis.stats.disclosure import DisclosureRule, apply_disclosure
from analysis.stats.measures import change_table, count_headings, require_columns
from analysis.stats.partner_counts import (
    area_wards,
    covered_periods,
    extract_months,
    headline,
    in_area,
    month_starts,
    monthly_record_counts,
    presentable_change,
    ward_counts,
)
from analysis.stats.trends import describe_chart, trend_xmr
from analysis.store import query
from analysis.store.area import area_lookup

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem

TIME = "committed_from"
STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
"""The five monitored strands, in the Home Office order."""

STRAND_LABELS = {"race": "Race", "religion": "Religion or belief",
                 "sexual_orientation": "Sexual orientation", "disability": "Disability",
                 "transgender": "Transgender identity"}
ALL_HATE = "All hate crime (each crime once)"
AGGRAVATED_PREFIX = "Racially or religiously aggravated"


def has_hate_flags(crimes: pd.DataFrame) -> bool:
    """True when the extract records hate strands (blank for no hate crime, not all missing).

    A field the mapping does not map is missing in every row: then hate crime is unknown,
    not zero.
    """
    require_columns(crimes, ["hate_strands"])
    return bool(crimes["hate_strands"].notna().any())


def published_counts(table: pd.DataFrame, rule: DisclosureRule | None,
                     columns: list[str]) -> pd.DataFrame:
    """What a table shows after the area's rule (the same call ``Section.table`` makes), so
    findings quote the published figures, never the true small counts."""
    return table if rule is None else apply_disclosure(table, rule, columns)


def hate_crimes(crimes: pd.DataFrame) -> pd.DataFrame:
    """The crimes with at least one hate strand (blank ``hate_strands`` = no hate flag)."""
    require_columns(crimes, ["hate_strands"])
    strands = crimes["hate_strands"].astype("string").fillna("").str.strip()
    return crimes[(strands != "").to_numpy(dtype=bool)].reset_index(drop=True)


def strand_rows(crimes: pd.DataFrame) -> pd.DataFrame:
    """One row per (hate crime, strand): the crime's columns plus ``strand``.

    A crime with two strands gives two rows, so counts by strand count it in each.
    """
    hate = hate_crimes(crimes)
    strands = hate["hate_strands"].astype("string").str.split(";")
    long = hate.assign(strand=strands.to_numpy()).explode("strand", ignore_index=True)
    long["strand"] = long["strand"].str.strip()
    return long[long["strand"] != ""].reset_index(drop=True)


def strand_change(crimes: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """Hate crime by strand this period and last, then the total counting each crime once.

    Every strand of :data:`STRANDS` is a row (0 when none); an unexpected strand follows.
    Columns: ``strand`` (readable label) and the change columns of
    :func:`analysis.stats.measures.change_table` (coverage: the months the extract spans). The
    counts are true counts: publish them through the disclosure rule.
    """
    require_columns(crimes, [TIME, "hate_strands"])
    long = strand_rows(crimes)
    counts = monthly_record_counts(long, TIME, ("strand",))
    zeros = pd.DataFrame({"month": current.start, "strand": list(STRANDS), "count": 0})
    counts = pd.concat([zeros, counts], ignore_index=True)
    rank = {name: i for i, name in enumerate(STRANDS)}
    counts = counts.iloc[np.argsort(counts["strand"].map(rank).fillna(len(STRANDS)).to_numpy(),
                                    kind="stable")]
    months = extract_months(crimes[TIME])
    by_strand = change_table(counts, current, previous, "strand", total_label=None,
                             available_months=months)
    total = change_table(monthly_record_counts(hate_crimes(crimes), TIME).assign(strand=ALL_HATE),
                         current, previous, "strand", total_label=None,
                         available_months=months) if len(hate_crimes(crimes)) else None
    table = by_strand if total is None else pd.concat([by_strand, total], ignore_index=True)
    table["strand"] = table["strand"].map(lambda s: STRAND_LABELS.get(s, s))
    return table


def strand_counts(change: pd.DataFrame, crimes: pd.DataFrame, current: Period,
                  previous: Period) -> pd.DataFrame:
    """The counts of :func:`strand_change` to publish: ``strand, <previous>, <current>``.

    Only periods the extract fully covers get a column (``attrs['not_covered']`` lists the
    others): a partly covered period has unknown counts, which cannot be published.
    """
    shown = covered_periods(crimes[TIME], (previous, current))
    table = change[["strand"]].copy()
    for period, column in ((previous, "previous"), (current, "current")):
        if period in shown:
            table[period.label] = change[column].astype("int64")
    table.attrs["not_covered"] = [p.label for p in (previous, current) if p not in shown]
    return table


def multi_strand_crimes(crimes: pd.DataFrame, period: Period) -> int:
    """Hate crimes in ``period`` flagged for two or more strands."""
    hate = hate_crimes(crimes)
    now = hate[month_starts(hate[TIME]).isin(period.months).to_numpy()]
    return int((now["hate_strands"].astype("string").str.count(";") >= 1).sum())


def quarterly_totals(crimes: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    """Hate crimes (each once) per quarter over ``periods`` (oldest first).

    Quarters are three-month blocks from each period's start (a period shorter than three
    months is one block); a quarter not fully covered by the extract is NaN (unknown), never
    0, and a block that would run past the period's end is left out (no month after the
    period is counted). Columns: quarter (its first month), hate_crimes.
    """
    hate = hate_crimes(crimes)
    covered = set(extract_months(crimes[TIME]))
    months = month_starts(hate[TIME])
    rows = []
    for period in periods:
        block = min(3, len(period))
        for step in range(0, len(period) - block + 1, block):
            quarter = [add_months(period.start, step + k) for k in range(block)]
            known = all(month in covered for month in quarter)
            rows.append({"quarter": quarter[0],
                         "hate_crimes": float(months.isin(quarter).sum()) if known else np.nan})
    return pd.DataFrame(rows, columns=["quarter", "hate_crimes"])


def aggravated_offences(crimes: pd.DataFrame, current: Period, previous: Period
                        ) -> pd.DataFrame:
    """Racially or religiously aggravated offences by Home Office offence, both periods.

    Every aggravated offence in the classification is listed (0 when none), then the total.
    Columns: offence (description), offence_code and a column of true counts for each period
    the extract fully covers (``attrs['not_covered']`` lists the others).
    """
    require_columns(crimes, [TIME, "offence_code"])
    classification = load_offence_classification()
    aggravated = classification[classification["offence_description"].str.startswith(
        AGGRAVATED_PREFIX)]
    months = month_starts(crimes[TIME])
    table = aggravated.rename(columns={"offence_description": "offence"})[
        ["offence", "offence_code"]].reset_index(drop=True)
    shown = covered_periods(crimes[TIME], (previous, current))
    for period in shown:
        counts = crimes[months.isin(period.months).to_numpy()]["offence_code"].value_counts()
        table[period.label] = table["offence_code"].map(counts).fillna(0).astype("int64")
    total = {"offence": "All racially or religiously aggravated offences", "offence_code": "",
             **{period.label: int(table[period.label].sum()) for period in shown}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table.attrs["not_covered"] = [p.label for p in (previous, current) if p not in shown]
    return table


def publishable_total(change: pd.DataFrame, rule: DisclosureRule | None) -> pd.DataFrame | None:
    """The all-hate-crime row of :func:`strand_change` with its exact change and test, or None
    when either total is unknown or the rule would suppress it (then only the published table
    shows).

    The total is a partnership-level count; its exact value cannot reveal a suppressed strand
    because a crime with several strands is in several strand counts.
    """
    total = change[change["strand"] == ALL_HATE]
    if total.empty:
        return None
    values = (total["current"].iloc[0], total["previous"].iloc[0])
    if any(pd.isna(value) for value in values):
        return None
    counts = tuple(int(value) for value in values)
    if rule is not None and any(rule.is_suppressed(count) for count in counts):
        return None
    return total.reset_index(drop=True)


def key_findings(change: pd.DataFrame, published: pd.DataFrame, multi: int, *,
                 area_name: str, current: Period, rule: DisclosureRule | None) -> list[Finding]:
    """Findings from the total (exact when publishable) and the published strands.

    Strand figures are quoted as published (rounded or suppressed), never the true small
    counts; a suppressed strand is named as too small to show. A total too small to publish
    gives no change (not assessed).
    """
    total = publishable_total(change, rule)
    findings = [change_finding(total.iloc[0], f"Hate crime in {area_name}",
                               figures=_TOTAL_FIGURES, table="hate_total_change")
                if total is not None else
                Finding(f"There were too few hate crimes in {area_name} to describe the change "
                        "safely.", NO_DIRECTION, NOT_ASSESSED, theme=f"Hate crime in {area_name}")]
    symbol = rule.symbol if rule is not None else None
    rounded = f" (rounded to the nearest {rule.round_to})" if rule is not None else ""
    if current.label in published.columns:
        shown = published[published["strand"] != ALL_HATE]
        counts = [f"{row['strand'].lower()} {row[current.label]}"
                  for _, row in shown.iterrows() if row[current.label] != symbol]
        hidden = [row["strand"].lower() for _, row in shown.iterrows()
                  if row[current.label] == symbol]
        text = f"By strand in {current.label}{rounded}: {', '.join(counts)}."
        if hidden:
            text += (f" The {' and '.join(hidden)} strand{'s' if len(hidden) > 1 else ''} had "
                     "too few crimes to publish safely, so the count is suppressed.")
        findings.append(Finding(text, figures=tuple(
            f"hate_{strand_key(strand)}_current" for strand in shown["strand"]),
            theme="Hate crime by strand", table="hate_strands"))
    if rule is not None and rule.is_suppressed(multi):
        how_many = "A small number of"
    else:
        how_many = f"{rule.rounded(multi) if rule is not None else multi:,}"
    findings.append(Finding(f"{how_many} hate crimes in {current.label} were flagged for more "
                            "than one strand; each is counted once in each of its strands and "
                            "once in the total.", theme="Crimes with several strands",
                            table="hate_strands"))
    return findings


_TOTAL_FIGURES = ("hate_total_current", "hate_total_previous", "hate_pct_diff",
                  "hate_significance")
"""The key figures of the all-hate-crime change (:func:`record_key_figures`)."""

POLICE_UK_CANNOT = (
    "**What police.uk cannot show.** data.police.uk has no hate-crime flag and no strand: "
    "a racially motivated assault is published as 'Violence and sexual offences' like any "
    "other. It does not publish Home Office offence codes either, so even the racially or "
    "religiously aggravated offences (assault, harassment, criminal damage and public "
    "order offences with their own codes) cannot be picked out. Hate crime by strand "
    "(race, religion, sexual orientation, disability, transgender identity), its trend "
    "and locations need the force's crime extract with the hate-crime flags (see "
    "docs/data-contract.md); the Home Office publishes hate crime by strand for each "
    "force, not for partnerships.")
"""What the page says instead of hate crime when the area has no extract with hate flags."""

NOT_AVAILABLE = Finding(
    "Hate crime cannot be reported from police.uk data, which has no hate-crime flag or "
    "offence code: the force's crime extract is needed.", NO_DIRECTION, NOT_ASSESSED,
    theme="Hate crime")
"""The section's only finding without an extract with hate flags."""



def strand_key(label: str) -> str:
    """The key-figure name of a strand from its label: 'Religion or belief' -> 'religion'
    (:data:`STRAND_LABELS`); a strand outside the five becomes lower case with '_'."""
    known = {shown: key for key, shown in STRAND_LABELS.items()}
    return known.get(label, re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_"))


def header_notes(crimes: pd.DataFrame | None, outside: int, *, available: bool,
                 police_source: str, area_name: str, current: Period,
                 previous: Period) -> tuple[list[str], list[str]]:
    """The data sources and caveats of the page header.

    ``crimes`` is the area's part of the partner crime extract (None without one) and
    ``outside`` how many of its crimes could not be placed in the area; ``available`` says
    whether the extract records hate strands (:func:`has_hate_flags`).
    """
    extract_sources, caveats = crime_extract_notes(crimes, outside, area_name=area_name,
                                                   time_col=TIME, current=current,
                                                   previous=previous)
    sources = [police_source, *extract_sources]
    caveats += [
        "A crime can be motivated by hostility to more than one characteristic (e.g. race and "
        "religion). It is counted once in each of its strands and once in the total, so the "
        "strands add up to more than the total.",
        "Hate crime is under-reported; a rise can mean more victims are reporting or better "
        "flagging, not only more offending.",
        "Counts by strand and by ward are small and pass the disclosure rule below: a "
        "suppressed count could identify a victim in a small community.",
    ]
    if not available:
        caveats.append("No partner crime extract with hate-crime flags is configured for this "
                       "area, so hate crime cannot be shown (see below).")
    return sources, caveats


def strand_items(counts: pd.DataFrame, total: pd.DataFrame | None, *, current: Period,
                 previous: Period) -> list[PageItem]:
    """Hate crime by strand (:func:`strand_counts`; a line for each period the extract does
    not cover) and the all-hate-crime change (:func:`publishable_total`, or a line saying
    it is too small to show)."""
    columns = [c for c in counts.columns if c != "strand"]
    items: list[PageItem] = [
        Markdown(markdown_from("The extract does not cover every month of {label}, so its "
                               "counts are unknown and not shown.", label=label))
        for label in counts.attrs["not_covered"]]
    if columns:
        items.append(Table(counts, "hate_strands",
                           f"Hate crime by strand, {previous.label} and {current.label}",
                           source=PARTNER, counts=columns, order="labels"))
    if total is None:
        return [*items, Markdown("There were too few hate crimes to show the change safely.")]
    headings = count_headings(total, current, previous)
    return [*items, Table(
        presentable_change(total, "strand", "Hate crime", current, previous),
        "hate_total_change",
        f"All hate crime (each crime once): {current.label} compared with {previous.label}",
        source=PARTNER, counts=list(headings), derived=change_columns(headings[1], headings[0]),
        order="labels", formats={"# diff.": "{:+,}", "% diff.": "{:+.1f}"})]


def trend_items(quarters: pd.DataFrame, breaks: list[TrendBreak], *, area_name: str,
                current: Period) -> list[PageItem]:
    """Hate crimes per quarter (:func:`quarterly_totals`), and its XmR chart with what the
    chart shows when at least two quarters are known."""
    items: list[PageItem] = [Chart(
        lambda published: monthly_trend(
            published.rename(columns={"hate_crimes": "Hate crimes"}), month_col="quarter",
            value_cols=["Hate crimes"], ylabel="crimes per quarter",
            title=f"Hate crimes per quarter, {area_name}", shade=(current.start, current.end)),
        quarters, "hate_quarterly_trend", source=PARTNER, counts=["hate_crimes"])]
    chart = trend_xmr(quarters.set_index("quarter")["hate_crimes"], breaks, step_months=3)
    if chart["value"].notna().sum() < 2:
        return items
    items.append(Chart(
        lambda published: plot_xmr(published.set_index("quarter"),
                                   title="Hate crimes per quarter (XmR chart)",
                                   ylabel="crimes per quarter"),
        chart.rename_axis("quarter").reset_index(), "hate_xmr", source=PARTNER,
        counts=["value"], derived=xmr_derived(), kept=XMR_KEPT))
    if note := describe_chart(chart, breaks):
        items.append(Markdown(markdown_from("{note}", note=note)))
    return items


def aggravated_table(aggravated: pd.DataFrame, columns: list[str], *, current: Period,
                     previous: Period) -> list[PageItem]:
    """The racially or religiously aggravated offences (:func:`aggravated_offences`), when
    the extract covers a period (``columns``: the period columns of :func:`strand_counts`)."""
    if not columns:
        return []
    return [Table(
        aggravated.rename(columns={"offence": "Offence", "offence_code": "Home Office code"}),
        "aggravated_offences",
        f"Racially or religiously aggravated offences, {previous.label} and {current.label}",
        source=PARTNER, counts=columns, order="labels", labels=["Offence", "Home Office code"],
        total_row=len(aggravated) - 1)]


def ward_table(by_ward: pd.DataFrame, columns: list[str], *, current: Period,
               previous: Period) -> list[PageItem]:
    """Hate crime by ward with its total row (:func:`analysis.stats.partner_counts.ward_counts`),
    when the extract covers a period, ordered by the latest period's published count."""
    if not columns:
        return []
    return [Table(by_ward.rename(columns={"ward": "Ward"}), "hate_wards",
                  f"Hate crime by ward, {previous.label} and {current.label}",
                  source=PARTNER, counts=columns, order=columns[-1],
                  total_row=len(by_ward) - 1)]


def record_key_figures(section: Section, total: pd.DataFrame | None,
                       published: pd.DataFrame, aggravated: pd.DataFrame,
                       rule: DisclosureRule | None) -> None:
    """Record the total's change (when publishable), each strand's count and the aggravated
    offences as the tables publish them under ``rule`` (``published``:
    :func:`published_counts` of the strand counts, whose period columns say which periods
    the extract covers)."""
    current, previous = section.period, section.previous
    if total is not None:
        figures = section.published_change(headline(total.iloc[0]))
        section.record("hate_total_current", figures["current"],
                       label=f"Hate crimes {current.label} (each once)")
        section.record("hate_total_previous", figures["previous"],
                       label=f"Hate crimes {previous.label} (each once)")
        section.record("hate_pct_diff", figures["pct_diff"], label="Hate crime % change")
        section.record("hate_significance", figures["significance"], label="Hate crime change")
    if current.label not in published.columns:
        return
    for strand, value in zip(published["strand"], published[current.label], strict=True):
        if strand != ALL_HATE:
            section.record(f"hate_{strand_key(strand)}_current", value,
                           label=f"{strand} hate crimes {current.label} (as published)")
    columns = [c for c in published.columns if c != "strand"]
    shown = published_counts(aggravated, rule, columns)
    section.record("hate_aggravated_current", shown[current.label].iloc[-1],
                   label=f"Racially or religiously aggravated offences {current.label} "
                   "(as published)")


@dataclass(frozen=True)
class HateCrimePage:
    """What the hate crime notebook shows, cell by cell, in page order (a cell with nothing
    to show has an empty list, e.g. every part without an extract with hate flags)."""

    header: HTML
    police_uk_note: list[PageItem]
    strands: list[PageItem]
    trend: list[PageItem]
    aggravated: list[PageItem]
    wards: list[PageItem]
    findings: list[Finding]


def page(section: Section) -> HateCrimePage:
    """Gather, compute and lay out the hate crime section, and record its key figures.

    Everything comes from the area's partner crime extract (read through the store); an
    area without one, or whose extract records no hate strands, gets the page that says
    what police.uk cannot show.
    """
    config, current, previous = section.config, section.period, section.previous
    rule = None if config.disclosure == "none" else DisclosureRule.named(config.disclosure)
    force_months = query.force_months(section.store_dir, config.force.name)
    extract = section.partner("crimes")
    crimes, outside = in_area(extract, config.csp_code) if extract is not None else (None, 0)
    available = crimes is not None and has_hate_flags(crimes)
    sources, caveats = header_notes(
        crimes, outside, available=available,
        police_source=police_uk_source(config.force.name, force_months),
        area_name=config.csp_name, current=current, previous=previous)
    header = section.header("Hate crime", sources=sources, caveats=caveats)
    section.record("hate_available", available, label="Hate crime figures available")
    if crimes is None or not available:
        return HateCrimePage(header, [Markdown(POLICE_UK_CANNOT)], [], [], [], [],
                             [NOT_AVAILABLE])
    change = strand_change(crimes, current, previous)
    counts = strand_counts(change, crimes, current, previous)
    columns = [c for c in counts.columns if c != "strand"]
    published = published_counts(counts, rule, columns)
    total = publishable_total(change, rule)
    aggravated = aggravated_offences(crimes, current, previous)
    wards = area_wards(area_lookup(config, section.root), config.lad_codes)
    record_key_figures(section, total, published, aggravated, rule)
    return HateCrimePage(
        header=header, police_uk_note=[],
        strands=strand_items(counts, total, current=current, previous=previous),
        trend=trend_items(quarterly_totals(crimes, current.trend_window(3)),
                          breaks_for(config.trend_breaks, "crime"), area_name=config.csp_name,
                          current=current),
        aggravated=aggravated_table(aggravated, columns, current=current, previous=previous),
        wards=ward_table(ward_counts(hate_crimes(crimes), TIME, wards, current, previous,
                                     total_label="All wards"),
                         columns, current=current, previous=previous),
        findings=key_findings(section.published_changes(change), published,
                              multi_strand_crimes(crimes, current), area_name=config.csp_name,
                              current=current, rule=rule))
