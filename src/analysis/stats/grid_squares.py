"""The 250 m grid over an area: events projected to British National Grid and placed in a square
(or set aside with the reason), the area's outline and wards, and counts per square and period.

Pure geometry on frames; the hotspot statistics on these counts are in
:mod:`analysis.stats.hotspots`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from analysis.core.errors import ConfigError, DataCoverageError, InputError
from analysis.core.periods import Period
from analysis.core.vocabulary import BNG, WGS84

CELL_SIZE = 250.0
"""Default grid square side in metres (the partnership's 250 m squares)."""


MIN_AREA_SHARE = 0.01
"""A square is in the area when at least 1 % of it lies inside the boundary."""


NO_COORDINATES = "no coordinates"


IMPOSSIBLE = "zeroed or impossible coordinates"


OUTSIDE = "outside the area boundary"


PLACED = "placed in a grid square"


EXCLUSION_REASONS = (NO_COORDINATES, IMPOSSIBLE, OUTSIDE)


# Great Britain on the National Grid (metres): anything outside is not a real GB location.
_GB_EASTING = (0.0, 700_000.0)


_GB_NORTHING = (0.0, 1_300_000.0)


_TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)


@dataclass(frozen=True)
class AreaGeography:
    """The area's LSOAs, wards and outline in British National Grid metres."""

    lsoas: gpd.GeoDataFrame
    """lsoa_code, lsoa_name, ward_code, ward_name, geometry (one LSOA vintage)."""
    wards: gpd.GeoDataFrame
    """ward_code, ward_name, geometry: the LSOAs dissolved by ward."""
    outline: shapely.Geometry
    """The whole area as one (multi)polygon."""


def area_geography(lsoa_polygons: gpd.GeoDataFrame, lookup: pd.DataFrame,
                   lad_codes: Sequence[str]) -> AreaGeography:
    """The area's LSOA polygons with their wards, the wards and the outline, in BNG.

    ``lsoa_polygons`` come from :func:`analysis.inputs.geography.load_lsoa_polygons` and
    ``lookup`` is the area's LSOA lookup; LSOAs are matched on code and vintage and kept when
    their local authority is one of ``lad_codes``. Wards are the union of their LSOAs, so the
    two always nest. Raises DataCoverageError when no LSOA polygon belongs to the area.
    """
    keys = ["lsoa_code", "lsoa_vintage"]
    places = lookup.loc[lookup["lad_code"].isin(list(lad_codes)),
                        [*keys, "ward_code", "ward_name"]]
    polygons = lsoa_polygons.astype({"lsoa_vintage": "int64"}).merge(
        places.astype({"lsoa_vintage": "int64"}), on=keys, how="inner")
    if polygons.empty:
        raise DataCoverageError("no LSOA boundary belongs to the area",
                                found=list(lad_codes),
                                hint="check lsoa_boundaries and lad_codes in the area config")
    lsoas = gpd.GeoDataFrame(
        polygons[["lsoa_code", "lsoa_name", "ward_code", "ward_name", "geometry"]],
        geometry="geometry", crs=lsoa_polygons.crs,
    ).to_crs(BNG).sort_values("lsoa_code").reset_index(drop=True)
    wards = lsoas.dissolve(by=["ward_code", "ward_name"], as_index=False)[
        ["ward_code", "ward_name", "geometry"]
    ]
    return AreaGeography(lsoas, wards, shapely.union_all(lsoas.geometry.to_numpy()))


