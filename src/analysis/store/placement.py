"""Placing partner rows in the geography: each row gets its ward, local authority, CSP and
police force area from its LSOA or ward code, or from its coordinates (point in polygon).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pyproj import Transformer

from analysis.core.vocabulary import BNG, WGS84
from analysis.inputs.geography import place_points

PARTNER_PLACE_COLUMNS = ("ward_code", "lad_code", "csp_code", "pfa_code")


def _lookup_by_code(lookup: pd.DataFrame) -> pd.DataFrame:
    """One row per LSOA code, the newest vintage winning (codes kept across vintages agree)."""
    newest_first = lookup.sort_values("lsoa_vintage", ascending=False, kind="stable")
    return newest_first.drop_duplicates("lsoa_code").set_index("lsoa_code")


def _lsoa_from_coordinates(rows: pd.DataFrame, lsoa_boundaries: Sequence[Path]) -> pd.Series:
    """LSOA codes for rows with coordinates (lon/lat, else BNG easting/northing) by
    point-in-polygon; missing where a row has no coordinates or lies in no boundary."""
    frame = pd.DataFrame(index=rows.index)
    if {"longitude", "latitude"} <= set(rows.columns):
        frame["lon"], frame["lat"] = rows["longitude"], rows["latitude"]
    else:
        frame["lon"] = frame["lat"] = pd.Series(float("nan"), index=rows.index)
    if {"easting", "northing"} <= set(rows.columns):
        from_bng = Transformer.from_crs(BNG, WGS84, always_xy=True)
        use = frame["lon"].isna() & rows["easting"].notna() & rows["northing"].notna()
        lon, lat = from_bng.transform(rows.loc[use, "easting"].astype(float).to_numpy(),
                                      rows.loc[use, "northing"].astype(float).to_numpy())
        frame.loc[use, "lon"], frame.loc[use, "lat"] = lon, lat
    return place_points(frame, "lon", "lat", lsoa_boundaries)


def place_partner_rows(rows: pd.DataFrame, lookup: pd.DataFrame | None, *,
                       lsoa_boundaries: Sequence[Path] = ()) -> pd.DataFrame:
    """Add ward, local authority, CSP and force to partner rows from their LSOA or ward.

    Partner extracts carry an LSOA code, a ward code or coordinates; rows with coordinates
    only are placed in an LSOA by point-in-polygon when boundaries are given. Rows placed by
    none of these keep null geography and stay loaded: they count in force-wide figures and
    are reported as unplaced, never dropped.
    """
    placed = rows.copy()
    for column in ("lsoa_code", *PARTNER_PLACE_COLUMNS):
        if column not in placed.columns:
            placed[column] = pd.Series(pd.NA, index=placed.index, dtype="string")
    unplaced = placed["lsoa_code"].isna() & placed["ward_code"].isna()
    if lsoa_boundaries and unplaced.any():
        placed.loc[unplaced, "lsoa_code"] = _lsoa_from_coordinates(placed[unplaced],
                                                                   lsoa_boundaries)
    if lookup is None or placed.empty:
        return placed
    by_lsoa = _lookup_by_code(lookup)
    if "lsoa_code" in placed.columns:
        codes = placed["lsoa_code"]
        for column in PARTNER_PLACE_COLUMNS:
            placed[column] = placed[column].fillna(codes.map(by_lsoa[column]))
    wards = lookup.drop_duplicates("ward_code").set_index("ward_code")
    for column in ("lad_code", "csp_code", "pfa_code"):
        placed[column] = placed[column].fillna(placed["ward_code"].map(wards[column]))
    return placed

