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
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis.core.config import AreaConfig
from analysis.core.errors import ConfigError
from analysis.core.findings import CONCENTRATION, Finding
from analysis.core.offences import load_police_uk_crime_types
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import ALL_CRIME
from analysis.core.vocabulary import ASB as ANTI_SOCIAL_BEHAVIOUR
from analysis.inputs.geography import load_lsoa_polygons, lsoa_names, lsoa_names_note
from analysis.inputs.imd import load_imd2019
from analysis.inputs.partner import times_of_day
from analysis.inputs.population import load_census21_lsoa
from analysis.inputs.read_cache import cached_read, read_cache_dir
from analysis.present import maps
from analysis.present.narrative import in_words
from analysis.present.page import police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.stats.concentration import TOP_FRACTIONS, gini, share_in_top
from analysis.stats.disclosure import DisclosureRule
from analysis.stats.grid_squares import (
    CELL_SIZE,
    AreaGeography,
    Grid,
    area_geography,
    assign_cells,
    exclusion_summary,
    make_grid,
)
from analysis.stats.hotspots import (
    EMERGING,
    FDR_ALPHA,
    NEIGHBOUR_CELLS,
    NOT_HOTSPOT,
    PERSISTENT,
    density_surface,
    hotspot_class_summary,
    hotspot_trend,
    months_to_load,
    top_cells,
)
from analysis.stats.profiles import day_hour_table, place_profile
from analysis.store import query
from analysis.store.area import area_lookup, population_estimates
from analysis.store.query import load_events

if TYPE_CHECKING:
    from analysis.present.page import Section


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


def place_findings(crime_trend: pd.DataFrame, concentration: pd.DataFrame,
                   busiest_wards: list[str], period_label: str) -> list[Finding]:
    """The Places section's findings: how concentrated crime and ASB are (the share in the
    busiest 10 % of LSOAs and of 250 m squares, a concentration signal whose effect is the
    LSOA share), the persistent and emerging crime hotspots when the data allow classes,
    and the wards with most recorded crime. ``concentration`` is the section's
    :func:`concentration_table` with a ``subject`` column."""
    findings = []
    for subject in (ALL_CRIME, ANTI_SOCIAL_BEHAVIOUR):
        rows = concentration[(concentration["subject"] == subject)
                             & (concentration["top_percent"] == 10)].set_index("unit")
        if "LSOAs" not in rows.index or rows.loc["LSOAs", "events"] == 0:
            continue
        lsoas = rows.loc["LSOAs"]
        squares = (f", and {float(rows.loc['250 m squares', 'share_percent']):.1f} % in the "
                   "busiest 10 % of 250 m squares" if "250 m squares" in rows.index else "")
        what = "recorded crime" if subject == ALL_CRIME else "ASB incidents"
        findings.append(Finding(
            f"{float(lsoas['share_percent']):.1f} % of {what} in {period_label} "
            f"{'was' if subject == ALL_CRIME else 'were'} in the "
            f"busiest 10 % of LSOAs ({int(lsoas['top_places']):,} of "
            f"{int(lsoas['places']):,}){squares}.", theme=f"{subject}: concentration",
            table="concentration", signal=CONCENTRATION,
            effect=float(lsoas["share_percent"])))
    if crime_trend.attrs.get("classes_given", True):
        counts = {cls: int((crime_trend["hotspot_class"] == cls).sum())
                  for cls in (PERSISTENT, EMERGING)}
        findings.append(Finding(
            f"Persistent crime hotspots (hot in at least 80 % of quarters): "
            f"{counts[PERSISTENT]:,} squares of 250 m; emerging (newly hot and significantly up "
            f"on last year): {counts[EMERGING]:,}.", theme="Crime hotspots",
            figures=("crime_persistent_squares", "crime_emerging_squares"),
            table="hotspot_classes_crime",
            signal=CONCENTRATION if counts[PERSISTENT] + counts[EMERGING] else ""))
    if busiest_wards:
        findings.append(Finding(
            f"The wards with most recorded crime in {period_label} were "
            f"{in_words(busiest_wards)}.", theme="Busiest wards",
            figures=("most_affected_wards",), table="ward_profile"))
    return findings


