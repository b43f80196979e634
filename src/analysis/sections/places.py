"""Where crime happens: a 250 m grid, Gi* hotspots, their change over time, and place profiles.

The partnership works with 250 m × 250 m squares of the British National Grid (EPSG:27700),
so every event is projected from police.uk longitude/latitude to metres and counted in the
square it falls in. Squares are aligned to the grid's origin (a square's south-west corner is
a multiple of the cell size), so the same square has the same identity in every report.

Nothing is dropped silently: an event without coordinates, with impossible or zeroed
coordinates (police.uk zeroes a point it cannot snap within 20 km: "Null Island") or outside
the area boundary is kept with the reason it was not counted (:func:`exclusion_summary`).

Hotspots are Getis–Ord Gi* z-scores on the counts of every square in the area (zeros
included), with binary weights for the squares within a stated distance, two-sided p-values
from the normal approximation and Benjamini–Hochberg control of the false discovery rate.
Over the trend window the Gi* test is repeated in short windows (quarters by default) and each
square is classed as intensifying, diminishing, persistent, emerging, former or intermittent
from the share of windows in which it was a significant hotspot (:class:`HotspotRules`).
Methods, thresholds and caveats: ``docs/methods.md`` ("Places").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError
from analysis.core.offences import load_police_uk_crime_types
from analysis.core.periods import Period
from analysis.core.vocabulary import ALL_CRIME
from analysis.core.vocabulary import ASB as ANTI_SOCIAL_BEHAVIOUR
from analysis.stats.concentration import TOP_FRACTIONS, gini, share_in_top
from analysis.stats.grid_squares import CELL_SIZE
from analysis.stats.hotspots import (
    EMERGING,
    FDR_ALPHA,
    NEIGHBOUR_CELLS,
    PERSISTENT,
)

# --------------------------------------------------------------------------------------------
# Events and the area
# --------------------------------------------------------------------------------------------


def crime_types_for(offence_group: str) -> list[str]:
    """The police.uk crime types making up ``offence_group``: a crime type or a Home Office
    offence group (e.g. "Theft offences"), matched without regard to case.

    police.uk types only approximate Home Office groups ("Violence and sexual offences" spans
    two); the reference table says which. Raises ConfigError for an unknown name.
    """
    types = load_police_uk_crime_types()
    types = types[types["is_crime"]]
    wanted = offence_group.strip().casefold()
    groups = types["offence_groups"].fillna("").str.split(";")
    matches = types["crime_type"].str.casefold().eq(wanted) | groups.map(
        lambda names: wanted in {name.strip().casefold() for name in names}
    )
    if not matches.any():
        known = sorted(set(types["crime_type"]) | {g for gs in groups for g in gs if g})
        raise ConfigError("unknown offence group", found=offence_group,
                          expected="one of: " + ", ".join(known))
    return sorted(types.loc[matches, "crime_type"])




def subject_masks(events: pd.DataFrame, offence_group: str = "") -> dict[str, pd.Series]:
    """Row masks of :func:`load_events` for each subject the Places section maps.

    All crime and ASB always (ASB incidents are never counted as crime); with an
    ``offence_group`` (see :func:`crime_types_for`) that group's crimes as a third subject,
    so a partnership can look at one kind of crime on its own.
    """
    subjects = {ALL_CRIME: ~events["is_asb"], ANTI_SOCIAL_BEHAVIOUR: events["is_asb"]}
    if offence_group:
        subjects[offence_group] = events["crime_type"].isin(crime_types_for(offence_group))
    return subjects


# --------------------------------------------------------------------------------------------
# The grid and assigning events to it
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Getis–Ord Gi*, false discovery rate, kernel density
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Change over time
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Peak day and hour
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Concentration and profiles
# --------------------------------------------------------------------------------------------


def concentration_table(counts_by_unit: Mapping[str, Sequence[float] | np.ndarray],
                        fractions: Sequence[float] = TOP_FRACTIONS) -> pd.DataFrame:
    """Share of events in the busiest 1, 5 and 10 % of each kind of place, and the Gini.

    ``counts_by_unit`` maps a unit name (e.g. "250 m squares", "LSOAs") to one count per
    place, zeros included. Columns: unit, places (all), top_percent, top_places, events,
    share_percent, gini.
    """
    frames = []
    for unit, counts in counts_by_unit.items():
        values = np.asarray(counts, dtype=float)
        top = share_in_top(values, fractions)
        frames.append(pd.DataFrame({
            "unit": unit,
            "places": values.size,
            "top_percent": top["fraction"] * 100,
            "top_places": top["places"],
            "events": top["events"].astype("int64"),
            "share_percent": top["share"] * 100,
            "gini": gini(values),
        }))
    return pd.concat(frames, ignore_index=True)


def ward_population(lsoa_population: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Census 2021 LSOA populations summed to wards through the 2021 LSOAs of ``lookup``.

    A ward with any LSOA missing from the population table gets a missing population, never
    an undercount. Columns: ward_code, population.
    """
    lsoas = lookup.loc[lookup["lsoa_vintage"] == 2021, ["lsoa_code", "ward_code"]]
    people = lsoas.merge(lsoa_population[["area_code", "population"]], how="left",
                         left_on="lsoa_code", right_on="area_code")
    summed = people.groupby("ward_code")["population"].sum(min_count=1)
    incomplete = people.groupby("ward_code")["population"].apply(lambda s: s.isna().any())
    summed[incomplete] = pd.NA
    return summed.rename("population").reset_index()


