"""How the partnership compares: force, England and Wales, and its most similar group (peers).

Rates per 1,000 population make areas of different size comparable. This module ranks the
area among its peers ("3rd highest of 15"), compares it with the peer average using an exact
Poisson test, and draws a funnel plot: each peer's rate against its population, with the
95 % and 99.8 % limits within which a rate would fall by chance if every area shared the
peer average. Peer membership is configuration (a list of areas), never hard-coded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.stats.measures import (
    add_rates,
    exact_poisson_interval,
    poisson_change_test,
    require_columns,
)

FUNNEL_LEVELS = (0.95, 0.998)

HIGHER = "significantly higher"
LOWER = "significantly lower"
SIMILAR = "not significantly different"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 11 -> '11th', 22 -> '22nd'."""
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def check_rankable(values: pd.Series, area: object) -> None:
    """Fail unless ``area`` is among ``values`` (indexed by area) and none is missing: a rank
    among incomplete values would place the area wrongly without saying so."""
    if area not in values.index:
        raise InputError("Area not among the values being ranked", found=area,
                         expected=f"one of {', '.join(map(str, values.index))}")
    if values.isna().any():
        raise InputError("Cannot rank areas with missing values",
                         found=list(values.index[values.isna()]))


def position(values: pd.Series, area: object, *, highest: bool = True) -> str:
    """The area's place among ``values`` (indexed by area), e.g. '3rd highest of 15'.

    Equal values share a place, written 'joint 2nd highest of 15'; first place reads
    'highest of 15' (or 'joint highest of 15'), as an analyst would write it.
    """
    check_rankable(values, area)
    own = values.loc[area]
    ahead = (values > own).sum() if highest else (values < own).sum()
    tied = (values == own).sum() > 1
    word = "highest" if highest else "lowest"
    place = "" if ahead == 0 else f"{ordinal(int(ahead) + 1)} "
    return f"{'joint ' if tied else ''}{place}{word} of {len(values)}"


def _comparison_label(p_value: float, difference: float, alpha: float) -> str:
    if p_value < alpha and difference > 0:
        return HIGHER
    if p_value < alpha and difference < 0:
        return LOWER
    return SIMILAR


