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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis.disclosure_register import OPEN, PARTNER
from analysis.errors import InputError
from analysis.harm import HarmAndCost, ValueTable, harm_and_cost
from analysis.measures import count_headings, require_columns
from analysis.narrative import describe_change
from analysis.overview import peer_group_comparison, rate_position
from analysis.periods import Period, to_month

VIOLENCE_WITH_INJURY = "Violence with injury"
HOMICIDE = "Homicide"
ROBBERY = "Robbery"
POSSESSION_OF_WEAPONS = "Possession of weapons"
KNIFE = "Knife or sharp instrument offences"
SERIOUS_VIOLENCE = "Serious violence (all)"
UNDER_25 = "Serious violence, victim under 25"
NIGHT_TIME_ECONOMY = "Violence flagged night-time economy"

VIOLENCE_GROUP = "Violence against the person"
WEAPONS_GROUP = "Possession of weapons offences"

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


def as_mask(values: pd.Series) -> pd.Series:
    """A comparison or flag as plain booleans (blank or unknown counts as not set)."""
    return pd.Series(values.to_numpy(dtype=bool, na_value=False), index=values.index)


def flag_mask(crimes: pd.DataFrame, column: str) -> pd.Series:
    """A flag column as plain booleans (a blank flag is not set)."""
    return as_mask(crimes[column].astype("boolean"))


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


def crime_months(crimes: pd.DataFrame) -> pd.Series:
    """The month (first day, ``datetime.date``) each crime was committed in."""
    stamps = pd.to_datetime(crimes["committed_from"], errors="coerce")
    if stamps.isna().any():
        raise InputError("A crime has no date it was committed", column="committed_from",
                         hint=f"check the row with index {stamps.isna().idxmax()!r}")
    return stamps.dt.to_period("M").dt.start_time.dt.date


def extract_months(crimes: pd.DataFrame) -> list[date]:
    """The months the extract covers: every month from its first to its last crime.

    An extract is one export of a date range, so a month inside it with no crime is a true
    zero; months before the first or after the last crime are outside it (unknown).
    """
    if crimes.empty:
        return []
    months = crime_months(crimes)
    return Period.custom(months.min(), months.max()).months


