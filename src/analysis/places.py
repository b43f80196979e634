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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from IPython.display import Markdown
from pyproj import Transformer
from scipy import ndimage, sparse, stats
from scipy.spatial import cKDTree

from analysis import store
from analysis.concentration import TOP_FRACTIONS, gini, share_in_top
from analysis.config import AreaConfig
from analysis.errors import ConfigError, DataCoverageError, InputError
from analysis.measures import (
    NOT_ASSESSED,
    percent_change,
    poisson_change_test,
    rate_per_1000,
    significance_label,
)
from analysis.narrative import in_words
from analysis.offences import load_police_uk_crime_types
from analysis.periods import DEFAULT_COMPARISON, Period, comparison_period
from analysis.pipeline import area_lookup, population_estimates
from analysis.presentable import Chart, Table
from analysis.report import police_uk_source
from analysis.safe_text import markdown_from
from analysis.sources.geography import load_lsoa_polygons, lsoa_names, lsoa_names_note
from analysis.sources.imd import load_imd2019
from analysis.sources.population import load_census21_lsoa

if TYPE_CHECKING:
    from analysis.report import Section

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
CELL_SIZE = 250.0
"""Default grid square side in metres (the partnership's 250 m squares)."""

NEIGHBOUR_CELLS = 2.0
"""Default Gi* neighbour distance in cell sides: squares whose centres are within 2 cells."""

FDR_ALPHA = 0.05
"""False discovery rate controlled by the Benjamini–Hochberg procedure."""

MIN_AREA_SHARE = 0.01
"""A square is in the area when at least 1 % of it lies inside the boundary."""

WINDOW_MONTHS = 3
"""Preferred length of each Gi* window in the trend (quarters); see :func:`window_length`."""

MIN_EARLIER_WINDOWS = 4
"""Complete windows before the period that hotspot classes need (a year of quarters)."""

MIN_RECENT_WINDOWS = 2
"""Complete windows inside the period that hotspot classes need."""

NO_COORDINATES = "no coordinates"
IMPOSSIBLE = "zeroed or impossible coordinates"
OUTSIDE = "outside the area boundary"
PLACED = "placed in a grid square"
EXCLUSION_REASONS = (NO_COORDINATES, IMPOSSIBLE, OUTSIDE)

# Great Britain on the National Grid (metres): anything outside is not a real GB location.
_GB_EASTING = (0.0, 700_000.0)
_GB_NORTHING = (0.0, 1_300_000.0)
_TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)

INTENSIFYING = "intensifying"
DIMINISHING = "diminishing"
PERSISTENT = "persistent"
EMERGING = "emerging"
FORMER = "former"
INTERMITTENT = "intermittent"
NOT_HOTSPOT = "not a hotspot"
HOT_NOW_ONLY = "hotspot this period"
"""A square significant this period, when too few complete quarters exist to classify trends."""
HOTSPOT_CLASSES = (INTENSIFYING, DIMINISHING, PERSISTENT, EMERGING, FORMER, INTERMITTENT)
"""Classes of a cell that was a significant hotspot in at least one window, in rule order."""

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

EVENT_COLUMNS = ("month", "crime_type", "is_asb", "lsoa_code", "lsoa_vintage", "ward_code",
                 "longitude", "latitude")
"""Columns :func:`load_events` returns."""


# --------------------------------------------------------------------------------------------
# Events and the area
# --------------------------------------------------------------------------------------------


def months_to_load(period: Period, comparison: str = DEFAULT_COMPARISON, *,
                   years: int = 3) -> list[date]:
    """Every month a place analysis of ``period`` reads, oldest first: its trend window
    (:meth:`analysis.periods.Period.trend_window`) and the comparison period of each trend
    year under ``comparison``, so every change it shows has both periods loaded. (A month not
    loaded would count as a month with no records.)"""
    trend = period.trend_window(years)
    wanted = [*trend, *(comparison_period(year, comparison) for year in trend)]
    return sorted({month for part in wanted for month in part.months})