# --------------------------------------------------------------------------------------------
# The section page: what the notebook shows, cell by cell
# --------------------------------------------------------------------------------------------

PEAK_TIME_EXTRACTS = {"Recorded crime (partner extract)": ("crimes", "committed_from"),
                      "ASB incidents (partner extract)": ("asb", "occurred_at")}
"""The partner extracts with a time of day: page label -> (extract kind, time column)."""

NO_PEAK_TIMES = ("**No peak day and time analysis:** only monthly police.uk data are "
                 "available for this area. Provide the partner crime or ASB extract "
                 "(with date and time) to add it.")
NO_DEPRIVATION = ("No IMD 2019 file is configured for this area, so crime is not set "
                  "beside deprivation.")
_CHANGE_FORMATS = {"% diff.": "{:+.1f}", "# diff.": "{:+,}"}


@dataclass(frozen=True)
class PlacesInputs:
    """Everything the Places page is made from, read from the store and the area's files.

    ``events`` are :func:`load_events` over ``months`` placed in ``grid``
    (:func:`assign_cells`); ``area_lsoas`` the area's rows of the LSOA lookup; ``census``
    (Census 2021 LSOA populations), ``mid_year`` (mid-year estimates by local authority) and
    ``imd`` (IMD 2019 deciles) are None when the area has no such file; ``name_vintage`` is
    the LSOA vintage of the period's rows; ``timed`` maps each of
    :data:`PEAK_TIME_EXTRACTS` to the area's rows of that partner extract (None when it was
    not provided), and is None when the area has no crime or ASB extract at all.
    """

    geography: AreaGeography
    grid: Grid
    events: pd.DataFrame
    months: list[date]
    force_months: list[date]
    area_lsoas: pd.DataFrame
    census: pd.DataFrame | None
    mid_year: pd.DataFrame | None
    imd: pd.DataFrame | None
    name_vintage: int
    timed: dict[str, pd.DataFrame | None] | None


@dataclass(frozen=True)
class PlacesPage:
    """What the Places notebook shows, in page order, and the figures it records.

    ``hotspots`` holds, for each subject, its heading, classification note, hotspot map,
    class summary, ten busiest squares and density map; ``deprivation`` is None and
    ``deprivation_note`` says why when the area has no IMD file; ``key_figures`` are
    (key, value, label) as :func:`key_figures`.
    """

    sources: list[str]
    caveats: list[str]
    placement: Table
    hotspots: list[Table | Chart | Markdown]
    concentration: Table
    peak_times: list[Chart | Markdown]
    ward_notes: list[Markdown]
    wards: Table
    lsoas: Table
    deprivation: Table | None
    deprivation_note: list[Markdown]
    busiest_wards: list[Markdown]
    key_figures: list[tuple[str, object, str]]
    findings: list[Finding] = field(default_factory=list)


def load_inputs(section: Section) -> PlacesInputs:
    """Read the area's boundaries, lookups, police.uk events (the three-year trend and its
    comparison), populations, IMD and timed partner extracts for ``section``'s period."""
    config, root, current = section.config, section.root, section.period
    sources = config.sources
    lookup = area_lookup(config, root)
    geography = area_geography(
        load_lsoa_polygons([config.resolve(p, root) for p in sources.lsoa_boundaries]),
        lookup, config.lad_codes)
    grid = make_grid(geography.outline, CELL_SIZE)
    months = months_to_load(current, config.comparison)
    events = assign_cells(load_events(section.store_dir, config.csp_code, months), grid)
    census = (cached_read(config.resolve(sources.census_lsoa_population, root),
                          load_census21_lsoa, read_cache_dir(root))
              if sources.census_lsoa_population else None)
    mid_year = (population_estimates(config, current, root)
                if sources.population_releases() else None)
    imd = load_imd2019(config.resolve(sources.imd, root)) if sources.imd else None
    partner = sources.partner
    timed = (None if partner is None or (partner.crimes is None and partner.asb is None)
             else {label: section.partner(kind)
                   for label, (kind, _) in PEAK_TIME_EXTRACTS.items()})
    return PlacesInputs(
        geography, grid, events, months,
        query.force_months(section.store_dir, config.force.name),
        lookup[lookup["lad_code"].isin(config.lad_codes)], census, mid_year, imd,
        query.lsoa_vintage_for_period(current.months, section.store_dir), timed)


