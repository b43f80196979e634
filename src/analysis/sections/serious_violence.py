"""Serious violence: the figures a Serious Violence Duty strategic needs assessment asks for.

From the force's crime extract (Home Office offence codes and flags, ``docs/data-contract.md``)
this module counts violence with injury, homicide, robbery, possession of weapons, offences
flagged as involving a knife or sharp instrument, serious violence against victims under 25
and violence flagged to the night-time economy, month by month, so the usual change tables
and tests apply. It also finds when violence happens (weekend nights), where it concentrates
(LSOAs), and puts the police.uk measures (violence and sexual offences, robbery, possession of
weapons) beside them for areas that have no partner extract.

*Serious violence* here is homicide, violence with injury, robbery and any offence flagged
knife/sharp instrument: the offences the Home Office Serious Violence Duty guidance names.

:func:`page` gathers the section for its notebook: the parts each cell shows (tables and
charts with their disclosure declared), the key figures and the findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from analysis.core.findings import (
    ABOVE_COMPARATORS,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_TESTED,
    Finding,
)
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import POSSESSION_OF_WEAPONS, ROBBERY, VIOLENCE_GROUP, WEAPONS_GROUP
from analysis.inputs.partner import times_of_day
from analysis.present import maps
from analysis.present.charts import monthly_trend
from analysis.present.disclosure_register import OPEN, PARTNER, change_columns
from analysis.present.narrative import change_finding
from analysis.present.page import Section, police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.present.shared_parts import funnel_item
from analysis.stats import indicators, police_uk_counts, profiles
from analysis.stats.disclosure import DisclosureRule
from analysis.stats.harm import HarmAndCost, ValueTable, harm_and_cost, value_tables
from analysis.stats.measures import (
    RELIABLE_BASE,
    change_table,
    count_headings,
    require_columns,
)
from analysis.stats.partner_counts import (
    area_crimes,
    as_mask,
    crime_extract_months,
    crime_months,
    flag_mask,
    in_period,
    measure_row,
    monthly_measure_counts,
    presentable_measures,
    split_small_counts,
    wide_monthly_series,
)
from analysis.stats.police_uk_counts import (
    counts_of_type,
    presentable_type_rates,
    type_rate_summary,
)
from analysis.store import query
from analysis.store.area import area_lookup, force_populations, population_release

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem

VIOLENCE_WITH_INJURY = "Violence with injury"
HOMICIDE = "Homicide"
KNIFE = "Knife or sharp instrument offences"
SERIOUS_VIOLENCE = "Serious violence (all)"
UNDER_25 = "Serious violence, victim under 25"
NIGHT_TIME_ECONOMY = "Violence flagged night-time economy"


POLICE_UK_TYPES = ("Violence and sexual offences", "Robbery", "Possession of weapons")
"""The police.uk crime types that carry serious violence (police.uk has no knife flag)."""

WEEKEND_NIGHT_HOURS: dict[str, tuple[int, ...]] = {
    "Friday": (22, 23), "Saturday": (0, 1, 22, 23), "Sunday": (0, 1),
}
"""Friday and Saturday nights, 22:00 to 01:59: the hours after midnight belong to the next
day of the week (Friday night's 01:00 is a Saturday)."""

_DAY_NUMBER = {"Monday": 0, "Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4,
               "Saturday": 5, "Sunday": 6}

CRIME_COLUMNS = ["committed_from", "offence_code", "offence_subgroup", "offence_group",
                 "knife_sharp_instrument", "night_time_economy", "domestic_abuse",
                 "victim_age_band", "lsoa_code"]


def is_under_25(band: object) -> bool | None:
    """Whether a victim age band lies wholly under 25: '0-17', '18-24', 'Under 18' -> True.

    '25-34' or '65+' -> False; a blank or unreadable band -> None (unknown, never guessed).
    """
    if not isinstance(band, str) or not band.strip():
        return None
    text = band.strip().lower()
    if match := re.fullmatch(r"(?:under|<)\s*(\d+)", text):
        return int(match.group(1)) <= 25
    if match := re.fullmatch(r"(\d+)\s*(?:-|to)\s*(\d+)", text):
        return int(match.group(2)) < 25
    if match := re.fullmatch(r"(\d+)\s*\+|(\d+)\s*(?:and|or)\s*over", text):
        return False
    return None


def serious_violence_masks(crimes: pd.DataFrame) -> dict[str, pd.Series]:
    """One boolean row mask per measure over the partner crime extract (a crime can be in
    several: a knife-point robbery is robbery, knife crime and serious violence)."""
    require_columns(crimes, CRIME_COLUMNS)
    subgroup, group = crimes["offence_subgroup"], crimes["offence_group"]
    knife = flag_mask(crimes, "knife_sharp_instrument")
    serious = (as_mask(subgroup == HOMICIDE) | as_mask(subgroup == VIOLENCE_WITH_INJURY)
               | as_mask(group == ROBBERY) | knife)
    young = pd.Series([is_under_25(band) is True for band in crimes["victim_age_band"]],
                      index=crimes.index)
    return {
        VIOLENCE_WITH_INJURY: as_mask(subgroup == VIOLENCE_WITH_INJURY),
        HOMICIDE: as_mask(subgroup == HOMICIDE),
        ROBBERY: as_mask(group == ROBBERY),
        POSSESSION_OF_WEAPONS: as_mask(group == WEAPONS_GROUP),
        KNIFE: knife,
        SERIOUS_VIOLENCE: serious,
        UNDER_25: serious & young,
        NIGHT_TIME_ECONOMY: (as_mask(group == VIOLENCE_GROUP)
                             & flag_mask(crimes, "night_time_economy")),
    }


def weekend_night(times: pd.Series) -> pd.Series:
    """True for times on Friday or Saturday night, 22:00 to 01:59 (:data:`WEEKEND_NIGHT_HOURS`)."""
    stamps = pd.to_datetime(times, errors="coerce")
    hit = np.zeros(len(stamps), dtype=bool)
    for day, hours in WEEKEND_NIGHT_HOURS.items():
        hit |= ((stamps.dt.day_of_week == _DAY_NUMBER[day]) & stamps.dt.hour.isin(hours)
                ).fillna(False).to_numpy(dtype=bool)
    return pd.Series(hit, index=times.index)


def weekend_night_share(times: pd.Series) -> dict[str, float]:
    """How many of ``times`` fall on weekend nights: crimes, weekend_night, share_percent.

    Weekend nights are 8 of the week's 168 hours (4.8 %), so a share far above that is a
    night-time pattern. ``crimes`` counts the known times only: a crime whose time of day is
    unknown (NaT) is in neither the share nor its denominator.
    """
    night = int(weekend_night(times).sum())
    total = int(pd.to_datetime(times, errors="coerce").notna().sum())
    return {"crimes": total, "weekend_night": night,
            "share_percent": 100 * night / total if total else float("nan")}


def violence_places(crimes: pd.DataFrame, violence: pd.Series, n: int = 5) -> pd.DataFrame:
    """The ``n`` LSOAs with most violence: lsoa_code, ward_code, violence, weekend_night,
    night_time_economy (counts only, so the table can go through disclosure control)."""
    rows = crimes[violence.to_numpy(dtype=bool)]
    table = pd.DataFrame({
        "lsoa_code": rows["lsoa_code"],
        "ward_code": rows["ward_code"],
        "violence": 1,
        "weekend_night": weekend_night(times_of_day(rows, "committed_from")).astype("int64"),
        "night_time_economy": flag_mask(rows, "night_time_economy").astype("int64"),
    })
    summary = (table.groupby(["lsoa_code", "ward_code"], dropna=False, as_index=False)
               [["violence", "weekend_night", "night_time_economy"]].sum())
    return (summary.sort_values(["violence", "lsoa_code"], ascending=[False, True])
            .head(n).reset_index(drop=True))


def victim_age_table(crimes: pd.DataFrame, mask: pd.Series, current: Period,
                     previous: Period, available_months: Iterable[date] | None = None
                     ) -> pd.DataFrame:
    """Victims of the masked crimes by age band: victim_age_band, previous, current.

    Crimes with no recorded age (no person victim, or not recorded) are one row, 'not
    recorded', so the columns add up to the crimes counted. Ordered by the youngest band
    first (bands sort by their first number). Counts about victims: publish with disclosure.
    With ``available_months`` (the extract's months), a band with no crime in a period the
    extract does not fully cover is unknown (NA), not 0, as in
    :func:`analysis.stats.measures.change_table`.
    """
    rows = crimes[mask.to_numpy(dtype=bool)]
    band = rows["victim_age_band"].astype("str").where(
        rows["victim_age_band"].notna() & rows["victim_age_band"].astype("str").str.strip().ne(""),
        "not recorded")
    months = crime_months(rows)
    table = pd.DataFrame({
        "victim_age_band": sorted(set(band), key=_band_order),
    })
    held = None if available_months is None else set(available_months)
    for column, period in (("previous", previous), ("current", current)):
        counts = band[months.isin(set(period.months)).to_numpy()].value_counts()
        values = table["victim_age_band"].map(counts).fillna(0).astype("Int64")
        if held is not None and not period.coverage(held).complete:
            values = values.mask(values == 0)
        table[column] = values if held is not None else values.astype("int64")
    return table


def with_total_row(victims: pd.DataFrame, label: str = "All serious violence") -> pd.DataFrame:
    """``victims`` (:func:`victim_age_table`) with a last row of column totals.

    A column with an unknown band has an unknown total (NA), never the sum of what is known.
    """
    total: dict[str, object] = {"victim_age_band": label}
    for column in ("previous", "current"):
        values = victims[column]
        total[column] = pd.NA if values.isna().any() else int(values.sum())
    out = pd.concat([victims, pd.DataFrame([total])], ignore_index=True)
    return out.astype({"previous": "Int64", "current": "Int64"})


def coverage_note(periods: Iterable[Period], available_months: Iterable[date],
                  source: str = "The force crime extract") -> str:
    """A sentence for a table of extract counts whose periods the extract does not cover.

    Empty when every period is complete; otherwise says which periods are unknown (no month
    held) or partial, so a blank is read as unknown and not as none.
    """
    held = set(available_months)
    parts = []
    for period in periods:
        missing = period.coverage(held).missing
        if len(missing) == len(period):
            parts.append(f"{source} holds no month of {period.label}: its counts are unknown, "
                         "shown blank (not 0), and no change is given.")
        elif missing:
            parts.append(f"{source} misses {len(missing)} of {len(period)} months of "
                         f"{period.label}: its counts cover only the months held, a blank is "
                         "unknown (not 0), and no change is assessed.")
    return " ".join(parts)


def _band_order(band: str) -> tuple[int, str]:
    """Sort key for age bands: by their first number; 'not recorded' last."""
    match = re.search(r"\d+", band)
    return (int(match.group()) if match else 10_000, band)


def severity_by_period(crimes: pd.DataFrame, mask: pd.Series, periods: list[Period], *,
                       population: float | None = None, weights: ValueTable | None = None,
                       costs: ValueTable | None = None) -> HarmAndCost:
    """Harm (severity-weighted days) and cost of the masked crimes in each period, from their
    Home Office codes, by :func:`analysis.stats.harm.harm_and_cost` (as the overview and matrix)."""
    rows = crimes[mask.to_numpy(dtype=bool)]
    months = crime_months(rows)
    frames = []
    for period in periods:
        chosen = rows[months.isin(set(period.months)).to_numpy()]
        counts = chosen.groupby("offence_code", as_index=False).size().rename(
            columns={"size": "count"})
        frames.append(counts.assign(period=period.label))
    return harm_and_cost(pd.concat(frames, ignore_index=True), key_col="offence_code",
                         classification="ho_offence_code", by="period",
                         population=population, weights=weights, costs=costs)


def police_uk_rows(change: pd.DataFrame) -> pd.DataFrame:
    """The serious-violence crime types of
    :func:`analysis.sections.police_uk_counts.crime_type_change`."""
    rows = change[change["crime_type"].isin(POLICE_UK_TYPES)].copy()
    rows["_order"] = rows["crime_type"].map(POLICE_UK_TYPES.index)
    return rows.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def needs_assessment_summary(
    partner_change: pd.DataFrame | None,
    police_change: pd.DataFrame,
    hospital: Mapping[str, object] | None,
    *,
    partner_missing: str,
    hospital_missing: str,
) -> pd.DataFrame:
    """One table of the Serious Violence Duty figures, saying where each is unavailable.

    ``partner_change``: change table by ``measure`` from the crime extract, with the small
    counts already split off (:func:`split_small_counts`; None without an extract);
    ``police_change``: :func:`police_uk_rows`; ``hospital``: the A&E assault attendance
    change from :func:`analysis.stats.indicators.change_between` (None without it).
    Columns: figure, source, previous, current, pct_diff, significance, note.
    """
    rows = []
    wanted = (VIOLENCE_WITH_INJURY, KNIFE, ROBBERY, POSSESSION_OF_WEAPONS, HOMICIDE, UNDER_25,
              NIGHT_TIME_ECONOMY)
    partner = partner_change.set_index("measure") if partner_change is not None else None
    for measure in wanted:
        if partner is not None and measure in partner.index:
            rows.append(_summary_row(measure, "force crime extract", partner.loc[measure]))
        elif partner is not None:
            rows.append(_missing_row(measure, "force crime extract",
                                     "small numbers: see the controlled table"))
        else:
            rows.append(_missing_row(measure, "force crime extract", partner_missing))
    for _, row in police_change.iterrows():
        rows.append(_summary_row(row["crime_type"], "data.police.uk", row))
    source = "hospital (A&E) data"
    rows.append(_summary_row("A&E assault attendances", source, hospital) if hospital
                else _missing_row("A&E assault attendances", source, hospital_missing))
    table = pd.DataFrame(rows, columns=["figure", "source", "previous", "current", "pct_diff",
                                        "significance", "note"])
    return table.astype({"previous": "Int64", "current": "Int64", "pct_diff": "float64"})


def _summary_row(figure: str, source: str, row: Mapping[str, object]) -> dict[str, object]:
    reliable = bool(row.get("pct_reliable", True))
    return {"figure": figure, "source": source, "previous": row["previous"],
            "current": row["current"],
            "pct_diff": row.get("pct_diff") if reliable else np.nan,
            "significance": row.get("significance"),
            "note": "" if reliable else percent_not_shown(row["previous"], row["current"])}


def percent_not_shown(previous: object, current: object) -> str:
    """Why a row's % change is not shown: a count not known (months missing from the data,
    never a base of 0) or a base under 10, where a % change is too unstable to quote."""
    if previous is None or pd.isna(previous) or current is None or pd.isna(current):
        return "not compared: months missing from the data, % not shown"
    return f"base under {RELIABLE_BASE}: % not shown"


def _missing_row(figure: str, source: str, why: str) -> dict[str, object]:
    return {"figure": figure, "source": source, "previous": pd.NA, "current": pd.NA,
            "pct_diff": np.nan, "significance": "not available", "note": why}


def peak_cell(table: pd.DataFrame) -> tuple[str, int, int]:
    """(day, hour, count) of the busiest cell of a day x hour table."""
    stacked = table.stack()
    day, hour = stacked.idxmax()
    return str(day), int(hour), int(stacked.max())


def street_violence(crimes: pd.DataFrame) -> pd.Series:
    """Violence against the person not flagged domestic abuse: the violence that follows
    public places and the night-time economy (domestic abuse is in the VAWG section)."""
    return (as_mask(crimes["offence_group"] == VIOLENCE_GROUP)
            & ~flag_mask(crimes, "domestic_abuse"))


def header_notes(*, police_source: str, population_vintage: str,
                 extract_months: list[date] | None, hospital_source: str | None,
                 current: Period, previous: Period, police_months: list[date],
                 minimum: int) -> tuple[list[str], list[str]]:
    """The data sources and caveats the section's page header lists.

    ``police_source`` is :func:`analysis.present.page.police_uk_source`; ``extract_months`` is
    :func:`~analysis.stats.partner_counts.crime_extract_months` of the force crime extract (None
    without one) and
    ``hospital_source`` the A&E attendances' source (None without them), so each source
    is listed only when it was supplied, and a missing extract is named as a caveat.
    ``minimum`` is the smallest count shown beside a difference (:func:`split_small_counts`).
    """
    sources = [police_source, f"Population: {population_vintage}"]
    if extract_months is not None:
        sources.append(f"Force crime extract (Home Office offence codes and flags), "
                       f"{extract_months[0]:%b %Y} to {extract_months[-1]:%b %Y}")
    if hospital_source is not None:
        sources.append(f"A&E assault attendances: {hospital_source}")
    caveats = [
        current.coverage(police_months).describe(),
        previous.coverage(police_months).describe(),
        "Serious violence here means homicide, violence with injury, robbery and any offence "
        "flagged as involving a knife or sharp instrument (Serious Violence Duty guidance).",
        "data.police.uk has no knife flag, no Home Office offence codes and no times: its "
        "'Violence and sexual offences' category mixes assaults with and without injury, "
        "stalking, harassment and sexual offences.",
        f"Counts under {minimum} are not shown beside a difference or percentage; they are "
        "published through disclosure control only.",
    ]
    if extract_months is None:
        caveats.append("No force crime extract: knife crime, violence with injury, homicide, "
                       "under-25 victims, night-time economy and times of day cannot be shown.")
    return sources, caveats


_POLICE_UK_KEYS = {"Violence and sexual offences": "violence_sexual_offences",
                   "Robbery": "robbery", "Possession of weapons": "possession_of_weapons"}
"""The key-figure name of each of :data:`POLICE_UK_TYPES` (``police_uk_<key>_current``)."""

_HEADLINE_MEASURES = ((KNIFE, "knife_crime"), (VIOLENCE_WITH_INJURY, "violence_with_injury"),
                      (UNDER_25, "serious_violence_under25"))
"""The crime-extract measures given as findings and key figures, with their key names."""


def figure_source(key: str) -> str:
    """The disclosure class of a key figure from :func:`findings_and_figures`: the
    data.police.uk figures (``police_uk_*``) are published open data; the rest come from the
    force's crime extract or A&E, so :meth:`analysis.present.page.Section.record` publishes their
    counts under the area's rule."""
    return OPEN if key.startswith("police_uk_") else PARTNER


def findings_and_figures(
    police_change: pd.DataFrame,
    rate_summaries: list[dict[str, Any]],
    measure_change: pd.DataFrame | None,
    night_share: Mapping[str, float] | None,
    hospital_change: Mapping[str, Any] | None,
    *,
    area_name: str,
    force_name: str,
    current: Period,
    previous: Period,
    police_months: list[date],
) -> tuple[list[Finding], list[tuple[str, object, str]]]:
    """The findings and the key figures (key, value, label) for the summary.

    ``police_change`` is :func:`police_uk_rows`; ``rate_summaries`` the
    :func:`type_rate_summary` of each police.uk type; ``measure_change`` the crime-extract
    change table with small counts split off (None without an extract); ``night_share``
    :func:`weekend_night_share` of the two busiest LSOAs (None without an extract);
    ``hospital_change`` the A&E change (None without A&E data). A count that is unknown
    (months missing) is never recorded as a figure, and a missing source is said so in a
    finding rather than left out silently (not assessed: it could not be made). Each
    finding names the key figures it rests on.
    """
    findings: list[Finding] = []
    figures: list[tuple[str, object, str]] = []
    police = police_change.set_index("crime_type")
    for crime_type in POLICE_UK_TYPES:
        if crime_type not in police.index:
            continue
        row = police.loc[crime_type]
        key = f"police_uk_{_POLICE_UK_KEYS[crime_type]}"
        known = [] if pd.isna(row["current"]) else [f"{key}_current"]
        findings.append(change_finding(row, f"{crime_type} (data.police.uk)",
                                       force_pct=row["force_pct_diff"], force_label=force_name,
                                       compared=police_change.attrs.get("months_compared"),
                                       figures=[*known, f"{key}_significance"],
                                       measure=f"police.uk change: {crime_type}",
                                       table="police_uk_change"))
        if not pd.isna(row["current"]):  # the label names the months counted
            figures.append((f"{key}_current", int(row["current"]),
                            f"{crime_type} (police.uk) "
                            f"{count_headings(police_change, current, previous)[1]}"))
        figures.append((f"{key}_significance", str(row["significance"]),
                        f"{crime_type} (police.uk) change"))
    violence = next(s for s in rate_summaries if s["crime_type"] == "Violence and sexual offences")
    coverage = current.coverage(police_months)
    first = str(violence["position"]).removeprefix("joint ").startswith("highest")
    findings.append(Finding(
        f"{area_name}'s rate of violence and sexual offences was {violence['rate']:.1f} per "
        f"1,000 residents, the {violence['position']} partnerships in {force_name}"
        + ("." if coverage.complete else
           f" (over the {len(current) - len(coverage.missing)} months held: a full-year rate "
           "would be higher)."),
        ABOVE_COMPARATORS if first else NO_DIRECTION, NOT_TESTED,
        ("police_uk_violence_sexual_offences_rate",), "Violence and sexual offences rate",
        table="police_uk_rates"))
    figures.append(("police_uk_violence_sexual_offences_rate", round(violence["rate"], 2),
                    f"Violence and sexual offences per 1,000 (police.uk), {current.label}"))
    for measure, key in _HEADLINE_MEASURES:
        row = measure_row(measure_change, measure)
        if measure_change is None or row is None or row[["current", "previous"]].isna().any():
            continue  # no extract, small numbers (published only under control) or months missing
        findings.append(change_finding(
            row, measure, compared=measure_change.attrs.get("months_compared"),
            figures=[f"{key}_{part}" for part in ("current", "previous", "pct_diff", "p_value",
                                                  "significance")], table="measures_change"))
        before, now = count_headings(measure_change, current, previous)
        figures += [
            (f"{key}_current", int(row["current"]), f"{measure} {now}"),
            (f"{key}_previous", int(row["previous"]), f"{measure} {before}"),
            (f"{key}_pct_diff", float(row["pct_diff"]), f"{measure} % change"),
            (f"{key}_p_value", round(float(row["p_value"]), 4),
             f"{measure} p-value (exact Poisson test)"),
            (f"{key}_significance", str(row["significance"]), f"{measure} change"),
        ]
    if night_share is not None:
        findings.append(Finding(
            f"{night_share['share_percent']:.1f} % of violence outside the home in the two "
            "busiest neighbourhoods happened on Friday and Saturday nights (22:00 to 01:59), "
            "eight hours that make up under 5 % of the week.",
            figures=("violence_weekend_night_share",), theme="Weekend nights",
            table="day_hour"))
        figures.append(("violence_weekend_night_share", round(night_share["share_percent"], 1),
                        "% of violence in the two busiest LSOAs on Fri/Sat nights"))
    if hospital_change is not None:
        attendances_known = not pd.isna(hospital_change["current"])  # NaN: withheld/unknown
        findings.append(change_finding(
            hospital_change, "Assault attendances at A&E", unit="attendances",
            figures=["ae_assault_attendances_current"] if attendances_known else [],
            table="ae_assaults"))
        if attendances_known:
            figures.append(("ae_assault_attendances_current", int(hospital_change["current"]),
                            f"A&E assault attendances {current.label}"))
    if measure_change is None:
        findings.append(Finding(
            "Knife crime, violence with injury, homicide, victims under 25 and the times of "
            "violence cannot be reported: they need the force's crime extract.",
            significance=NOT_ASSESSED, theme="Force crime extract"))
    if hospital_change is None:
        findings.append(Finding(
            "Hospital (A&E) assault data were not supplied, so violence that is not reported "
            "to the police is not shown.", significance=NOT_ASSESSED, theme="A&E assaults"))
    return findings, figures


PARTNER_NEEDS = ("needs the force's crime extract (Home Office offence codes, knife and "
                 "night-time-economy flags, victim age, date and time)")
"""What the crime-extract measures need, as the page says when the extract is missing."""
PARTNER_MISSING = f"{PARTNER_NEEDS}, not supplied"
HOSPITAL_MISSING = "needs A&E assault attendances in the indicators extract, not supplied"


_CHANGE_FORMATS = {"# diff.": "{:+,}", "% diff.": "{:+.1f}"}

_SEVERITY_HEADINGS = {
    "period": "Period", "crimes": "Offences", "crimes_weighted": "Offences weighted",
    "weighted_share": "Share weighted (%)", "severity_days": "Harm (severity-weighted days)",
    "severity_days_per_1000": "Harm per 1,000 residents (severity-weighted days)",
    "crimes_costed": "Offences costed", "costed_share": "Share costed (%)"}


def smallest_count_beside_a_difference(disclosure: str) -> int:
    """The smallest count shown with a difference and % (:func:`split_small_counts`): one
    above the area's suppression threshold, 0 when the area publishes counts as they are."""
    return 0 if disclosure == "none" else DisclosureRule.named(disclosure).suppress_max + 1


def police_uk_change_table(change: pd.DataFrame, current: Period, previous: Period,
                           area_name: str) -> Table:
    """The police.uk change table (:func:`police_uk_rows`) as the page shows it."""
    shown = police_uk_counts.presentable_type_change(change, current, previous)
    before, now = shown.columns[1], shown.columns[2]
    return Table(shown, "police_uk_change",
                 f"Violence, robbery and weapons offences (data.police.uk), {area_name}: "
                 f"{current.label} compared with {previous.label}. "
                 f"{change.attrs['months_compared'].note()}",
                 source=OPEN, counts=[before, now],
                 formats={before: "{:,}", now: "{:,}", **_CHANGE_FORMATS,
                          "Force % diff.": "{:+.1f}"})


def rates_table(summaries: list[dict[str, Any]], force_name: str, current: Period,
                population_vintage: str) -> Table:
    """The rates of :func:`type_rate_summary` for each police.uk type, as a page table."""
    return Table(presentable_type_rates(summaries, force_name), "police_uk_rates",
                 f"Rates per 1,000 population, {current.label} ({population_vintage})",
                 source=OPEN, counts=["Crimes"], formats={"Crimes": "{:,}"})


def violence_funnel(violence_rates: pd.DataFrame, area_name: str, current: Period) -> Chart:
    """Every partnership's violence and sexual offences rate against its population, with
    the funnel around the force rate (``violence_rates``:
    :func:`analysis.sections.police_uk_counts.crime_rates`
    of that type; :func:`analysis.present.shared_parts.funnel_item`)."""
    return funnel_item(violence_rates, area_name, "violence_funnel",
                       f"Violence and sexual offences against population, {current.label}")


def police_monthly_chart(trend: pd.DataFrame, area_name: str, current: Period) -> Chart:
    """The police.uk types per month (:func:`~analysis.stats.partner_counts.wide_monthly_series`),
    the period shaded."""
    return Chart(
        lambda published: monthly_trend(
            published, value_cols=list(POLICE_UK_TYPES),
            title=f"Serious violence categories per month (data.police.uk), {area_name}",
            ylabel="crimes per month", shade=(current.start, current.end)),
        trend, "police_uk_monthly", source=OPEN, counts=list(POLICE_UK_TYPES))


def measure_items(change: pd.DataFrame, small: pd.DataFrame, available_months: list[date], *,
                  area_name: str, current: Period, previous: Period) -> list[PageItem]:
    """The crime-extract measures: the change table of the measures with large enough counts,
    the small counts apart (counts only) when there are any, and a note when the extract
    misses months of either period (``change`` and ``small``: :func:`split_small_counts`)."""
    shown = presentable_measures(change, current, previous)
    before, now = shown.columns[1], shown.columns[2]
    items: list[PageItem] = [Table(
        shown, "measures_change",
        f"Serious violence measures (force crime extract), {area_name}: {current.label} "
        f"compared with {previous.label}. {change.attrs['months_compared'].note()}",
        source=PARTNER, counts=[before, now], derived=change_columns(now, before),
        order="labels", measure="force crime extract measures",
        formats={before: "{:,}", now: "{:,}", **_CHANGE_FORMATS})]
    if not small.empty:
        items.append(Table(
            small.rename(columns={"measure": "Measure", "current": current.label,
                                  "previous": previous.label}),
            "small_counts",
            f"Measures with small counts (disclosure control applied), {area_name}",
            source=PARTNER, counts=[current.label, previous.label], order="labels",
            measure="force crime extract measures"))
    return items + _coverage_items([previous, current], available_months)


def _coverage_items(periods: list[Period], available_months: list[date]) -> list[PageItem]:
    """:func:`coverage_note` as page text, or nothing when every period is covered."""
    note = coverage_note(periods, available_months)
    return [Markdown(markdown_from("{note}", note=note))] if note else []


def knife_trend_chart(measure_counts: pd.DataFrame, window: list[date],
                      available_months: list[date], *, area_name: str,
                      current: Period) -> Chart:
    """Knife or sharp instrument offences and robbery per month over ``window``
    (``measure_counts``: :func:`monthly_measure_counts`; months outside the extract empty)."""
    trend = wide_monthly_series(measure_counts, "measure", [KNIFE, ROBBERY], window,
                           available_months)
    return Chart(
        lambda published: monthly_trend(
            published, value_cols=[KNIFE, ROBBERY],
            title=f"Knife or sharp instrument offences and robbery per month, {area_name}",
            ylabel="offences per month", shade=(current.start, current.end)),
        trend, "knife_monthly", source=PARTNER, counts=[KNIFE, ROBBERY])


def when_and_where(crimes: pd.DataFrame, serious: pd.Series, ward_names: pd.Series,
                   current: Period) -> tuple[list[PageItem], dict[str, float]]:
    """When serious violence happened (day x hour chart) and where violence outside the home
    concentrated (the five busiest LSOAs), with the weekend-night share of the two busiest.

    ``serious`` is the :data:`SERIOUS_VIOLENCE` mask; ``ward_names`` maps a ward code to its
    name. Returns the page items and :func:`weekend_night_share` of the two busiest LSOAs.
    """
    now = in_period(crimes, current)
    day_hour = profiles.day_hour_table(times_of_day(crimes[(serious & now).to_numpy()],
                                                    "committed_from"))
    peak_day, peak_hour, _ = peak_cell(day_hour)
    street = street_violence(crimes) & now
    busiest = violence_places(crimes, street, n=5)
    busiest.insert(1, "ward", busiest["ward_code"].map(ward_names))
    top_two = busiest["lsoa_code"].head(2)
    night_share = weekend_night_share(times_of_day(crimes[
        (street & crimes["lsoa_code"].isin(top_two).to_numpy()).to_numpy()], "committed_from"))
    counts = ["Violence (not domestic)", "of which Fri/Sat 22:00-01:59",
              "of which flagged night-time economy"]
    items: list[PageItem] = [
        Chart(lambda published: maps.day_hour_heatmap(
                  published.set_index("day"), f"Serious violence by day and hour, {current.label}"),
              day_hour.reset_index(), "day_hour", source=PARTNER, counts=list(range(24))),
        Table(busiest.drop(columns="ward_code").rename(columns={
                  "lsoa_code": "LSOA", "violence": counts[0], "weekend_night": counts[1],
                  "night_time_economy": counts[2]}),
              "violence_places",
              f"The five LSOAs with most violence outside the home, {current.label}",
              source=PARTNER, order=counts[0], counts=counts),
        Markdown(markdown_from(
            "Busiest hour for serious violence: **{day} {hour:02d}:00-{hour:02d}:59**. In the "
            "two LSOAs with most violence outside the home ({lsoas}), **{share:.1f} %** of it "
            "fell on Friday and Saturday nights.", day=peak_day, hour=peak_hour,
            lsoas=", ".join(top_two), share=night_share["share_percent"])),
    ]
    return items, night_share


def victim_items(crimes: pd.DataFrame, serious: pd.Series, available_months: list[date], *,
                 area_name: str, current: Period, previous: Period) -> list[PageItem]:
    """Victims of serious violence by age band with a total row (:func:`victim_age_table`),
    and a note when the extract misses months of either period."""
    victims = with_total_row(victim_age_table(crimes, serious, current, previous,
                                              available_months))
    return [Table(victims.rename(columns={"victim_age_band": "Victim age",
                                          "current": current.label, "previous": previous.label}),
                  "victim_age", f"Serious violence by victim age, {area_name}", source=PARTNER,
                  counts=[current.label, previous.label], order="labels",
                  total_row=len(victims) - 1),
            *_coverage_items([previous, current], available_months)]


def severity_tables(harm: HarmAndCost, weights: ValueTable, costs: ValueTable) -> list[PageItem]:
    """Harm and cost of serious violence by period (:func:`severity_by_period`), and the
    offences the value tables used give no weight or unit cost."""
    cost, cost_rate = f"Cost ({harm.cost_unit})", f"Cost per 1,000 residents ({harm.cost_unit})"
    harm_columns = ("Harm (severity-weighted days)",
                    "Harm per 1,000 residents (severity-weighted days)")
    shown = harm.table.assign(weighted_share=100 * harm.table["weighted_share"],
                              costed_share=100 * harm.table["costed_share"])
    return [
        Table(shown.rename(columns={**_SEVERITY_HEADINGS, "cost_gbp": cost,
                                    "cost_gbp_per_1000": cost_rate}),
              "severity", f"Harm and cost of serious violence (weights: {weights.vintage}; "
                          f"unit costs: {costs.vintage})",
              source=PARTNER, counts=["Offences", "Offences weighted", "Offences costed"],
              derived={"Share weighted (%)": ("share", "Offences weighted", "Offences"),
                       "Share costed (%)": ("share", "Offences costed", "Offences")},
              kept={column: "a sum of severity weights or unit costs over the valued "
                            "offences, not a count" for column in (*harm_columns, cost, cost_rate)},
              order="labels",
              formats={"Offences": "{:,}", "Offences weighted": "{:,}",
                       "Offences costed": "{:,}", "Share weighted (%)": "{:.1f}",
                       "Share costed (%)": "{:.1f}", harm_columns[0]: "{:,.0f}",
                       harm_columns[1]: "{:,.1f}", cost: "£{:,.0f}", cost_rate: "£{:,.0f}"}),
        Table(harm.gaps.rename(columns={"period": "Period", "key": "Offence code",
                                        "count": "Offences", "missing": "Not valued"}),
              "severity_gaps",
              "Serious violence offences with no weight or unit cost in the tables used",
              source=PARTNER, counts=["Offences"], labels=["Period", "Offence code"],
              order="labels", formats={"Offences": "{:,}"}),
    ]


def needs_assessment_table(summary: pd.DataFrame, area_name: str, current: Period,
                           previous: Period) -> Table:
    """:func:`needs_assessment_summary` with the page's headings."""
    return Table(
        summary.rename(columns={"figure": "Figure", "source": "Source",
                                "previous": previous.label, "current": current.label,
                                "pct_diff": "% diff.", "significance": "Change",
                                "note": "Note"}),
        "needs_assessment", f"Serious Violence Duty needs-assessment figures, {area_name}",
        source=PARTNER, counts=[previous.label, current.label], order="labels",
        derived={"% diff.": ("percent_change", current.label, previous.label)},
        formats={previous.label: "{:,.0f}", current.label: "{:,.0f}", "% diff.": "{:+.1f}"})


def hospital_items(rows: pd.DataFrame, current: Period, previous: Period
                   ) -> tuple[list[PageItem], dict[str, object] | None]:
    """A&E assault attendances (``rows``: :func:`analysis.stats.indicators.indicator_table`): their
    table and the partnership's change between the two periods; without them, a line saying
    they were not supplied and no change."""
    if rows.empty:
        return [Markdown(markdown_from("**A&E assault attendances:** {missing}.",
                                       missing=HOSPITAL_MISSING))], None
    kind = indicators.kind_of("ae_assault_attendances")
    table = Table(
        indicators.presentable_indicator(rows, kind),
        "ae_assaults",
        "Assault attendances at A&E",
        source=PARTNER,
        counts=["Value (attendances)", "Numerator", "Denominator"],
        labels=["Geography", "Period"],
        order="labels",
        formats={"Value (attendances)": "{:,.0f}"},
    )
    change = indicators.change_between(
        rows,
        indicators.AREA,
        indicators.indicator_period(previous),
        indicators.indicator_period(current),
        kind,
    )
    return [table], change


WITHOUT_EXTRACT: dict[str, list[PageItem]] = {
    "extract_measures": [
        Markdown(
            markdown_from(
                "**Not available:** this area has no force crime extract, so these measures "
                "cannot be shown: each {needs}.",
                needs=PARTNER_NEEDS,
            )
        )
    ],
    "knife_trend": [],
    "when_and_where": [
        Markdown(
            "**Not available:** data.police.uk gives only the month of "
            "each crime, so days and hours need the force crime extract."
        )
    ],
    "victims": [Markdown("**Not available:** victim ages need the force crime extract.")],
    "severity": [
        Markdown(
            "**Not available:** severity weights need Home Office offence codes "
            "(force crime extract); see the crime overview for the police.uk "
            "view."
        )
    ],
}
"""What the crime-extract cells of the page show when the area has no extract."""


def extract_parts(
    section: Section,
    crimes: pd.DataFrame,
    held: list[date],
    *,
    minimum: int,
    window: list[date],
    population: float,
) -> tuple[dict[str, list[PageItem]], pd.DataFrame, dict[str, float]]:
    """The crime-extract cells of the page (keyed as :data:`WITHOUT_EXTRACT`), the change
    table of the measures with large enough counts and the weekend-night share, from the
    area's ``crimes`` whose extract covers the months ``held``.

    ``minimum`` is :func:`smallest_count_beside_a_difference`, ``window`` the months of the
    trend charts and ``population`` the area's, for harm per 1,000 residents.
    """
    config, current, previous = section.config, section.period, section.previous
    masks = serious_violence_masks(crimes)
    serious = masks[SERIOUS_VIOLENCE]
    measure_counts = monthly_measure_counts(crimes, masks)
    change, small = split_small_counts(
        change_table(
            measure_counts, current, previous, "measure", total_label=None, available_months=held
        ),
        minimum,
    )
    lookup = area_lookup(config, section.root)
    places_items, night_share = when_and_where(
        crimes,
        serious,
        lookup.drop_duplicates("ward_code").set_index("ward_code")["ward_name"],
        current,
    )
    weights, costs = value_tables(config, section.root)
    harm = severity_by_period(
        crimes, serious, [previous, current], population=population, weights=weights, costs=costs
    )
    cells: dict[str, list[PageItem]] = {
        "extract_measures": measure_items(
            change, small, held, area_name=config.csp_name, current=current, previous=previous
        ),
        "knife_trend": [
            knife_trend_chart(
                measure_counts, window, held, area_name=config.csp_name, current=current
            )
        ],
        "when_and_where": places_items,
        "victims": victim_items(
            crimes, serious, held, area_name=config.csp_name, current=current, previous=previous
        ),
        "severity": severity_tables(harm, weights, costs),
    }
    return cells, change, night_share


@dataclass(frozen=True)
class SeriousViolencePage:
    """What the serious violence notebook shows, cell by cell, in page order.

    Each list holds the outputs of one cell (empty when the cell has nothing to show, e.g.
    the knife trend without a crime extract); ``findings`` closes the page.
    """

    header: HTML
    police_change: Table
    police_rates: Table
    violence_funnel: Chart
    police_monthly: Chart
    extract_measures: list[PageItem]
    knife_trend: list[PageItem]
    when_and_where: list[PageItem]
    victims: list[PageItem]
    severity: list[PageItem]
    hospital: list[PageItem]
    needs_assessment: Table
    findings: list[Finding]


def page(section: Section) -> SeriousViolencePage:
    """Gather, compute and lay out the serious violence section, and record its key figures.

    Reads the force's police.uk counts, the area's partner crime extract and A&E indicators
    through the store (an extract the config does not name is missing, never zero); each
    part the extract would give says so when it is missing.
    """
    config, current, previous = section.config, section.period, section.previous
    force_months = query.force_months(section.store_dir, config.force.name)
    crimes = area_crimes(section.partner("crimes"), config.csp_code)
    held = crime_extract_months(crimes) if crimes is not None else None
    hospital_rows = indicators.indicator_table(
        section.partner("indicators"),
        "ae_assault_attendances",
        indicators.Geographies.from_config(config),
    )
    minimum = smallest_count_beside_a_difference(config.disclosure)
    sources, caveats = header_notes(
        police_source=police_uk_source(config.force.name, force_months),
        population_vintage=population_release(config, current, section.root).label,
        extract_months=held,
        hospital_source=None if hospital_rows.empty else hospital_rows["source"].iloc[0],
        current=current,
        previous=previous,
        police_months=force_months,
        minimum=minimum,
    )

    counts_by_csp = query.monthly_counts(
        section.store_dir,
        by=("csp_code", "crime_type"),
        where="pfa_code = $force",
        params={"force": config.force.code},
    )
    area_counts, force_counts = police_uk_counts.split_area_and_force(
        counts_by_csp, config.csp_code
    )
    police_change = police_uk_rows(
        police_uk_counts.crime_type_change(
            area_counts, force_counts, current, previous, force_months
        )
    )
    populations = force_populations(config, section.root, period=current)
    rates_by_type = {
        t: police_uk_counts.crime_rates(
            counts_of_type(counts_by_csp, t), populations, current, config.csp_code
        )
        for t in POLICE_UK_TYPES
    }
    summaries = [
        type_rate_summary(rates, config.csp_code, t, config.peers)
        for t, rates in rates_by_type.items()
    ]
    window = [month for p in current.trend_window(3) for month in p.months]

    if crimes is None or held is None:
        extract_cells, measures_change, night_share = WITHOUT_EXTRACT, None, None
    else:
        extract_cells, measures_change, night_share = extract_parts(
            section,
            crimes,
            held,
            minimum=minimum,
            window=window,
            population=float(populations.set_index("area_code").loc[config.csp_code, "population"]),
        )
    hospital, hospital_change = hospital_items(hospital_rows, current, previous)

    findings, figures = findings_and_figures(
        police_change,
        summaries,
        section.published_changes(measures_change),
        night_share,
        None if hospital_change is None else section.published_row(hospital_change),
        area_name=config.csp_name,
        force_name=config.force.name,
        current=current,
        previous=previous,
        police_months=force_months,
    )
    for key, value, label in figures:
        section.record(key, value, label=label, source=figure_source(key))
    return SeriousViolencePage(
        header=section.header(
            "Serious violence and vulnerability", sources=sources, caveats=caveats
        ),
        police_change=police_uk_change_table(police_change, current, previous, config.csp_name),
        police_rates=rates_table(
            summaries, config.force.name, current, populations["population_vintage"].iloc[0]
        ),
        violence_funnel=violence_funnel(
            rates_by_type["Violence and sexual offences"], config.csp_name, current
        ),
        police_monthly=police_monthly_chart(
            wide_monthly_series(
                area_counts, "crime_type", list(POLICE_UK_TYPES), window, force_months
            ),
            config.csp_name,
            current,
        ),
        **extract_cells,
        hospital=hospital,
        needs_assessment=needs_assessment_table(
            needs_assessment_summary(
                measures_change,
                police_change,
                hospital_change,
                partner_missing=PARTNER_MISSING,
                hospital_missing=HOSPITAL_MISSING,
            ),
            config.csp_name,
            current,
            previous,
        ),
        findings=findings,
    )
