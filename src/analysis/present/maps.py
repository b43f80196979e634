"""Static figures for the places section: maps of hotspot squares and density, and the
day × hour heat map.

Every figure is a matplotlib ``Figure`` in British National Grid metres, drawn without web
tiles or fonts from the network, so the page reads the same offline and on paper: the area
outline, ward boundaries with their names (moved apart so none overlaps another, each joined
to its own ward by a thin line when it had to move), a legend beside the map and a scale bar.
Maps are drawn :data:`MAP_SIZE` at :data:`MAP_DPI`, the width of an A4 page at print
resolution; the hotspot map adds an enlarged inset of its densest cluster of hotspot squares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from analysis.present.chart_text import describe, number, peak_cell
from analysis.present.charts import spread_labels
from analysis.stats.grid_squares import AreaGeography, Grid
from analysis.stats.hotspots import (
    DIMINISHING,
    EMERGING,
    FORMER,
    HOT_NOW_ONLY,
    INTENSIFYING,
    INTERMITTENT,
    PERSISTENT,
)

MAP_SIZE = (8.27, 6.6)
"""Inches: the width of an A4 page, so a printed map is at its drawn size."""
MAP_DPI = 150
"""Pixels per inch of a map image (about 1,240 pixels wide): print resolution."""
INSET_SQUARES = 6
"""The inset of the densest cluster is this many grid squares across."""
SCALE_STRIP = 0.08
"""The strip below a map's area that holds the scale bar, as a share of the area's height."""
NO_BASEMAP_NOTE = ("The maps show ward boundaries and names only: no street basemap is drawn, "
                   "because the report is built offline from open data without map tiles. "
                   "The table of busiest squares names each square by its ward and the "
                   "street most of its records are placed on (police.uk's 'On or near' "
                   "location).")
"""The sentence a page shows with its maps."""
CLASS_COLOURS = {
    INTENSIFYING: "#67000d",
    PERSISTENT: "#d7301f",
    DIMINISHING: "#fc9272",
    EMERGING: "#08519c",
    FORMER: "#969696",
    INTERMITTENT: "#fdd49e",
    HOT_NOW_ONLY: "#ef6548",
}
"""Hotspot class → fill colour; dark to light so the classes stay apart in greyscale."""

_NICE_LENGTHS = (100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 25_000,
                 50_000, 100_000)


def scale_bar_length(map_width_m: float) -> float:
    """A round scale-bar length (100 m … 100 km) no longer than a quarter of the map width."""
    fitting = [length for length in _NICE_LENGTHS if length <= map_width_m / 4]
    return float(fitting[-1] if fitting else _NICE_LENGTHS[0])


def _length_label(length_m: float) -> str:
    return f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"


def add_scale_bar(ax: Axes) -> float:
    """Draw a scale bar in the lower-left corner of a BNG map, in the blank strip
    :func:`_frame` leaves below the area; returns its length in metres."""
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    length = scale_bar_length(east - west)
    x0 = west + 0.04 * (east - west)
    y0 = south + 0.015 * (north - south)  # in the strip below the area (:func:`_frame`)
    height = 0.008 * (north - south)
    ax.add_patch(Rectangle((x0, y0), length / 2, height, facecolor="black", edgecolor="black"))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, height, facecolor="white",
                           edgecolor="black"))
    ax.text(x0 + length / 2, y0 + 2.5 * height, _length_label(length), ha="center",
            va="bottom", fontsize=8)
    return length


def _frame(ax: Axes, bounds: tuple[float, float, float, float]) -> None:
    """Frame ``ax`` on ``bounds`` (west, south, east, north) with a small margin and a
    strip below for the scale bar (so it never lies on squares or names), equal aspect and
    no ticks."""
    west, south, east, north = bounds
    pad = 0.03 * max(east - west, north - south)
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad - SCALE_STRIP * (north - south), north + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _map_axes(geography: AreaGeography, *, with_side: bool = False
              ) -> tuple[Figure, Axes, Axes | None]:
    """An A4-wide figure with equal-aspect axes framed on the area, without ticks, and (with
    ``with_side``) a narrower axes on its right for an inset."""
    fig = Figure(figsize=MAP_SIZE, dpi=MAP_DPI, layout="constrained")
    if with_side:
        ax, side = fig.subplots(1, 2, width_ratios=(2.3, 1))
    else:
        ax, side = fig.subplots(), None
    _frame(ax, tuple(geography.wards.total_bounds))
    return fig, ax, side


def draw_wards(ax: Axes, geography: AreaGeography,
               window: tuple[float, float, float, float] | None = None,
               squares: pd.DataFrame | None = None) -> None:
    """Ward boundaries (grey) with their names, and the area outline (black) on top.

    Each name starts at a point inside its own ward (of the part of it within ``window``, a
    (west, south, east, north) box, when given); names are then moved apart so none
    overlaps another or the centre of one of ``squares`` (``easting``, ``northing``) and
    joined to their point by a thin line when moved
    (:func:`analysis.present.charts.spread_labels`).
    """
    geography.wards.boundary.plot(ax=ax, color="#737373", linewidth=0.6, zorder=3)
    box = shapely.box(*window) if window is not None else None
    texts, xs, ys = [], [], []
    for ward in geography.wards.itertuples():
        shape = ward.geometry if box is None else ward.geometry.intersection(box)
        if shape.is_empty:
            continue
        point = shape.representative_point()
        texts.append(ax.text(point.x, point.y, ward.ward_name, fontsize=7, ha="center",
                             va="center", color="#252525", zorder=5,
                             bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                   "alpha": 0.7, "edgecolor": "none"}))
        xs.append(point.x)
        ys.append(point.y)
    outline = geography.wards.dissolve().boundary
    outline.plot(ax=ax, color="black", linewidth=1.2, zorder=4)
    ax.set_xlabel("")  # geopandas names the CRS axes; a map shows no axis labels
    ax.set_ylabel("")
    obstacles = (([], []) if squares is None else
                 (squares["easting"].tolist(), squares["northing"].tolist()))
    spread_labels(ax, texts, (xs, ys), obstacles)


SALIENT_CLASSES = (INTENSIFYING, PERSISTENT, EMERGING, HOT_NOW_ONLY)
"""Classes hot in the latest period: the inset looks for the cluster with most of these."""
SALIENT_WEIGHT = 10
"""A salient square counts as this many squares of another class when finding the cluster."""


def densest_window(cells: pd.DataFrame, cell_size: float, weights: np.ndarray | None = None,
                   squares: int = INSET_SQUARES) -> tuple[float, float, float, float] | None:
    """The ``squares`` x ``squares`` window (west, south, east, north) around the cell of
    ``cells`` (``easting``, ``northing`` of square centres) with the largest sum of
    ``weights`` (default 1 each) within half a window each way, re-centred on the middle of
    the squares it holds; ties go to the first cell. None for fewer than two cells."""
    if len(cells) < 2:
        return None
    east = cells["easting"].to_numpy(dtype=float)
    north = cells["northing"].to_numpy(dtype=float)
    weight = np.ones(len(cells)) if weights is None else np.asarray(weights, dtype=float)
    half = squares * cell_size / 2
    near = (np.abs(east[:, None] - east[None, :]) < half) & (
        np.abs(north[:, None] - north[None, :]) < half)
    best = int(np.argmax(near @ weight))
    members = near[best]
    centre_x, centre_y = east[members].mean(), north[members].mean()
    return (centre_x - half, centre_y - half, centre_x + half, centre_y + half)


def _squares(ax: Axes, cells: pd.DataFrame, cell_size: float, colour: str) -> None:
    """Draw ``cells`` (square centres) as filled squares."""
    half = cell_size / 2
    squares = [Rectangle((x - half, y - half), cell_size, cell_size)
               for x, y in zip(cells["easting"], cells["northing"], strict=True)]
    ax.add_collection(PatchCollection(squares, facecolor=colour, edgecolor="black",
                                      linewidth=0.3, zorder=2))


def hotspot_map(geography: AreaGeography, grid: Grid, classes: pd.Series, title: str
                ) -> Figure:
    """Map of the squares in each hotspot class (``classes`` in grid cell order).

    Squares that are not hotspots are left blank; the legend, beside the map, lists only the
    classes drawn and says so when there are none. With two or more hotspot squares, the
    densest cluster (:func:`densest_window`, a square of the :data:`SALIENT_CLASSES` counting
    as :data:`SALIENT_WEIGHT` others) is outlined on the map and drawn enlarged beside it,
    with the names of the wards it covers.
    """
    labels = np.asarray(classes, dtype=object)
    hot_rows = np.isin(labels, list(CLASS_COLOURS))
    window = densest_window(grid.cells[hot_rows], grid.cell_size,
                            np.where(np.isin(labels[hot_rows], SALIENT_CLASSES),
                                     SALIENT_WEIGHT, 1))
    fig, ax, side = _map_axes(geography, with_side=True)
    assert side is not None
    handles = []
    drawn: dict[str, int] = {}
    for name, colour in CLASS_COLOURS.items():
        chosen = grid.cells[labels == name]
        if chosen.empty:
            continue
        _squares(ax, chosen, grid.cell_size, colour)
        drawn[name] = len(chosen)
        handles.append(Patch(facecolor=colour, edgecolor="black",
                             label=f"{name} ({len(chosen)})"))
    add_scale_bar(ax)
    draw_wards(ax, geography, squares=grid.cells[hot_rows])
    if not handles:
        handles = [Patch(facecolor="white", edgecolor="black", label="no hotspot squares")]
    if window is None:
        side.set_axis_off()
    else:
        west, south, east, north = window
        ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False,
                               edgecolor="#1f4e79", linewidth=1.4, zorder=6))
        handles.append(Patch(facecolor="none", edgecolor="#1f4e79", linewidth=1.4,
                             label="area enlarged"))
        for name, colour in CLASS_COLOURS.items():
            inside = grid.cells[labels == name]
            inside = inside[inside["easting"].between(west, east)
                            & inside["northing"].between(south, north)]
            if not inside.empty:
                _squares(side, inside, grid.cell_size, colour)
        _frame(side, window)
        side.set_axis_on()  # framed in the colour of its outline on the map, without ticks
        side.set_xticks([])
        side.set_yticks([])
        side.grid(False)
        for spine in side.spines.values():
            spine.set(visible=True, edgecolor="#1f4e79", linewidth=1.4)
        add_scale_bar(side)
        draw_wards(side, geography, window, squares=grid.cells[hot_rows])
        side.set_title("Densest cluster, enlarged", fontsize=9)
    fig.legend(handles=handles, loc="outside lower center", fontsize=8, frameon=False,
               ncols=min(4, len(handles)), title=f"{grid.cell_size:.0f} m squares",
               title_fontsize=8)
    fig.suptitle(title, fontsize=11, fontweight="bold")
    classes_text = (", ".join(f"{name} {count}" for name, count in drawn.items())
                    if drawn else "none")
    return describe(fig, (
        f"Map of {len(geography.wards)} wards with the {grid.cell_size:.0f} m squares of "
        f"each hotspot class ({classes_text}). "
        + ("" if window is None else "The densest cluster of hotspot squares is outlined "
           f"and enlarged beside the map, around {', '.join(_wards_in(geography, window))}. ")
        + "Ward boundaries and names only, no street basemap."))


def _wards_in(geography: AreaGeography, window: tuple[float, float, float, float]
              ) -> list[str]:
    """The names of the wards that ``window`` (west, south, east, north) overlaps."""
    box = shapely.box(*window)
    return [ward.ward_name for ward in geography.wards.itertuples()
            if ward.geometry.intersects(box)]


def density_map(geography: AreaGeography, grid: Grid, density: pd.Series, title: str
                ) -> Figure:
    """Shaded map of a kernel density surface (``density`` per km², in grid cell order),
    its colour scale below the map."""
    fig, ax, _ = _map_axes(geography)
    cols = grid.cells["col"].to_numpy() - grid.cells["col"].min()
    rows = grid.cells["row"].to_numpy() - grid.cells["row"].min()
    raster = np.full((rows.max() + 1, cols.max() + 1), np.nan)
    raster[rows, cols] = np.asarray(density, dtype=float)
    west = grid.cells["col"].min() * grid.cell_size
    south = grid.cells["row"].min() * grid.cell_size
    extent = (west, west + raster.shape[1] * grid.cell_size, south,
              south + raster.shape[0] * grid.cell_size)
    image = ax.imshow(raster, origin="lower", extent=extent, cmap="YlOrRd", zorder=1,
                      interpolation="nearest")
    fig.colorbar(image, ax=ax, shrink=0.6, label="events per km²", location="bottom")
    add_scale_bar(ax)
    draw_wards(ax, geography)
    ax.set_title(title)
    values = np.asarray(density, dtype=float)
    peak = (f"highest {number(round(float(np.nanmax(values)), 1))} per km²"
            if np.isfinite(values).any() else "no events")
    return describe(fig, f"Shaded map of the density of events per km² over "
                         f"{len(geography.wards)} wards, darker where denser; {peak}. Ward "
                         "boundaries and names only, no street basemap.")


def day_hour_heatmap(table: pd.DataFrame, title: str) -> Figure:
    """Heat map of a 7 × 24 day-by-hour table (from
    :func:`analysis.stats.profiles.day_hour_table`)."""
    fig = Figure(figsize=(8.0, 3.4))
    ax = fig.subplots()
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    ax.set_yticks(range(len(table.index)), [str(day)[:3] for day in table.index])
    ax.set_xticks(range(0, 24, 2), [f"{hour:02d}" for hour in range(0, 24, 2)])
    ax.set_xlabel("hour of day (00 = midnight to 1 am)")
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="events")
    ax.set_title(title)
    fig.tight_layout()
    busiest = peak_cell(table)
    return describe(fig, "Heat map of events by day of the week (rows, Monday first) and hour "
                         "of the day (columns), darker where busier; " + (
                             f"busiest {busiest[0]} {int(str(busiest[1])):02d}:00 to "
                             f"{int(str(busiest[1])):02d}:59 ({number(busiest[2])})."
                             if busiest is not None else "no values shown."))
