"""Figures that arrive as numbers, not records: the long-format partner *indicators* table.

Proven reoffending rates, first-time entrants, restorative-justice, NRM and Prevent referrals
and A&E assault attendances come from partners as one row per indicator, area and period
(``indicator, area, period, value, numerator, denominator, source, note``; see
``docs/data-contract.md`` §6). This module picks one indicator out for the partnership, its
force area and England, attaches a 95 % interval where the row carries what an interval
needs, and says so plainly where it does not. It also tests differences: the area against
the rest of the force or England, and this period against the last.

Intervals by kind of figure:

* a **proportion** (per cent reoffending = reoffenders / cohort): Wilson score interval;
* a **rate** per population (first-time entrants per 100,000 aged 10-17): Byar's interval on
  the numerator (exact Poisson below 10 events), scaled by the denominator;
* a **count** (referrals, attendances): an exact/Byar Poisson interval on the count, only when
  the count is supplied as the numerator.

A row without the numbers an interval needs gets no interval and the words
:data:`NO_INTERVAL`, never an interval made up from the value alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.core.config import AreaConfig
from analysis.core.errors import ConfigError, InputError
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_DIRECTION,
    NOT_SIGNIFICANT,
    SIGNIFICANT,
    SIMILAR_TO_COMPARATORS,
    Finding,
)
from analysis.core.periods import Period
from analysis.stats.comparators import HIGHER, LOWER, SIMILAR
from analysis.stats.measures import (
    NO_SIGNIFICANT_CHANGE,
    NOT_ASSESSED,
    RELIABLE_BASE,
    SIGNIFICANT_DECREASE,
    SIGNIFICANT_INCREASE,
    byar_interval,
    percent_change,
    poisson_change_test,
    significance_label,
)
from analysis.stats.survey import proportion_change, wilson_interval

ENGLAND_CODE = "E92000001"
AREA, FORCE, ENGLAND = "area", "force", "England"
LEVELS = (AREA, FORCE, ENGLAND)

NO_INTERVAL = "no interval: no numerator/denominator supplied"

PROPORTION, RATE, COUNT = "proportion", "rate", "count"

TWO_PROPORTION_TEST = "pooled two-proportion z-test"
POISSON_TEST = "exact conditional Poisson test"

SELECTED_COLUMNS = ["indicator", "level", "geography", "area", "period", "value", "numerator",
                    "denominator", "source", "note"]


@dataclass(frozen=True)
class IndicatorKind:
    """What an indicator's value is: a proportion, a rate per ``per`` people, or a count."""

    measure: str
    per: int
    unit: str

    def __post_init__(self) -> None:
        if self.measure not in (PROPORTION, RATE, COUNT):
            raise ConfigError("Unknown kind of indicator", found=self.measure,
                              expected=f"one of {PROPORTION}, {RATE}, {COUNT}")


KNOWN_INDICATORS: dict[str, IndicatorKind] = {
    "proven_reoffending_adult": IndicatorKind(PROPORTION, 100, "% reoffending"),
    "proven_reoffending_youth": IndicatorKind(PROPORTION, 100, "% reoffending"),
    "first_time_entrants": IndicatorKind(RATE, 100_000, "per 100,000 aged 10-17"),
    "rj_referrals": IndicatorKind(COUNT, 1, "referrals"),
    "nrm_referrals": IndicatorKind(COUNT, 1, "referrals"),
    "prevent_referrals": IndicatorKind(COUNT, 1, "referrals"),
    "ae_assault_attendances": IndicatorKind(COUNT, 1, "attendances"),
    "deliberate_fires_primary": IndicatorKind(COUNT, 1, "fires"),
    "deliberate_fires_secondary": IndicatorKind(COUNT, 1, "fires"),
}
"""The indicator ids of ``docs/data-contract.md`` §6.1 and what their values are."""


def kind_of(indicator: str) -> IndicatorKind:
    """The kind of a contract indicator id; ConfigError for an id the contract does not list."""
    if indicator not in KNOWN_INDICATORS:
        raise ConfigError("Unknown indicator id", found=indicator,
                          expected=f"one of {', '.join(KNOWN_INDICATORS)}",
                          hint="pass the kind explicitly for an indicator outside the contract")
    return KNOWN_INDICATORS[indicator]


