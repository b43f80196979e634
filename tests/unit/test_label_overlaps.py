"""analysis.present.label_overlaps: adjustText's overlap step without its quadratic pair
comparison and its crossing loop give exactly adjustText's results, so labels land on exactly
the same points."""

from __future__ import annotations

import adjustText
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.present import label_overlaps
from analysis.present.charts import spread_labels
from analysis.present.label_overlaps import (
    CHECKED_RELEASE,
    crossing_pairs,
    faster_overlaps,
    pairs_in_both,
    shifts_between_labels,
    shifts_from_obstacles,
    untangle_leaders,
)

ORIGINAL_TEXT_SHIFTS = adjustText.get_shifts_texts
ORIGINAL_EXTRA_SHIFTS = adjustText.get_shifts_extra
ORIGINAL_REMOVE_CROSSINGS = adjustText.remove_crossings


def boxes(generator: np.random.Generator, count: int, size: float) -> np.ndarray:
    """``count`` random boxes (rows x0, x1, y0, y1) in a 100 x 100 square."""
    corner = generator.uniform(0, 100, (count, 2))
    extent = generator.uniform(0.1, size, (count, 2))
    return np.column_stack([corner[:, 0], corner[:, 0] + extent[:, 0],
                            corner[:, 1], corner[:, 1] + extent[:, 1]])


def test_the_installed_adjusttext_is_the_release_checked() -> None:
    # a new adjustText release keeps its own code until these tests pass on it
    assert adjustText.__version__ == CHECKED_RELEASE


def test_pairs_in_both_keeps_the_order_of_the_first_list() -> None:
    first = np.array([[3, 1], [0, 2], [1, 1], [2, 0], [0, 2]])
    second = np.array([[1, 1], [0, 2], [4, 4]])
    assert pairs_in_both(first, second, 5).tolist() == [[0, 2], [1, 1], [0, 2]]
    assert pairs_in_both(first, second[:0], 5).shape == (0, 2)


@pytest.mark.parametrize("seed", range(25))
def test_shifts_are_adjusttexts_to_the_last_bit(seed: int) -> None:
    generator = np.random.default_rng(seed)
    labels = boxes(generator, int(generator.integers(1, 40)), 25)
    obstacles = boxes(generator, int(generator.integers(1, 250)), 3)
    for ours, theirs in ((shifts_between_labels(labels), ORIGINAL_TEXT_SHIFTS(labels)),
                         (shifts_from_obstacles(labels, obstacles),
                          ORIGINAL_EXTRA_SHIFTS(labels, obstacles))):
        for our_axis, their_axis in zip(ours, theirs, strict=True):
            assert np.array_equal(our_axis, their_axis)
            assert our_axis.dtype == their_axis.dtype


def test_no_overlap_means_no_shift() -> None:
    labels = np.array([[0.0, 1.0, 0.0, 1.0], [5.0, 6.0, 5.0, 6.0]])
    obstacles = np.array([[10.0, 11.0, 10.0, 11.0]])
    for shifts in (shifts_between_labels(labels), shifts_from_obstacles(labels, obstacles)):
        assert [axis.tolist() for axis in shifts] == [[0.0, 0.0], [0.0, 0.0]]


def test_crossing_pairs_by_hand() -> None:
    leaders = np.array([[0.0, 0.0, 2.0, 2.0],   # 0: a diagonal
                        [0.0, 2.0, 2.0, 0.0],   # 1: crosses 0
                        [5.0, 5.0, 6.0, 5.0],   # 2: apart
                        [1.0, 0.0, 1.0, 3.0],   # 3: crosses 0 and 1
                        [0.0, 1.0, 2.0, 3.0]])  # 4: parallel to 0; crosses 1 and 3
    assert crossing_pairs(leaders).tolist() == [[1, 0], [3, 0], [3, 1], [4, 1], [4, 3]]


@pytest.mark.parametrize("seed", range(25))
def test_untangling_is_adjusttexts_to_the_last_bit(seed: int) -> None:
    generator = np.random.default_rng(seed)
    labels = boxes(generator, int(generator.integers(2, 30)), 20)
    targets = generator.uniform(0, 100, (labels.shape[0], 2))
    theirs = ORIGINAL_REMOVE_CROSSINGS(labels.copy(), targets, step=0)
    ours = untangle_leaders(labels.copy(), targets, step=0)
    assert np.array_equal(ours, theirs)
    if seed == 0:
        assert not np.array_equal(ours, labels), "some leaders crossed and were swapped"


def _placed(faster: bool) -> list[tuple[float, float]]:
    """Where spread_labels puts 25 crowded labels among 150 points."""
    generator = np.random.default_rng(7)
    figure = Figure(figsize=(6, 5), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(xlim=(0, 10), ylim=(0, 10))
    x, y = generator.uniform(0, 10, 25).tolist(), generator.uniform(0, 10, 25).tolist()
    texts = [axes.text(px, py, f"Ward number {i}", fontsize=7) for i, (px, py)
             in enumerate(zip(x, y, strict=True))]
    obstacles = (generator.uniform(0, 10, 125).tolist(), generator.uniform(0, 10, 125).tolist())
    if faster:
        spread_labels(axes, texts, (x, y), obstacles)
    else:  # spread_labels with adjustText's own overlap step
        release = label_overlaps.CHECKED_RELEASE
        label_overlaps.CHECKED_RELEASE = "not this one"
        try:
            spread_labels(axes, texts, (x, y), obstacles)
        finally:
            label_overlaps.CHECKED_RELEASE = release
    return [text.get_position() for text in texts]


def test_labels_land_exactly_where_adjusttext_alone_puts_them() -> None:
    placed = _placed(faster=True)
    assert placed == _placed(faster=False)
    start = np.random.default_rng(7).uniform(0, 10, (2, 25))
    moved = np.hypot(*(np.array(placed).T - start))
    assert (moved > 0.1).sum() >= 10, "the labels were crowded enough to be moved"


def test_adjusttext_gets_its_own_functions_back() -> None:
    with faster_overlaps():
        assert adjustText.get_shifts_extra is shifts_from_obstacles
    assert adjustText.get_shifts_texts is ORIGINAL_TEXT_SHIFTS
    assert adjustText.get_shifts_extra is ORIGINAL_EXTRA_SHIFTS
    assert adjustText.remove_crossings is ORIGINAL_REMOVE_CROSSINGS
    with pytest.raises(RuntimeError), faster_overlaps():
        raise RuntimeError("a failed placement")
    assert adjustText.get_shifts_extra is ORIGINAL_EXTRA_SHIFTS
