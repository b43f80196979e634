"""Harm and cost of crime: ONS Crime Severity Score weights and Home Office unit costs.

Counting every crime as one treats a murder like a shoplifting. Weighting each offence by
its ONS severity weight (average sentence in prison-day equivalents) or by its Home Office
unit cost gives totals that reflect harm and cost. ONS publishes a weight for every
notifiable offence, but the toolkit ships only the weights and costs it could source (see
``reference/SOURCES.md``); an analyst can supply the full tables (:func:`read_value_table`,
layout in ``docs/methods.md``). Crimes whose key has no value in the table used are listed
as gaps beside the total ("no weight in the table used (<vintage>)"), never counted as zero,
and the share of crimes weighted is stated beside every figure.

:func:`harm_and_cost` is the one computation the crime overview, the serious violence section
and the priority matrix all use, so the same crimes give the same figures on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.core.offences import (
    load_offence_classification,
    load_police_uk_crime_types,
    normalise_offence_code,
    read_reference,
)

if TYPE_CHECKING:
    from analysis.core.config import AreaConfig

CLASSIFICATIONS = ("ho_offence_code", "ho_offence_subgroup", "police_uk_crime_type")
SEVERITY_UNIT = "severity-weighted days"
"""ONS weights are prison-day equivalents, so a weighted total is in days."""

NOT_A_CRIME = "not a crime (anti-social behaviour): excluded"
VALUE_TABLE_COLUMNS = ("code", "description", "value", "vintage", "source")
"""The columns of an analyst-supplied weight or cost table (``classification`` and, for
costs, ``price_year`` are optional); see ``docs/methods.md``."""

Kind = Literal["severity", "cost"]


@dataclass(frozen=True)
class ValueTable:
    """Severity weights or unit costs: one value per key, where they came from, their vintage.

    ``rows`` has classification, key, description, value, vintage, source (and price_year
    for costs). ``origin`` says which file was read (the shipped table or the analyst's).
    """

    kind: Kind
    rows: pd.DataFrame
    origin: str

    @property
    def vintage(self) -> str:
        """The vintage(s) of the values, as named in the table."""
        return "; ".join(sorted(set(self.rows["vintage"].astype(str))))

    @property
    def price_year(self) -> str | None:
        """The price year of unit costs (None for severity weights)."""
        if self.kind != "cost":
            return None
        return "; ".join(sorted(set(self.rows["price_year"].astype(str))))

    @property
    def unit(self) -> str:
        """What one unit of a weighted total is: days, or pounds at the price year."""
        return SEVERITY_UNIT if self.kind == "severity" else f"£ at {self.price_year} prices"

    def missing_reason(self) -> str:
        """Why a crime has no value: not in this table, named with the table's vintage."""
        what = "weight" if self.kind == "severity" else "unit cost"
        return f"no {what} in the table used ({self.vintage})"

    def lookup(self, classification: str) -> dict[str, float]:
        """Key -> value for ``classification``; offence codes also inherit their subgroup's.

        A code-level entry wins over the subgroup's, so theft of a vehicle (48) keeps its own
        cost while every other code in a costed subgroup takes the subgroup's cost.
        """
        _check_classification(classification)
        rows = self.rows[self.rows["classification"] == classification]
        lookup = dict(zip(rows["key"], rows["value"].astype(float), strict=True))
        if classification == "ho_offence_code":
            by_subgroup = self.rows[self.rows["classification"] == "ho_offence_subgroup"]
            subgroup_value = dict(zip(by_subgroup["key"], by_subgroup["value"].astype(float),
                                      strict=True))
            codes = load_offence_classification()
            for code, subgroup in zip(codes["offence_code"], codes["offence_subgroup"],
                                      strict=True):
                if code not in lookup and subgroup in subgroup_value:
                    lookup[code] = subgroup_value[subgroup]
        return lookup


@dataclass(frozen=True)
class HarmResult:
    """A weighted total per group, the crimes that could not be weighted, and the basis.

    ``table`` has the grouping columns (if any) and count (all crimes), count_weighted,
    count_not_weighted and ``value_column`` (the weighted total). ``gaps`` lists each key
    with no value: the grouping columns, key, count and reason. ``basis`` names the
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


def shipped_severity_weights() -> ValueTable:
    """The ONS weights shipped with the toolkit (a sourced subset of the 2016 originals)."""
    raw = load_css_weights()
    rows = raw.rename(columns={"weight": "value", "weight_vintage": "vintage"})
    return ValueTable("severity", rows, "reference/css_weights.csv (shipped)")


def shipped_unit_costs() -> ValueTable:
    """The Home Office unit costs shipped with the toolkit (RR99, 2015/16 prices, a subset)."""
    rows = load_unit_costs().rename(columns={"unit_cost_gbp": "value"})
    return ValueTable("cost", rows, "reference/unit_costs.csv (shipped)")


def read_value_table(path: Path, kind: Kind) -> ValueTable:
    """An analyst's fuller weight or cost table, in the documented CSV layout.

    Columns: code, description, value, vintage, source (all required); classification
    (``ho_offence_code`` by default, or ``ho_offence_subgroup`` / ``police_uk_crime_type``);
    for costs also price_year (e.g. ``2015/16``). Codes are kept as text ('4.10' is not
    '4.1'). Errors name the file, line and column.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("weight or cost table not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the weight or cost table ({exc})", file=path) from None
    raw.columns = [str(column).strip().lower() for column in raw.columns]
    required = [*VALUE_TABLE_COLUMNS, *(["price_year"] if kind == "cost" else [])]
    missing = [column for column in required if column not in raw.columns]
    if missing:
        raise InputError("the weight or cost table is missing columns", file=path, line=1,
                         found=list(raw.columns), expected=", ".join(required))
    if "classification" not in raw.columns:
        raw["classification"] = "ho_offence_code"
    for line, row in enumerate(raw.itertuples(index=False), start=2):
        if row.classification not in CLASSIFICATIONS:
            raise InputError("unknown classification", file=path, line=line,
                             column="classification", found=row.classification,
                             expected=f"one of {', '.join(CLASSIFICATIONS)}")
        for column in ("code", "vintage", "source"):
            if not str(getattr(row, column)).strip():
                raise InputError("a required cell is blank", file=path, line=line,
                                 column=column, expected="a value")
        try:
            value = float(str(row.value).replace(",", ""))
        except ValueError:
            value = -1.0
        if not value >= 0:
            raise InputError("a value is not a number of 0 or more", file=path, line=line,
                             column="value", found=row.value, expected="e.g. 184.099")
    rows = raw.assign(
        key=[normalise_offence_code(c) if k == "ho_offence_code" else str(c).strip()
             for c, k in zip(raw["code"], raw["classification"], strict=True)],
        value=raw["value"].str.replace(",", "", regex=False).astype(float),
    ).drop(columns="code")
    repeated = rows[rows.duplicated(["classification", "key"])]
    if not repeated.empty:
        raise InputError("a code appears more than once", file=path,
                         found=repeated["key"].iloc[0], expected="one value per code")
    return ValueTable(kind, rows, str(path))


def value_tables(config: AreaConfig, root: Path | None = None) -> tuple[ValueTable, ValueTable]:
    """The severity weights and unit costs an area uses: its own files if configured
    (``sources.severity_weights`` / ``sources.unit_costs``), else the shipped tables."""
    sources = config.sources
    weights = (read_value_table(config.resolve(sources.severity_weights, root), "severity")
               if sources.severity_weights else shipped_severity_weights())
    costs = (read_value_table(config.resolve(sources.unit_costs, root), "cost")
             if sources.unit_costs else shipped_unit_costs())
    return weights, costs


def unit_cost(key: str, classification: str = "ho_offence_subgroup") -> float:
    """The shipped unit cost in pounds (2015/16 prices) of one subgroup, code or crime type."""
    lookup = shipped_unit_costs().lookup(classification)
    if key not in lookup:
        raise InputError("No unit cost for this offence", found=key,
                         expected=f"one of {', '.join(sorted(lookup))}")
    return float(lookup[key])


def _check_classification(classification: str) -> None:
    if classification not in CLASSIFICATIONS:
        raise ConfigError("Unknown offence classification", found=classification,
                          expected=f"one of {', '.join(CLASSIFICATIONS)}")


def _weighted(
    counts: pd.DataFrame, values: ValueTable, *, key_col: str, count_col: str, by: list[str],
    classification: str, value_column: str,
) -> HarmResult:
    lookup = values.lookup(classification)
    for column in [key_col, count_col, *by]:
        if column not in counts.columns:
            raise InputError("Column missing from the table", column=column,
                             found=list(counts.columns))
    numbers = pd.to_numeric(counts[count_col], errors="coerce")
    if numbers.isna().any() or (numbers < 0).any():
        raise InputError("Counts must be numbers, 0 or more", column=count_col)
    data = counts[by].copy()
    keys = counts[key_col].astype(str).str.strip()
    data["key"] = keys.map(normalise_offence_code) if classification == "ho_offence_code" \
        else keys
    data["count"] = numbers
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
    reason = values.missing_reason()
    gap_rows = data[~weighted].assign(
        reason=lambda d: d["key"].map(lambda k: NOT_A_CRIME if k in not_crime else reason),
        count=numbers[~weighted],
    )
    gaps = (gap_rows.groupby([*by, "key", "reason"], sort=False)["count"].sum().reset_index()
            [[*by, "key", "count", "reason"]])
    basis = values.vintage if values.kind == "severity" else \
        f"{values.vintage}, {values.price_year} prices"
    return HarmResult(table=table, gaps=gaps, value_column=value_column, basis=basis)


def severity_weighted_total(
    counts: pd.DataFrame,
    *,
    key_col: str = "offence_code",
    classification: str = "ho_offence_code",
    count_col: str = "count",
    by: str | list[str] | None = None,
    weights: ValueTable | None = None,
) -> HarmResult:
    """Crimes weighted by ONS Crime Severity Score weights, per group of ``by`` (e.g. period).

    ``key_col`` holds offence codes (``classification='ho_offence_code'``) or data.police.uk
    crime types (``'police_uk_crime_type'``); ``weights`` defaults to the shipped table.
    Crimes without a weight are listed in ``gaps`` and counted in count_not_weighted, so
    the total covers the weighted crimes only.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    return _weighted(counts, weights or shipped_severity_weights(), key_col=key_col,
                     count_col=count_col, by=by, classification=classification,
                     value_column="severity_weighted_total")


def cost_of_crime(
    counts: pd.DataFrame,
    *,
    key_col: str = "offence_code",
    classification: str = "ho_offence_code",
    count_col: str = "count",
    by: str | list[str] | None = None,
    costs: ValueTable | None = None,
) -> HarmResult:
    """Cost of crime in pounds (Home Office unit costs; shipped: RR99, 2015/16 prices).

    Offence codes take their own unit cost if one exists, else their subgroup's. Crimes
    with no unit cost are listed in ``gaps``; the total covers costed crimes only.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    return _weighted(counts, costs or shipped_unit_costs(), key_col=key_col,
                     count_col=count_col, by=by, classification=classification,
                     value_column="cost_gbp")


@dataclass(frozen=True)
class HarmAndCost:
    """Harm and cost of the same crimes, with the share of crimes each covers.

    ``table`` has the grouping columns and: crimes; crimes_weighted, weighted_share (0-1),
    severity_days, severity_days_per_1000; crimes_costed, costed_share, cost_gbp,
    cost_gbp_per_1000. A total over no weighted (or costed) crime is missing, not 0; the
    per-1,000 figures are missing without a population. ``gaps`` lists each key without a
    weight or a unit cost (grouping columns, key, count, missing) in words naming the
    table's vintage.
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    weights: ValueTable
    costs: ValueTable

    @property
    def severity_unit(self) -> str:
        """The unit of the per-1,000 harm figure."""
        return f"{SEVERITY_UNIT} per 1,000 residents"

    @property
    def cost_unit(self) -> str:
        """The unit of the cost figures (pounds at the table's price year)."""
        return self.costs.unit


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype("Float64")


def harm_and_cost(
    counts: pd.DataFrame,
    *,
    key_col: str,
    classification: str,
    count_col: str = "count",
    by: str | list[str] | None = None,
    population: float | None = None,
    weights: ValueTable | None = None,
    costs: ValueTable | None = None,
) -> HarmAndCost:
    """Severity-weighted days and cost of the same crimes, per group, with coverage.

    The one computation behind every harm and cost figure in the report: the overview,
    the serious violence section and the priority matrix call it with their crimes.
    ``population`` (the residents of the area) gives the per-1,000 figures.
    """
    by_cols = [by] if isinstance(by, str) else list(by or [])
    weights = weights or shipped_severity_weights()
    costs = costs or shipped_unit_costs()
    severity = severity_weighted_total(counts, key_col=key_col, classification=classification,
                                       count_col=count_col, by=by_cols, weights=weights)
    cost = cost_of_crime(counts, key_col=key_col, classification=classification,
                         count_col=count_col, by=by_cols, costs=costs)
    table = severity.table.rename(columns={
        "count": "crimes", "count_weighted": "crimes_weighted",
        "severity_weighted_total": "severity_days"}).drop(columns="count_not_weighted")
    costed = cost.table.rename(columns={"count_weighted": "crimes_costed"})
    if by_cols:
        table = table.merge(costed[[*by_cols, "crimes_costed", "cost_gbp"]], on=by_cols)
    else:
        table = table.assign(crimes_costed=costed["crimes_costed"].to_numpy(),
                             cost_gbp=costed["cost_gbp"].to_numpy())
    for column in ("crimes", "crimes_weighted", "crimes_costed"):
        table[column] = table[column].astype("int64")
    table["severity_days"] = table["severity_days"].astype("Float64").where(
        table["crimes_weighted"] > 0)
    table["cost_gbp"] = table["cost_gbp"].astype("Float64").where(table["crimes_costed"] > 0)
    table["weighted_share"] = _share(table["crimes_weighted"], table["crimes"])
    table["costed_share"] = _share(table["crimes_costed"], table["crimes"])
    per_1000 = 1000 / population if population and population > 0 else pd.NA
    table["severity_days_per_1000"] = table["severity_days"] * per_1000
    table["cost_gbp_per_1000"] = table["cost_gbp"] * per_1000
    table = table[[*by_cols, "crimes", "crimes_weighted", "weighted_share", "severity_days",
                   "severity_days_per_1000", "crimes_costed", "costed_share", "cost_gbp",
                   "cost_gbp_per_1000"]]
    gap_keys = [*by_cols, "key", "count"]
    gaps = (severity.gaps.rename(columns={"reason": "weight"})
            .merge(cost.gaps.rename(columns={"reason": "unit_cost"}), how="outer", on=gap_keys))
    gaps["missing"] = [
        NOT_A_CRIME if NOT_A_CRIME in (w, c) else "; ".join(
            str(text) for text in (w, c) if isinstance(text, str))
        for w, c in zip(gaps["weight"], gaps["unit_cost"], strict=True)]
    gaps = gaps[[*gap_keys, "missing"]].sort_values([*by_cols, "count"], ascending=[
        *([True] * len(by_cols)), False], ignore_index=True)
    return HarmAndCost(table=table.reset_index(drop=True), gaps=gaps, weights=weights,
                       costs=costs)


def coverage_words(crimes_covered: int, crimes: int, what: str = "weighted") -> str:
    """'1,200 of 3,000 crimes (40 %) weighted': the share stated beside every figure."""
    if crimes <= 0:
        return "no crimes"
    return f"{crimes_covered:,} of {crimes:,} crimes ({100 * crimes_covered / crimes:.0f} %) {what}"


