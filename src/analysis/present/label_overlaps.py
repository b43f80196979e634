"""adjustText's overlap and crossing steps done with whole-array operations: the same label
placement, in about half the time.

Each of adjustText's iterations (150 per map) finds the pairs of boxes that overlap: pairs of
labels, and pairs of a label and a point the labels must avoid (on our maps, up to 200
points and grid squares). It finds the pairs whose intervals overlap in x, those that overlap
in y, and then the pairs in both lists, by comparing every pair of one list with every pair of
the other: an array of (pairs in y) x (pairs in x) x 2 booleans, thousands by thousands, built
and reduced on every iteration. In profiles of the places page that comparison was half of
adjustText's time.

Here a pair ``(i, j)`` is coded as the integer ``i * n + j`` (``n`` the length of the second
list of boxes), and the pairs in both lists are found with one ``numpy.isin`` on the codes.
The same pairs come out in the same order, and the shifts are then computed with the same
operations as adjustText's, so every label lands on the same point to the last bit and the
pages do not change (tested against adjustText's own functions).

Each iteration also looks for leader lines that cross (and swaps those labels), testing each
pair of lines in a Python loop: 190 pairs for 20 labels, about 110,000 calls a places page.
:func:`crossing_pairs` tests them all at once with the same arithmetic, and the swaps are then
made one by one in the loop's order.

:func:`faster_overlaps` swaps these in for adjustText's three functions while a placement runs,
only for the adjustText release they were checked against (:data:`CHECKED_RELEASE`); any
other release keeps its own code, and a test fails until the new release is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import adjustText  # type: ignore[import-untyped]
import numpy as np
from adjustText.arrops import overlap_intervals  # type: ignore[import-untyped]

CHECKED_RELEASE = "1.4.0"
"""The adjustText release whose ``get_shifts_texts``, ``get_shifts_extra`` and
``remove_crossings`` these equal."""

Shifts = tuple[np.ndarray, np.ndarray]


def pairs_in_both(pairs: np.ndarray, others: np.ndarray, width: int) -> np.ndarray:
    """The rows of ``pairs`` (an n x 2 array of index pairs) that are also rows of
    ``others``, in their order; ``width`` is above every second index."""
    codes = pairs[:, 0] * width + pairs[:, 1]
    other_codes = others[:, 0] * width + others[:, 1]
    return pairs[np.isin(codes, other_codes)]


def _nearer(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Element by element, whichever of the two differences is smaller in size."""
    return np.where(np.abs(first) < np.abs(second), first, second)


def shifts_between_labels(coords: np.ndarray) -> Shifts:
    """How far each label box (rows ``x0, x1, y0, y1``) is pushed by the boxes it overlaps,
    in x and in y: adjustText's ``get_shifts_texts``."""
    count = coords.shape[0]
    in_x = overlap_intervals(coords[:, 0], coords[:, 1], coords[:, 0], coords[:, 1])
    in_x = in_x[in_x[:, 0] != in_x[:, 1]]
    in_y = overlap_intervals(coords[:, 2], coords[:, 3], coords[:, 2], coords[:, 3])
    in_y = in_y[in_y[:, 0] != in_y[:, 1]]
    overlaps = pairs_in_both(in_y, in_x, count)
    if len(overlaps) == 0:
        return np.zeros(count), np.zeros(count)
    diff = coords[overlaps[:, 1]] - coords[overlaps[:, 0]]
    x_shifts = _nearer(diff[:, 0], diff[:, 1])
    y_shifts = _nearer(diff[:, 2], diff[:, 3])
    return (np.bincount(overlaps[:, 0], x_shifts, minlength=count),
            np.bincount(overlaps[:, 0], y_shifts, minlength=count))


def shifts_from_obstacles(coords: np.ndarray, obstacles: np.ndarray) -> Shifts:
    """How far each label box is pushed by the obstacle boxes (points, squares) it overlaps:
    adjustText's ``get_shifts_extra``."""
    count = coords.shape[0]
    in_x = overlap_intervals(coords[:, 0], coords[:, 1], obstacles[:, 0], obstacles[:, 1])
    in_y = overlap_intervals(coords[:, 2], coords[:, 3], obstacles[:, 2], obstacles[:, 3])
    overlaps = pairs_in_both(in_y, in_x, obstacles.shape[0])
    if len(overlaps) == 0:
        return np.zeros(count), np.zeros(count)
    labels, hit = overlaps[:, 0], overlaps[:, 1]
    diff_x = coords[labels][:, [0, 1]] - obstacles[hit][:, [1, 0]]  # near edge to far edge
    diff_y = coords[labels][:, [2, 3]] - obstacles[hit][:, [3, 2]]
    return (np.bincount(labels, _nearer(diff_x[:, 0], diff_x[:, 1]), minlength=count),
            np.bincount(labels, _nearer(diff_y[:, 0], diff_y[:, 1]), minlength=count))


def crossing_pairs(connections: np.ndarray) -> np.ndarray:
    """The pairs ``(i, j)``, ``j < i``, of leader segments (rows ``x1, y1, x2, y2``) that
    cross, in the order adjustText's double loop meets them; its ``intersect`` test, done
    for every pair at once with the same arithmetic."""
    x1, y1, x2, y2 = (connections[:, [k]] for k in range(4))  # the first segment: rows
    x3, y3, x4, y4 = (connections[:, k] for k in range(4))  # the second: columns
    denominator = (y4 - y3) * (x2 - x1) - (x4 - x3) * (y2 - y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        along_first = ((x4 - x3) * (y1 - y3) - (y4 - y3) * (x1 - x3)) / denominator
        along_second = ((x2 - x1) * (y1 - y3) - (y2 - y1) * (x1 - x3)) / denominator
    crossing = ((denominator != 0) & ~((along_first < 0) | (along_first > 1))
                & ~((along_second < 0) | (along_second > 1)))
    return np.argwhere(np.tril(crossing, k=-1))


def untangle_leaders(coords: np.ndarray, target_coords: np.ndarray, step: int) -> np.ndarray:
    """Swap the places of two labels whose leader lines cross: adjustText's
    ``remove_crossings``, its pair-by-pair Python loop replaced by :func:`crossing_pairs`
    (the swaps are then made one by one in the same order, as there)."""
    middles = np.column_stack([coords[:, :2].mean(axis=1), coords[:, 2:].mean(axis=1)])
    for i, j in crossing_pairs(np.hstack([middles, target_coords])):
        coords[i], coords[j] = coords[j].copy(), coords[i].copy()
    return coords


@contextmanager
def faster_overlaps() -> Iterator[None]:
    """While the block runs, adjustText uses :func:`shifts_between_labels`,
    :func:`shifts_from_obstacles` and :func:`untangle_leaders` (for :data:`CHECKED_RELEASE`
    only); its own functions after."""
    if adjustText.__version__ != CHECKED_RELEASE:
        yield
        return
    ours = {"get_shifts_texts": shifts_between_labels,
            "get_shifts_extra": shifts_from_obstacles,
            "remove_crossings": untangle_leaders}
    saved = {name: getattr(adjustText, name) for name in ours}
    for name, function in ours.items():
        setattr(adjustText, name, function)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(adjustText, name, function)
