"""Glue between an area's configuration and the ingest layer.

Kept apart from the CLI so notebooks, tests and the batch build call the same steps.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.config import AreaConfig, project_root
from analysis.report import store_dir
from analysis.sources.geography import load_lsoa_lookup
from analysis.store import IngestReport, ingest_police_uk


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


def ingest_area(config: AreaConfig, root: Path | None = None) -> IngestReport:
    """Rebuild the area's store from its police.uk inputs, placing rows with the lookup."""
    root = root or project_root()
    inputs = [config.resolve(p, root) for p in config.sources.police_uk]
    return ingest_police_uk(inputs, store_dir(config, root),
                            lsoa_lookup=area_lookup(config, root))
