"""A leader line clipped at a :class:`LabelBox` ends where matplotlib's own clipping at the
label ends it, and the box's containment test agrees with ``Text.contains``."""

from __future__ import annotations

import math
from io import BytesIO
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from analysis.present.label_box import LabelBox


def _label(dpi: float = 110, **box: object) -> tuple[Figure, Text]:
    """A drawn figure holding one centred ward-map style label."""
    figure = Figure(dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    text = axes.text(5, 5, "Chafford and North Stifford", fontsize=7, ha="center",
                     va="center", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                        "edgecolor": "none", **box})
    figure.draw_without_rendering()
    return figure, text


def _leader_start(figure: Figure, patch_a: object, target: tuple[float, float]) -> np.ndarray:
    """Where the leader from the label at (5, 5) to ``target`` starts, in display units."""
    axes = figure.axes[0]
    leader = FancyArrowPatch(posA=(5, 5), posB=target, patchA=patch_a, arrowstyle="-",
                             transform=axes.transData, shrinkA=0, shrinkB=0)
    axes.add_patch(leader)
    start = leader._get_path_in_displaycoord()[0][0].vertices[0]
    leader.remove()
    return start


@pytest.mark.parametrize("dpi", [72, 110, 220])
def test_leaders_start_where_matplotlib_starts_them(dpi: float) -> None:
    figure, text = _label(dpi)
    box = LabelBox(text)
    # Targets all round the label, through its sides and (at the shallow angles) its corners.
    angles = np.linspace(0, 2 * math.pi, 73)[:-1]
    for angle in angles:
        target = (5 + 4 * math.cos(angle), 5 + 4 * math.sin(angle))
        expected = _leader_start(figure, text, target)
        got = _leader_start(figure, box, target)
        assert np.hypot(*(got - expected)) < 0.05, (angle, got, expected)


def test_containment_agrees_with_text_contains_off_the_outline() -> None:
    _, text = _label()
    box = LabelBox(text)
    extent = text.get_bbox_patch().get_window_extent()
    xs = np.linspace(extent.x0 - 3, extent.x1 + 3, 121)
    ys = np.linspace(extent.y0 - 3, extent.y1 + 3, 41)
    disagreements = 0
    inside = 0
    for x in xs:
        for y in ys:
            point = SimpleNamespace(x=x, y=y)
            ours, theirs = box.contains(point)[0], text.contains(point)[0]
            inside += ours
            disagreements += ours != theirs
    assert inside > 1000  # the grid covers the box, not only the space around it
    assert disagreements <= 4  # points within a hair of the curved corners, if any


def test_outside_every_side_and_at_the_cut_corners() -> None:
    _, text = _label()
    box = LabelBox(text)
    extent = text.get_bbox_patch().get_window_extent()
    centre = SimpleNamespace(x=(extent.x0 + extent.x1) / 2, y=(extent.y0 + extent.y1) / 2)
    assert box.contains(centre)[0]
    for x, y in [(extent.x0 - 0.5, centre.y), (extent.x1 + 0.5, centre.y),
                 (centre.x, extent.y0 - 0.5), (centre.x, extent.y1 + 0.5)]:
        assert not box.contains(SimpleNamespace(x=x, y=y))[0]
    # The box's very corner is cut off by the rounding; just inside the sides is not.
    assert not box.contains(SimpleNamespace(x=extent.x0 + 0.1, y=extent.y0 + 0.1))[0]
    assert text.contains(SimpleNamespace(x=extent.x0 + 0.1, y=extent.y0 + 0.1))[0] is False


def test_only_unrotated_round_boxes_are_supported() -> None:
    _, text = _label()
    assert LabelBox.supported(text)
    _, square = _label(boxstyle="square,pad=0.15")
    assert not LabelBox.supported(square)
    _, edged = _label(edgecolor="black")
    assert not LabelBox.supported(edged)
    text.set_rotation(30)
    assert not LabelBox.supported(text)


def test_a_label_without_a_box_is_its_text_extent() -> None:
    figure = Figure(dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    text = axes.text(0.5, 0.5, "Grays Riverside", ha="center", va="center")
    figure.draw_without_rendering()
    extent = text.get_window_extent()
    box = LabelBox(text)
    assert box.contains(SimpleNamespace(x=extent.x0 + 0.2, y=extent.y0 + 0.2))[0]
    assert not box.contains(SimpleNamespace(x=extent.x0 - 0.2, y=extent.y0 + 0.2))[0]


def test_spread_labels_gives_each_leader_its_label_box() -> None:
    from analysis.present.charts import spread_labels

    figure = Figure(dpi=110)
    axes = figure.add_subplot()
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}
    xs, ys = [5.0, 5.1, 5.2, 5.0], [5.0, 5.05, 4.95, 5.1]  # four labels on one spot
    texts = [axes.text(x, y, f"Ward {i}", fontsize=7, ha="center", va="center", bbox=box)
             for i, (x, y) in enumerate(zip(xs, ys, strict=True))]
    spread_labels(axes, texts, (xs, ys))
    leaders = [p for p in axes.patches if isinstance(p, FancyArrowPatch)]
    assert leaders  # labels piled on one spot have to move, so lines join them back
    assert all(isinstance(leader.patchA, LabelBox) for leader in leaders)
    figure.savefig(BytesIO(), format="png")  # and the figure still draws
