"""The house style's layout check: no text of a chart drawn over other text or over its data.

A chart is drawn, then the window extent of every piece of text it shows is measured: the
figure and axes titles, axis labels, tick labels, legends, annotations and labels placed in the
axes (ward names on a map). Two boxes that overlap by more than a pixel each way are a
defect, and so is a legend inside an axes that covers a point of a line or marker (a legend
over a limit line). :func:`overlapping_text` lists each overlap in words;
:meth:`analysis.present.page.Section.chart` records the list with every chart it shows, so a
build can prove every chart passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

TOLERANCE_PX = 1.0
"""Boxes may touch or share this many pixels each way (anti-aliasing) without overlapping."""


@dataclass(frozen=True)
class TextBox:
    """One piece of text as drawn: what it is (e.g. 'title', 'legend'), its words and its box
    in display pixels. ``axes`` numbers the axes a tick label belongs to (None otherwise):
    the x and y tick labels of one axes meet at its corner and are not compared."""

    kind: str
    text: str
    box: Bbox
    axes: int | None = None
    slanted: shapely.Polygon | None = None
    """The outline of a text drawn at a slant (e.g. tick labels at 45 degrees), whose box
    is far larger than the text."""

    def describe(self) -> str:
        """e.g. "legend 'Peers, 95% limits'"."""
        words = " ".join(self.text.split())
        return f"{self.kind} '{words[:60]}'"


def _renderer(fig: Figure) -> RendererBase:
    """Lay ``fig`` out (running its layout engine) on an Agg canvas and return the renderer.

    The figure is drawn with rendering disabled: every artist is placed and every text
    measured as in a real draw, but no pixel is painted, which is most of a draw's cost and
    is not needed to measure boxes (the picture itself is painted once, when it is saved).
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return canvas.get_renderer()


def _shown(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _tick_labels(axis: Axis) -> Iterator[Text]:
    """The tick labels an axis draws: visible, non-empty, at a tick inside the view."""
    low, high = sorted(axis.get_view_interval())
    span = max(high - low, 1e-12)
    for tick in axis.get_major_ticks():
        if low - 1e-9 * span <= tick.get_loc() <= high + 1e-9 * span:
            yield from (label for label in (tick.label1, tick.label2) if _shown(label))


def text_boxes(fig: Figure, renderer: RendererBase | None = None) -> list[TextBox]:
    """Every piece of text ``fig`` draws, with its box in display pixels."""
    renderer = renderer or _renderer(fig)
    boxes: list[TextBox] = []

    def add(kind: str, text: Text, axes: int | None = None) -> None:
        if _shown(text):
            box = text.get_window_extent(renderer)
            boxes.append(TextBox(kind, text.get_text(), box, axes, _slanted(text, box, fig.dpi)))

    for text in fig.texts:  # the figure's title and shared axis labels are among these
        add("figure text", text)
    for legend in fig.legends:
        boxes.append(_legend_box(legend, renderer))
    for number, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for title in (ax.title, vars(ax)["_left_title"], vars(ax)["_right_title"]):
            add("title", title)  # matplotlib has no public accessor for the side titles
        for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if axis.get_visible() and ax.axison:
                add("axis label", axis.label)
                for label in _tick_labels(axis):
                    add(f"{axis_name} tick label", label, number)
        for text in ax.texts:
            add("label", text)
        own = ax.get_legend()
        if own is not None and own.get_visible():
            boxes.append(_legend_box(own, renderer))
    return boxes


def _slanted(text: Text, box: Bbox, dpi: float) -> shapely.Polygon | None:
    """For a text at a slant, a band one line high along the diagonal of its box that the
    text runs along (None for level or upright text)."""
    angle = text.get_rotation() % 180
    if angle % 90 == 0:
        return None
    rising = angle < 90
    start = (box.x0, box.y0 if rising else box.y1)
    end = (box.x1, box.y1 if rising else box.y0)
    line_height = float(text.get_fontsize()) * dpi / 72
    return shapely.LineString([start, end]).buffer(line_height / 2, cap_style="flat")


def _legend_box(legend: Legend, renderer: RendererBase) -> TextBox:
    words = ", ".join(t.get_text() for t in legend.get_texts() if t.get_text())
    return TextBox("legend", words, legend.get_window_extent(renderer))


def _overlap(first: Bbox, second: Bbox, tolerance: float = TOLERANCE_PX) -> bool:
    """Whether two boxes share more than ``tolerance`` pixels in both directions."""
    width = min(first.x1, second.x1) - max(first.x0, second.x0)
    height = min(first.y1, second.y1) - max(first.y0, second.y0)
    return width > tolerance and height > tolerance


def _data_points(ax: Axes) -> np.ndarray:
    """Display coordinates of every line vertex and marker of ``ax`` (an n x 2 array)."""
    parts = []
    for line in ax.get_lines():
        if isinstance(line, Line2D) and line.get_visible():
            xy = np.column_stack(line.get_data()).astype(float)
            if len(xy):
                parts.append(line.get_transform().transform(xy))
    for collection in ax.collections:
        if isinstance(collection, Collection) and collection.get_visible():
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if len(offsets) and np.ma.count(offsets):
                parts.append(collection.get_offset_transform().transform(offsets))
    points = np.vstack(parts) if parts else np.empty((0, 2))
    return points[np.isfinite(points).all(axis=1)]


def _legend_over_data(ax: Axes, renderer: RendererBase) -> str | None:
    """A description of the legend of ``ax`` covering its lines or markers, or None."""
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return None
    box = legend.get_window_extent(renderer)
    points = _data_points(ax)
    inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
              & (points[:, 1] < box.y1))
    if not inside.any():
        return None
    title = " ".join(ax.get_title().split()) or "an untitled axes"
    return f"the legend of '{title[:60]}' covers {int(inside.sum())} plotted point(s)"


def _boxes_overlap(first: TextBox, second: TextBox) -> bool:
    """Whether two texts overlap: by their boxes, or by their outlines when either is slanted
    (sharing more than a few square pixels)."""
    if not _overlap(first.box, second.box):
        return False
    if first.slanted is None and second.slanted is None:
        return True
    shapes = [text.slanted if text.slanted is not None else shapely.box(*text.box.extents)
              for text in (first, second)]
    return bool(shapes[0].intersection(shapes[1]).area > 4 * TOLERANCE_PX ** 2)


def _corner_ticks(first: TextBox, second: TextBox) -> bool:
    """Whether the two boxes are an x and a y tick label of the same axes."""
    return (first.axes is not None and first.axes == second.axes
            and {first.kind, second.kind} == {"x tick label", "y tick label"})


def overlapping_text(fig: Figure) -> list[str]:
    """Every overlap in ``fig`` as a sentence: text over text (tick labels of one axis
    against each other too) and legends over the data they explain; empty when clean."""
    renderer = _renderer(fig)
    boxes = text_boxes(fig, renderer)
    found = [f"{first.describe()} overlaps {second.describe()}"
             for first, second in combinations(boxes, 2)
             if _boxes_overlap(first, second) and not _corner_ticks(first, second)]
    found += [problem for ax in fig.axes if (problem := _legend_over_data(ax, renderer))]
    return found


def assert_no_overlaps(fig: Figure) -> None:
    """Raise AssertionError listing the overlaps of ``fig`` (for tests of each chart)."""
    problems = overlapping_text(fig)
    assert not problems, "overlapping text: " + "; ".join(problems)
