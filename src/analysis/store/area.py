"""Glue between an area's configuration and the ingest layer.

Kept apart from the CLI so notebooks, tests and the batch build call the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.config import AreaConfig, PopulationRelease, area_config_path, project_root
from analysis.core.errors import DataCoverageError
from analysis.core.files import store_dir
from analysis.core.locks import exclusive
from analysis.core.periods import Period
from analysis.inputs.geography import load_lad_csp, load_lsoa_lookup
from analysis.inputs.partner import ExtractKind, load_mapping
from analysis.inputs.population import (
    load_mid_year_estimates,
    months_from_mid_year,
    nearest_release,
    population_for,
)
from analysis.store.ingest import IngestReport, ingest_partner, ingest_police_uk
from analysis.store.recorded_crime import ingest_recorded_crime


def area_lookup(config: AreaConfig, root: Path | None = None) -> pd.DataFrame:
    """The LSOA → ward → LAD → CSP → force lookup named in the area's config.

    Councils that cannot be matched to one CSP are warned about only when they are the
    configured force's or the area's own (:func:`analysis.inputs.geography.load_lsoa_lookup`).
    """
    root = root or project_root()
    sources = config.sources
    return load_lsoa_lookup(
        [config.resolve(p, root) for p in sources.lsoa_ward_lookups],
        config.resolve(sources.lad_csp_lookup, root),
        lsoa_boundaries=[config.resolve(p, root) for p in sources.lsoa_boundaries],
        ward_boundaries=[config.resolve(p, root) for p in sources.ward_boundaries],
        force_code=config.force.code,
        lad_codes=config.lad_codes,
    )


@dataclass(frozen=True)
class AreaIngest:
    """What an area's ingest loaded: police.uk street data and, if configured, partner data."""

    police_uk: IngestReport
    partner: pd.DataFrame | None  # reconciliation per extract, None without partner extracts


def ingest_area(config: AreaConfig, root: Path | None = None, *,
                full: bool = False) -> AreaIngest:
    """Bring the area's store up to date with its police.uk inputs and partner extracts.

    Only police.uk months whose files changed, and partner extracts if anything they depend
    on changed, are read again, unless ``full`` (:func:`analysis.store.ingest.ingest_police_uk`,
    :func:`analysis.store.ingest.ingest_partner`).
    """
    root = root or project_root()
    folder = store_dir(config, root)
    with exclusive(folder.parent / f".{folder.name}.lock", f"an ingest into {folder.name}"):
        return _ingest_area_locked(config, root, full)


def _ingest_area_locked(config: AreaConfig, root: Path, full: bool) -> AreaIngest:
    """The ingest itself, run while holding the store's lock."""
    lookup = area_lookup(config, root)
    inputs = [config.resolve(p, root) for p in config.sources.police_uk]
    police_uk = ingest_police_uk(inputs, store_dir(config, root), lsoa_lookup=lookup,
                                 full=full)
    ingest_recorded_crime([config.resolve(p, root) for p in config.sources.recorded_crime],
                          store_dir(config, root))
    partner = config.sources.partner
    if partner is None:
        return AreaIngest(police_uk, None)
    configured: list[tuple[ExtractKind, Path | None]] = [
        ("crimes", partner.crimes), ("asb", partner.asb), ("indicators", partner.indicators)]
    extracts = {kind: config.resolve(path, root) for kind, path in configured if path is not None}
    mapping = load_mapping(config.resolve(partner.mapping, root))
    boundaries = [config.resolve(p, root) for p in config.sources.lsoa_boundaries]
    reconciliation = ingest_partner(extracts, mapping, store_dir(config, root),
                                    lsoa_lookup=lookup, lsoa_boundaries=boundaries,
                                    force_code=config.force.code, full=full)
    return AreaIngest(police_uk, reconciliation)


def population_release(config: AreaConfig, period: Period,
                       root: Path | None = None) -> PopulationRelease:
    """The population release used for ``period``: the one nearest the period's middle.

    Raises if the config names no population file: rates without a stated denominator are
    not shown. See :func:`analysis.inputs.population.nearest_release` for the rule.
    """
    releases = config.sources.population_releases()
    if not releases:
        raise DataCoverageError(
            "no population file is configured, so rates cannot be calculated",
            file=area_config_path(config.name, root or project_root()),
            hint="set sources.populations (ONS mid-year estimates by local authority)",
        )
    return nearest_release(releases, period.start, period.end)


def population_releases(config: AreaConfig, period: Period) -> pd.DataFrame:
    """Every configured population release and which one ``period`` uses (data and methods).

    Columns: Vintage, Mid-year (blank when the single-file form names no year), Months from
    the middle of the period, Used ('yes' for the release :func:`population_release` picks).
    """
    releases = config.sources.population_releases()
    chosen = nearest_release(releases, period.start, period.end) if releases else None
    return pd.DataFrame({
        "Vintage": [r.label for r in releases],
        "Mid-year": pd.array([r.year for r in releases], dtype="Int64"),
        "Months from the middle of the period": pd.array(
            [None if r.year is None else months_from_mid_year(r.year, period.start, period.end)
             for r in releases], dtype="Float64"),
        "Used": ["yes" if r == chosen else "no" for r in releases],
    })


def population_estimates(config: AreaConfig, period: Period,
                         root: Path | None = None) -> pd.DataFrame:
    """The mid-year estimates by area of the release used for ``period`` (one vintage)."""
    root = root or project_root()
    release = population_release(config, period, root)
    return load_mid_year_estimates(config.resolve(release.path, root), vintage=release.label)


def force_populations(config: AreaConfig, root: Path | None = None, *,
                      period: Period) -> pd.DataFrame:
    """Population of every CSP in the area's force, and of the force itself (one vintage).

    The vintage is the configured release nearest ``period`` (:func:`population_release`).
    Columns: area_code, area_name, area_level ('CSP' or 'PFA'), population,
    population_vintage. Raises if the config names no population file.
    """
    root = root or project_root()
    estimates = population_estimates(config, period, root)
    lad_csp = load_lad_csp(config.resolve(config.sources.lad_csp_lookup, root))
    in_force = lad_csp[lad_csp["pfa_code"] == config.force.code]
    names = dict(zip(in_force["csp_code"], in_force["csp_name"], strict=False))
    csps = population_for(sorted(names), estimates, lad_csp, level="csp")
    force = population_for([config.force.code], estimates, lad_csp, level="pfa")
    csps["area_name"] = csps["area_code"].map(names)
    force["area_name"] = config.force.name
    columns = ["area_code", "area_name", "area_level", "population", "population_vintage"]
    return pd.concat([csps[columns], force[columns]], ignore_index=True)


def csp_populations(config: AreaConfig, codes: list[str], period: Period,
                    root: Path | None = None) -> tuple[pd.Series, str]:
    """Residents of each CSP in ``codes`` (any force: e.g. most similar group members) from
    the release used for ``period``, and the release's label.

    A CSP the LAD → CSP lookup does not list, or with a local authority the estimates do not
    hold, is left out of the Series (unknown, never 0); the caller says so.
    """
    root = root or project_root()
    estimates = population_estimates(config, period, root)
    lad_csp = load_lad_csp(config.resolve(config.sources.lad_csp_lookup, root))
    values = {}
    for code in codes:
        try:
            found = population_for([code], estimates, lad_csp, level="csp")
        except DataCoverageError:
            continue
        values[code] = int(found["population"].iloc[0])
    return pd.Series(values, dtype="int64"), str(estimates["population_vintage"].iloc[0])
