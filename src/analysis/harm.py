"""Harm and cost of crime: ONS Crime Severity Score weights and Home Office unit costs.

Counting every crime as one treats a murder like a shoplifting. Weighting each offence by
its ONS severity weight (average sentence in prison-day equivalents) or by its Home Office
unit cost (2015/16 prices) gives totals that reflect harm and cost. Not every offence has a
published weight or cost we can stand behind; those crimes are listed as gaps beside the
total, never counted as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.errors import ConfigError, InputError
from analysis.offences import (
    load_offence_classification,
    load_police_uk_crime_types,
    normalise_offence_code,
    read_reference,
)

CLASSIFICATIONS = ("ho_offence_code", "ho_offence_subgroup", "police_uk_crime_type")
UNIT_COST_PRICE_YEAR = "2015/16"

NO_VALUE = "no weight or cost in the reference table"
NOT_A_CRIME = "not a crime (anti-social behaviour): excluded"


@dataclass(frozen=True)
class HarmResult:
    """A weighted total per group, the crimes that could not be weighted, and the basis.

    ``table`` has the grouping columns (if any) and count (all crimes), count_weighted,
    count_not_weighted and ``value_column`` (the weighted total). ``gaps`` lists each key
    with no weight: the grouping columns, key, count and reason. ``basis`` names the
    reference vintage (and price year for costs).
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    value_column: str
    basis: str

    @property
    def complete(self) -> bool:
        """True when every crime had a weight, so the total covers all of them."""
        return self.gaps.empty


def load_css_weights() -> pd.DataFrame:
    """ONS Crime Severity Score weights with their vintage, source and trust ('V' or 'S')."""
    return read_reference("css_weights.csv", text_columns=["key"])


def load_unit_costs() -> pd.DataFrame:
    """Home Office unit costs of crime (RR99, 2015/16 prices) with source and trust."""
    return read_reference("unit_costs.csv", text_columns=["key"])


def unit_cost(key: str, classification: str = "ho_offence_subgroup") -> float:
    """The unit cost in pounds (2015/16 prices) of one offence subgroup, code or crime type."""
    lookup = _value_lookup(load_unit_costs(), "unit_cost_gbp", classification)
    if key not in lookup:
        raise InputError("No unit cost for this offence", found=key,
                         expected=f"one of {', '.join(sorted(lookup))}")
    return float(lookup[key])


def _check_classification(classification: str) -> None:
    if classification not in CLASSIFICATIONS:
        raise ConfigError("Unknown offence classification", found=classification,
                          expected=f"one of {', '.join(CLASSIFICATIONS)}")


def _value_lookup(reference: pd.DataFrame, value_col: str, classification: str) -> dict:
    """Key -> value for ``classification``; offence codes also inherit their subgroup's value.

    A code-level entry wins over the subgroup's, so theft of a vehicle (48) keeps its own
    cost while every other code in a costed subgroup takes the subgroup's cost.
    """
    _check_classification(classification)
    rows = reference[reference["classification"] == classification]
    lookup = dict(zip(rows["key"], rows[value_col], strict=True))
    if classification == "ho_offence_code":
        by_subgroup = reference[reference["classification"] == "ho_offence_subgroup"]
        subgroup_value = dict(zip(by_subgroup["key"], by_subgroup[value_col], strict=True))
        codes = load_offence_classification()
        for code, subgroup in zip(codes["offence_code"], codes["offence_subgroup"],
                                  strict=True):
            if code not in lookup and subgroup in subgroup_value:
                lookup[code] = subgroup_value[subgroup]
    return lookup


def _weighted(
    counts: pd.DataFrame, lookup: dict, *, key_col: str, count_col: str, by: list[str],
    classification: str, value_column: str, basis: str,
) -> HarmResult:
    for column in [key_col, count_col, *by]:
        if column not in counts.columns:
            raise InputError("Column missing from the table", column=column,
                             found=list(counts.columns))
    values = pd.to_numeric(counts[count_col], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise InputError("Counts must be numbers, 0 or more", column=count_col)
    data = counts[by].copy()
    keys = counts[key_col].astype(str).str.strip()
    data["key"] = keys.map(normalise_offence_code) if classification == "ho_offence_code" \
        else keys
    data["count"] = values
    not_crime = set()
    if classification == "police_uk_crime_type":
        types = load_police_uk_crime_types()
        not_crime = set(types.loc[~types["is_crime"], "crime_type"])
    data["weight"] = data["key"].map(lookup)
    is_crime = ~data["key"].isin(not_crime)
    weighted = data["weight"].notna() & is_crime
    data["count_weighted"] = data["count"].where(weighted, 0)
    data["count_not_weighted"] = data["count"].where(~weighted & is_crime, 0)
    data[value_column] = (data["count"] * data["weight"]).where(weighted, 0.0)
    data["count"] = data["count"].where(is_crime, 0)
    summary_cols = ["count", "count_weighted", "count_not_weighted", value_column]
    if by:
        table = data.groupby(by, sort=False)[summary_cols].sum().reset_index()
    else:
        table = data[summary_cols].sum().to_frame().T
    gap_rows = data[~weighted].assign(
        reason=lambda d: d["key"].map(lambda k: NOT_A_CRIME if k in not_crime else NO_VALUE),
        count=values[~weighted],
    )
    gaps = (gap_rows.groupby([*by, "key", "reason"], sort=False)["count"].sum().reset_index()
            [[*by, "key", "count", "reason"]])
    return HarmResult(table=table, gaps=gaps, value_column=value_column, basis=basis)


def severity_weighted_total(
    counts: pd.DataFrame,
    *,
    key_col: str = "offence_code",
    classification: str = "ho_offence_code",
    count_col: str = "count",
    by: str | list[str] | None = None,
) -> HarmResult:
    """Crimes weighted by ONS Crime Severity Score weights, per group of ``by`` (e.g. period).

    ``key_col`` holds offence codes (``classification='ho_offence_code'``) or data.police.uk
    crime types (``'police_uk_crime_type'``). Crimes without a weight are listed in
    ``gaps`` and counted in count_not_weighted, so the total is a floor, not an estimate.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    weights = load_css_weights()
    lookup = _value_lookup(weights, "weight", classification)
    basis = "; ".join(sorted(set(weights["weight_vintage"])))
    return _weighted(counts, lookup, key_col=key_col, count_col=count_col, by=by,
                     classification=classification, value_column="severity_weighted_total",
                     basis=basis)


def cost_of_crime(
    counts: pd.DataFrame,
    *,
    key_col: str = "offence_code",
    classification: str = "ho_offence_code",
    count_col: str = "count",
    by: str | list[str] | None = None,
) -> HarmResult:
    """Cost of crime in pounds at 2015/16 prices (Home Office RR99 unit costs), per group.

    Offence codes take their own unit cost if one exists, else their subgroup's. Crimes
    with no unit cost are listed in ``gaps``; the total covers costed crimes only.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    lookup = _value_lookup(load_unit_costs(), "unit_cost_gbp", classification)
    basis = f"Home Office RR99 unit costs, {UNIT_COST_PRICE_YEAR} prices"
    return _weighted(counts, lookup, key_col=key_col, count_col=count_col, by=by,
                     classification=classification, value_column="cost_gbp", basis=basis)


def crime_severity_score(severity_weighted: float, population: float) -> float:
    """The ONS-style Crime Severity Score: severity-weighted crimes per head of population."""
    if not population or population <= 0:
        raise InputError("Population must be a positive number", found=population)
    return severity_weighted / population