def page(section: Section, offence_group: str = "") -> PlacesPage:
    """The Places page for ``section``'s area and period; ``offence_group`` (a police.uk
    crime type or Home Office offence group, see :func:`crime_types_for`) adds its hotspots."""
    return page_from(load_inputs(section), section.config, section.period, section.previous,
                     offence_group)


def page_from(inputs: PlacesInputs, config: AreaConfig, current: Period, previous: Period,
              offence_group: str = "") -> PlacesPage:
    """The Places page from its ``inputs`` (see :func:`page`)."""
    events = inputs.events
    subjects = subject_masks(events, offence_group)
    sources, caveats = header_notes(
        police_source=police_uk_source(config.force.name, inputs.force_months),
        has_lsoa_census=inputs.census is not None,
        mid_year_vintage=(None if inputs.mid_year is None
                          else inputs.mid_year["population_vintage"].iloc[0]),
        has_imd=inputs.imd is not None, current=current, previous=previous,
        police_months=inputs.force_months)
    trends = {subject: hotspot_trend(events[rows], inputs.grid, current, inputs.force_months,
                                     comparison=config.comparison)
              for subject, rows in subjects.items()}
    hotspots = [item for subject, trend in trends.items()
                for item in hotspot_items(subject, trend, events[subjects[subject]],
                                          inputs.geography, inputs.grid, current, previous)]
    in_period = events["month"].isin(current.months)
    concentration = concentration_by_subject(
        {subject: events[subjects[subject] & in_period]
         for subject in (ALL_CRIME, ANTI_SOCIAL_BEHAVIOUR)}, trends, inputs.area_lsoas)
    crime_rows = events[subjects[ALL_CRIME]]
    vintage = "Census 2021" if inputs.census is not None else None
    wards = ward_profile(crime_rows, inputs, current, previous, population_vintage=vintage)
    lsoas, names_note = lsoa_profile(crime_rows, inputs, current, previous,
                                     population_vintage=vintage)
    busiest = wards.head(3)["name"].tolist()
    return PlacesPage(
        sources, caveats,
        placement_table(events, config.csp_name, inputs.months),
        hotspots,
        concentration_item(concentration, current),
        peak_time_items(inputs.timed, config.csp_code, current,
                        None if config.disclosure == "none"
                        else DisclosureRule.named(config.disclosure)),
        ward_notes(wards, inputs.mid_year, config.lad_codes,
                   has_lsoa_census=inputs.census is not None),
        ward_table(wards, current, previous),
        lsoa_table(lsoas, names_note, current, previous),
        deprivation_item(lsoas if inputs.imd is not None else None, current),
        [] if inputs.imd is not None else [Markdown(NO_DEPRIVATION)],
        [Markdown(markdown_from("The wards with most recorded crime in {period} were "
                                "**{wards}**.", period=current.label, wards=in_words(busiest)))],
        key_figures(trends[ALL_CRIME], concentration, busiest),
        findings=place_findings(trends[ALL_CRIME], concentration, busiest, current.label))


def placement_table(events: pd.DataFrame, area_name: str, months: Sequence[date]) -> Table:
    """How many of the loaded records were placed in a square, and why the rest were not
    (:func:`exclusion_summary`), over the ``months`` loaded."""
    return Table(exclusion_summary(events), "placement",
                 f"Records placed in a grid square, {area_name}, {months[0]:%b %Y} to "
                 f"{months[-1]:%b %Y}", source="open", counts=["rows"],
                 formats={"rows": "{:,}", "share": "{:.1%}"})


def _table_stem(subject: str) -> str:
    """The table-name part for a subject: 'crime', 'asb' or 'group' (the offence group)."""
    return ("crime" if subject == ALL_CRIME else "asb" if subject == ANTI_SOCIAL_BEHAVIOUR
            else "group")


