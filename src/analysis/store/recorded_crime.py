"""The published Home Office recorded crime tables in the store: ingest and read.

``ingest_recorded_crime`` reads the configured PRC tables (:mod:`analysis.inputs.recorded_crime`:
checked, labels made current, each quarter from the newest vintage holding it) and writes
``<store_dir>/recorded_crime/quarters.parquet``, one row per year, quarter, partnership and
offence as published. With no table configured the folder is removed, so the store holds
exactly what the inputs hold and a page never shows a table that is no longer configured.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.core.errors import storage_error
from analysis.inputs.recorded_crime import read_recorded_crime_tables

logger = logging.getLogger(__name__)

RECORDED_CRIME_DIR = "recorded_crime"
QUARTERS_FILE = "quarters.parquet"


def ingest_recorded_crime(paths: Sequence[Path], store_dir: Path) -> int:
    """Load the PRC tables in ``paths`` (oldest vintage first) into the store; return the
    number of rows written (0, and no folder, when none is configured)."""
    folder = Path(store_dir) / RECORDED_CRIME_DIR
    if not paths:
        shutil.rmtree(folder, ignore_errors=True)
        return 0
    quarters = read_recorded_crime_tables(paths)
    target = folder / QUARTERS_FILE
    partial = folder / f".{QUARTERS_FILE}-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        quarters.to_parquet(partial, index=False)
        os.replace(partial, target)
    except OSError as error:
        raise storage_error(error, "writing the recorded crime table", target,
                            kept="the previous table is kept") from error
    finally:
        partial.unlink(missing_ok=True)
    logger.info("recorded crime: %d rows from %d table(s)", len(quarters), len(paths))
    return len(quarters)


def recorded_crime_quarters(store_dir: Path) -> pd.DataFrame | None:
    """The loaded PRC quarters, or None when the area configures no published table."""
    path = Path(store_dir) / RECORDED_CRIME_DIR / QUARTERS_FILE
    return pd.read_parquet(path) if path.exists() else None
