"""The outline a label's leader line stops at, tested with arithmetic instead of by matplotlib.

A moved map label is joined to its point by a leader line that stops at the label's rounded
background box. matplotlib finds where by bisection, asking the label's ``Text.contains`` about
a dozen times per line. Each ask lays the text out again and tests the box's path: about a
quarter of the places page's chart time in a profile, about 1.5 s of 12 s in a real-data page
(docs/benchmarks.md). A :class:`LabelBox` answers the same question from the label's size,
measured once per resolution, and its position. The line ends within 0.05 px of where
matplotlib ended it (tests/unit/test_label_box.py).
"""

from __future__ import annotations

import math
from typing import Protocol, cast

from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import BoxStyle
from matplotlib.text import Text

POINTS_PER_INCH = 72.0


class _Point(Protocol):
    """What matplotlib passes to ``contains`` when clipping a connection: a display point."""

    x: float
    y: float


class _RoundBox(Protocol):
    """The sizes of ``BoxStyle.Round``, as fractions of the font size."""

    pad: float
    rounding_size: float | None


class LabelBox:
    """Stands in for a label as the ``patchA`` of its leader line: ``contains`` is True inside
    the label's text or its background box, as ``Text.contains`` is.

    Only for a label with no rotation whose background box, if any, is a ``BoxStyle.Round``
    with no visible edge (:meth:`supported` says which; an edge widens matplotlib's test by
    half its width). The box is the text's extent padded by ``pad`` x font
    size, with each corner cut by the quadratic curve matplotlib draws there.
    """

    def __init__(self, label: Text) -> None:
        self._label = label
        self._shapes: dict[float, tuple[float, float, float, float, float]] = {}

    @staticmethod
    def supported(label: Text) -> bool:
        """Whether ``label`` has the shape this class computes: unrotated, its background
        box (if it has one) a round box with no visible edge."""
        patch = label.get_bbox_patch()
        return label.get_rotation() == 0 and (
            patch is None or (isinstance(patch.get_boxstyle(), BoxStyle.Round)
                              and to_rgba(patch.get_edgecolor())[3] == 0))

    def _shape(self) -> tuple[float, float, float, float, float]:
        """The box at the figure's current resolution, relative to the label's anchor in
        display units: left, bottom, width, height, corner size. A label's size depends only
        on the resolution once it is placed, so it is measured once for each one (the page's
        and the saved image's)."""
        dpi = cast(Figure, self._label.get_figure(root=True)).dpi
        if dpi not in self._shapes:
            extent = self._label.get_window_extent(dpi=dpi)
            anchor_x, anchor_y = self._anchor()
            pad = corner = 0.0
            patch = self._label.get_bbox_patch()
            if patch is not None:
                style = cast(_RoundBox, patch.get_boxstyle())
                font_pixels = float(self._label.get_fontsize()) * dpi / POINTS_PER_INCH
                pad = style.pad * font_pixels
                corner = style.rounding_size * font_pixels if style.rounding_size else pad
            self._shapes[dpi] = (extent.x0 - anchor_x - pad, extent.y0 - anchor_y - pad,
                                 extent.width + 2 * pad, extent.height + 2 * pad, corner)
        return self._shapes[dpi]

    def _anchor(self) -> tuple[float, float]:
        """The label's position in display units now."""
        x, y = self._label.get_transform().transform(self._label.get_unitless_position())
        return float(x), float(y)

    def contains(self, point: _Point) -> tuple[bool, dict[str, object]]:
        """Whether display point ``point`` lies in the label's box (the signature of
        ``Artist.contains``, which matplotlib's clipping calls)."""
        left, bottom, width, height, corner = self._shape()
        anchor_x, anchor_y = self._anchor()
        x, y = point.x - anchor_x - left, point.y - anchor_y - bottom
        if not (0 <= x <= width and 0 <= y <= height):
            return False, {}
        if corner <= 0:
            return True, {}
        # Distance into the corner square from its outer vertex, as a fraction of its side:
        # matplotlib's corner curve is the quadratic Bezier through the square's inner
        # sides with its control point at the vertex, the parabola sqrt(u) + sqrt(v) = 1.
        u = min(x, width - x) / corner
        v = min(y, height - y) / corner
        if u >= 1 or v >= 1:
            return True, {}
        return math.sqrt(u) + math.sqrt(v) >= 1, {}
