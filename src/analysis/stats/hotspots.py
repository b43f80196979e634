"""Hotspots on the grid: Getis-Ord Gi* with a false discovery rate, kernel density, and how each
square's hotspot status changed over the period's trend windows (persistent, emerging, ...).

Pure statistics on the counts per square from :mod:`analysis.stats.grid_squares`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import ndimage, sparse, stats
from scipy.spatial import cKDTree

from analysis.core.errors import ConfigError, DataCoverageError
from analysis.core.periods import DEFAULT_COMPARISON, Period, comparison_period
from analysis.inputs.police_uk import street_name
from analysis.stats.grid_squares import Grid, period_cell_counts
from analysis.stats.measures import (
    NOT_ASSESSED,
    percent_change,
    poisson_change_test,
    significance_label,
)

NEIGHBOUR_CELLS = 2.0
"""Default Gi* neighbour distance in cell sides: squares whose centres are within 2 cells."""


FDR_ALPHA = 0.05
"""False discovery rate controlled by the Benjamini–Hochberg procedure."""


WINDOW_MONTHS = 3
"""Preferred length of each Gi* window in the trend (quarters); see :func:`window_length`."""


MIN_EARLIER_WINDOWS = 4
"""Complete windows before the period that hotspot classes need (a year of quarters)."""


MIN_RECENT_WINDOWS = 2
"""Complete windows inside the period that hotspot classes need."""


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


def months_to_load(period: Period, comparison: str = DEFAULT_COMPARISON, *,
                   years: int = 3) -> list[date]:
    """Every month a place analysis of ``period`` reads, oldest first: its trend window
    (:meth:`analysis.core.periods.Period.trend_window`) and the comparison period of each trend
    year under ``comparison``, so every change it shows has both periods loaded. (A month not
    loaded would count as a month with no records.)"""
    trend = period.trend_window(years)
    wanted = [*trend, *(comparison_period(year, comparison) for year in trend)]
    return sorted({month for part in wanted for month in part.months})


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

    q_(k) = min over j ≥ k of p_(j) × m / j for the sorted p-values, capped at 1: scipy's
    :func:`scipy.stats.false_discovery_control` (``method="bh"``) on the known p-values.
    Missing p-values (squares where Gi* is undefined) stay missing and do not count in m;
    scipy refuses NaN, so they are set aside first.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.size, np.nan)
    known = ~np.isnan(p)
    if known.any():
        q[known] = stats.false_discovery_control(p[known], method="bh")
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
    (:meth:`analysis.core.periods.Period.trend_window`), so all its windows are recent ones.
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
    :func:`analysis.stats.measures.significance_label`. Needs at least one earlier and one recent
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
    labels = np.asarray(change, dtype=object)
    up, down = labels == "significant increase", labels == "significant decrease"
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

    "Last" is :func:`analysis.core.periods.comparison_period` under ``comparison`` (the area
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
    table["current"] = known_counts(current, period, available)
    table["previous"] = known_counts(previous, compared_with, available)
    assessed = both_periods_complete(period, compared_with, available)
    table = pd.concat([table, period_change_columns(current, previous, assessed=assessed)], axis=1)
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


def both_periods_complete(current: Period, previous: Period, available: set[date] | None) -> bool:
    """True when both periods have every month (or coverage is not known)."""
    return available is None or (current.coverage(available).complete
                                 and previous.coverage(available).complete)


def known_counts(counts: np.ndarray, period: Period, available: set[date] | None) -> pd.Series:
    """A period's counts, or missing when none of its months is published (unknown, not 0)."""
    if available is not None and not set(period.months) & available:
        return pd.Series(pd.NA, index=range(len(counts)), dtype="Int64")
    return pd.Series(counts, dtype="Int64")


def period_change_columns(current: np.ndarray, previous: np.ndarray, *,
                    assessed: bool = True) -> pd.DataFrame:
    """diff, pct_diff, p_value and change (significance label) for paired counts.

    When either period is incomplete (``assessed=False``) nothing is compared: the counts
    cover different spans, so every change is "not assessed". The exact test runs once per
    distinct pair of counts: a grid has thousands of squares but few distinct pairs of
    small counts, and the test (scipy's binomtest) was most of the trend's time.
    """
    if not assessed:
        blank = np.full(len(current), np.nan)
        return pd.DataFrame({"diff": blank, "pct_diff": blank, "p_value": blank,
                             "change": NOT_ASSESSED})
    pairs = [(int(c), int(p)) for c, p in zip(current, previous, strict=True)]
    tested = {pair: poisson_change_test(*pair) for pair in set(pairs) if any(pair)}
    p_values = [tested.get(pair, 1.0) for pair in pairs]
    diff = np.asarray(current) - np.asarray(previous)
    return pd.DataFrame({
        "diff": diff,
        "pct_diff": [percent_change(int(c), int(p)) if p else np.nan
                     for c, p in zip(current, previous, strict=True)],
        "p_value": p_values,
        "change": [significance_label(p, d) for p, d in zip(p_values, diff, strict=True)],
    })


def top_cells(trend: pd.DataFrame, assigned: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` squares with most events this period, with the LSOA, ward and street most
    of their events are recorded in (ties to the first in alphabetical order), ranked 1..n.

    The street is police.uk's ``location`` without its "On or near " prefix
    (:func:`analysis.inputs.police_uk.street_name`); missing when no event has one.
    """
    busiest = trend[trend["current"] > 0].sort_values(
        ["current", "cell_id"], ascending=[False, True]).head(n)
    placed = assigned[assigned["cell"].isin(busiest["cell"])].assign(
        street=lambda rows: rows["location"].map(street_name))
    labels = {}
    for column in ("lsoa_code", "ward_code", "street"):
        counts = placed.groupby(["cell", column]).size().rename("n").reset_index()
        counts = counts.sort_values(["cell", "n", column], ascending=[True, False, True])
        labels[column] = counts.drop_duplicates("cell").set_index("cell")[column]
    table = busiest.assign(**{column: busiest["cell"].map(found)
                              for column, found in labels.items()})
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)

