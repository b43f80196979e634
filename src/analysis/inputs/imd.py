"""English Indices of Deprivation 2019: the IMD rank and decile of each LSOA (2011).

The place profiles set crime beside deprivation, so each LSOA needs its national IMD decile.
The ONS "Index of Multiple Deprivation (December 2019) Lookup in England" gives only the rank
(``LSOA11CD,LSOA11NM,LAD19CD,LAD19NM,IMD19,FID``; 1 = most deprived of 32,844 LSOAs); the
decile is derived from it exactly as MHCLG publishes it: ten groups of equal size by rank.
IMD 2019 is on 2011 LSOAs: a 2021 LSOA created by a split has no IMD 2019 value of its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

ENGLAND_LSOAS_2011 = 32_844
"""LSOAs ranked in IMD 2019 (England, 2011 LSOAs): rank 1 .. 32,844."""

IMD_COLUMNS = ["lsoa_code", "lsoa_name", "lad_code", "imd_rank", "imd_decile"]
"""Columns of :func:`load_imd2019`, in order."""

_SOURCE_COLUMNS = {"LSOA11CD": "lsoa_code", "LSOA11NM": "lsoa_name", "LAD19CD": "lad_code",
                   "IMD19": "imd_rank"}


def imd_decile(rank: np.ndarray | pd.Series | int, n_areas: int = ENGLAND_LSOAS_2011) -> np.ndarray:
    """National decile (1 = most deprived 10 %) of IMD ranks: ``ceil(rank × 10 / n_areas)``.

    This reproduces the published IMD 2019 deciles (ranks 1–3,284 are decile 1, 3,285–6,568
    decile 2, …); integer arithmetic, so no rank lands in the wrong decile by rounding.
    """
    ranks = np.asarray(rank, dtype=np.int64)
    return (ranks * 10 + n_areas - 1) // n_areas


def load_imd2019(path: Path) -> pd.DataFrame:
    """Read the ONS IMD 2019 lookup (``.csv`` or ``.csv.gz``): one row per LSOA 2011.

    Returns :data:`IMD_COLUMNS`. Raises :class:`InputError` naming the file, line and value
    for a missing column, a rank that is not a whole number from 1 to 32,844, or an LSOA
    listed twice.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("IMD file not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise InputError(f"cannot read the IMD file ({exc})", file=path) from None
    raw.columns = [str(column).strip() for column in raw.columns]
    missing = [column for column in _SOURCE_COLUMNS if column not in raw.columns]
    if missing:
        raise InputError("the IMD file is missing columns", file=path, line=1,
                         column=missing[0], found=list(raw.columns),
                         expected=", ".join(_SOURCE_COLUMNS))
    table = raw[list(_SOURCE_COLUMNS)].rename(columns=_SOURCE_COLUMNS)
    table = table.apply(lambda column: column.str.strip())
    ranks = pd.to_numeric(table["imd_rank"], errors="coerce")
    bad = ranks.isna() | (ranks % 1 != 0) | (ranks < 1) | (ranks > ENGLAND_LSOAS_2011)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError("an IMD rank is not a whole number in range", file=path,
                         line=row + 2, column="IMD19", found=raw["IMD19"].iloc[row],
                         expected=f"a rank from 1 (most deprived) to {ENGLAND_LSOAS_2011:,}")
    repeated = table["lsoa_code"].duplicated()
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0])
        raise InputError("an LSOA appears more than once", file=path, line=row + 2,
                         column="LSOA11CD", found=table["lsoa_code"].iloc[row],
                         expected="one row per LSOA")
    table["imd_rank"] = ranks.astype("int64")
    table["imd_decile"] = imd_decile(table["imd_rank"].to_numpy())
    return table.astype({"lsoa_code": "string", "lsoa_name": "string", "lad_code": "string"})[
        IMD_COLUMNS
    ]
