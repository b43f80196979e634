"""The inputs a report rests on: every configured file of the area with its size and SHA-256,
and how many rows of each were read, loaded and set aside (the manifest and the data and
methods page both list them).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from analysis.core.config import AreaConfig
from analysis.core.errors import AnalysisError
from analysis.core.files import store_dir
from analysis.store.quality import reconciliation_report
from analysis.store.query import partner_reconciliation


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(config: AreaConfig, root: Path) -> list[Path]:
    """Every source file named (directly or by folder) in the area's config."""
    sources = config.sources
    named: list[Path] = [*sources.police_uk, *sources.lsoa_ward_lookups, sources.lad_csp_lookup,
                         *sources.lsoa_boundaries, *sources.ward_boundaries]
    named += [release.path for release in sources.population_releases()]
    named += [p for p in (sources.census_lsoa_population, sources.imd, sources.severity_weights,
                          sources.unit_costs, sources.most_similar_groups) if p]
    named += sources.recorded_crime
    if sources.partner:
        partner = sources.partner
        named += [p for p in (partner.mapping, partner.crimes, partner.asb, partner.indicators)
                  if p]
    files: list[Path] = []
    for path in (config.resolve(p, root) for p in named):
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir()
                     else [path])
    return files


def input_inventory(config: AreaConfig, root: Path) -> pd.DataFrame:
    """Every input file: path (relative where possible), sha256, bytes, rows and months.

    Rows are those read by the last ingest (police.uk files and partner extracts); months are
    the police.uk months a file holds. Both are empty for files that are not row data
    (lookups, boundaries) or when the store has not been built.
    """
    rows: dict[str, int] = {}
    months: dict[str, str] = {}
    folder = store_dir(config, root)
    try:
        police = reconciliation_report(folder)
        rows.update(zip(police["source_file"], police["rows_read"], strict=True))
        months.update(zip(police["source_file"], police["months"], strict=True))
    except AnalysisError:
        pass  # no store yet: the inventory still lists and hashes the files
    partner = partner_reconciliation(folder)
    if partner is not None:
        rows.update(zip(partner["source_file"], partner["rows_read"], strict=True))
    inventory = []
    for path in input_files(config, root):
        key = str(path)
        inventory.append({
            "path": os.path.relpath(path, root),
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
            "rows": int(rows[key]) if key in rows else None,
            "months": months.get(key),
        })
    frame = pd.DataFrame(inventory, columns=["path", "sha256", "bytes", "rows", "months"])
    return frame.astype({"rows": "Int64"})

