"""Hate crime by strand, over time and by place, from the partner crime extract.

A crime may be flagged for more than one strand (e.g. race and religion). It is counted once
in each of its strands and once in the total, so the strands add up to more than the total.
police.uk carries no hate flag, so without the force's extract nothing here can be shown; the
racially or religiously aggravated offences (Home Office codes 8P, 105B, 8M, 9B, 58J) need
the offence code, which police.uk does not publish either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.offences import load_offence_classification
from analysis.core.periods import Period, add_months, month_starts
from analysis.present.narrative import describe_change
from analysis.stats.disclosure import DisclosureRule, apply_disclosure
from analysis.stats.measures import change_table, require_columns
from analysis.stats.partner_counts import covered_periods, extract_months, monthly_counts

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
    counts = monthly_counts(long, TIME, ("strand",))
    zeros = pd.DataFrame({"month": current.start, "strand": list(STRANDS), "count": 0})
    counts = pd.concat([zeros, counts], ignore_index=True)
    rank = {name: i for i, name in enumerate(STRANDS)}
    counts = counts.iloc[np.argsort(counts["strand"].map(rank).fillna(len(STRANDS)).to_numpy(),
                                    kind="stable")]
    months = extract_months(crimes[TIME])
    by_strand = change_table(counts, current, previous, "strand", total_label=None,
                             available_months=months)
    total = change_table(monthly_counts(hate_crimes(crimes), TIME).assign(strand=ALL_HATE),
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
                 area_name: str, current: Period, rule: DisclosureRule | None) -> list[str]:
    """Findings from the total (exact when publishable) and the published strands.

    Strand figures are quoted as published (rounded or suppressed), never the true small
    counts; a suppressed strand is named as too small to show.
    """
    total = publishable_total(change, rule)
    findings = [describe_change(total.iloc[0], f"Hate crime in {area_name}")
                if total is not None else
                f"There were too few hate crimes in {area_name} to describe the change safely."]
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
        findings.append(text)
    if rule is not None and rule.is_suppressed(multi):
        how_many = "A small number of"
    else:
        how_many = f"{rule.rounded(multi) if rule is not None else multi:,}"
    findings.append(f"{how_many} hate crimes in {current.label} were flagged for more than "
                    "one strand; each is counted once in each of its strands and once in the "
                    "total.")
    return findings