@dataclass(frozen=True)
class Geographies:
    """The partnership's codes (CSP first, then its LADs), its force and England, with names."""

    area_codes: tuple[str, ...]
    force_code: str
    area_name: str
    force_name: str
    england_code: str = ENGLAND_CODE

    @classmethod
    def from_config(cls, config: AreaConfig) -> Geographies:
        """The geographies an area's config names (indicator rows may use the CSP or LAD code)."""
        return cls((config.csp_code, *config.lad_codes), config.force.code, config.csp_name,
                   config.force.name)

    def level_of(self, code: str) -> str | None:
        """'area', 'force', 'England' or None for a code outside the three."""
        if code in self.area_codes:
            return AREA
        return {self.force_code: FORCE, self.england_code: ENGLAND}.get(code)

    def name_of(self, level: str) -> str:
        """The name shown for a level: the partnership's, the force's or 'England'."""
        return {AREA: self.area_name, FORCE: self.force_name, ENGLAND: "England"}[level]


def indicator_period(period: Period) -> str:
    """How the indicators table writes ``period``: '2024-25' for 2024/25, '2022' for 2022."""
    return period.label.replace("/", "-") if period.kind == "financial_year" else period.label


def select_indicator(indicators: pd.DataFrame | None, indicator: str, geographies: Geographies,
                     periods: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of one indicator for the area, its force and England, oldest period first.

    Returns :data:`SELECTED_COLUMNS` (``level`` = 'area', 'force' or 'England'; ``geography``
    = its name). Empty (same columns) when the table is None or holds no such row. Where the
    area appears under both its CSP and a LAD code for one period, the CSP's row is kept.
    """
    if indicators is None:
        return pd.DataFrame(columns=SELECTED_COLUMNS)
    rows = indicators[indicators["indicator"] == indicator].copy()
    if periods is not None:
        rows = rows[rows["period"].isin(list(periods))]
    rows["level"] = [geographies.level_of(code) for code in rows["area"]]
    rows = rows[rows["level"].notna()]
    code_order = {code: i for i, code in enumerate((*geographies.area_codes,
                                                    geographies.force_code,
                                                    geographies.england_code))}
    rows = (rows.assign(_order=rows["area"].map(code_order))
            .sort_values(["_order", "period"])
            .drop_duplicates(["level", "period"], keep="first"))
    rows["geography"] = rows["level"].map(geographies.name_of)
    rows["_level"] = rows["level"].map(LEVELS.index)
    rows = rows.sort_values(["_level", "period"])
    for column in ("value", "numerator", "denominator"):
        rows[column] = rows[column].astype("float64")
    return rows[SELECTED_COLUMNS].reset_index(drop=True)


def _has_base(numerator: float, denominator: float, measure: str) -> bool:
    """Does a row carry what an interval of its kind needs?"""
    if measure == COUNT:
        return not math.isnan(numerator)
    return not (math.isnan(numerator) or math.isnan(denominator)) and denominator > 0


def interval(numerator: float, denominator: float, kind: IndicatorKind,
             confidence: float = 0.95) -> tuple[float, float, str]:
    """(lower, upper, method) for one row, in the units of its value.

    Proportions: Wilson on numerator / denominator, times ``per``. Rates: Byar (exact below
    10 events) on the numerator, times ``per`` / denominator. Counts: Byar/exact on the count.
    Without the numbers needed: (nan, nan, :data:`NO_INTERVAL`).
    """
    if not _has_base(numerator, denominator, kind.measure):
        return math.nan, math.nan, NO_INTERVAL
    if kind.measure == PROPORTION:
        lower, upper = wilson_interval(numerator, denominator, confidence)
        return lower * kind.per, upper * kind.per, "Wilson score"
    if numerator != int(numerator):
        raise InputError("A count or rate numerator must be a whole number of events",
                         found=numerator)
    lower, upper = byar_interval(int(numerator), confidence)
    method = "Byar" if numerator >= 10 else "exact Poisson"
    scale = 1.0 if kind.measure == COUNT else kind.per / denominator
    return lower * scale, upper * scale, method


def with_intervals(rows: pd.DataFrame, kind: IndicatorKind,
                   confidence: float = 0.95) -> pd.DataFrame:
    """A copy of selected rows with ``lower``, ``upper`` and ``interval_method`` added."""
    bounds = [interval(n, d, kind, confidence)
              for n, d in zip(rows["numerator"].astype("float64"),
                              rows["denominator"].astype("float64"), strict=True)]
    out = rows.copy()
    out["lower"] = pd.Series([b[0] for b in bounds], index=rows.index, dtype="float64")
    out["upper"] = pd.Series([b[1] for b in bounds], index=rows.index, dtype="float64")
    out["interval_method"] = pd.Series([b[2] for b in bounds], index=rows.index, dtype="str")
    return out


def indicator_table(indicators: pd.DataFrame | None, indicator: str, geographies: Geographies,
                    periods: Sequence[str] | None = None,
                    kind: IndicatorKind | None = None) -> pd.DataFrame:
    """:func:`select_indicator` with intervals (the kind from the contract unless given)."""
    return with_intervals(select_indicator(indicators, indicator, geographies, periods),
                          kind or kind_of(indicator))


def latest_periods(rows: pd.DataFrame, up_to: Period, n: int = 2) -> list[str]:
    """The latest ``n`` periods the area has a row for, none starting after ``up_to`` starts.

    Indicator periods are written '2022-23' or '2022'; a period counts as started by the
    assessment period when its first year is no later than the assessment's first year.
    Reoffending cohorts run about two years behind, so these need not be the assessment
    period itself.
    """
    area = rows.loc[rows["level"] == AREA, "period"]
    eligible = sorted({p for p in area if int(str(p)[:4]) <= up_to.start.year})
    return eligible[-n:]


def _row(rows: pd.DataFrame, level: str, period: str) -> pd.Series | None:
    found = rows[(rows["level"] == level) & (rows["period"] == period)]
    return None if found.empty else found.iloc[0]


def _comparison_label(label: str) -> str:
    """A change label ('significant increase') read as a comparison ('significantly higher')."""
    return {"significant increase": HIGHER, "significant decrease": LOWER}.get(label, SIMILAR)


def _proportion_test(first: tuple[float, float], second: tuple[float, float]) -> tuple[float, str]:
    """(p-value, change label) for numerator/denominator pairs ``first`` -> ``second``."""
    (n1, d1), (n2, d2) = first, second
    result = proportion_change(n1 / d1, d1, n2 / d2, d2)
    return float(result["p_value"]), str(result["label"])


def _poisson_test(first: tuple[float, float], second: tuple[float, float]) -> tuple[float, str]:
    """(p-value, change label) for counts with exposures: ``first`` -> ``second``."""
    (n1, d1), (n2, d2) = first, second
    p_value = poisson_change_test(int(n2), int(n1), exposure_ratio=d2 / d1)
    return p_value, significance_label(p_value, n2 / d2 - n1 / d1)


def compare_with_wider(rows: pd.DataFrame, period: str, wider: str,
                       kind: IndicatorKind) -> dict[str, object] | None:
    """The area against the rest of ``wider`` ('force' or 'England') in one period.

    The area is part of its force and of England, so it is compared with the *rest* of
    the wider area (wider numerator and denominator minus the area's): two independent
    groups. Proportions: pooled two-proportion z-test; rates: exact conditional Poisson test
    with the population ratio as exposure. None when either row lacks a numerator and
    denominator (counts cannot be compared without a population).
    """
    area, other = _row(rows, AREA, period), _row(rows, wider, period)
    if area is None or other is None or kind.measure == COUNT:
        return None
    if not (_has_base(area["numerator"], area["denominator"], kind.measure)
            and _has_base(other["numerator"], other["denominator"], kind.measure)):
        return None
    rest = (other["numerator"] - area["numerator"], other["denominator"] - area["denominator"])
    if rest[0] < 0 or rest[1] <= 0:
        raise InputError("The wider area's figures are smaller than the area's own",
                         found=f"{other['geography']} {period}: {other['numerator']:g} / "
                               f"{other['denominator']:g}",
                         expected="a force or England total that includes the area")
    own = (area["numerator"], area["denominator"])
    test = _proportion_test if kind.measure == PROPORTION else _poisson_test
    p_value, label = test(rest, own)
    return {
        "comparison": f"{area['geography']} against the rest of {other['geography']}",
        "period": period,
        "area_value": float(area["value"]),
        "other_value": float(rest[0] / rest[1] * kind.per),
        "difference": float(area["value"] - rest[0] / rest[1] * kind.per),
        "p_value": p_value,
        "significance": _comparison_label(label),
        "method": TWO_PROPORTION_TEST if kind.measure == PROPORTION else POISSON_TEST,
    }


def change_between(rows: pd.DataFrame, level: str, previous: str, current: str,
                   kind: IndicatorKind) -> dict[str, object] | None:
    """Change for one geography from ``previous`` to ``current`` period, with its test.

    ``diff`` is current minus previous in the value's units (percentage points for a
    proportion). Counts: exact conditional Poisson test on the two counts (the value itself),
    with the % change and its reliability as the change tables show them, so
    :func:`analysis.present.narrative.describe_change` can word it. Proportions: pooled
    two-proportion z-test on the two cohorts. Rates: exact Poisson test with the population
    ratio as exposure. None when a period's row is missing, or a proportion or rate lacks its base.
    """
    before, after = _row(rows, level, previous), _row(rows, level, current)
    if before is None or after is None:
        return None
    result: dict[str, object] = {
        "geography": after["geography"], "previous_period": previous,
        "current_period": current, "previous": float(before["value"]),
        "current": float(after["value"]), "diff": float(after["value"] - before["value"]),
    }
    if kind.measure == COUNT:
        counts = [before["value"], after["value"]]
        if any(v != int(v) or v < 0 for v in counts):
            raise InputError("A count indicator must be a whole number, 0 or more",
                             found=counts, column="value")
        old, new = int(counts[0]), int(counts[1])
        p_value = poisson_change_test(new, old)
        return {**result, "pct_diff": percent_change(new, old),
                "pct_reliable": old >= RELIABLE_BASE, "p_value": p_value,
                "significance": significance_label(p_value, new - old), "method": POISSON_TEST}
    bases = [(r["numerator"], r["denominator"]) for r in (before, after)]
    if not all(_has_base(n, d, kind.measure) for n, d in bases):
        return {**result, "p_value": math.nan, "significance": NOT_ASSESSED,
                "method": NO_INTERVAL}
    test = _proportion_test if kind.measure == PROPORTION else _poisson_test
    p_value, label = test(bases[0], bases[1])
    return {**result, "p_value": p_value, "significance": label,
            "method": TWO_PROPORTION_TEST if kind.measure == PROPORTION else POISSON_TEST}


def presentable_indicator(rows: pd.DataFrame, kind: IndicatorKind, decimals: int = 1
                          ) -> pd.DataFrame:
    """Indicator rows with readable headings; the interval as text or the no-interval note."""
    value_fmt = f"{{:,.{decimals if kind.measure != COUNT else 0}f}}"
    shown = pd.DataFrame(
        {
            "Geography": rows["geography"],
            "Period": rows["period"],
            f"Value ({kind.unit})": rows["value"],
            "Numerator": rows["numerator"],
            "Denominator": rows["denominator"],
            "95 % interval": [
                method
                if method == NO_INTERVAL
                else f"{value_fmt.format(lo)} to {value_fmt.format(hi)} ({method})"
                for lo, hi, method in zip(
                    rows["lower"], rows["upper"], rows["interval_method"], strict=True
                )
            ],
            "Source": rows["source"],
        }
    )
    return shown.reset_index(drop=True)


def comparison_table(
    rows: pd.DataFrame, kind: IndicatorKind, current: str, previous: str | None = None
) -> pd.DataFrame:
    """Every test for the area in one table: against the rest of its force and of England in
    ``current``, and against its own ``previous`` period.

    Columns: comparison, area_value, other_value, difference, p_value, significance, method.
    A comparison that cannot be made (no row, no numerator/denominator) is left out.
    """
    results = [compare_with_wider(rows, current, wider, kind) for wider in (FORCE, ENGLAND)]
    table = [r for r in results if r is not None]
    change = change_between(rows, AREA, previous, current, kind) if previous else None
    if change is not None and change["significance"] != NOT_ASSESSED:
        table.append(
            {
                "comparison": f"{change['geography']} {current} against {previous}",
                "period": current,
                "area_value": change["current"],
                "other_value": change["previous"],
                "difference": change["diff"],
                "p_value": change["p_value"],
                "significance": change["significance"],
                "method": change["method"],
            }
        )
    columns = [
        "comparison",
        "area_value",
        "other_value",
        "difference",
        "p_value",
        "significance",
        "method",
    ]
    return pd.DataFrame(table, columns=["period", *columns])[columns]


def _value_text(value: float, kind: IndicatorKind) -> str:
    if kind.measure == PROPORTION:
        return f"{value:.1f} %"
    if kind.measure == RATE:
        return f"{value:,.1f} {kind.unit}"
    return f"{value:,.0f} {kind.unit}"


def describe_level(rows: pd.DataFrame, kind: IndicatorKind, period: str, subject: str) -> str:
    """One sentence: the area's value in ``period`` with its base and interval, and the
    force's and England's values where known.

    e.g. 'Adult proven reoffending in Kingsmere (2022-23 cohort) was 27.1 % (271 of 1,000;
    95 % interval 24.4 to 29.9); Demoshire Police 25.3 %, England 25.6 %.'
    """
    area = _row(rows, AREA, period)
    if area is None:
        return f"{subject}: no figure for the area in {period}."
    sentence = f"{subject} in {area['geography']} ({period}) was {_value_text(area['value'], kind)}"
    if not math.isnan(area["lower"]):
        base = (
            f"{area['numerator']:,.0f} of {area['denominator']:,.0f}; "
            if kind.measure == PROPORTION
            else ""
        )
        sentence += (
            f" ({base}95 % interval {area['lower']:,.1f} to {area['upper']:,.1f}, "
            f"{area['interval_method']})"
        )
    others = [
        f"{other['geography']} {_value_text(other['value'], kind)}"
        for level in (FORCE, ENGLAND)
        if (other := _row(rows, level, period)) is not None
    ]
    if others:
        sentence += "; " + ", ".join(others)
    return sentence + "."


def describe_comparison(result: Mapping[str, Any], subject: str) -> str:
    """One sentence for a row of :func:`comparison_table`, naming the test and its p-value.

    e.g. 'Adult proven reoffending, Kingsmere against the rest of Demoshire Police: not
    significantly different (pooled two-proportion z-test, p = 0.131).'
    """
    p_value = float(result["p_value"])
    p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    return (
        f"{subject}, {result['comparison']}: {result['significance']} "
        f"({result['method']}, {p_text})."
    )


_COMPARISON_FACTS = {
    HIGHER: (ABOVE_COMPARATORS, SIGNIFICANT),
    LOWER: (BELOW_COMPARATORS, SIGNIFICANT),
    SIMILAR: (SIMILAR_TO_COMPARATORS, NOT_SIGNIFICANT),
    SIGNIFICANT_INCREASE: (INCREASE, SIGNIFICANT),
    SIGNIFICANT_DECREASE: (DECREASE, SIGNIFICANT),
    NO_SIGNIFICANT_CHANGE: (NO_DIRECTION, NOT_SIGNIFICANT),
}


def comparison_finding(
    result: Mapping[str, object], subject: str, figures: Sequence[str] = ()
) -> Finding:
    """:func:`describe_comparison`'s sentence as a Finding, with the direction and
    significance of its test: above, below or similar to the wider area, or a significant
    increase or decrease on the area's own previous period. A change that is not significant
    states no direction ('no significant change'), so it has none."""
    direction, significance = _COMPARISON_FACTS[str(result["significance"])]
    return Finding(
        describe_comparison(dict(result), subject), direction, significance, tuple(figures), subject
    )
