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


def test_densest_window_prefers_squares_hot_now_and_centres_on_them() -> None:
    cells = pd.DataFrame({"easting": [100.0, 350.0, 600.0, 5_100.0, 5_350.0],
                          "northing": [100.0, 100.0, 100.0, 100.0, 100.0]})
    # three squares of a past class beat two, until the two are hot now
    assert maps.densest_window(cells, 250) == (-400.0, -650.0, 1_100.0, 850.0)
    weights = np.array([1, 1, 1, maps.SALIENT_WEIGHT, maps.SALIENT_WEIGHT])
    assert maps.densest_window(cells, 250, weights) == (4_475.0, -650.0, 5_975.0, 850.0)
    assert maps.densest_window(cells.head(1), 250) is None


def test_hotspot_map_outlines_and_enlarges_the_densest_cluster() -> None:
    classes = pd.Series([hotspots.NOT_HOTSPOT] * GRID.size)
    classes[[0, 1]] = hotspots.PERSISTENT
    fig = maps.hotspot_map(GEOGRAPHY, GRID, classes, "Hotspots")
    main, inset = fig.axes
    assert inset.get_title() == "Densest cluster, enlarged"
    assert len(inset.collections[0].get_paths()) == 2  # both squares drawn enlarged
    assert inset.get_xlabel() == "" and main.get_xlabel() == ""
    assert "area enlarged" in _texts(fig)


def test_ward_names_sit_on_their_own_ward() -> None:
    fig = maps.density_map(GEOGRAPHY, GRID, pd.Series(np.ones(GRID.size)), "Density")
    placed = {text.get_text(): shapely.Point(*text.get_position()) for text in fig.axes[0].texts}
    for ward in WARDS.itertuples():
        assert ward.geometry.contains(placed[ward.ward_name]), ward.ward_name