def load_events(store_dir: Path, csp_code: str, months: Iterable[date]) -> pd.DataFrame:
    """The area's police.uk rows (crime and ASB) in ``months``: :data:`EVENT_COLUMNS`.

    Rows are the area's by their LSOA (``csp_code``); ``month`` comes back as ``date``.
    """
    wanted = sorted(set(months))
    columns = ", ".join(EVENT_COLUMNS)
    with store.connect(store_dir) as con:
        frame = con.execute(
            f"SELECT {columns} FROM street WHERE csp_code = $csp AND month IN "
            "(SELECT unnest($months)) ORDER BY source_file, source_line",
            {"csp": csp_code, "months": wanted},
        ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


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


ALL_CRIME = "All crime"
ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"


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

    ``lsoa_polygons`` come from :func:`analysis.sources.geography.load_lsoa_polygons` and
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


# --------------------------------------------------------------------------------------------
# The grid and assigning events to it
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Getis–Ord Gi*, false discovery rate, kernel density
# --------------------------------------------------------------------------------------------


def distance_band_weights(points: np.ndarray, distance: float) -> sparse.csr_matrix:
    """Binary spatial weights: 1 where two different points are at most ``distance`` apart.

    The diagonal is 0 (Gi* adds the self-weight itself). A tiny tolerance keeps grid
    neighbours at exactly ``distance`` in, despite floating point.
    """
    if not distance > 0:
        raise ConfigError("the neighbour distance must be positive", found=distance)
    tree = cKDTree(np.asarray(points, dtype=float))
    pairs = tree.query_pairs(distance * (1 + 1e-9), output_type="ndarray")
    n = len(points)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))


