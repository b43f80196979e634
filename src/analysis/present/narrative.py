"""Plain-English findings written from computed results.

Every sentence is built from the numbers and test results passed in, never from wording
chosen by hand, so a sentence can only call a change significant when the test found it
significant. Small bases and incomplete periods are said out loud instead of hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_CHANGE,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
    SIMILAR_TO_COMPARATORS,
    Finding,
)
from analysis.core.periods import LIKE_FOR_LIKE, NOT_COMPARED, MonthsCompared
from analysis.stats.comparators import HIGHER, LOWER
from analysis.stats.measures import (
    NO_SIGNIFICANT_CHANGE,
    SIGNIFICANT_DECREASE,
    SIGNIFICANT_INCREASE,
)


def number(value: float) -> str:
    """A count with thousands separators: 1234 -> '1,234'."""
    return f"{int(value):,}"


def percent(value: float) -> str:
    """One decimal place and a spaced per cent sign, as the published tables: '13.8 %'."""
    return f"{abs(value):.1f} %"


def in_words(names: Sequence[str]) -> str:
    """Names as a sentence lists them: 'A', 'A and B', 'A, B and C' ('' for none)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _units(count: float, unit: str) -> str:
    singular = unit[:-1] if unit.endswith("s") else unit
    return f"{number(count)} {singular if abs(int(count)) == 1 else unit}"


def _movement(diff: int, pct: float | None, previous: int, unit: str) -> str:
    if diff == 0:
        return f"was unchanged at {_units(previous, unit)}"
    verb = "rose" if diff > 0 else "fell"
    if previous == 0:
        return f"{verb} from none to {_units(diff, unit)}"
    text = f"{verb} by {_units(abs(diff), unit)}"
    if pct is None:
        return f"{text} (too few last time for a reliable percentage)"
    return f"{text} ({percent(pct)})"


def _significance(label: str) -> str:
    if label == SIGNIFICANT_INCREASE:
        return ", a statistically significant increase"
    if label == SIGNIFICANT_DECREASE:
        return ", a statistically significant decrease"
    if label == NO_SIGNIFICANT_CHANGE:
        return ", not a statistically significant change"
    return ""


def _force_clause(force_pct: float, force_label: str) -> str:
    if pd.isna(force_pct):
        return ""
    if force_pct == 0:
        return f"; {force_label} was unchanged"
    return f"; {force_label} {'rose' if force_pct > 0 else 'fell'} {percent(force_pct)}"


def describe_change(
    row: Mapping[str, Any],
    subject: str,
    *,
    unit: str = "offences",
    force_pct: float | None = None,
    force_label: str = "the force",
    compared: MonthsCompared | None = None,
) -> str:
    """One sentence for one row of :func:`analysis.stats.measures.change_table`.

    e.g. 'Violence with injury rose by 179 offences (13.8 %), a statistically significant
    increase; the force rose 9.1 %.' A percentage is given only on a reliable base; the
    significance wording follows the row's test label. A row whose ``basis`` is "not
    compared" (or with an unknown count) gets no change at all, only what was not compared
    and why; a "like for like" row says which months it covers (from ``compared``, by
    default the table's ``attrs["months_compared"]``, which its rows carry). An older row
    that is only marked incomplete says so and makes no claim about significance. A row
    with a ``withheld`` reason (:meth:`analysis.present.page.Section.published_changes`) gets only
    that reason.
    """
    withheld = row.get("withheld")
    if isinstance(withheld, str):  # a published partner row with a hidden count
        return f"{subject}: {withheld}."
    if compared is None:  # a row taken from a change table carries the table's attrs
        compared = getattr(row, "attrs", {}).get("months_compared")
    current, previous, diff = row["current"], row["previous"], row["diff"]
    basis = row.get("basis")
    basis = basis if isinstance(basis, str) else None  # <NA>: coverage was not checked
    if basis == NOT_COMPARED or pd.isna(current) or pd.isna(previous) or pd.isna(diff):
        why = (compared.summary() if compared is not None and not compared.comparable
               else "the two periods do not hold the same months of data")
        return f"{subject}: no change is given ({why})."
    current, previous, diff = int(current), int(previous), int(diff)
    reliable = bool(row.get("pct_reliable", previous >= 10)) and not pd.isna(row["pct_diff"])
    pct = float(row["pct_diff"]) if reliable else None
    complete = row.get("complete")
    like_for_like = basis == LIKE_FOR_LIKE
    incomplete = (not like_for_like and complete is not None and not pd.isna(complete)
                  and not bool(complete))
    sentence = f"{subject} {_movement(diff, pct, previous, unit)}"
    if like_for_like:
        sentence += (f", {compared.summary()}" if compared is not None
                     else ", like for like on the months held in both periods only")
    if not incomplete:
        sentence += _significance(str(row.get("significance", "")))
    if force_pct is not None:
        sentence += _force_clause(force_pct, force_label)
    sentence += "."
    if incomplete:
        sentence += (" One of the periods compared is missing months of data, so this change "
                     "should not be relied on.")
    return sentence


