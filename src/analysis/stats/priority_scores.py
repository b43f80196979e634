"""Scoring candidate issues for the priority matrix: each figure a 1-5 score by its dimension's
stated rule, an issue's weighted mean over the dimensions it has figures for (a missing one is
left out and the weights rescaled, never scored 0), the ranking with its coverage, and the
ranking re-run with each weight moved to show which priorities are robust.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from analysis.core.errors import ConfigError
from analysis.core.priority_matrix import DIMENSION_NAMES, DIMENSIONS, DimensionSpec, PriorityMatrix
from analysis.stats.comparators import HIGHER, LOWER, SIMILAR
from analysis.stats.measures import SIGNIFICANT_DECREASE, SIGNIFICANT_INCREASE


# --- scoring rules -------------------------------------------------------------------------
def _number(value: float) -> str:
    """1 decimal place below 100 (without a trailing '.0'), whole numbers from 100."""
    return f"{value:,.1f}".removesuffix(".0") if abs(value) < 100 else f"{value:,.0f}"


def band_score(value: float, cutoffs: list[float]) -> tuple[float, str]:
    """1 + how many cut-offs ``value`` reaches (``value >= cutoff``); NaN when missing.

    With cut-offs [0.5, 2, 5, 15]: 0.4 -> 1, 0.5 -> 2, 14.9 -> 4, 15 -> 5. Returns the score
    and the rule applied in words.
    """
    if value is None or pd.isna(value):
        return math.nan, "no figure: missing"
    reached = sum(value >= cut for cut in cutoffs)
    score = 1 + reached
    if reached == 0:
        words = f"below {_number(cutoffs[0])}"
    elif reached == len(cutoffs):
        words = f"{_number(cutoffs[-1])} or more"
    else:
        words = f"{_number(cutoffs[reached - 1])} to under {_number(cutoffs[reached])}"
    return float(score), f"{_number(value)} is {words} -> {score}"


def change_score(label: str, pct: float, large: float) -> tuple[float, str]:
    """Score a tested change: 5 significant rise of ``large`` % or more, 4 significant rise,
    3 no significant change, 2 significant fall, 1 significant fall of ``large`` % or more.

    NaN when the change was not assessed (a period incomplete, no earlier figure).
    """
    if label == SIGNIFICANT_INCREASE:
        score = 5 if pct >= large else 4
    elif label == SIGNIFICANT_DECREASE:
        score = 1 if pct <= -large else 2
    elif label in ("no significant change", SIMILAR):
        score = 3
    else:
        return math.nan, "change not assessed: missing"
    # The change is relative (per cent of the comparison period's count), so the rule says
    # so: "of 5 %" read as five percentage points, or as 5 % of something unnamed.
    size = (f", {_signed(pct)} % on the comparison period's count" if not pd.isna(pct)
            else "")
    qualifier = ""
    if score in (5, 4):
        qualifier = f" ({'at least' if score == 5 else 'under'} {_number(large)} % more)"
    elif score in (2, 1):
        qualifier = f" ({'at least' if score == 1 else 'under'} {_number(large)} % fewer)"
    return float(score), f"{label}{size}{qualifier} -> {score}"


def _signed(pct: float) -> str:
    """A relative change with its sign: '+13.5', '-2.1', '0'."""
    return f"+{_number(pct)}" if pct > 0 else _number(pct)


def comparison_score(label: str, ratio: float, large: float) -> tuple[float, str]:
    """Score a tested comparison: 5 significantly higher by a ratio of ``large`` or more,
    4 significantly higher, 3 not significantly different, 2 significantly lower,
    1 significantly lower with a ratio of 1/``large`` or less. NaN when not compared."""
    if label == HIGHER:
        score = 5 if ratio >= large else 4
    elif label == LOWER:
        score = 1 if ratio <= 1 / large else 2
    elif label == SIMILAR:
        score = 3
    else:
        return math.nan, "not compared: missing"
    qualifier = {5: f" ({large:g} or more)", 4: f" (under {large:g})",
                 2: f" (above 1/{large:g})", 1: f" (1/{large:g} or less)"}.get(score, "")
    return float(score), f"{label}, ratio {ratio:.2f}{qualifier} -> {score}"


def score_figure(spec: DimensionSpec, value: float, test: str) -> tuple[float, str]:
    """The score and rule text for one figure under its dimension's rule."""
    if spec.kind == "bands":
        return band_score(value, spec.cutoffs or [])
    if spec.kind == "change":
        return change_score(test, value, float(spec.large or 0))
    return comparison_score(test, value, float(spec.large or 0))