def hotspot_items(subject: str, trend: pd.DataFrame, subject_events: pd.DataFrame,
                  geography: AreaGeography, grid: Grid, current: Period, previous: Period
                  ) -> list[Table | Chart | Markdown]:
    """One subject's hotspot part of the page, from its :func:`hotspot_trend`: heading,
    classification note (for all crime, the first maps on the page, followed by the note that
    no street basemap is drawn), map of hotspot squares, squares per class, the ten busiest
    squares named by their most common police.uk street and ward (grid reference and LSOA
    after the numbers) with their change, and the density map (open data throughout)."""
    name = _table_stem(subject)
    classes = trend[trend["hotspot_class"] != NOT_HOTSPOT]
    top = top_cells(trend, subject_events).merge(
        geography.wards[["ward_code", "ward_name"]], on="ward_code", how="left")
    density = density_surface(trend["current"].to_numpy(), grid, 2 * CELL_SIZE)
    basemap = [Markdown(maps.NO_BASEMAP_NOTE)] if subject == ALL_CRIME else []
    return [
        Markdown(markdown_from("### {subject}", subject=subject)),
        Markdown(markdown_from("{note}", note=trend.attrs["classification_note"])),
        *basemap,
        Chart(lambda _: maps.hotspot_map(geography, grid, trend["hotspot_class"],
                                         f"{subject}: hotspot squares, {current.label}"),
              classes[["cell_id", "easting", "northing", "hotspot_class", "windows_hot",
                       "windows_used", "current", "previous"]], f"hotspot_map_{name}",
              source="open", counts=["current", "previous"]),
        Table(hotspot_class_summary(trend), f"hotspot_classes_{name}",
              f"{subject}: squares in each hotspot class and their records", source="open",
              formats={"current": "{:,}", "previous": "{:,}"}),
        Table(top[["rank", "street", "ward_name", "current", "previous", "diff",
                   "pct_diff", "change", "hotspot_class", "cell_id", "lsoa_code"]].rename(columns={
                       "current": current.label, "previous": previous.label,
                       "diff": "# diff.", "pct_diff": "% diff.",
                       "hotspot_class": "hotspot class"}),
              f"top_squares_{name}", f"{subject}: the ten busiest 250 m squares, {current.label}",
              source="open", counts=[current.label, previous.label], formats=_CHANGE_FORMATS),
        Chart(lambda _: maps.density_map(geography, grid, density["density"],
                                         f"{subject}: density, {current.label}"),
              density.merge(grid.cells[["cell", "cell_id"]], on="cell")[["cell_id", "density"]],
              f"density_{name}", source="open"),
    ]


def concentration_by_subject(period_events: Mapping[str, pd.DataFrame],
                             trends: Mapping[str, pd.DataFrame], area_lsoas: pd.DataFrame
                             ) -> pd.DataFrame:
    """:func:`concentration_table` of each subject's events this period over the 250 m
    squares (from its trend) and the area's LSOAs, empty LSOAs counted as 0.

    The LSOAs are those of the vintages the period's records carry. Columns: subject, unit,
    places, top_percent, top_places, events, share_percent, gini.
    """
    tables = []
    for subject, now in period_events.items():
        vintages = set(now["lsoa_vintage"].dropna())
        codes = area_lsoas.loc[area_lsoas["lsoa_vintage"].isin(vintages), "lsoa_code"].unique()
        lsoa_counts = now["lsoa_code"].value_counts().reindex(codes, fill_value=0)
        table = concentration_table({"250 m squares": trends[subject]["current"],
                                     "LSOAs": lsoa_counts.to_numpy()})
        tables.append(table.assign(subject=subject))
    return pd.concat(tables, ignore_index=True)[
        ["subject", "unit", "places", "top_percent", "top_places", "events", "share_percent",
         "gini"]]


def concentration_item(concentration: pd.DataFrame, current: Period) -> Table:
    """The concentration table (:func:`concentration_by_subject`) as the page shows it."""
    return Table(concentration, "concentration",
                 f"Share of records in the busiest places, {current.label}", source="open",
                 formats={"top_percent": "{:.0f} %", "share_percent": "{:.1f} %",
                          "gini": "{:.2f}", "events": "{:,}", "places": "{:,}"})


