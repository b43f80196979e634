"""Violence against women and girls (VAWG) and domestic abuse from the partner crime extract.

police.uk has no domestic-abuse flag, no Home Office offence code and nothing about victims,
so everything here needs the force's crime extract: the domestic-abuse flag, the offence
classification (rape, other sexual offences, stalking and harassment are Home Office
subgroups) and the victim's sex and age band. A blank flag is unknown, never "not domestic".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.core.config import TrendBreak, breaks_for
from analysis.core.findings import NO_DIRECTION, Finding
from analysis.core.findings import NOT_ASSESSED as NOT_ASSESSED_FINDING
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import AGE_BANDS
from analysis.present.charts import monthly_trend, plot_xmr
from analysis.present.disclosure_register import XMR_KEPT, change_columns, xmr_derived
from analysis.present.narrative import change_finding
from analysis.present.page import police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.present.shared_parts import crime_extract_notes
from analysis.stats.measures import NOT_ASSESSED, change_table, count_headings, require_columns
from analysis.stats.partner_counts import (
    NOT_RECORDED,
    area_wards,
    extract_months,
    headline,
    in_area,
    month_starts,
    monthly_record_counts,
    monthly_series,
    presentable_change,
    ward_counts,
)
from analysis.stats.trends import describe_chart, trend_xmr
from analysis.store import query
from analysis.store.area import area_lookup

if TYPE_CHECKING:
    from analysis.present.page import Section

TIME = "committed_from"
ALL_CRIME = "All recorded crime"
DOMESTIC_ABUSE = "Domestic abuse flagged crime"
VIOLENCE_WITH_INJURY = "Violence with injury"
DA_VIOLENCE_WITH_INJURY = "Domestic abuse violence with injury"
VAWG_SUBGROUPS = ("Rape", "Other sexual offences", "Stalking and harassment")
"""Home Office offence subgroups shown for VAWG (the seeds' table 3.1 classification)."""
OFFENCE_KEYS = {"Rape": "rape", "Other sexual offences": "other_sexual",
                "Stalking and harassment": "stalking_harassment"}
"""The key-figure name of each of :data:`VAWG_SUBGROUPS` (``<name>_current``)."""

SEXES = ("female", "male", "unknown")
ALL_VICTIMS = "All victims"
TOTAL = "Total"


def _flag(crimes: pd.DataFrame) -> pd.Series:
    return crimes["domestic_abuse"].astype("boolean")


def has_domestic_abuse_flag(crimes: pd.DataFrame) -> bool:
    """True when at least one crime carries a known domestic-abuse flag (it was mapped)."""
    require_columns(crimes, ["domestic_abuse"])
    return bool(_flag(crimes).notna().any())


def domestic_abuse_change(crimes: pd.DataFrame, current: Period, previous: Period
                          ) -> pd.DataFrame:
    """DA-flagged crime, all crime and violence with injury, this period and last.

    Rows (``measure``): :data:`DOMESTIC_ABUSE`, :data:`ALL_CRIME`,
    :data:`VIOLENCE_WITH_INJURY`, :data:`DA_VIOLENCE_WITH_INJURY`, with the change columns
    of :func:`analysis.stats.measures.change_table` (coverage: the months the extract spans).
    """
    require_columns(crimes, [TIME, "domestic_abuse", "offence_subgroup"])
    flagged = _flag(crimes).fillna(False).to_numpy(dtype=bool)
    injury = (crimes["offence_subgroup"] == VIOLENCE_WITH_INJURY).fillna(False).to_numpy(bool)
    selections = {DOMESTIC_ABUSE: flagged, ALL_CRIME: np.ones(len(crimes), dtype=bool),
                  VIOLENCE_WITH_INJURY: injury, DA_VIOLENCE_WITH_INJURY: flagged & injury}
    counts = pd.concat(
        [monthly_record_counts(crimes[chosen], TIME).assign(measure=name)
         for name, chosen in selections.items()], ignore_index=True)
    order = {name: i for i, name in enumerate(selections)}
    counts = counts.iloc[np.argsort(counts["measure"].map(order).to_numpy(), kind="stable")]
    for name in selections:  # a measure with no crime at all is still a row (of zeros)
        if name not in set(counts["measure"]):
            counts = pd.concat([counts, pd.DataFrame(
                {"month": [current.start], "measure": [name], "count": [0]})])
    return change_table(counts, current, previous, "measure", total_label=None,
                        available_months=extract_months(crimes[TIME]))


def domestic_abuse_shares(crimes: pd.DataFrame, current: Period, previous: Period
                          ) -> pd.DataFrame:
    """The share of crime, and of violence with injury, flagged domestic abuse.

    Shares use crimes with a known flag as the base; crimes with a blank flag are counted in
    ``flag_unknown``. Rows: ``of`` = all recorded crime / violence with injury, for each period.
    Columns: of, period, crimes, flagged, flag_unknown, share_percent (NaN with no base).
    """
    require_columns(crimes, [TIME, "domestic_abuse", "offence_subgroup"])
    months = month_starts(crimes[TIME])
    flag = _flag(crimes)
    injury = (crimes["offence_subgroup"] == VIOLENCE_WITH_INJURY).fillna(False)
    rows = []
    for label, base in ((ALL_CRIME, pd.Series(True, index=crimes.index)),
                        (VIOLENCE_WITH_INJURY, injury)):
        for period in (previous, current):
            chosen = flag[(base & months.isin(period.months)).to_numpy()]
            known = int(chosen.notna().sum())
            flagged = int(chosen.fillna(False).sum())
            rows.append({"of": label, "period": period.label, "crimes": len(chosen),
                         "flagged": flagged, "flag_unknown": len(chosen) - known,
                         "share_percent": flagged / known * 100 if known else np.nan})
    return pd.DataFrame(rows)


def domestic_abuse_by_group(crimes: pd.DataFrame, current: Period, previous: Period
                            ) -> pd.DataFrame:
    """DA-flagged crime by Home Office offence group, this period and last, with the total.

    Groups are ordered by this period's count (largest first); columns as
    :func:`analysis.stats.measures.change_table` with ``offence_group``.
    """
    flagged = crimes[_flag(crimes).fillna(False).to_numpy(dtype=bool)]
    counts = monthly_record_counts(flagged, TIME, ("offence_group",))
    size = counts[counts["month"].isin(current.months)].groupby("offence_group")["count"].sum()
    counts = counts.assign(_size=-counts["offence_group"].map(size).fillna(0))
    counts = counts.sort_values(["_size", "offence_group", "month"]).drop(columns="_size")
    return change_table(counts, current, previous, "offence_group",
                        total_label="All domestic abuse flagged crime",
                        available_months=extract_months(crimes[TIME]))


def vawg_offences(crimes: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """Rape, other sexual offences and stalking and harassment, this period and last.

    Every subgroup of :data:`VAWG_SUBGROUPS` is a row (0 when there is none); columns as
    :func:`analysis.stats.measures.change_table` with ``offence_subgroup`` and ``of_which_da``
    (DA-flagged crimes this period).
    """
    require_columns(crimes, [TIME, "offence_subgroup", "domestic_abuse"])
    chosen = crimes[crimes["offence_subgroup"].isin(VAWG_SUBGROUPS).fillna(False)
                    .to_numpy(dtype=bool)]
    counts = monthly_record_counts(chosen, TIME, ("offence_subgroup",))
    zeros = pd.DataFrame({"month": current.start, "offence_subgroup": list(VAWG_SUBGROUPS),
                          "count": 0})
    counts = pd.concat([zeros, counts], ignore_index=True)
    rank = {name: i for i, name in enumerate(VAWG_SUBGROUPS)}
    counts = counts.iloc[np.argsort(counts["offence_subgroup"].map(rank).to_numpy(),
                                    kind="stable")]
    table = change_table(counts, current, previous, "offence_subgroup", total_label=None,
                         available_months=extract_months(crimes[TIME]))
    now = chosen[month_starts(chosen[TIME]).isin(current.months).to_numpy()]
    da = now[_flag(now).fillna(False).to_numpy(dtype=bool)]["offence_subgroup"].value_counts()
    table["of_which_da"] = table["offence_subgroup"].map(da).fillna(0).astype("int64")
    return table


def victim_profile(crimes: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Victims of ``crimes`` in ``period`` by age band (rows) and sex (columns), true counts.

    Rows: the age bands, then "not recorded" when some have none, then :data:`ALL_VICTIMS`;
    columns: ``age_band``, female, male, unknown (sex recorded as unknown), not recorded
    (blank sex), :data:`TOTAL`. Crimes against no person (blank age and sex) are left out.
    Publish through the disclosure rule with the last row and ``Total`` as totals.
    """
    require_columns(crimes, [TIME, "victim_age_band", "victim_sex"])
    now = crimes[month_starts(crimes[TIME]).isin(period.months).to_numpy()]
    person = now["victim_age_band"].notna() | now["victim_sex"].notna()
    victims = now[person.to_numpy(dtype=bool)]
    age = victims["victim_age_band"].astype("string").fillna(NOT_RECORDED)
    sex = victims["victim_sex"].astype("string").fillna(NOT_RECORDED)
    table = pd.crosstab(age, sex)
    rows = [*AGE_BANDS, *[a for a in table.index if a not in AGE_BANDS]]
    columns = [*SEXES, *[s for s in table.columns if s not in SEXES]]
    table = table.reindex(index=rows, columns=columns, fill_value=0).astype("int64")
    if NOT_RECORDED in table.index and not table.loc[NOT_RECORDED].any():
        table = table.drop(index=NOT_RECORDED)
    table[TOTAL] = table.sum(axis=1)
    table.loc[ALL_VICTIMS] = table.sum(axis=0)
    return table.rename_axis(index="age_band", columns=None).reset_index()


def share_female(profile: pd.DataFrame) -> float:
    """Per cent of victims recorded as female among those with a recorded sex (0-100)."""
    total = profile[profile["age_band"] == ALL_VICTIMS].iloc[0]
    known = sum(int(total[s]) for s in SEXES if s in total.index and s != "unknown")
    return float(total["female"]) / known * 100 if known else np.nan


def key_findings(change: pd.DataFrame, shares: pd.DataFrame, offences: pd.DataFrame,
                 female_percent: float, *, area_name: str, current: Period) -> list[Finding]:
    """The section's findings from the computed figures (no claim the tests did not make).

    ``change`` and ``offences`` are the published change tables
    (:meth:`analysis.present.page.Section.published_changes`), so a change is stated as the tables
    show it and a withheld one is not stated; each change finding takes its direction and
    significance from its row (:func:`analysis.present.narrative.change_finding`). The shares and
    the
    female share state no direction and rest on no test.
    """
    rows = change.set_index("measure")
    share = shares.set_index(["of", "period"])["share_percent"]
    now = current.label
    findings = [change_finding(rows.loc[DOMESTIC_ABUSE],
                               f"Domestic abuse flagged crime in {area_name}",
                               figures=("da_current", "da_previous", "da_pct_diff",
                                        "da_significance"), table="da_change")]
    findings.append(Finding(
        f"Domestic abuse was {share[(ALL_CRIME, now)]:.1f} % of all recorded crime in {now} "
        f"and {share[(VIOLENCE_WITH_INJURY, now)]:.1f} % of violence with injury.",
        figures=("da_share_pct", "da_share_vwi_pct"), table="da_share"))
    for _, row in offences.iterrows():
        if row["significance"] not in (NOT_ASSESSED,):
            name = str(row["offence_subgroup"])
            findings.append(change_finding(row, name, figures=(f"{OFFENCE_KEYS[name]}_current",),
                                           table="vawg_offences"))
    if not np.isnan(female_percent):
        findings.append(Finding(f"{female_percent:.0f} % of domestic abuse victims with a "
                                "recorded sex were female.", table="da_victims"))
    return findings


# --- the section page ----------------------------------------------------------------------

EXTRACT_NEEDED = (
    "**What this section needs.** data.police.uk publishes each crime's month, broad "
    "category and anonymised map point only. It has no domestic-abuse flag, no Home Office "
    "offence code (so rape, other sexual offences and stalking and harassment cannot be "
    "told apart from other violence), and nothing about victims. Domestic abuse, sexual "
    "offences, stalking and harassment, victims' sex and age and the places where these "
    "crimes are recorded can only be shown from the force's crime extract (one row per "
    "crime with the domestic-abuse flag, Home Office offence code and victim sex and age "
    "band; see docs/data-contract.md). Ask the force analyst for it under the "
    "partnership's information-sharing agreement.\n\n"
    "Repeat victimisation would also need a (pseudonymised) victim identifier.")
"""The note shown instead of the figures when the area has no extract with the flag."""

NOT_REPORTABLE = Finding(
    "Domestic abuse, sexual offences, stalking and harassment and their victims cannot be "
    "reported from police.uk data: the force's crime extract is needed.",
    NO_DIRECTION, NOT_ASSESSED_FINDING)
"""The one finding without the extract: nothing could be assessed."""

_CHANGE_FORMATS = {"# diff.": "{:+,}", "% diff.": "{:+.1f}"}


@dataclass(frozen=True)
class DomesticAbusePage:
    """What the section's notebook shows, cell by cell, and the figures it records.

    ``available`` is False when the area has no partner crime extract with a domestic-abuse
    flag: every list of items is then empty except ``extract_needed``, and the frames are None.
    ``change``, ``shares`` and ``offences`` are the true-count tables the key figures and
    findings are published from (:func:`record_key_figures`).
    """

    available: bool
    sources: list[str]
    caveats: list[str]
    extract_needed: list[Markdown]
    change_tables: list[Table]
    trend_charts: list[Chart | Markdown]
    group_tables: list[Table]
    offence_tables: list[Table]
    victim_tables: list[Table]
    ward_items: list[Table | Markdown]
    findings: list[Finding]
    change: pd.DataFrame | None = None
    shares: pd.DataFrame | None = None
    offences: pd.DataFrame | None = None


def page(section: Section) -> DomesticAbusePage:
    """The section page for ``section``'s area and period, from its partner crime extract
    (the records placed in the partnership) and its police.uk months."""
    config = section.config
    extract = section.partner("crimes")
    crimes, outside = in_area(extract, config.csp_code) if extract is not None else (None, 0)
    available = crimes is not None and has_domestic_abuse_flag(crimes)
    wards = (area_wards(area_lookup(config, section.root), config.lad_codes) if available
             else None)
    force_months = query.force_months(section.store_dir, config.force.name)
    return page_from(section, crimes, outside, wards, force_months)


def page_from(section: Section, crimes: pd.DataFrame | None, outside: int,
              wards: pd.DataFrame | None, force_months: list[date]) -> DomesticAbusePage:
    """The page from the extract's ``crimes`` in the area (None without an extract), the
    number ``outside`` it, the area's ``wards`` (:func:`analysis.stats.partner_counts.area_wards`)
    and the police.uk months held; findings are written from the published changes."""
    config, current, previous = section.config, section.period, section.previous
    available = crimes is not None and has_domestic_abuse_flag(crimes)
    sources, caveats = header_notes(crimes, outside, available, area_name=config.csp_name,
                                    police_source=police_uk_source(config.force.name,
                                                                   force_months),
                                    current=current, previous=previous)
    if not available or crimes is None or wards is None:
        return DomesticAbusePage(False, sources, caveats, [Markdown(EXTRACT_NEEDED)],
                                 [], [], [], [], [], [], [NOT_REPORTABLE])
    change = domestic_abuse_change(crimes, current, previous)
    shares = domestic_abuse_shares(crimes, current, previous)
    offences = vawg_offences(crimes, current, previous)
    flagged = crimes[crimes["domestic_abuse"].fillna(False).astype(bool)]
    findings = key_findings(section.published_changes(change), shares,
                            section.published_changes(offences),
                            share_female(victim_profile(flagged, current)),
                            area_name=config.csp_name, current=current)
    return DomesticAbusePage(
        True, sources, caveats, [],
        change_tables(change, shares, area_name=config.csp_name, current=current,
                      previous=previous),
        trend_charts(flagged, current, area_name=config.csp_name,
                     breaks=breaks_for(config.trend_breaks, "crime")),
        [group_table(domestic_abuse_by_group(crimes, current, previous), current, previous)],
        [offence_table(offences, current, previous)],
        victim_tables(crimes, current),
        ward_items(flagged, wards, current, previous),
        findings, change, shares, offences)


def header_notes(crimes: pd.DataFrame | None, outside: int, available: bool, *,
                 area_name: str, police_source: str, current: Period, previous: Period
                 ) -> tuple[list[str], list[str]]:
    """The data sources and caveats of the page header.

    The extract is listed with its date range and the months each period holds of it, and
    the crimes it places outside the area when there are any; the flag's limits are always
    stated, and the missing figures are explained when the flag is not ``available``.
    """
    extract_sources, caveats = crime_extract_notes(crimes, outside, area_name=area_name,
                                                   time_col=TIME, current=current,
                                                   previous=previous)
    sources = [police_source, *extract_sources]
    caveats += [
        "The domestic-abuse flag is set by the police when the crime is recorded; it depends "
        "on the victim telling the police and on the recording officer, so it undercounts "
        "abuse.",
        "Most domestic abuse and sexual violence is never reported to the police: these "
        "counts are a floor, and a rise can mean more victims are coming forward.",
        "Every count from the partner extract, in tables and charts, passes the disclosure "
        "rule below.",
    ]
    if not available:
        caveats.append("No partner crime extract with a domestic-abuse flag is configured for "
                       "this area, so this section cannot show its figures (see below).")
    return sources, caveats


def _change_table(table: pd.DataFrame, label_col: str, heading: str, name: str, caption: str,
                  current: Period, previous: Period, *, order: str,
                  total_row: int | None = None,
                  more_counts: Mapping[str, Sequence[int]] | None = None) -> Table:
    """A partner change table as the page shows it: both periods' counts (as their headings
    name them), '# diff.' and '% diff.' worked out again from the published counts, and
    ``more_counts`` columns of other true counts after them."""
    headings = count_headings(table, current, previous)
    shown = presentable_change(table, label_col, heading, current, previous)
    for column, values in (more_counts or {}).items():
        shown[column] = values
    return Table(shown, name, caption, source="partner",
                 counts=[*headings, *(more_counts or {})],
                 derived=change_columns(headings[1], headings[0]), order=order,
                 formats={**dict.fromkeys(headings, "{:,}"), **_CHANGE_FORMATS},
                 total_row=total_row)


def change_tables(change: pd.DataFrame, shares: pd.DataFrame, *, area_name: str,
                  current: Period, previous: Period) -> list[Table]:
    """The change in DA-flagged crime (:func:`domestic_abuse_change`) and the share of crime
    flagged (:func:`domestic_abuse_shares`), as the page's two partner tables."""
    return [
        _change_table(change, "measure", "Measure", "da_change",
                      f"Domestic abuse flagged crime, {area_name}: {current.label} compared "
                      f"with {previous.label}", current, previous, order="labels"),
        Table(shares.rename(columns={"of": "Share of", "period": "Period", "crimes": "Crimes",
                                     "flagged": "Flagged domestic abuse",
                                     "flag_unknown": "Flag blank",
                                     "share_percent": "% domestic abuse"}),
              "da_share", "Share of crime flagged domestic abuse", source="partner",
              counts=["Crimes", "Flagged domestic abuse", "Flag blank"],
              derived={"% domestic abuse": ("share", "Flagged domestic abuse", "Crimes",
                                            "Flag blank")},
              labels=["Share of", "Period"], order="labels",
              formats={"Crimes": "{:,}", "Flagged domestic abuse": "{:,}", "Flag blank": "{:,}",
                       "% domestic abuse": "{:.1f}"}),
    ]


def trend_charts(flagged: pd.DataFrame, current: Period, *, area_name: str,
                 breaks: Sequence[TrendBreak] = ()) -> list[Chart | Markdown]:
    """DA-flagged crime per month over the three years to the period, and its XmR chart
    (with a note on its gaps and phase ``breaks``) when at least two months are held."""
    window = [month for period in current.trend_window(3) for month in period.months]
    trend = monthly_series(flagged, TIME, window).rename(columns={"count": "da_crimes"})
    items: list[Chart | Markdown] = [Chart(
        lambda published: monthly_trend(
            published.rename(columns={"da_crimes": DOMESTIC_ABUSE}),
            value_cols=[DOMESTIC_ABUSE], ylabel="crimes per month",
            title=f"{DOMESTIC_ABUSE} per month, {area_name}",
            shade=(current.start, current.end)),
        trend, "da_monthly_trend", source="partner", counts=["da_crimes"])]
    chart = trend_xmr(trend.set_index("month")["da_crimes"], breaks)
    if chart["value"].notna().sum() < 2:
        return items
    items.append(Chart(
        lambda published: plot_xmr(published.set_index("month"),
                                   title=f"{DOMESTIC_ABUSE} per month (XmR chart)",
                                   ylabel="crimes per month"),
        chart.rename_axis("month").reset_index(), "da_xmr", source="partner",
        counts=["value"], derived=xmr_derived(), kept=XMR_KEPT))
    if note := describe_chart(chart, breaks):
        items.append(Markdown(markdown_from("{note}", note=note)))
    return items


def group_table(groups: pd.DataFrame, current: Period, previous: Period) -> Table:
    """DA-flagged crime by offence group (:func:`domestic_abuse_by_group`), busiest first,
    its last row the total."""
    return _change_table(groups, "offence_group", "Offence group", "da_by_offence_group",
                         f"{DOMESTIC_ABUSE} by offence group, {current.label} compared with "
                         f"{previous.label}", current, previous,
                         order=count_headings(groups, current, previous)[1],
                         total_row=len(groups) - 1)


def offence_table(offences: pd.DataFrame, current: Period, previous: Period) -> Table:
    """Rape, other sexual offences and stalking and harassment (:func:`vawg_offences`) with
    how many of this period's were flagged domestic abuse."""
    return _change_table(offences, "offence_subgroup", "Offence", "vawg_offences",
                         f"Sexual offences, stalking and harassment, {current.label} compared "
                         f"with {previous.label}", current, previous, order="labels",
                         more_counts={f"Of which domestic abuse, {current.label}":
                                      offences["of_which_da"].to_numpy()})


def victim_tables(crimes: pd.DataFrame, current: Period) -> list[Table]:
    """Victims of DA-flagged crime and of sexual offences by sex and age band this period
    (:func:`victim_profile`), controlled with the last row and column as totals."""
    chosen = {
        "da_victims": ("domestic abuse flagged crime",
                       crimes[crimes["domestic_abuse"].fillna(False).astype(bool)]),
        "sexual_offence_victims": ("sexual offences",
                                   crimes[crimes["offence_group"] == "Sexual offences"]),
    }
    tables = []
    for name, (label, rows) in chosen.items():
        profile = victim_profile(rows, current)
        tables.append(Table(
            profile.rename(columns={"age_band": "Age band"}), name,
            f"Victims of {label} by sex and age band, {current.label}", source="partner",
            counts=[c for c in profile.columns if c != "age_band"], order="labels",
            total_row=len(profile) - 1, total_column=TOTAL))
    return tables


def ward_items(flagged: pd.DataFrame, wards: pd.DataFrame, current: Period, previous: Period
               ) -> list[Table | Markdown]:
    """DA-flagged crime by ward in both periods (:func:`analysis.stats.partner_counts.ward_counts`):
    a note for each period the extract does not fully cover, then the table of the periods it
    does (none when it covers neither)."""
    by_ward = ward_counts(flagged, TIME, wards, current, previous, total_label="All wards")
    items: list[Table | Markdown] = [
        Markdown(markdown_from("The extract does not cover every month of {label}, so its "
                               "ward counts are unknown and not shown.", label=label))
        for label in by_ward.attrs["not_covered"]]
    columns = [c for c in by_ward.columns if c != "ward"]
    if columns:
        items.append(Table(by_ward.rename(columns={"ward": "Ward"}), "da_wards",
                           f"{DOMESTIC_ABUSE} by ward, {previous.label} and {current.label}",
                           source="partner", counts=columns, order=columns[-1],
                           total_row=len(by_ward) - 1))
    return items


def record_key_figures(section: Section, page: DomesticAbusePage) -> None:
    """Record the headline figures for the executive summary: whether the figures are
    available and, if so, the DA change and shares and this period's VAWG offences, every
    count as the tables publish it."""
    section.record("da_available", page.available, label="Domestic abuse figures available")
    if page.change is None or page.shares is None or page.offences is None:
        return
    current, previous = section.period, section.previous
    share = page.shares.set_index(["of", "period"])["share_percent"]
    figures = section.published_change(
        headline(page.change.set_index("measure").loc[DOMESTIC_ABUSE]))
    section.record("da_current", figures["current"],
                   label=f"{DOMESTIC_ABUSE} {current.label}")
    section.record("da_previous", figures["previous"],
                   label=f"{DOMESTIC_ABUSE} {previous.label}")
    section.record("da_pct_diff", figures["pct_diff"], label=f"{DOMESTIC_ABUSE} % change")
    section.record("da_significance", figures["significance"], label="Domestic abuse change")
    section.record("da_share_pct", round(float(share[(ALL_CRIME, current.label)]), 1),
                   label="% of recorded crime flagged domestic abuse")
    section.record("da_share_vwi_pct",
                   round(float(share[(VIOLENCE_WITH_INJURY, current.label)]), 1),
                   label="% of violence with injury flagged domestic abuse")
    offences = page.offences.set_index("offence_subgroup")
    for name, key in OFFENCE_KEYS.items():
        section.record(f"{key}_current", headline(offences.loc[name])["current"],
                       label=f"{name} {current.label}", source="partner")