def emerging_score(score: float, rule: str, floor: int) -> tuple[float, str]:
    """A trend score raised to at least ``floor`` because the issue's series is emerging
    (a missing trend score becomes ``floor``), with the rule saying so."""
    raised = float(floor) if pd.isna(score) else max(score, float(floor))
    return raised, (f"{rule}; emerging (latest months above the forecast's upper interval) "
                    f"-> at least {floor}: {raised:g}")


def score_figures(figures: pd.DataFrame, matrix: PriorityMatrix) -> pd.DataFrame:
    """The audit trail: every figure with its score and the rule applied.

    ``figures`` comes from :func:`collect_figures` (issue_id, issue, dimension, value, test,
    detail, source, also_in, note, and optionally ``emerging``: True on a trend figure whose
    series is emerging). Adds ``score`` (1-5, NaN when missing), ``weight`` and ``rule``; a
    missing figure's rule says why it is missing. With ``matrix.emerging_trend_score`` above
    0, an emerging trend scores at least that (:func:`emerging_score`).
    """
    scored = figures.copy()
    results = [score_figure(matrix.dimensions[d], v, t) for d, v, t in
               zip(figures["dimension"], figures["value"], figures["test"], strict=True)]
    scored["score"] = [score for score, _ in results]
    scored["rule"] = [rule if note == "" else f"missing: {note}"
                      for (_, rule), note in zip(results, figures["note"], strict=True)]
    floor = matrix.emerging_trend_score
    if floor and "emerging" in figures:
        raise_rows = (figures["dimension"] == "trend") & figures["emerging"].eq(True)
        for index in figures.index[raise_rows]:
            scored.loc[index, ["score", "rule"]] = emerging_score(
                scored.loc[index, "score"], scored.loc[index, "rule"], floor)
    scored["weight"] = scored["dimension"].map(matrix.weights)
    return scored


