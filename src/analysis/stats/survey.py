"""Survey statistics: intervals for a proportion, change between waves, rank among districts.

Perception surveys report the share of respondents agreeing with a statement ("crime and ASB
has become more of a problem": 33 %). A share from 500 people is an estimate, so the report
shows its 95 % interval, says whether a change between waves is larger than sampling error
would produce, and ranks the area among the force's districts only as far as the intervals
allow. Weighted surveys are less precise than their respondent count suggests; the design
effect (deff) says by how much: the effective sample size is ``n / deff``.

Survey results arrive in the partner *indicators* extract (``docs/data-contract.md`` §6):
:func:`survey_results` turns those rows into one row per question, area and wave.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable

import pandas as pd
from scipy import stats

from analysis.core.errors import ConfigError, InputError
from analysis.stats.comparators import check_rankable, ordinal
from analysis.stats.measures import significance_label

SURVEY_PREFIX = "survey:"
"""Indicators whose id starts with this are survey results (``survey:<question_id>``)."""

_DEFF_TAG = re.compile(r"\s*\[deff\s+(?P<deff>[0-9]*\.?[0-9]+)\]\s*$", re.IGNORECASE)

_ORDINAL_WORDS = ("", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth", "tenth")


def _z_value(confidence: float) -> float:
    """The two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ConfigError("confidence must be between 0 and 1", found=confidence)
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _check_design_effect(design_effect: float) -> float:
    if not (design_effect > 0 and math.isfinite(design_effect)):
        raise InputError("The design effect must be a positive number", found=design_effect,
                         expected="1.0 for a simple random sample, usually 1 to 3 if weighted")
    return float(design_effect)


def _check_proportion(p: float, name: str) -> float:
    if not 0 <= p <= 1:
        raise InputError(f"{name} must be a proportion between 0 and 1", found=p,
                         hint="divide a percentage by 100 (33 % is 0.33)")
    return float(p)


def _check_sample_size(n: float, name: str) -> float:
    if not (n > 0 and math.isfinite(n)):
        raise InputError(f"{name} must be a positive number of respondents", found=n)
    return float(n)


def wilson_interval(
    successes: float, n: float, confidence: float = 0.95, design_effect: float = 1.0
) -> tuple[float, float]:
    """Wilson score interval for the proportion ``successes / n``.

    Wilson rather than the simple ``p ± 1.96·se`` because it stays inside 0–1 and behaves at
    0 % and 100 %. ``successes`` may be a weighted count (not a whole number). With a design
    effect the interval is computed on the effective sample size ``n / design_effect`` and
    the same proportion, so weighting widens the interval without moving its centre.
    """
    n = _check_sample_size(n, "n")
    if not 0 <= successes <= n:
        raise InputError("successes must be between 0 and n", found=successes,
                         expected=f"0 to {n:g}")
    n_eff = n / _check_design_effect(design_effect)
    z = _z_value(confidence)
    p = successes / n
    denominator = 1 + z**2 / n_eff
    centre = (p + z**2 / (2 * n_eff)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
    # The interval contains p exactly; min/max guard only against floating-point rounding
    # (at 10/10 the formula gives 0.9999999999999999 for an upper bound that is 1).
    return max(0.0, min(p, centre - half_width)), min(1.0, max(p, centre + half_width))


def proportion_change(
    p1: float, n1: float, p2: float, n2: float, *, design_effect: float = 1.0,
    alpha: float = 0.05,
) -> dict[str, float | str]:
    """Is the change from ``p1`` (wave 1, ``n1`` respondents) to ``p2`` more than chance?

    The pooled two-proportion z-test on effective sample sizes ``n / design_effect``:
    ``z = (p2 - p1) / sqrt(p̄(1 - p̄)(1/n1 + 1/n2))`` with ``p̄`` the pooled proportion.
    Returns ``difference`` (p2 - p1, a proportion), ``difference_points`` (percentage
    points), ``z``, the two-sided ``p_value`` and a plain ``label`` ("significant increase",
    "significant decrease" or "no significant change").
    """
    p1, p2 = _check_proportion(p1, "p1"), _check_proportion(p2, "p2")
    deff = _check_design_effect(design_effect)
    n1_eff = _check_sample_size(n1, "n1") / deff
    n2_eff = _check_sample_size(n2, "n2") / deff
    pooled = (p1 * n1_eff + p2 * n2_eff) / (n1_eff + n2_eff)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n1_eff + 1 / n2_eff))
    difference = p2 - p1
    if standard_error == 0:  # both waves 0 % or both 100 %: nothing changed
        z, p_value = 0.0, 1.0
    else:
        z = difference / standard_error
        p_value = float(2 * stats.norm.sf(abs(z)))
    return {
        "difference": difference,
        "difference_points": 100 * difference,
        "z": z,
        "p_value": p_value,
        "label": significance_label(p_value, difference, alpha=alpha),
    }


def _place_words(rank: int, of: int, tied: bool, top: str, bottom: str) -> str:
    """A place in words: 'highest of 4', 'second highest of 4', 'joint third worst of 6'.

    ``top`` names place 1 ("highest", "worst"), ``bottom`` the last place ("lowest", "best").
    """
    if rank == of and not tied and of > 1:
        place = bottom
    elif rank == 1:
        place = top
    else:
        word = _ORDINAL_WORDS[rank] if rank < len(_ORDINAL_WORDS) else ordinal(rank)
        place = f"{word} {top}"
    return f"{'joint ' if tied else ''}{place} of {of}"