def _day_hour_map(published: pd.DataFrame, *, title: str) -> Figure:
    """The day-by-hour heat map of a published day x hour table."""
    return maps.day_hour_heatmap(published.set_index("day"), title)


def _shown(count: int, rule: DisclosureRule | None) -> str:
    """A partner count quoted in a sentence, under the area's rule (as it is when None)."""
    return rule.shown(count) if rule is not None else f"{count:,}"


def peak_time_items(timed: Mapping[str, pd.DataFrame | None] | None, csp_code: str,
                    current: Period, rule: DisclosureRule | None = None
                    ) -> list[Chart | Markdown]:
    """Day-by-hour heat maps of each timed partner extract's records in the area this period,
    each with its busiest hour; a note for an extract not provided, and one note only when
    the area has no timed extract at all (``timed`` None). The counts quoted are shown as
    the area's disclosure ``rule`` shows them, as in the tables."""
    if timed is None:
        return [Markdown(NO_PEAK_TIMES)]
    items: list[Chart | Markdown] = []
    for label, rows in timed.items():
        kind, column = PEAK_TIME_EXTRACTS[label]
        if rows is None:
            items.append(Markdown(markdown_from("No {what} was provided.", what=label.lower())))
            continue
        rows = rows[(rows["csp_code"] == csp_code).fillna(False).to_numpy()]
        stamps = pd.to_datetime(rows[column])
        rows = rows[stamps.dt.to_period("M").dt.start_time.dt.date.isin(current.months)]
        table = day_hour_table(times_of_day(rows, column))  # a date-only record has no hour
        title = f"{label}: day and hour, {current.label}"
        items.append(Chart(partial(_day_hour_map, title=title), table.reset_index(),
                           f"day_hour_{kind}", source="partner", counts=list(range(24))))
        day, hour = table.stack().idxmax()
        items.append(Markdown(markdown_from(
            "Busiest hour: **{day} {hour:02d}:00-{hour:02d}:59** ({count} records); "
            "{untimed} records had no time.", day=day, hour=hour,
            count=_shown(int(table.stack().max()), rule),
            untimed=_shown(int(table.attrs["missing_times"]), rule))))
    return items


def ward_profile(crime_rows: pd.DataFrame, inputs: PlacesInputs, current: Period,
                 previous: Period, *, population_vintage: str | None) -> pd.DataFrame:
    """:func:`place_profile` of recorded crime by ward, with Census 2021 ward populations
    (:func:`ward_population`) when the area has LSOA populations."""
    ward_places = inputs.geography.wards[["ward_code", "ward_name"]].rename(
        columns={"ward_name": "name"})
    if inputs.census is not None:
        ward_places = ward_places.merge(ward_population(inputs.census, inputs.area_lsoas),
                                        on="ward_code", how="left")
    return place_profile(crime_rows, "ward_code", ward_places, current, previous,
                         population_vintage=population_vintage,
                         available_months=inputs.force_months)


def ward_notes(wards: pd.DataFrame, mid_year: pd.DataFrame | None, lad_codes: Sequence[str],
               *, has_lsoa_census: bool) -> list[Markdown]:
    """Without LSOA populations, the note that rates are for the whole partnership only,
    with its rate per 1,000 from the local authorities' mid-year estimates when there are
    any; nothing when ward rates are shown."""
    if has_lsoa_census:
        return []
    note = ("No LSOA or ward populations are available for this area, so rates are shown "
            "for the partnership as a whole only")
    people = (mid_year.set_index("area_code").loc[list(lad_codes), "population"].sum()
              if mid_year is not None else None)
    if people and mid_year is not None:
        note += (f": {wards['current'].sum() / people * 1000:.1f} crimes per 1,000 residents "
                 f"({mid_year['population_vintage'].iloc[0]}, local authority)")
    return [Markdown(markdown_from("{note}.", note=note))]