def getis_ord_z(values: np.ndarray, weights: sparse.spmatrix, *, star: bool = True
                ) -> np.ndarray:
    """Analytic z-scores of the local Getis–Ord statistic with binary weights.

    ``star=True`` is Gi*: each place counts in its own neighbourhood (self-weight 1) and the
    mean and variance are over all n places. ``star=False`` is Gi: the place itself is left
    out of both. The z-score is (Σ w_ij x_j − x̄ W_i) / (s √((m S1_i − W_i²)/(m − 1))) with
    m = n (Gi*) or n − 1 (Gi), W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (Ord & Getis 1995); this
    matches esda's ``G_Local(transform='B')``. NaN where the values do not vary.
    """
    y = np.asarray(values, dtype=float)
    n = y.size
    w = sparse.csr_matrix(weights, dtype=float)
    if star:
        w = w + sparse.identity(n, format="csr")
        m = n
        mean = np.full(n, y.mean())
        mean_square = np.full(n, (y**2).mean())
    else:
        m = n - 1
        mean = (y.sum() - y) / m
        mean_square = ((y**2).sum() - y**2) / m
    spread = np.sqrt(np.maximum(mean_square - mean**2, 0.0))
    weight_sum = np.asarray(w.sum(axis=1)).ravel()
    weight_squares = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    numerator = w @ y - mean * weight_sum
    denominator = spread * np.sqrt((m * weight_squares - weight_sum**2) / (m - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / denominator
    return np.where(denominator > 0, z, np.nan)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); a place is significant if q ≤ α.

    q_(k) = min over j ≥ k of p_(j) × m / j for the sorted p-values, capped at 1. Missing
    p-values stay missing and do not count in m.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.size, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    if known.size == 0:
        return q
    order = known[np.argsort(p[known], kind="stable")]
    m = order.size
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


@dataclass(frozen=True)
class HotspotTest:
    """Gi* results for one set of counts: arrays in grid cell order."""

    z: np.ndarray
    p: np.ndarray
    """Two-sided p-value from the normal approximation."""
    q: np.ndarray
    """Benjamini–Hochberg adjusted p-value over all squares."""
    hot: np.ndarray
    """Significant hotspot with events of its own: z > 0, q ≤ alpha and a count above 0."""


def gi_star_hotspots(counts: np.ndarray, weights: sparse.spmatrix, alpha: float = FDR_ALPHA
                     ) -> HotspotTest:
    """Gi* on ``counts`` (one per square) with FDR control at ``alpha``.

    Only hot spots are flagged: with many empty squares a "cold spot" means a field or a
    river, not a safe street. A square must also have events of its own: Gi* pools each
    square with its neighbours, so an empty square beside a busy street scores high too,
    and it is not a place anyone can patrol.
    """
    z = getis_ord_z(counts, weights, star=True)
    p = 2 * stats.norm.sf(np.abs(z))
    q = benjamini_hochberg(p)
    return HotspotTest(z=z, p=p, q=q, hot=(z > 0) & (q <= alpha) & (np.asarray(counts) > 0))


def grid_weights(grid: Grid, neighbour_cells: float = NEIGHBOUR_CELLS) -> sparse.csr_matrix:
    """Binary weights between squares whose centres are within ``neighbour_cells`` sides."""
    return distance_band_weights(grid.centres(), neighbour_cells * grid.cell_size)


def density_surface(counts: np.ndarray, grid: Grid, bandwidth: float) -> pd.DataFrame:
    """Gaussian kernel density of ``counts`` on the grid, in events per km² per square.

    ``bandwidth`` is the kernel's standard deviation in metres; it must be at least one
    square, or the surface is just the counts again. Computed on the rectangle around the
    area (squares outside it count 0) and returned for the area's squares: ``cell, density``.
    """
    if bandwidth < grid.cell_size:
        raise ConfigError("the density bandwidth is smaller than a grid square",
                          found=bandwidth, expected=f"at least {grid.cell_size:.0f} m")
    cols = grid.cells["col"].to_numpy() - grid.cells["col"].min()
    rows = grid.cells["row"].to_numpy() - grid.cells["row"].min()
    raster = np.zeros((rows.max() + 1, cols.max() + 1))
    raster[rows, cols] = counts
    smooth = ndimage.gaussian_filter(raster, sigma=bandwidth / grid.cell_size, mode="constant")
    per_km2 = 1e6 / grid.cell_size**2
    return pd.DataFrame({"cell": grid.cells["cell"], "density": smooth[rows, cols] * per_km2})


# --------------------------------------------------------------------------------------------
# Change over time
# --------------------------------------------------------------------------------------------


def window_length(period: Period, preferred: int = WINDOW_MONTHS) -> int:
    """Months in each hotspot window for ``period``: the longest length of at most
    ``preferred`` months that divides the period, so every window lies inside one year.

    A financial or calendar year keeps quarters; 2, 4, 8 or 10 months give two-month
    windows; a length with no such divisor (1, 5, 7, 11 months ...) gives monthly windows.
    Raises ConfigError for a preferred length under one month.
    """
    if preferred < 1:
        raise ConfigError("a hotspot window needs at least one month", found=preferred)
    return next(n for n in range(min(preferred, len(period)), 0, -1) if len(period) % n == 0)


def window_name(months: int) -> str:
    """How a window of ``months`` is named on the page: "quarterly", "two-month", "monthly"."""
    return {1: "monthly", 2: "two-month", 3: "quarterly"}.get(months, f"{months}-month")


def trend_windows(period: Period, years: int = 3, window_months: int | None = None
                  ) -> list[Period]:
    """The trend window split into consecutive windows, oldest first.

    ``window_months`` defaults to :func:`window_length` of the period, so any period splits
    into whole windows: a financial year with 3 years gives the 12 quarters ending with the
    period; Jan to Nov gives 33 months. A period longer than 12 months is its own trend
    (:meth:`analysis.periods.Period.trend_window`), so all its windows are recent ones.
    Raises ConfigError when ``window_months`` does not divide the period.
    """
    length = window_length(period) if window_months is None else window_months
    if length < 1 or len(period) % length:
        raise ConfigError("the period is not a whole number of hotspot windows",
                          found=f"{len(period)} months in windows of {length}")
    windows = []
    for year in period.trend_window(years):
        for start in range(0, len(year), length):
            months = year.months[start:start + length]
            windows.append(Period.custom(months[0], months[-1]))
    return windows


@dataclass(frozen=True)
class HotspotRules:
    """Thresholds for classing a square from its hotspot windows (first rule that fits wins).

    ``earlier`` = windows before the assessment period, ``recent`` = windows inside it,
    ``all`` = both; shares are of windows with complete data. "Change" is the exact Poisson
    test of this period's count against the previous period's.

    1. intensifying: hot in ≥ ``recent_share`` of recent windows, in ≥ ``quiet_share`` of
       earlier ones, and a significant increase;
    2. diminishing: hot in ≥ ``former_share`` of earlier windows, in some recent one, and a
       significant decrease;
    3. persistent: hot in ≥ ``persistent_share`` of all windows;
    4. emerging: hot in < ``quiet_share`` of earlier windows, ≥ ``recent_share`` of recent
       ones, and a significant increase (newly hot *and* up on last year beyond chance);
    5. former: hot in ≥ ``former_share`` of earlier windows and in no recent one;
    6. intermittent: hot in at least one window, none of the above;
    otherwise not a hotspot.

    ``quiet_share`` is a quarter rather than sfhotspot's 10 %: with eight earlier quarters
    one chance hot quarter must not stop a newly busy place being called emerging.
    """

    persistent_share: float = 0.8
    recent_share: float = 0.5
    quiet_share: float = 0.25
    former_share: float = 0.5


def classify_hotspots(hot: np.ndarray, recent: np.ndarray, change: Sequence[str],
                      rules: HotspotRules = HotspotRules()) -> np.ndarray:
    """Class of each square (see :class:`HotspotRules`).

    ``hot`` is a (windows, squares) boolean array of significant hotspots, ``recent`` marks
    the windows inside the assessment period and ``change`` is each square's
    :func:`analysis.measures.significance_label`. Needs at least one earlier and one recent
    window.
    """
    hot = np.asarray(hot, dtype=bool)
    recent = np.asarray(recent, dtype=bool)
    if hot.ndim != 2 or hot.shape[0] != recent.size or not recent.any() or recent.all():
        raise DataCoverageError("hotspot classes need complete earlier and recent windows",
                                found=f"{int(recent.sum())} recent of {recent.size} windows")
    earlier_share = hot[~recent].mean(axis=0)
    recent_share = hot[recent].mean(axis=0)
    all_share = hot.mean(axis=0)
    change = np.asarray(change, dtype=object)
    up, down = change == "significant increase", change == "significant decrease"
    conditions = [
        (recent_share >= rules.recent_share) & (earlier_share >= rules.quiet_share) & up,
        (earlier_share >= rules.former_share) & (recent_share > 0) & down,
        all_share >= rules.persistent_share,
        (earlier_share < rules.quiet_share) & (recent_share >= rules.recent_share) & up,
        (earlier_share >= rules.former_share) & (recent_share == 0),
        all_share > 0,
    ]
    return np.select(conditions, list(HOTSPOT_CLASSES), default=NOT_HOTSPOT)


def hotspot_trend(assigned: pd.DataFrame, grid: Grid, period: Period,
                  available_months: Iterable[date], *, years: int = 3,
                  window_months: int | None = None,
                  neighbour_cells: float = NEIGHBOUR_CELLS, alpha: float = FDR_ALPHA,
                  rules: HotspotRules = HotspotRules(),
                  comparison: str = DEFAULT_COMPARISON) -> pd.DataFrame:
    """Per square: counts this period and last, change, Gi* now, windows hot and its class.

    "Last" is :func:`analysis.periods.comparison_period` under ``comparison`` (the area
    config's rule).

    Windows (:func:`trend_windows`, quarters unless the period's length needs shorter ones)
    with a missing month are left out (a gap is not a quiet window); their number is in
    ``attrs["windows_skipped"]``. Classes are given only with at least
    :data:`MIN_EARLIER_WINDOWS` complete windows before the period and
    :data:`MIN_RECENT_WINDOWS` within it; otherwise every square significant this period is
    :data:`HOT_NOW_ONLY`. ``attrs["classification_note"]`` says, for the page, how many
    windows the classes rest on or why there are none; ``attrs["classes_given"]`` says which.
    Columns: cell, cell_id, easting, northing, current, previous, diff, pct_diff, p_value,
    change, z, q, hot_now, windows_hot, windows_used, hotspot_class. ``attrs`` also holds
    window_months, neighbour_distance_m and alpha.
    """
    available = set(available_months)
    length = window_length(period) if window_months is None else window_months
    windows = trend_windows(period, years, length)
    complete = [w for w in windows if w.coverage(available).complete]
    recent = np.array([period.contains(w.start) for w in complete], dtype=bool)
    weights = grid_weights(grid, neighbour_cells)
    hot = np.array([gi_star_hotspots(c, weights, alpha).hot
                    for c in period_cell_counts(assigned, grid, complete)]).reshape(
        len(complete), grid.size)
    compared_with = comparison_period(period, comparison)
    current, previous = period_cell_counts(assigned, grid, [period, compared_with])
    now = gi_star_hotspots(current, weights, alpha)
    table = grid.cells[["cell", "cell_id", "easting", "northing"]].copy()
    table["current"] = _known_counts(current, period, available)
    table["previous"] = _known_counts(previous, compared_with, available)
    assessed = _both_complete(period, compared_with, available)
    table = pd.concat([table, _change_columns(current, previous, assessed=assessed)], axis=1)
    table["z"], table["q"], table["hot_now"] = now.z, now.q, now.hot
    table["windows_hot"] = hot.sum(axis=0)
    table["windows_used"] = len(complete)
    windows_recent = np.array([period.contains(w.start) for w in windows], dtype=bool)
    earlier = (int((~recent).sum()), int((~windows_recent).sum()))
    within = (int(recent.sum()), int(windows_recent.sum()))
    classes_given = earlier[0] >= MIN_EARLIER_WINDOWS and within[0] >= MIN_RECENT_WINDOWS
    if classes_given:
        table["hotspot_class"] = classify_hotspots(hot, recent, table["change"], rules)
    else:
        table["hotspot_class"] = np.where(now.hot, HOT_NOW_ONLY, NOT_HOTSPOT)
    note = window_note(period, length, earlier, within, classes_given)
    table.attrs.update(windows_skipped=len(windows) - len(complete), classification_note=note,
                       classes_given=classes_given, window_months=length,
                       neighbour_distance_m=neighbour_cells * grid.cell_size, alpha=alpha)
    return table


def window_note(period: Period, window_months: int, earlier: tuple[int, int],
                within: tuple[int, int], classes_given: bool) -> str:
    """The sentence a page prints about the hotspot windows behind the classes.

    ``earlier`` and ``within`` are (complete, all) windows before and inside ``period``. With
    classes it says how many windows they rest on; without, which minimum was not met.
    """
    name = window_name(window_months)
    counts = (f"{earlier[0]} of {earlier[1]} {name} windows before {period.label} and "
              f"{within[0]} of {within[1]} within it")
    gaps = earlier[1] + within[1] - earlier[0] - within[0]
    if classes_given:
        text = (f"Hotspot classes rest on {earlier[0] + within[0]} of {earlier[1] + within[1]} "
                f"{name} windows with complete data ({counts}).")
        if gaps:
            text += (f" {gaps} window(s) with a missing month were left out: a gap is not a "
                     "quiet window.")
        return text
    text = (f"No hotspot classes (persistent, emerging, former ...) for {period.label}: they "
            f"need at least {MIN_EARLIER_WINDOWS} complete {name} windows before the period "
            f"and {MIN_RECENT_WINDOWS} within it, and {counts} have complete data.")
    if earlier[1] == 0:
        text += (" A period longer than 12 months is its own trend window, so no earlier "
                 "windows are compared with it.")
    return text + " Only the squares that are hotspots in this period alone are marked."


def hotspot_class_summary(trend: pd.DataFrame) -> pd.DataFrame:
    """Squares and their events per hotspot class; an unknown period total stays missing."""
    classes = trend[trend["hotspot_class"] != NOT_HOTSPOT]
    order = [c for c in (*HOTSPOT_CLASSES, HOT_NOW_ONLY) if c in set(classes["hotspot_class"])]
    return (classes.groupby("hotspot_class")
            .agg(squares=("cell", "size"),
                 current=("current", lambda s: s.sum(min_count=1)),
                 previous=("previous", lambda s: s.sum(min_count=1)))
            .reindex(order).astype("Int64").reset_index())


def _both_complete(current: Period, previous: Period, available: set[date] | None) -> bool:
    """True when both periods have every month (or coverage is not known)."""
    return available is None or (current.coverage(available).complete
                                 and previous.coverage(available).complete)


def _known_counts(counts: np.ndarray, period: Period, available: set[date] | None) -> pd.Series:
    """A period's counts, or missing when none of its months is published (unknown, not 0)."""
    if available is not None and not set(period.months) & available:
        return pd.Series(pd.NA, index=range(len(counts)), dtype="Int64")
    return pd.Series(counts, dtype="Int64")


def _change_columns(current: np.ndarray, previous: np.ndarray, *,
                    assessed: bool = True) -> pd.DataFrame:
    """diff, pct_diff, p_value and change (significance label) for paired counts.

    When either period is incomplete (``assessed=False``) nothing is compared: the counts
    cover different spans, so every change is "not assessed".
    """
    if not assessed:
        blank = np.full(len(current), np.nan)
        return pd.DataFrame({"diff": blank, "pct_diff": blank, "p_value": blank,
                             "change": NOT_ASSESSED})
    p_values = [poisson_change_test(int(c), int(p)) if c or p else 1.0
                for c, p in zip(current, previous, strict=True)]
    diff = np.asarray(current) - np.asarray(previous)
    return pd.DataFrame({
        "diff": diff,
        "pct_diff": [percent_change(int(c), int(p)) if p else np.nan
                     for c, p in zip(current, previous, strict=True)],
        "p_value": p_values,
        "change": [significance_label(p, d) for p, d in zip(p_values, diff, strict=True)],
    })


def top_cells(trend: pd.DataFrame, assigned: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` squares with most events this period, with the LSOA and ward most of their
    events are recorded in (ties to the lowest code), ranked 1..n."""
    busiest = trend[trend["current"] > 0].sort_values(
        ["current", "cell_id"], ascending=[False, True]).head(n)
    placed = assigned[assigned["cell"].isin(busiest["cell"])]
    labels = {}
    for column in ("lsoa_code", "ward_code"):
        counts = placed.groupby(["cell", column]).size().rename("n").reset_index()
        counts = counts.sort_values(["cell", "n", column], ascending=[True, False, True])
        labels[column] = counts.drop_duplicates("cell").set_index("cell")[column]
    table = busiest.assign(lsoa_code=busiest["cell"].map(labels["lsoa_code"]),
                           ward_code=busiest["cell"].map(labels["ward_code"]))
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Peak day and hour
# --------------------------------------------------------------------------------------------

def day_hour_table(times: pd.Series) -> pd.DataFrame:
    """Events by day of week (rows, Monday first) and hour (columns 0–23): 7 × 24 counts.

    Missing times are not counted; how many were missing is in ``attrs["missing_times"]``.
    Raises DataCoverageError when no event has a time (monthly data cannot show this).
    """
    stamps = pd.to_datetime(times, errors="coerce")
    known = stamps.dropna()
    if known.empty:
        raise DataCoverageError("no event has a date and time, so peak day and hour cannot "
                                "be shown", hint="load a partner extract with times")
    counts = pd.crosstab(known.dt.day_of_week, known.dt.hour)
    table = counts.reindex(index=range(7), columns=range(24), fill_value=0).astype("int64")
    table.index = pd.Index(DAYS, name="day")
    table.columns = pd.Index(range(24), name="hour")
    table.attrs["missing_times"] = int(stamps.isna().sum())
    return table


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


def place_profile(events: pd.DataFrame, key: str, places: pd.DataFrame, current: Period,
                  previous: Period, *, population_vintage: str | None,
                  available_months: Iterable[date] | None = None) -> pd.DataFrame:
    """Counts by place this period and last, change, and rate per 1,000 where known.

    ``places`` lists every place of the area (``key``, ``name`` and optional
    ``population``), so a place with no events shows 0. The rate uses ``population`` (stated
    by ``population_vintage``); it is missing where the population is. Ranked by the count
    this period (1 = most), ties by code. Columns: rank, key, name, current, previous, diff,
    pct_diff, p_value, change, population, population_vintage, rate, rate_lower, rate_upper.
    With ``available_months``, a period with no published month has unknown counts, and an
    incomplete period is not compared ("not assessed").
    """
    available = None if available_months is None else set(available_months)
    counted = events[events[key].notna()]
    by_period = {}
    for label, period in (("current", current), ("previous", previous)):
        in_period = counted["month"].isin(period.months)
        by_period[label] = counted[in_period].groupby(key).size()
    table = places.copy()
    if "population" not in table.columns:
        table["population"] = pd.NA
    for (label, counts), period in zip(by_period.items(), (current, previous), strict=True):
        known = table[key].map(counts).fillna(0).astype("int64").to_numpy()
        table[label] = _known_counts(known, period, available).to_numpy()
    table = table.reset_index(drop=True)
    assessed = _both_complete(current, previous, available)
    table = pd.concat([table, _change_columns(table["current"].to_numpy(),
                                              table["previous"].to_numpy(),
                                              assessed=assessed)], axis=1)
    populations = pd.to_numeric(table["population"], errors="coerce").astype(float)
    rates = [_rate(count, population, population_vintage)
             for count, population in zip(table["current"], populations, strict=True)]
    table["population_vintage"] = population_vintage if population_vintage else pd.NA
    table["rate"], table["rate_lower"], table["rate_upper"] = np.array(rates).T
    table = table.sort_values(["current", key], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _rate(count: int, population: float, vintage: str | None) -> tuple[float, float, float]:
    """Rate per 1,000 with its interval, or NaNs when there is no usable population."""
    if vintage is None or pd.isna(count) or pd.isna(population) or population <= 0:
        return (np.nan, np.nan, np.nan)
    rate = rate_per_1000(int(count), float(population), population_vintage=vintage)
    return (float(rate["rate"]), float(rate["lower"]), float(rate["upper"]))


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

    ``police_source`` is :func:`analysis.report.police_uk_source`. Populations come from the
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
    census = (load_census21_lsoa(config.resolve(sources.census_lsoa_population, root))
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
        store.force_months(section.store_dir, config.force.name),
        lookup[lookup["lad_code"].isin(config.lad_codes)], census, mid_year, imd,
        store.lsoa_vintage_for_period(current.months, section.store_dir), timed)


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
        peak_time_items(inputs.timed, config.csp_code, current),
        ward_notes(wards, inputs.mid_year, config.lad_codes,
                   has_lsoa_census=inputs.census is not None),
        ward_table(wards, current, previous),
        lsoa_table(lsoas, names_note, current, previous),
        deprivation_item(lsoas if inputs.imd is not None else None, current),
        [] if inputs.imd is not None else [Markdown(NO_DEPRIVATION)],
        [Markdown(markdown_from("The wards with most recorded crime in {period} were "
                                "**{wards}**.", period=current.label, wards=in_words(busiest)))],
        key_figures(trends[ALL_CRIME], concentration, busiest))


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
    classification note, map of hotspot squares, squares per class, the ten busiest squares
    with their change and ward, and the density map (open data throughout)."""
    from analysis import maps  # maps draws this module's Grid, so it imports this module

    name = _table_stem(subject)
    classes = trend[trend["hotspot_class"] != NOT_HOTSPOT]
    top = top_cells(trend, subject_events).merge(
        geography.wards[["ward_code", "ward_name"]], on="ward_code", how="left")
    density = density_surface(trend["current"].to_numpy(), grid, 2 * CELL_SIZE)
    return [
        Markdown(markdown_from("### {subject}", subject=subject)),
        Markdown(markdown_from("{note}", note=trend.attrs["classification_note"])),
        Chart(lambda _: maps.hotspot_map(geography, grid, trend["hotspot_class"],
                                         f"{subject}: hotspot squares, {current.label}"),
              classes[["cell_id", "easting", "northing", "hotspot_class", "windows_hot",
                       "windows_used", "current", "previous"]], f"hotspot_map_{name}",
              source="open", counts=["current", "previous"]),
        Table(hotspot_class_summary(trend), f"hotspot_classes_{name}",
              f"{subject}: squares in each hotspot class and their records", source="open",
              formats={"current": "{:,}", "previous": "{:,}"}),
        Table(top[["rank", "cell_id", "ward_name", "lsoa_code", "current", "previous", "diff",
                   "pct_diff", "change", "hotspot_class"]].rename(columns={
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


def peak_time_items(timed: Mapping[str, pd.DataFrame | None] | None, csp_code: str,
                    current: Period) -> list[Chart | Markdown]:
    """Day-by-hour heat maps of each timed partner extract's records in the area this period,
    each with its busiest hour; a note for an extract not provided, and one note only when
    the area has no timed extract at all (``timed`` None)."""
    from analysis import maps  # maps draws this module's Grid, so it imports this module

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
        table = day_hour_table(rows[column])
        title = f"{label}: day and hour, {current.label}"
        items.append(Chart(lambda published, title=title: maps.day_hour_heatmap(
            published.set_index("day"), title), table.reset_index(), f"day_hour_{kind}",
            source="partner", counts=list(range(24))))
        day, hour = table.stack().idxmax()
        items.append(Markdown(markdown_from(
            "Busiest hour: **{day} {hour:02d}:00-{hour:02d}:59** ({count:,} records); "
            "{untimed:,} records had no time.", day=day, hour=hour,
            count=table.stack().max(), untimed=table.attrs["missing_times"])))
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
    the names used (:func:`analysis.sources.geography.lsoa_names_note`)."""
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