def to_bng(longitude: np.ndarray | pd.Series, latitude: np.ndarray | pd.Series
           ) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude (degrees) to British National Grid easting/northing (metres).

    Uses the best transformation pyproj has (OSTN15 when its grid is installed, otherwise the
    EPSG Helmert transformation, accurate to about 2 m: far below a 250 m square).
    """
    east, north = _TO_BNG.transform(np.asarray(longitude, dtype=float),
                                    np.asarray(latitude, dtype=float))
    return np.asarray(east, dtype=float), np.asarray(north, dtype=float)


@dataclass(frozen=True)
class Grid:
    """The grid squares that cover an area, aligned to the BNG origin.

    Square ``(col, row)`` spans ``[col × size, (col + 1) × size)`` eastings and the same for
    northings; a point on a shared edge belongs to the square to its east / north.
    """

    cell_size: float
    outline: shapely.Geometry
    cells: pd.DataFrame
    """One row per square in the area: cell (0..n-1), col, row, easting, northing (the
    square's centre), area_share (fraction inside the area) and cell_id
    (``E<easting>N<northing>`` of its south-west corner)."""

    @property
    def size(self) -> int:
        """Number of squares in the area."""
        return len(self.cells)

    def centres(self) -> np.ndarray:
        """Centres of the squares as an (n, 2) array of metres, in cell order."""
        return self.cells[["easting", "northing"]].to_numpy()


def make_grid(outline: shapely.Geometry, cell_size: float = CELL_SIZE) -> Grid:
    """Every ``cell_size`` square (BNG-aligned) with at least :data:`MIN_AREA_SHARE` of its
    area inside ``outline`` (BNG metres); ``area_share`` records how much is inside.

    Slivers below the minimum are boundary noise (generalised or reprojected outlines), not
    places: an event in one is counted as outside the area.

    Raises ConfigError for a non-positive cell size and InputError for an outline that cannot
    be BNG metres (e.g. still in degrees), which would make a meaningless grid.
    """
    if not cell_size > 0:
        raise ConfigError("the grid square size must be a positive number of metres",
                          found=cell_size)
    west, south, east, north = shapely.bounds(outline)
    if not (_GB_EASTING[0] <= west <= east <= _GB_EASTING[1]
            and _GB_NORTHING[0] <= south <= north <= _GB_NORTHING[1]) or east - west < 1:
        raise InputError("the area outline is not in British National Grid metres",
                         found=(west, south, east, north),
                         expected="eastings 0–700,000 and northings 0–1,300,000 (EPSG:27700)")
    cols = np.arange(np.floor(west / cell_size), np.floor(east / cell_size) + 1)
    rows = np.arange(np.floor(south / cell_size), np.floor(north / cell_size) + 1)
    col, row = (a.ravel() for a in np.meshgrid(cols, rows))
    boxes = shapely.box(col * cell_size, row * cell_size, (col + 1) * cell_size,
                        (row + 1) * cell_size)
    shapely.prepare(outline)
    share = shapely.contains_properly(outline, boxes).astype(float)
    edge = np.flatnonzero((share == 0) & shapely.intersects(outline, boxes))
    share[edge] = _clipped_areas(outline, boxes[edge], col[edge], row[edge],
                                 cell_size) / cell_size**2
    keep = share >= MIN_AREA_SHARE
    col, row = col[keep].astype(np.int64), row[keep].astype(np.int64)
    cells = pd.DataFrame({
        "cell": np.arange(col.size),
        "col": col,
        "row": row,
        "easting": (col + 0.5) * cell_size,
        "northing": (row + 0.5) * cell_size,
        "area_share": share[keep],
        "cell_id": [f"E{c * cell_size:.0f}N{r * cell_size:.0f}" for c, r in zip(col, row,
                                                                                 strict=True)],
    })
    return Grid(float(cell_size), outline, cells)


_TILE_CELLS = 16
"""Edge squares are clipped against the outline cut to tiles of 16 x 16 squares (see below)."""


def _clipped_areas(outline: shapely.Geometry, boxes: np.ndarray, col: np.ndarray,
                   row: np.ndarray, cell_size: float) -> np.ndarray:
    """Area of each box inside ``outline``, intersecting it with the outline's piece in its tile.

    Intersecting every edge square with a whole force outline (tens of thousands of vertices)
    costs the outline's size per square; cutting the outline into tiles first makes each
    square's intersection small (15 s to under 1 s for Essex). Same areas, to rounding.
    """
    tiles = np.stack([col // _TILE_CELLS, row // _TILE_CELLS], axis=1)
    keys, which = np.unique(tiles, axis=0, return_inverse=True)
    side = _TILE_CELLS * cell_size
    pieces = shapely.intersection(outline, shapely.box(keys[:, 0] * side, keys[:, 1] * side,
                                                       (keys[:, 0] + 1) * side,
                                                       (keys[:, 1] + 1) * side))
    return shapely.area(shapely.intersection(pieces[which.ravel()], boxes))


def assign_cells(events: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """A copy of ``events`` with ``easting``, ``northing``, ``cell`` and ``excluded`` added.

    ``cell`` is the grid square (Int64, missing when not placed); ``excluded`` says why a row
    was not placed: :data:`NO_COORDINATES` (a blank longitude or latitude),
    :data:`IMPOSSIBLE` (zeroed "Null Island" coordinates, degrees out of range or a point
    outside Great Britain) or :data:`OUTSIDE` (not within the area outline; a point on the
    outline counts as inside). Vectorised: one pass over the rows, no Python loop.
    """
    for column in ("longitude", "latitude"):
        if column not in events.columns:
            raise InputError("the events have no coordinate column", column=column,
                             found=list(events.columns))
    lon = pd.to_numeric(events["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(events["latitude"], errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(lon) | np.isnan(lat)
    impossible = ~missing & (((lon == 0) & (lat == 0)) | (np.abs(lon) > 180)
                             | (np.abs(lat) > 90))
    east = np.full(lon.size, np.nan)
    north = np.full(lon.size, np.nan)
    usable = ~missing & ~impossible
    east[usable], north[usable] = to_bng(lon[usable], lat[usable])
    in_gb = ((east >= _GB_EASTING[0]) & (east <= _GB_EASTING[1])
             & (north >= _GB_NORTHING[0]) & (north <= _GB_NORTHING[1]))
    impossible |= usable & ~in_gb
    usable &= in_gb
    shapely.prepare(grid.outline)
    inside = np.zeros(lon.size, dtype=bool)
    inside[usable] = shapely.intersects_xy(grid.outline, east[usable], north[usable])
    cell = _cell_index(grid, east, north, inside)
    reason = np.select([missing, impossible, cell < 0], [NO_COORDINATES, IMPOSSIBLE, OUTSIDE],
                       default="")
    out = events.copy()
    out["easting"], out["northing"] = east, north
    out["cell"] = pd.Series(cell, index=events.index, dtype="Int64").mask(cell < 0)
    out["excluded"] = pd.Series(reason, index=events.index, dtype="string").replace("", pd.NA)
    return out


def bng_cell(easting: np.ndarray, northing: np.ndarray, cell_size: float = CELL_SIZE
             ) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of the BNG-aligned square holding each point.

    Squares are closed on their west and south edges and open on the east and north, so a
    point on a shared edge belongs to the square east / north of it.
    """
    col = np.floor(np.asarray(easting, dtype=float) / cell_size).astype(np.int64)
    row = np.floor(np.asarray(northing, dtype=float) / cell_size).astype(np.int64)
    return col, row


def _cell_index(grid: Grid, east: np.ndarray, north: np.ndarray, inside: np.ndarray
                ) -> np.ndarray:
    """Index of each point's square in ``grid.cells`` (-1 where not ``inside``)."""
    col, row = bng_cell(np.where(inside, east, 0), np.where(inside, north, 0), grid.cell_size)
    col0, row0 = grid.cells["col"].min(), grid.cells["row"].min()
    width = grid.cells["col"].max() - col0 + 1
    height = grid.cells["row"].max() - row0 + 1
    lookup = np.full((height, width), -1, dtype=np.int64)
    lookup[grid.cells["row"] - row0, grid.cells["col"] - col0] = grid.cells["cell"]
    in_box = inside & (col >= col0) & (col < col0 + width) & (row >= row0) & (row < row0 + height)
    result = np.full(east.size, -1, dtype=np.int64)
    result[in_box] = lookup[row[in_box] - row0, col[in_box] - col0]
    return result


def exclusion_summary(assigned: pd.DataFrame) -> pd.DataFrame:
    """Rows placed and not placed, by reason: ``outcome, rows, share`` (share of all rows).

    Every reason is listed, with 0 where it did not occur, so a table shows that the check ran.
    """
    outcome = assigned["excluded"].fillna(PLACED)
    order = [PLACED, *EXCLUSION_REASONS]
    rows = outcome.value_counts().reindex(order, fill_value=0).astype("int64")
    total = int(rows.sum())
    return pd.DataFrame({"outcome": order, "rows": rows.to_numpy(),
                         "share": rows.to_numpy() / total if total else np.nan})


def period_cell_counts(assigned: pd.DataFrame, grid: Grid, periods: Sequence[Period]
                       ) -> np.ndarray:
    """Events per square in each period: an array of shape ``(len(periods), grid.size)``.

    Squares with no events are 0; rows not placed in a square are not counted.
    """
    placed = assigned[assigned["cell"].notna()]
    cells = placed["cell"].to_numpy(dtype=np.int64)
    months = placed["month"]
    counts = np.zeros((len(periods), grid.size), dtype=np.int64)
    for index, period in enumerate(periods):
        in_period = months.isin(period.months).to_numpy()
        counts[index] = np.bincount(cells[in_period], minlength=grid.size)
    return counts