def _overlap(a: pd.Series, b: pd.Series) -> bool:
    """True if two intervals (``lower``, ``upper``) share at least one point."""
    return bool(a["lower"] <= b["upper"] and b["lower"] <= a["upper"])


def rank_among(
    values: pd.Series,
    area: Hashable,
    *,
    higher_is: str = "worse",
    intervals: pd.DataFrame | None = None,
) -> dict[str, object]:
    """Where ``area`` stands among ``values`` (indexed by area), in words and with caveats.

    Rank 1 is the highest value; equal values share a place ("joint second highest of 4")
    and are listed in ``tied_with``. ``higher_is`` ("worse" or "better") adds the same place
    as a judgement ("second worst of 4"). With ``intervals`` (columns ``lower``, ``upper``,
    indexed like ``values``) the result says whether the area's interval overlaps those of
    its neighbours, the areas with the next higher and next lower value: if it does, the
    order between them may be sampling noise, and ``summary`` says so.
    """
    if higher_is not in ("worse", "better"):
        raise ConfigError("higher_is must be 'worse' or 'better'", found=higher_is)
    check_rankable(values, area)
    own = values.loc[area]
    rank = int((values > own).sum()) + 1
    tied_with = [other for other in values.index[values == own] if other != area]
    tied = bool(tied_with)
    higher, lower = values[values > own], values[values < own]
    above = list(higher.index[higher == higher.min()]) if len(higher) else []
    below = list(lower.index[lower == lower.max()]) if len(lower) else []
    words = ("worst", "best") if higher_is == "worse" else ("best", "worst")
    result: dict[str, object] = {
        "area": area,
        "value": float(own),
        "rank": rank,
        "of": len(values),
        "tied_with": tied_with,
        "position": _place_words(rank, len(values), tied, "highest", "lowest"),
        "judgement": _place_words(rank, len(values), tied, *words),
        "above": above,
        "below": below,
        "overlaps": None,
        "clear_of_neighbours": None,
    }
    summary = f"{area} is {result['position']} ({result['judgement']})"
    if tied:
        summary += f", level with {', '.join(map(str, tied_with))}"
    if intervals is not None:
        missing = [a for a in values.index if a not in intervals.index]
        if missing or not {"lower", "upper"} <= set(intervals.columns):
            raise InputError("intervals must have columns lower and upper for every area",
                             found=missing or list(intervals.columns))
        overlaps = {n: _overlap(intervals.loc[area], intervals.loc[n]) for n in above + below}
        result["overlaps"] = overlaps
        result["clear_of_neighbours"] = not any(overlaps.values())
        overlapping = [str(n) for n, overlap in overlaps.items() if overlap]
        if overlapping:
            summary += (f"; its interval overlaps {', '.join(overlapping)}, so that part of "
                        "the order may be chance")
        else:
            summary += "; its interval does not overlap its neighbours'"
    result["summary"] = summary
    return result


def _design_effect_from_note(note: object) -> float:
    """The ``[deff x]`` tag at the end of a survey row's note; 1.0 when there is none."""
    match = _DEFF_TAG.search(note) if isinstance(note, str) else None
    return float(match["deff"]) if match else 1.0


def survey_results(indicators: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """The survey rows of a loaded indicators extract, one per question, area and wave.

    Survey rows have ``indicator`` = ``survey:<question_id>``, ``value`` = weighted per cent
    agreeing, ``numerator`` = weighted number agreeing, ``denominator`` = respondents and
    ``note`` = the question text ending ``[deff x]`` (see ``docs/data-contract.md`` §6).
    Returns ``question_id, area, period, question, percent, proportion, respondents,
    agreeing, design_effect, lower, upper`` (interval bounds as proportions, Wilson).
    """
    rows = indicators[indicators["indicator"].str.startswith(SURVEY_PREFIX, na=False)]
    no_base = rows[rows["denominator"].isna() | (rows["denominator"] <= 0)]
    if len(no_base):
        first = no_base.iloc[0]
        raise InputError(
            "A survey result has no number of respondents (denominator)",
            found=f"{first['indicator']}, {first['area']}, {first['period']}",
            expected="denominator = unweighted respondents answering the question",
        )
    notes = rows["note"].astype("object").where(rows["note"].notna(), None)
    table = pd.DataFrame(
        {
            "question_id": rows["indicator"].str.removeprefix(SURVEY_PREFIX),
            "area": rows["area"],
            "period": rows["period"],
            "question": [_DEFF_TAG.sub("", n) if isinstance(n, str) else pd.NA for n in notes],
            "percent": rows["value"].astype(float),
            "proportion": rows["value"].astype(float) / 100,
            "respondents": rows["denominator"].astype(float),
            "agreeing": rows["numerator"].astype(float),
            "design_effect": [_design_effect_from_note(n) for n in notes],
        }
    )
    bounds = [
        wilson_interval(p * n, n, confidence, deff)
        for p, n, deff in zip(table["proportion"], table["respondents"],
                              table["design_effect"], strict=True)
    ]
    table["lower"] = [low for low, _ in bounds]
    table["upper"] = [high for _, high in bounds]
    return table.sort_values(["question_id", "area", "period"]).reset_index(drop=True)