def monthly_measure_counts(crimes: pd.DataFrame,
                           masks: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Long monthly counts ``month, measure, count`` for each mask, ready for change_table.

    Every measure gets a row for every month of the extract (zeros included), so a measure
    with no crime in one period still appears in the change table.
    """
    months = crime_months(crimes)
    every = extract_months(crimes)
    frames = []
    for measure, mask in masks.items():
        counts = months[mask.to_numpy()].value_counts().reindex(every, fill_value=0)
        frames.append(pd.DataFrame({"month": every, "measure": measure,
                                    "count": counts.to_numpy(dtype="int64")}))
    return pd.concat(frames, ignore_index=True)


def split_small_counts(change: pd.DataFrame, minimum: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a change table whose counts are all at least ``minimum``, and the rest.

    Small counts (homicide, a rare flag) must not be published with a difference or a
    percentage beside them: the second frame keeps only the label and the two counts, for a
    table that goes through disclosure control. An unknown count (a period the extract does
    not cover) discloses nothing, so it neither makes a row small nor keeps it large: the row
    goes by its known counts, and the unknown one stays blank.
    """
    counts = change[["current", "previous"]]
    large = counts.ge(minimum).astype("boolean").fillna(True).all(axis=1).to_numpy(dtype=bool)
    label_columns = [c for c in change.columns if c not in _CHANGE_COLUMNS]
    small = change.loc[~large, [*label_columns, "previous", "current"]]
    return change[large].reset_index(drop=True), small.reset_index(drop=True)


_CHANGE_COLUMNS = ("current", "previous", "diff", "pct_diff", "pct_reliable", "p_value",
                   "significance", "complete")


def weekend_night(times: pd.Series) -> pd.Series:
    """True for times on Friday or Saturday night, 22:00 to 01:59 (:data:`WEEKEND_NIGHT_HOURS`)."""
    stamps = pd.to_datetime(times, errors="coerce")
    hit = np.zeros(len(stamps), dtype=bool)
    for day, hours in WEEKEND_NIGHT_HOURS.items():
        hit |= ((stamps.dt.day_of_week == _DAY_NUMBER[day]) & stamps.dt.hour.isin(hours)
                ).fillna(False).to_numpy(dtype=bool)
    return pd.Series(hit, index=times.index)


def in_period(crimes: pd.DataFrame, period: Period) -> pd.Series:
    """Row mask: crimes committed in a month of ``period``."""
    return crime_months(crimes).isin(set(period.months))


def weekend_night_share(times: pd.Series) -> dict[str, float]:
    """How many of ``times`` fall on weekend nights: crimes, weekend_night, share_percent.

    Weekend nights are 8 of the week's 168 hours (4.8 %), so a share far above that is a
    night-time pattern.
    """
    night = int(weekend_night(times).sum())
    total = len(times)
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
        "weekend_night": weekend_night(rows["committed_from"]).astype("int64"),
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
    :func:`analysis.measures.change_table`.
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
    Home Office codes, by :func:`analysis.harm.harm_and_cost` (as the overview and matrix)."""
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
    """The serious-violence crime types of :func:`analysis.overview.crime_type_change`."""
    rows = change[change["crime_type"].isin(POLICE_UK_TYPES)].copy()
    rows["_order"] = rows["crime_type"].map(POLICE_UK_TYPES.index)
    return rows.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def counts_of_type(counts_by_csp: pd.DataFrame, crime_type: str) -> pd.DataFrame:
    """Monthly counts by CSP of one police.uk crime type (input to crime_rates)."""
    return counts_by_csp[counts_by_csp["crime_type"] == crime_type].reset_index(drop=True)


def monthly_series(counts: pd.DataFrame, label_col: str, labels: list[str],
                   months: list[date], available_months: list[date]) -> pd.DataFrame:
    """Wide monthly series (one column per label) over ``months``; absent months are NaN.

    ``counts`` is long (``month``, ``label_col``, ``count``). A month in ``available_months``
    with no row is a real zero; a month outside it is unknown and stays empty in the chart.
    """
    frame = counts.assign(month=[to_month(m) for m in counts["month"]])
    wide = frame[frame[label_col].isin(labels)].pivot_table(
        index="month", columns=label_col, values="count", aggfunc="sum")
    wide = wide.reindex(index=months, columns=labels).fillna(0)
    present = set(available_months)
    wide.loc[[m not in present for m in months], :] = np.nan
    return wide.rename_axis("month").reset_index().rename_axis(columns=None)


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
    change from :func:`analysis.indicators.change_between` (None without it).
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
            "note": "" if reliable else "base under 10: % not shown"}


def _missing_row(figure: str, source: str, why: str) -> dict[str, object]:
    return {"figure": figure, "source": source, "previous": pd.NA, "current": pd.NA,
            "pct_diff": np.nan, "significance": "not available", "note": why}


def measure_row(change: pd.DataFrame | None, measure: str) -> pd.Series | None:
    """The row of a change table by ``measure`` for one measure, or None if it is not there."""
    if change is None or measure not in set(change["measure"]):
        return None
    return change.set_index("measure").loc[measure]


def peak_cell(table: pd.DataFrame) -> tuple[str, int, int]:
    """(day, hour, count) of the busiest cell of a day x hour table."""
    stacked = table.stack()
    day, hour = stacked.idxmax()
    return str(day), int(hour), int(stacked.max())


def area_crimes(crimes: pd.DataFrame | None, csp_code: str) -> pd.DataFrame | None:
    """The partnership's rows of its partner crime extract; None when it has no extract.

    Pass ``section.partner("crimes")``, which is None unless the area's config names an
    extract, so an area without one reports "not available", never zero.
    """
    if crimes is None:
        return None
    return crimes[as_mask(crimes["csp_code"] == csp_code).to_numpy()].reset_index(drop=True)


def street_violence(crimes: pd.DataFrame) -> pd.Series:
    """Violence against the person not flagged domestic abuse: the violence that follows
    public places and the night-time economy (domestic abuse is in the VAWG section)."""
    return (as_mask(crimes["offence_group"] == VIOLENCE_GROUP)
            & ~flag_mask(crimes, "domestic_abuse"))


def presentable_measures(change: pd.DataFrame, current: Period, previous: Period
                         ) -> pd.DataFrame:
    """A change table by ``measure`` with the headings of the crime overview's table
    (:func:`analysis.overview.count_headings`: the months counted are named when the
    comparison is like for like or not made, and then **Change** says why)."""
    before, now = count_headings(change, current, previous)
    shown = change[["measure", "previous", "current", "diff", "pct_diff", "significance"]].rename(
        columns={"measure": "Measure", "previous": before, "current": now,
                 "diff": "# diff.", "pct_diff": "% diff.", "significance": "Change"})
    unreliable = (~change["pct_reliable"].astype(bool) & change["pct_diff"].notna()).to_numpy()
    shown.loc[unreliable, "Change"] = (shown.loc[unreliable, "Change"]
                                       + " (base under 10: % unreliable)")
    compared = change.attrs.get("months_compared")
    if compared is not None and not compared.comparable:
        shown["Change"] = compared.summary()
    return shown.reset_index(drop=True)


def type_rate_summary(rates: pd.DataFrame, area_code: str, crime_type: str,
                      peer_codes: list[str]) -> dict[str, object]:
    """One row for the rates table: the area's rate per 1,000 for ``crime_type`` with its
    Byar interval, the force's rate, the area's place among the force's partnerships and
    the test against the force and (when configured) its peers.

    ``rates`` comes from :func:`analysis.overview.crime_rates` on that crime type's counts.
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


def presentable_rates(summaries: list[dict[str, object]], force_name: str) -> pd.DataFrame:
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


def header_notes(*, police_source: str, population_vintage: str,
                 extract_months: list[date] | None, hospital_source: str | None,
                 current: Period, previous: Period, police_months: list[date],
                 minimum: int) -> tuple[list[str], list[str]]:
    """The data sources and caveats the section's page header lists.

    ``police_source`` is :func:`analysis.report.police_uk_source`; ``extract_months`` is
    :func:`extract_months` of the force crime extract (None without one) and
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
    force's crime extract or A&E, so :meth:`analysis.report.Section.record` publishes their
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
) -> tuple[list[str], list[tuple[str, object, str]]]:
    """Plain-English findings and the key figures (key, value, label) for the summary.

    ``police_change`` is :func:`police_uk_rows`; ``rate_summaries`` the
    :func:`type_rate_summary` of each police.uk type; ``measure_change`` the crime-extract
    change table with small counts split off (None without an extract); ``night_share``
    :func:`weekend_night_share` of the two busiest LSOAs (None without an extract);
    ``hospital_change`` the A&E change (None without A&E data). A count that is unknown
    (months missing) is never recorded as a figure, and a missing source is said so in a
    finding rather than left out silently.
    """
    findings: list[str] = []
    figures: list[tuple[str, object, str]] = []
    police = police_change.set_index("crime_type")
    for crime_type in POLICE_UK_TYPES:
        if crime_type not in police.index:
            continue
        row = police.loc[crime_type]
        findings.append(describe_change(row, f"{crime_type} (data.police.uk)",
                                        force_pct=row["force_pct_diff"], force_label=force_name,
                                        compared=police_change.attrs.get("months_compared")))
        key = f"police_uk_{_POLICE_UK_KEYS[crime_type]}"
        if not pd.isna(row["current"]):  # the label names the months counted
            figures.append((f"{key}_current", int(row["current"]),
                            f"{crime_type} (police.uk) "
                            f"{count_headings(police_change, current, previous)[1]}"))
        figures.append((f"{key}_significance", str(row["significance"]),
                        f"{crime_type} (police.uk) change"))
    violence = next(s for s in rate_summaries if s["crime_type"] == "Violence and sexual offences")
    coverage = current.coverage(police_months)
    findings.append(f"{area_name}'s rate of violence and sexual offences was "
                    f"{violence['rate']:.1f} per 1,000 residents, the {violence['position']} "
                    f"partnerships in {force_name}"
                    + ("." if coverage.complete else
                       f" (over the {len(current) - len(coverage.missing)} months held: a "
                       "full-year rate would be higher)."))
    figures.append(("police_uk_violence_sexual_offences_rate", round(violence["rate"], 2),
                    f"Violence and sexual offences per 1,000 (police.uk), {current.label}"))
    for measure, key in _HEADLINE_MEASURES:
        row = measure_row(measure_change, measure)
        if measure_change is None or row is None or row[["current", "previous"]].isna().any():
            continue  # no extract, small numbers (published only under control) or months missing
        findings.append(describe_change(row, measure,
                                        compared=measure_change.attrs.get("months_compared")))
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
        findings.append(f"{night_share['share_percent']:.1f} % of violence outside the home in "
                        "the two busiest neighbourhoods happened on Friday and Saturday nights "
                        "(22:00 to 01:59), eight hours that make up under 5 % of the week.")
        figures.append(("violence_weekend_night_share", round(night_share["share_percent"], 1),
                        "% of violence in the two busiest LSOAs on Fri/Sat nights"))
    if hospital_change is not None:
        findings.append(describe_change(hospital_change, "Assault attendances at A&E",
                                        unit="attendances"))
        if not pd.isna(hospital_change["current"]):  # NaN: withheld or unknown
            figures.append(("ae_assault_attendances_current", int(hospital_change["current"]),
                            f"A&E assault attendances {current.label}"))
    if measure_change is None:
        findings.append("Knife crime, violence with injury, homicide, victims under 25 and the "
                        "times of violence cannot be reported: they need the force's crime "
                        "extract.")
    if hospital_change is None:
        findings.append("Hospital (A&E) assault data were not supplied, so violence that is not "
                        "reported to the police is not shown.")
    return findings, figures
