"""Static figures for the places section: maps of hotspot squares and density, and the
day × hour heat map.

Every figure is a matplotlib ``Figure`` in British National Grid metres, drawn without web
tiles or fonts from the network, so the page reads the same offline and on paper: the area
outline, ward boundaries with their names, a legend and a scale bar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

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

MAP_SIZE = (8.0, 8.0)
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
    """Draw a scale bar in the lower-left corner of a BNG map; returns its length in metres."""
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    length = scale_bar_length(east - west)
    x0 = west + 0.04 * (east - west)
    y0 = south + 0.04 * (north - south)
    height = 0.008 * (north - south)
    ax.add_patch(Rectangle((x0, y0), length / 2, height, facecolor="black", edgecolor="black"))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, height, facecolor="white",
                           edgecolor="black"))
    ax.text(x0 + length / 2, y0 + 2.5 * height, _length_label(length), ha="center",
            va="bottom", fontsize=8)
    return length


def _map_axes(geography: AreaGeography) -> tuple[Figure, Axes]:
    """A figure with equal-aspect axes framed on the area, without ticks."""
    fig = Figure(figsize=MAP_SIZE)
    ax = fig.subplots()
    west, south, east, north = geography.wards.total_bounds
    pad = 0.03 * max(east - west, north - south)
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def draw_wards(ax: Axes, geography: AreaGeography) -> None:
    """Ward boundaries (grey) with their names, and the area outline (black) on top."""
    geography.wards.boundary.plot(ax=ax, color="#737373", linewidth=0.6, zorder=3)
    for ward in geography.wards.itertuples():
        point = ward.geometry.representative_point()
        ax.text(point.x, point.y, ward.ward_name, fontsize=6.5, ha="center", va="center",
                color="#252525", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.6,
                      "edgecolor": "none"})
    outline = geography.wards.dissolve().boundary
    outline.plot(ax=ax, color="black", linewidth=1.2, zorder=4)


def hotspot_map(geography: AreaGeography, grid: Grid, classes: pd.Series, title: str
                ) -> Figure:
    """Map of the squares in each hotspot class (``classes`` in grid cell order).

    Squares that are not hotspots are left blank; the legend lists only the classes drawn
    and says so when there are none.
    """
    fig, ax = _map_axes(geography)
    labels = np.asarray(classes, dtype=object)
    handles = []
    for name, colour in CLASS_COLOURS.items():
        chosen = grid.cells[labels == name]
        if chosen.empty:
            continue
        half = grid.cell_size / 2
        squares = [Rectangle((x - half, y - half), grid.cell_size, grid.cell_size)
                   for x, y in zip(chosen["easting"], chosen["northing"], strict=True)]
        ax.add_collection(PatchCollection(squares, facecolor=colour, edgecolor="black",
                                          linewidth=0.3, zorder=2))
        handles.append(Patch(facecolor=colour, edgecolor="black",
                             label=f"{name} ({len(chosen)})"))
    draw_wards(ax, geography)
    add_scale_bar(ax)
    if not handles:
        handles = [Patch(facecolor="white", edgecolor="black", label="no hotspot squares")]
    ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=True,
              title=f"{grid.cell_size:.0f} m squares", title_fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def density_map(geography: AreaGeography, grid: Grid, density: pd.Series, title: str
                ) -> Figure:
    """Shaded map of a kernel density surface (``density`` per km², in grid cell order)."""
    fig, ax = _map_axes(geography)
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
    fig.colorbar(image, ax=ax, shrink=0.6, label="events per km²")
    draw_wards(ax, geography)
    add_scale_bar(ax)
    ax.set_title(title)
    fig.tight_layout()
    return fig


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
    return fig