def ward_table(wards: pd.DataFrame, current: Period, previous: Period) -> Table:
    """Recorded crime by ward (:func:`ward_profile`), ranked by count, with rates."""
    return Table(
        wards[["rank", "name", "current", "previous", "diff", "pct_diff", "change",
               "population", "rate", "rate_lower", "rate_upper"]].rename(columns={
                   "name": "ward", "current": current.label, "previous": previous.label,
                   "diff": "# diff.", "pct_diff": "% diff."}),
        "ward_profile", f"Recorded crime by ward, {current.label} (ranked by count)",
        source="open", counts=[current.label, previous.label],
        formats={**_CHANGE_FORMATS, "rate": "{:.1f}", "rate_lower": "{:.1f}",
                 "rate_upper": "{:.1f}", "population": "{:,.0f}"})


def lsoa_profile(crime_rows: pd.DataFrame, inputs: PlacesInputs, current: Period,
                 previous: Period, *, population_vintage: str | None
                 ) -> tuple[pd.DataFrame, str]:
    """:func:`place_profile` of recorded crime by LSOA (names of the period's LSOA vintage,
    Census 2021 populations and IMD 2019 deciles where the area has them), and the note on
    the names used (:func:`analysis.inputs.geography.lsoa_names_note`)."""
    names = lsoa_names(inputs.area_lsoas, inputs.name_vintage)
    lsoa_places = names[["lsoa_code", "lsoa_name", "ward_name"]].rename(
        columns={"lsoa_name": "name"})
    if inputs.census is not None:
        lsoa_places = lsoa_places.merge(inputs.census[["area_code", "population"]],
                                        how="left", left_on="lsoa_code", right_on="area_code")
    lsoas = place_profile(crime_rows, "lsoa_code", lsoa_places, current, previous,
                          population_vintage=population_vintage,
                          available_months=inputs.force_months)
    lsoas = (lsoas.merge(inputs.imd[["lsoa_code", "imd_decile"]], on="lsoa_code", how="left")
             if inputs.imd is not None else lsoas.assign(imd_decile=pd.NA))
    return lsoas, lsoa_names_note(names, inputs.name_vintage)


def lsoa_table(lsoas: pd.DataFrame, names_note: str, current: Period, previous: Period
               ) -> Table:
    """The 15 LSOAs with most recorded crime (:func:`lsoa_profile`)."""
    return Table(
        lsoas.head(15)[["rank", "lsoa_code", "name", "ward_name", "current", "previous",
                        "diff", "change", "rate", "imd_decile"]].rename(columns={
                            "name": "LSOA", "current": current.label,
                            "previous": previous.label, "diff": "# diff.",
                            "imd_decile": "IMD decile"}),
        "lsoa_profile", f"The 15 LSOAs with most recorded crime, {current.label}. {names_note}",
        source="open", counts=[current.label, previous.label],
        formats={"# diff.": "{:+,}", "rate": "{:.1f}"})


def deprivation_item(lsoas: pd.DataFrame | None, current: Period) -> Table | None:
    """Recorded crime by IMD 2019 decile (:func:`deprivation_table` of the LSOA profile), or
    None when the area has no IMD file (``lsoas`` None)."""
    if lsoas is None:
        return None
    return Table(deprivation_table(lsoas), "deprivation",
                 f"Recorded crime by national IMD 2019 decile of the LSOA, {current.label}",
                 source="open", formats={"share_percent": "{:.1f} %", "rate": "{:.1f}",
                                         "population": "{:,.0f}"})


def write_without_showing(section: Section, table: Table | None) -> None:
    """Write ``table``'s file and declare it in the disclosure register, but show nothing on
    the page (nothing at all for None).

    The page has so far written the deprivation table to ``tables/`` without showing it;
    this keeps the page as it was until that is decided (showing it is
    ``section.show(page.deprivation)``).
    """
    if table is not None:
        section.show(table)


def record_key_figures(section: Section, page: PlacesPage) -> None:
    """Record the page's headline figures (:func:`key_figures`) for the executive summary."""
    for key, value, label in page.key_figures:
        section.record(key, value, label=label)