def peer_comparison(
    peers: pd.DataFrame,
    area: object,
    *,
    area_col: str = "area",
    count_col: str = "count",
    population_col: str = "population",
    per: int = 1000,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Compare one area with the rest of its peer group.

    ``peers`` has one row per member including the area itself. The peer average is the
    pooled rate of the other members (their crimes / their population), so the test compares
    two independent counts: the exact conditional Poisson test with the population ratio as
    exposure. Returns rate, peer_rate, difference (per ``per``), ratio, p_value,
    significance ('significantly higher', 'significantly lower' or 'not significantly
    different') and position ('2nd highest of 15', by rate).
    """
    require_columns(peers, [area_col, count_col, population_col])
    if peers[area_col].duplicated().any():
        raise InputError("An area appears twice in the peer list", column=area_col,
                         found=list(peers.loc[peers[area_col].duplicated(), area_col]))
    is_area = peers[area_col] == area
    if not is_area.any():
        raise InputError("The area is not in the peer table", found=area, column=area_col)
    others = peers[~is_area]
    if others.empty:
        raise InputError("The peer group has no other members", found=area)
    count = int(peers.loc[is_area, count_col].iloc[0])
    population = float(peers.loc[is_area, population_col].iloc[0])
    peer_count, peer_population = int(others[count_col].sum()), float(others[population_col].sum())
    if population <= 0 or peer_population <= 0:
        raise InputError("Populations must be positive", column=population_col)
    rate = count / population * per
    peer_rate = peer_count / peer_population * per
    p_value = poisson_change_test(count, peer_count, exposure_ratio=population / peer_population)
    rates = pd.Series((peers[count_col] / peers[population_col] * per).to_numpy(),
                      index=peers[area_col])
    return {
        "area": area,
        "rate": rate,
        "peer_rate": peer_rate,
        "difference": rate - peer_rate,
        "ratio": rate / peer_rate if peer_rate else np.nan,
        "p_value": p_value,
        "significance": _comparison_label(p_value, rate - peer_rate, alpha),
        "position": position(rates, area),
        "peers": len(peers),
    }


def comparator_table(
    table: pd.DataFrame,
    area: object,
    *,
    population_vintage: str,
    area_col: str = "area",
    count_col: str = "count",
    population_col: str = "population",
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Rates with intervals for the area and each comparator (force, England and Wales …).

    Adds rate, lower, upper, population_vintage, and, for each comparator row, p_value and
    significance of the area's rate against it (exact conditional Poisson test). When the
    comparator contains the area (its force does) the test is conservative; see methods.md.
    """
    require_columns(table, [area_col, count_col, population_col])
    out = add_rates(table, count_col=count_col, population_col=population_col,
                    population_vintage=population_vintage, confidence=confidence)
    is_area = out[area_col] == area
    if is_area.sum() != 1:
        raise InputError("The area must appear exactly once", column=area_col, found=area)
    count = int(out.loc[is_area, count_col].iloc[0])
    population = float(out.loc[is_area, population_col].iloc[0])
    p_values, labels = [], []
    for _, row in out.iterrows():
        if row[area_col] == area:
            p_values.append(np.nan)
            labels.append("")
            continue
        p_value = poisson_change_test(count, int(row[count_col]),
                                      exposure_ratio=population / float(row[population_col]))
        p_values.append(p_value)
        difference = count / population - row[count_col] / row[population_col]
        labels.append(_comparison_label(p_value, difference, alpha))
    out["p_value"] = p_values
    out["significance"] = labels
    return out


def funnel_limits(
    target_rate: float,
    populations: Iterable[float],
    *,
    per: int = 1000,
    levels: Sequence[float] = FUNNEL_LEVELS,
    n_points: int = 200,
) -> pd.DataFrame:
    """Funnel-plot control limits around ``target_rate`` (per ``per`` population).

    For a population n the expected count is E = target_rate × n / per; the limits are the
    exact Poisson (chi-squared) limits for E, turned back into rates. Returns one row per
    population on a smooth grid spanning ``populations``: population, expected, target_rate,
    and lower_<level>/upper_<level> columns (e.g. lower_95, upper_99_8).
    """
    pops = np.asarray(list(populations), dtype=float)
    if pops.size == 0 or (pops <= 0).any() or not np.isfinite(pops).all():
        raise InputError("Funnel populations must be positive numbers", found=pops.tolist())
    if not target_rate > 0:
        raise InputError("The funnel's target rate must be positive", found=target_rate)
    grid = np.unique(np.concatenate([
        np.geomspace(pops.min(), pops.max(), n_points) if pops.min() < pops.max() else [],
        pops,
    ]))
    out = pd.DataFrame({"population": grid})
    out["expected"] = target_rate * grid / per
    out["target_rate"] = target_rate
    for level in levels:
        suffix = _level_suffix(level)
        bounds = [exact_poisson_interval(e, level) for e in out["expected"]]
        out[f"lower_{suffix}"] = [lo / n * per for (lo, _), n in zip(bounds, grid, strict=True)]
        out[f"upper_{suffix}"] = [hi / n * per for (_, hi), n in zip(bounds, grid, strict=True)]
    return out


def _level_suffix(level: float) -> str:
    if not 0 < level < 1:
        raise ConfigError("A funnel level must be between 0 and 1", found=level)
    return f"{level * 100:g}".replace(".", "_")


def funnel_bands(
    points: pd.DataFrame,
    target_rate: float,
    *,
    count_col: str = "count",
    population_col: str = "population",
    per: int = 1000,
) -> pd.DataFrame:
    """A copy of ``points`` with rate and funnel_band: where each area sits on the funnel.

    Bands: 'above 99.8% limit', 'above 95% limit', 'within 95% limits', 'below 95% limit',
    'below 99.8% limit'.
    """
    require_columns(points, [count_col, population_col])
    out = points.copy()
    out["rate"] = out[count_col] / out[population_col] * per
    limits = funnel_limits(target_rate, out[population_col], per=per, n_points=2)
    limits = limits.set_index("population")
    bands = []
    for rate, population in zip(out["rate"], out[population_col], strict=True):
        row = limits.loc[float(population)]
        if rate > row["upper_99_8"]:
            bands.append("above 99.8% limit")
        elif rate > row["upper_95"]:
            bands.append("above 95% limit")
        elif rate < row["lower_99_8"]:
            bands.append("below 99.8% limit")
        elif rate < row["lower_95"]:
            bands.append("below 95% limit")
        else:
            bands.append("within 95% limits")
    out["funnel_band"] = bands
    return out


