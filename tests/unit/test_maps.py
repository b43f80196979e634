"""Static maps: legend, ward labels, scale bar; the day × hour heat map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.figure import Figure

from analysis.core import vocabulary
from analysis.present import maps
from analysis.stats import grid_squares, hotspots, profiles

WARDS = gpd.GeoDataFrame(
    {"ward_code": ["W1", "W2"], "ward_name": ["North Ward", "South Ward"]},
    geometry=[shapely.box(500_000, 201_000, 502_000, 202_000),
              shapely.box(500_000, 200_000, 502_000, 201_000)],
    crs=vocabulary.BNG,
)
GEOGRAPHY = grid_squares.AreaGeography(lsoas=WARDS, wards=WARDS,
                                 outline=shapely.box(500_000, 200_000, 502_000, 202_000))
GRID = grid_squares.make_grid(GEOGRAPHY.outline, 250)


def _texts(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    legends = [legend for legend in [ax.get_legend(), *fig.legends] if legend is not None]
    return [t.get_text() for t in ax.texts] + [t.get_text() for legend in legends
                                                for t in legend.get_texts()]


@pytest.mark.parametrize(("width", "length"), [(20_000, 5_000), (2_100, 500), (100, 100),
                                               (60_000, 10_000)])
def test_scale_bar_is_a_round_length_within_a_quarter_of_the_map(width: float,
                                                                  length: float) -> None:
    assert maps.scale_bar_length(width) == length


def test_hotspot_map_has_legend_ward_names_and_scale_bar() -> None:
    classes = pd.Series([hotspots.NOT_HOTSPOT] * GRID.size)
    classes[[0, 1]] = hotspots.PERSISTENT
    classes[5] = hotspots.EMERGING
    fig = maps.hotspot_map(GEOGRAPHY, GRID, classes, "Hotspots")
    texts = _texts(fig)
    assert "persistent (2)" in texts and "emerging (1)" in texts
    assert "intensifying (0)" not in texts  # only classes drawn are listed
    assert {"North Ward", "South Ward"} <= set(texts)
    assert "500 m" in texts  # map is about 2.1 km wide
    assert fig.get_suptitle() == "Hotspots"


def test_hotspot_map_says_when_there_are_no_hotspots() -> None:
    fig = maps.hotspot_map(GEOGRAPHY, GRID, pd.Series([hotspots.NOT_HOTSPOT] * GRID.size), "x")
    assert "no hotspot squares" in _texts(fig)


def test_density_map_shades_the_area_and_labels_the_scale() -> None:
    surface = hotspots.density_surface(np.arange(GRID.size, dtype=float), GRID, 250)
    fig = maps.density_map(GEOGRAPHY, GRID, surface["density"], "Density")
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (8, 8) and np.nanmax(image) == pytest.approx(surface["density"].max())
    assert fig.axes[1].get_xlabel() == "events per km²"  # the colour scale, below the map


def test_day_hour_heatmap_shows_every_day_and_hour() -> None:
    table = profiles.day_hour_table(pd.Series(["2024-04-05 22:15", "2024-04-06 23:40"]))
    fig = maps.day_hour_heatmap(table, "Peak times")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Tue", "Wed", "Thu", "Fri",
                                                            "Sat", "Sun"]
    assert ax.images[0].get_array().shape == (7, 24)
    assert ax.images[0].get_array()[4, 22] == 1  # Friday 22:00