def weighted_scores(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Weighted mean of the scores each issue has, and the share of weight that had a score.

    ``scores`` is wide (index issue, a column per dimension, NaN = missing). For an issue,
    score = sum(w * s over its scored dimensions) / sum(w over the same dimensions): missing
    dimensions drop out instead of counting as 0, and weights may sum to anything (only
    their ratios matter). coverage = sum(w scored) / sum(w all). An issue with no scored
    dimension (or only zero-weight ones) has score NaN.
    """
    w = pd.Series(weights, dtype="float64").reindex(scores.columns).fillna(0.0)
    if w.sum() <= 0:
        raise ConfigError("the weights add up to 0; give at least one dimension a weight")
    present = scores.notna()
    scored_weight = present.mul(w, axis=1).sum(axis=1)
    total = scores.fillna(0.0).mul(w, axis=1).sum(axis=1)
    return pd.DataFrame({
        "score": (total / scored_weight).where(scored_weight > 0),
        "coverage": scored_weight / w.sum(),
    })


def rank_scores(totals: pd.DataFrame, min_coverage: float) -> pd.Series:
    """Rank issues by weighted score, highest first; equal scores share the best place.

    Only issues whose coverage reaches ``min_coverage`` (and that have a score) are ranked;
    the others get <NA>. Scores are compared to 9 decimal places, so issues whose scores
    differ only by floating-point rounding tie. Returns a nullable integer Series.
    """
    eligible = totals["score"].notna() & (totals["coverage"] >= min_coverage - 1e-12)
    rounded = totals.loc[eligible, "score"].round(9)
    ranks = rounded.rank(method="min", ascending=False).astype("int64")
    return ranks.reindex(totals.index).astype("Int64")


def wide_scores(audit: pd.DataFrame) -> pd.DataFrame:
    """Issue x dimension score table (NaN = missing) from the audit trail."""
    return (audit.pivot(index="issue_id", columns="dimension", values="score")
            .reindex(columns=list(DIMENSIONS)).rename_axis(columns=None))


def comparable_weights(scores: pd.DataFrame, weights: Mapping[str, float]) -> dict[str, float]:
    """The weights with every dimension that no issue has a figure for set to 0.

    A dimension no issue could be scored on (no partner extract, no survey, the comparison
    period not held) says nothing about one issue against another, so it is left out of
    every issue's coverage alike; issues are then ranked on what is comparable. A dimension
    some issues have and others lack still counts against those that lack it.
    """
    assessed = scores.notna().any(axis=0)
    if not assessed.any():
        return dict(weights)
    return {name: (weight if bool(assessed.get(name, False)) else 0.0)
            for name, weight in weights.items()}


def not_assessed_dimensions(audit: pd.DataFrame) -> list[str]:
    """Dimensions no issue has a figure for (left out of the ranking for every issue)."""
    scores = wide_scores(audit)
    return [name for name in DIMENSIONS if not scores[name].notna().any()]


def left_out(audit: pd.DataFrame) -> pd.Series:
    """Per issue, the dimensions without a score and why, e.g. 'Trend: 2021 not held; Harm:
    40 % of crimes weighted, under the 80 % needed' (issue_id -> text, '' when none)."""
    order = {name: i for i, name in enumerate(DIMENSIONS)}
    missing = audit[audit["score"].isna()]
    missing = missing.iloc[missing["dimension"].map(order).argsort(kind="stable")]
    notes = missing["note"] if "note" in missing else pd.Series("", index=missing.index)
    text = (missing.assign(words=[f"{DIMENSION_NAMES[d]}: {note or 'no figure'}" for d, note
                                  in zip(missing["dimension"], notes, strict=True)])
            .groupby("issue_id", sort=False)["words"].agg("; ".join))
    return text.reindex(audit["issue_id"].unique()).fillna("")


def ranking(audit: pd.DataFrame, matrix: PriorityMatrix) -> pd.DataFrame:
    """One row per issue: its dimension scores, weighted score, coverage, rank, left out.

    Coverage is the share of the weight of the comparable dimensions
    (:func:`comparable_weights`) that the issue has a score for; ``left_out`` lists the
    dimensions without a score and why. Rows in rank order (ties by issue name), unranked
    issues last. Deterministic: the same audit trail and matrix always give the same table.
    """
    scores = wide_scores(audit)
    totals = weighted_scores(scores, comparable_weights(scores, matrix.weights))
    names = audit.drop_duplicates("issue_id").set_index("issue_id")["issue"]
    table = scores.join(totals)
    table["rank"] = rank_scores(totals, matrix.min_coverage)
    table["left_out"] = left_out(audit).reindex(table.index)
    table.insert(0, "issue", names.reindex(table.index))
    table = table.reset_index().sort_values(["rank", "issue"], na_position="last")
    return table.reset_index(drop=True)


def weightings(weights: Mapping[str, float], change: float
               ) -> list[tuple[str, dict[str, float]]]:
    """The base weights and, for each dimension with a weight, that weight x (1 +/- change)."""
    tested = [("base", dict(weights))]
    for name, weight in weights.items():
        if weight <= 0:
            continue
        for sign, word in ((1, "up"), (-1, "down")):
            moved = dict(weights)
            moved[name] = weight * (1 + sign * change)
            tested.append((f"{name} {word} {change:.0%}", moved))
    return tested


def sensitivity(audit: pd.DataFrame, matrix: PriorityMatrix) -> pd.DataFrame:
    """Rank range of every issue when each weight moves by ``matrix.sensitivity_change``.

    Columns: issue_id, rank (base), best_rank, worst_rank (over all tested weightings,
    <NA> if the issue is unranked under any of them), robust (ranked within ``top_n`` under
    every tested weighting) and weightings (how many were tested).
    """
    scores = wide_scores(audit)
    tested = weightings(comparable_weights(scores, matrix.weights), matrix.sensitivity_change)
    ranks = pd.DataFrame({
        label: rank_scores(weighted_scores(scores, w), matrix.min_coverage)
        for label, w in tested
    })
    always_ranked = ranks.notna().all(axis=1)
    table = pd.DataFrame({
        "rank": ranks["base"],
        "best_rank": ranks.min(axis=1).where(always_ranked).astype("Int64"),
        "worst_rank": ranks.max(axis=1).where(always_ranked).astype("Int64"),
    })
    table["robust"] = (always_ranked & (ranks.max(axis=1) <= matrix.top_n)).astype(bool)
    table["weightings"] = len(tested)
    return table.rename_axis("issue_id").reset_index()