def deprivation_table(lsoa_profile: pd.DataFrame) -> pd.DataFrame:
    """Crime by IMD 2019 national decile of the LSOA (1 = most deprived 10 % in England).

    ``lsoa_profile`` is :func:`place_profile` by LSOA with ``imd_decile`` (missing for LSOAs
    with no IMD 2019 value: 2021 LSOAs created by a split) and ``population``. Columns:
    imd_decile ("no IMD 2019 value" last), lsoas, current, share_percent, population, rate.
    """
    frame = lsoa_profile.assign(
        imd_decile=lsoa_profile["imd_decile"].astype("Int64").astype("string")
        .fillna("no IMD 2019 value"))
    grouped = frame.groupby("imd_decile").agg(
        lsoas=("current", "size"), current=("current", "sum"),
        population=("population", lambda s: s.sum(min_count=1) if s.notna().all() else np.nan))
    grouped["share_percent"] = grouped["current"] / max(int(grouped["current"].sum()), 1) * 100
    grouped["rate"] = grouped["current"] / grouped["population"].astype(float) * 1000
    order = sorted((d for d in grouped.index if d.isdigit()), key=int)
    order += [d for d in grouped.index if not d.isdigit()]
    return grouped.loc[order, ["lsoas", "current", "share_percent", "population", "rate"]
                       ].reset_index()


# --------------------------------------------------------------------------------------------
# The Places section's page: sources, caveats and headline figures
# --------------------------------------------------------------------------------------------


def header_notes(*, police_source: str, has_lsoa_census: bool, mid_year_vintage: str | None,
                 has_imd: bool, current: Period, previous: Period,
                 police_months: Iterable[date]) -> tuple[list[str], list[str]]:
    """The data sources and caveats the Places page header lists.

    ``police_source`` is :func:`analysis.present.page.police_uk_source`. Populations come from the
    Census 2021 LSOA file when the area has one (LSOA and ward rates), otherwise from the
    mid-year estimates (``mid_year_vintage``, whole-area rate only), so only the population
    actually used is listed; deprivation is listed only with an IMD 2019 file. The caveats
    state the grid and hotspot settings (:data:`CELL_SIZE`, :data:`NEIGHBOUR_CELLS`,
    :data:`FDR_ALPHA`) the maps were made with.
    """
    months = list(police_months)
    sources = [police_source,
               "LSOA and ward boundaries: ONS (Open Government Licence v3.0); wards drawn as "
               "the union of their LSOAs"]
    if has_lsoa_census:
        sources.append("Population: Census 2021 usual residents by LSOA (ONS)")
    elif mid_year_vintage is not None:
        sources.append(f"Population: {mid_year_vintage} by local authority")
    if has_imd:
        sources.append("Deprivation: English Indices of Deprivation 2019, IMD rank by LSOA 2011 "
                       "(MHCLG, via the ONS lookup)")
    neighbour_m = NEIGHBOUR_CELLS * CELL_SIZE
    caveats = [
        current.coverage(months).describe(),
        previous.coverage(months).describe(),
        "police.uk moves each crime to the nearest of about 750,000 anonymous map points "
        "(street centres, public places), so a busy square may be a snap point rather than "
        "the exact place of the offence; squares are for directing attention, not evidence "
        "about an address.",
        f"Squares are {CELL_SIZE:.0f} m x {CELL_SIZE:.0f} m on the British "
        f"National Grid. Hotspots: Getis-Ord Gi* with neighbours within {neighbour_m:.0f} m, "
        f"false discovery rate {FDR_ALPHA:.0%} (Benjamini-Hochberg).",
        "Rows without a location on police.uk have no LSOA either, so they cannot be placed "
        "in any area and are not in these counts (see the data and methods section).",
    ]
    return sources, caveats


def key_figures(crime_trend: pd.DataFrame, concentration: pd.DataFrame,
                busiest_wards: list[str]) -> list[tuple[str, object, str]]:
    """The Places section's headline figures as (key, value, label) for the executive summary.

    ``crime_trend`` is :func:`hotspot_trend` for all crime (its persistent and emerging
    squares are counted; None, not 0, when the data allow no classes), ``concentration`` the
    section's :func:`concentration_table` with a
    ``subject`` column (the share of all crime in the busiest 10 % of the "250 m squares"
    unit is taken) and
    ``busiest_wards`` the names of the wards with most recorded crime, busiest first.
    """
    classes_given = crime_trend.attrs.get("classes_given", True)
    figures: list[tuple[str, object, str]] = [
        (f"crime_{cls}_squares",
         int((crime_trend["hotspot_class"] == cls).sum()) if classes_given else None,
         f"{cls.capitalize()} crime hotspot squares")
        for cls in (PERSISTENT, EMERGING)
    ]
    top_squares = concentration[(concentration["subject"] == ALL_CRIME)
                                & (concentration["unit"] == "250 m squares")
                                & (concentration["top_percent"] == 10)]
    figures.append(("crime_top10pct_share", float(top_squares["share_percent"].iloc[0]),
                    "% of crime in the busiest 10 % of squares"))
    figures.append(("most_affected_wards", busiest_wards, "Wards with most recorded crime"))
    return figures