def change_finding(
    row: Mapping[str, Any],
    subject: str,
    *,
    unit: str = "offences",
    force_pct: float | None = None,
    force_label: str = "the force",
    compared: MonthsCompared | None = None,
    figures: Sequence[str] = (),
    measure: str = "",
    table: str = "",
) -> Finding:
    """:func:`describe_change`'s sentence as a :class:`~analysis.core.findings.Finding`, with the
    direction and significance of the same row: none and 'not assessed' when the change is
    withheld or not compared, 'not assessed' when a period is incomplete, otherwise the
    row's test. ``figures`` names the key figures the finding rests on; ``measure`` and
    ``table`` are the Finding's (what is measured, the table behind it); its ``effect`` is
    the size of the % change when the base is reliable.
    """
    statement = describe_change(row, subject, unit=unit, force_pct=force_pct,
                                force_label=force_label, compared=compared)
    if compared is None:
        compared = getattr(row, "attrs", {}).get("months_compared")
    basis = row.get("basis")
    unknown = (isinstance(row.get("withheld"), str) or basis == NOT_COMPARED
               or any(pd.isna(row[key]) for key in ("current", "previous", "diff")))
    if unknown:
        return Finding(statement, NO_DIRECTION, NOT_ASSESSED, tuple(figures), subject,
                       table=table, measure=measure)
    diff = int(row["diff"])  # a count, checked known above
    direction = NO_CHANGE if diff == 0 else INCREASE if diff > 0 else DECREASE
    complete = row.get("complete")
    incomplete = (basis != LIKE_FOR_LIKE and complete is not None and not pd.isna(complete)
                  and not bool(complete))
    label = str(row.get("significance", ""))
    significance = (NOT_ASSESSED if incomplete
                    else SIGNIFICANT if label in (SIGNIFICANT_INCREASE, SIGNIFICANT_DECREASE)
                    else NOT_SIGNIFICANT if label == NO_SIGNIFICANT_CHANGE else NOT_TESTED)
    reliable = bool(row.get("pct_reliable", int(row["previous"]) >= 10))
    pct = row.get("pct_diff")
    effect = abs(float(pct)) if reliable and pct is not None and not pd.isna(pct) else None
    return Finding(statement, direction, significance, tuple(figures), subject, table=table,
                   measure=measure, effect=effect)


def describe_peer_comparison(
    result: Mapping[str, Any],
    subject: str,
    *,
    area_name: str,
    group_name: str = "its most similar group",
    rate_unit: str = "per 1,000 population",
) -> str:
    """A sentence for :func:`analysis.stats.comparators.peer_comparison`'s result.

    e.g. 'Robbery in Thurrock was 1.2 per 1,000 population, 3rd highest of 15 in its most
    similar group and significantly higher than the peer average of 0.9.'
    """
    significance = str(result["significance"])
    joiner = "from" if significance.startswith("not") else "than"
    return (
        f"{subject} in {area_name} was {float(result['rate']):.1f} {rate_unit}, "
        f"the {result['position']} in {group_name} and {significance} {joiner} the peer average "
        f"of {float(result['peer_rate']):.1f}."
    )


def peer_finding(
    result: Mapping[str, object],
    subject: str,
    *,
    area_name: str,
    group_name: str = "its most similar group",
    rate_unit: str = "per 1,000 population",
    figures: Sequence[str] = (),
    table: str = "",
) -> Finding:
    """:func:`describe_peer_comparison`'s sentence as a Finding: above or below comparators
    when the rate differs significantly from the peer average, otherwise similar; its
    ``effect`` is the difference from the peer average in per cent."""
    statement = describe_peer_comparison(result, subject, area_name=area_name,
                                         group_name=group_name, rate_unit=rate_unit)
    label = str(result["significance"])
    direction = {HIGHER: ABOVE_COMPARATORS, LOWER: BELOW_COMPARATORS}.get(
        label, SIMILAR_TO_COMPARATORS)
    significance = NOT_SIGNIFICANT if direction == SIMILAR_TO_COMPARATORS else SIGNIFICANT
    rate, peer_rate = float(result["rate"]), float(result["peer_rate"])  # type: ignore[arg-type]
    effect = abs(rate / peer_rate - 1) * 100 if peer_rate else None
    return Finding(statement, direction, significance, tuple(figures), subject, table=table,
                   effect=effect)


