"""Glue between an area's configuration and the ingest layer.

Kept apart from the CLI so notebooks, tests and the batch build call the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.config import AreaConfig, area_config_path, project_root
from analysis.errors import DataCoverageError
from analysis.layout import store_dir
from analysis.locks import exclusive
from analysis.sources.geography import load_lad_csp, load_lsoa_lookup
from analysis.sources.partner import load_mapping
from analysis.sources.population import load_mid_year_estimates, population_for
from analysis.store import IngestReport, ingest_partner, ingest_police_uk


def area_lookup(config: AreaConfig, root: Path | None = None) -> pd.DataFrame:
    """The LSOA → ward → LAD → CSP → force lookup named in the area's config."""
    root = root or project_root()
    sources = config.sources
    return load_lsoa_lookup(
        [config.resolve(p, root) for p in sources.lsoa_ward_lookups],
        config.resolve(sources.lad_csp_lookup, root),
        lsoa_boundaries=[config.resolve(p, root) for p in sources.lsoa_boundaries],
        ward_boundaries=[config.resolve(p, root) for p in sources.ward_boundaries],
    )


@dataclass(frozen=True)
class AreaIngest:
    """What an area's ingest loaded: police.uk street data and, if configured, partner data."""

    police_uk: IngestReport
    partner: pd.DataFrame | None  # reconciliation per extract, None without partner extracts


def ingest_area(config: AreaConfig, root: Path | None = None) -> AreaIngest:
    """Rebuild the area's store from its police.uk inputs and partner extracts."""
    root = root or project_root()
    folder = store_dir(config, root)
    with exclusive(folder.parent / f".{folder.name}.lock", f"an ingest into {folder.name}"):
        return _ingest_area_locked(config, root)


def _ingest_area_locked(config: AreaConfig, root: Path) -> AreaIngest:
    """The ingest itself, run while holding the store's lock."""
    lookup = area_lookup(config, root)
    inputs = [config.resolve(p, root) for p in config.sources.police_uk]
    police_uk = ingest_police_uk(inputs, store_dir(config, root), lsoa_lookup=lookup)
    partner = config.sources.partner
    if partner is None:
        return AreaIngest(police_uk, None)
    extracts = {kind: config.resolve(path, root)
                for kind, path in (("crimes", partner.crimes), ("asb", partner.asb),
                                   ("indicators", partner.indicators)) if path is not None}
    mapping = load_mapping(config.resolve(partner.mapping, root))
    boundaries = [config.resolve(p, root) for p in config.sources.lsoa_boundaries]
    reconciliation = ingest_partner(extracts, mapping, store_dir(config, root),
                                    lsoa_lookup=lookup, lsoa_boundaries=boundaries)
    return AreaIngest(police_uk, reconciliation)


def force_populations(config: AreaConfig, root: Path | None = None) -> pd.DataFrame:
    """Population of every CSP in the area's force, and of the force itself (one vintage).

    Columns: area_code, area_name, area_level ('CSP' or 'PFA'), population,
    population_vintage. Raises if the config names no population file: rates without a
    stated denominator are not shown.
    """
    root = root or project_root()
    sources = config.sources
    if sources.population is None:
        raise DataCoverageError(
            "no population file is configured, so rates cannot be calculated",
            file=area_config_path(config.name, root),
            hint="set sources.population (ONS mid-year estimates by local authority)",
        )
    estimates = load_mid_year_estimates(config.resolve(sources.population, root),
                                        vintage=sources.population_vintage)
    lad_csp = load_lad_csp(config.resolve(sources.lad_csp_lookup, root))
    in_force = lad_csp[lad_csp["pfa_code"] == config.force.code]
    names = dict(zip(in_force["csp_code"], in_force["csp_name"], strict=False))
    csps = population_for(sorted(names), estimates, lad_csp, level="csp")
    force = population_for([config.force.code], estimates, lad_csp, level="pfa")
    csps["area_name"] = csps["area_code"].map(names)
    force["area_name"] = config.force.name
    columns = ["area_code", "area_name", "area_level", "population", "population_vintage"]
    return pd.concat([csps[columns], force[columns]], ignore_index=True)
