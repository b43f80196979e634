"""Confidentiality guard: no data file may be committed to the project's repository.

Crime records, partner extracts and even published counts belong in ``data/`` (ignored by git)
or outside the project. Only the versioned reference tables shipped with the package and small
hand-made test fixtures may be tracked. ``make test`` runs this check on the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from analysis.core.errors import ConfigError

DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".gz", ".zip", ".rda", ".rds", ".xlsx", ".xls",
                 ".json", ".geojson", ".shp", ".duckdb", ".db", ".sqlite", ".sav", ".dta")
ALLOWED_FOLDERS = ("src/analysis/reference/", "src/analysis/templates/")
FIXTURE_FOLDER = "tests/"
FIXTURE_LIMIT_BYTES = 200_000


def tracked_files(repository: Path) -> list[str]:
    """Paths git tracks in ``repository`` (relative, '/'-separated)."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=repository, check=True,
                                 capture_output=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError("cannot list the files git tracks", file=repository,
                          hint="run inside a git checkout of the project") from exc
    return [name for name in listing.decode().split("\0") if name]


def tracked_data_files(repository: Path) -> list[str]:
    """Tracked files that look like data and are neither reference tables nor small fixtures."""
    offenders = []
    for name in tracked_files(repository):
        if not name.lower().endswith(DATA_SUFFIXES) or name.startswith(ALLOWED_FOLDERS):
            continue
        path = repository / name
        small_fixture = (name.startswith(FIXTURE_FOLDER) and path.is_file()
                         and path.stat().st_size <= FIXTURE_LIMIT_BYTES)
        if not small_fixture:
            offenders.append(name)
    return offenders
