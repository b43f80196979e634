"""Population denominators: ONS mid-year estimates by local authority, Census 2021 by LSOA.

Rates per 1,000 are only as good as their denominator, and the report must say which one it
used, so every table carries ``population_vintage`` (e.g. "ONS mid-2022", "Census 2021").
A missing estimate stays missing: it is never read as 0, and summing an area with a missing
part is an error rather than an undercount.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.core.config import PopulationRelease, mid_year_vintage
from analysis.core.errors import DataCoverageError, InputError

POPULATION_COLUMNS = ["area_code", "area_level", "population", "population_vintage"]
"""Columns of every population table, in order."""

CENSUS_2021 = "Census 2021"

_AREA_LEVELS = {
    "E01": "LSOA",
    "W01": "LSOA",
    "E05": "ward",
    "W05": "ward",
    "E06": "LAD",
    "E07": "LAD",
    "E08": "LAD",
    "E09": "LAD",
    "W06": "LAD",
    "S12": "LAD",
    "N09": "LAD",
    "E10": "county",
    "E22": "CSP",
    "E23": "PFA",
    "W15": "PFA",
    "E12": "region",
    "E92": "country",
    "W92": "country",
}
_CODE = re.compile(r"^[ENSW]\d{8}$")


def area_level(code: str) -> str:
    """The ONS geography level of a GSS code from its prefix (``E06`` → ``LAD``), or ``other``."""
    return _AREA_LEVELS.get(code[:3], "other")


def months_from_mid_year(year: int, first_month: datetime.date,
                          last_month: datetime.date) -> float:
    """Months between 30 June of ``year`` and the middle of the period (first to last month).

    Months are counted from the start of each month, so a calendar year's middle is the end
    of June: mid-2022 is 0 months from 2022 and 3 months from the financial year 2018-19
    (whose middle is the end of September 2018).
    """
    def index(month: datetime.date) -> int:
        return month.year * 12 + month.month - 1

    middle = (index(first_month) + index(last_month) + 1) / 2
    return abs(year * 12 + 6 - middle)


def nearest_release(releases: Sequence[PopulationRelease], first_month: datetime.date,
                    last_month: datetime.date) -> PopulationRelease:
    """The release whose mid-year is nearest the middle of the period; ties go to the earlier.

    Rates use one denominator for every area, so one release is chosen for the whole period.
    An estimate for the middle of the period describes it best; when two are equally near
    (mid-2019 and mid-2021 for the calendar year 2020) the earlier is used, as it was
    published first and a later revision can only be known later. A single release is used
    whatever its year.
    """
    if not releases:
        raise InputError("no population estimates are configured",
                         expected="sources.population or sources.populations")
    if len(releases) == 1:
        return releases[0]
    undated = [str(r.path) for r in releases if r.year is None]
    if undated:
        raise InputError("a population release has no year, so the nearest cannot be chosen",
                         found=undated, expected="a year for every listed release")
    return min(releases, key=lambda r: (months_from_mid_year(r.year or 0, first_month,
                                                              last_month), r.year))


def load_mid_year_estimates(path: Path, *, vintage: str | None = None) -> pd.DataFrame:
    """Read ONS mid-year estimates by area from an ``area_code,population`` CSV.

    ``NA`` or blank populations (e.g. Scotland and Northern Ireland in some releases) are kept
    as missing, never 0. The vintage is ``vintage`` or inferred from a ``mid-YYYY`` folder.
    Returns :data:`POPULATION_COLUMNS`, one row per area code.
    """
    label = mid_year_vintage(path, vintage)
    try:
        raw = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=["", "NA"],
            encoding="utf-8-sig",
        )
    except FileNotFoundError:
        raise InputError("population file not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the population file ({exc})", file=path) from None
    raw.columns = [str(column).strip().lower() for column in raw.columns]
    missing = {"area_code", "population"} - set(raw.columns)
    if missing:
        raise InputError(
            "the population file is missing columns",
            file=path,
            line=1,
            found=list(raw.columns),
            expected="area_code,population",
        )
    codes = raw["area_code"].str.strip()
    population = _counts(raw["population"], path, "population")
    _check_codes(codes, path)
    table = pd.DataFrame({"area_code": codes, "population": population})
    return _finish(table, label, path)


def _counts(values: pd.Series, path: Path, column: str) -> pd.Series:
    """Parse whole non-negative counts (missing stays missing); raise naming the first bad row."""
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (numbers.isna() & text.notna()) | (numbers < 0) | (numbers % 1 != 0)
    bad = bad.fillna(False)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a population is not a whole number of people",
            file=path,
            line=row + 2,
            column=column,
            found=values.iloc[row],
            expected="a whole number ≥ 0, or NA when not available",
        )
    return numbers.astype("Int64")


def _check_codes(codes: pd.Series, path: Path) -> None:
    """Raise naming the first area code that is blank or not a 9-character GSS code."""
    bad = ~codes.fillna("").str.match(_CODE)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "an area code is not an ONS GSS code",
            file=path,
            line=row + 2,
            column="area_code",
            found=codes.iloc[row],
            expected="a code like E06000034",
        )


def _finish(table: pd.DataFrame, label: str, path: Path) -> pd.DataFrame:
    """Add level and vintage, reject repeated codes, return the canonical column order."""
    repeated = table[table["area_code"].duplicated()]
    if not repeated.empty:
        raise InputError(
            "an area appears more than once",
            file=path,
            found=repeated["area_code"].iloc[0],
            expected="one population per area",
        )
    table["area_level"] = table["area_code"].map(area_level)
    table["population_vintage"] = label
    return (
        table[POPULATION_COLUMNS]
        .astype({"area_code": "string", "area_level": "string", "population_vintage": "string"})
        .sort_values("area_code")
        .reset_index(drop=True)
    )


def load_census21_lsoa(path: Path, *, object_name: str = "census21_pop") -> pd.DataFrame:
    """Census 2021 usual residents by LSOA 2021, summed over age groups, from an R ``.rda``.

    The object has one row per LSOA and age group (``lsoa21_code, lsoa21_name, age_group,
    usual_residents``). Returns :data:`POPULATION_COLUMNS` with area_level ``LSOA`` and
    vintage "Census 2021"; an LSOA with any missing age group count is missing, not summed.
    """
    import pyreadr  # imported here: only this reader needs it

    try:
        objects = pyreadr.read_r(str(path))
    except (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError,
            FileNotFoundError) as exc:
        raise InputError(f"cannot read the R data file ({exc})", file=path) from None
    if object_name not in objects:
        raise InputError(
            "the R data file does not hold the census object",
            file=path,
            found=list(objects),
            expected=object_name,
        )
    raw = objects[object_name]
    missing = {"lsoa21_code", "age_group", "usual_residents"} - set(raw.columns)
    if missing:
        raise InputError(
            "the census object is missing columns",
            file=path,
            found=list(raw.columns),
            expected="lsoa21_code, lsoa21_name, age_group, usual_residents",
        )
    residents = _counts(raw["usual_residents"], path, "usual_residents")
    frame = pd.DataFrame({"area_code": raw["lsoa21_code"].astype("string"), "people": residents})
    _check_codes(frame["area_code"], path)
    table = (
        frame.groupby("area_code", as_index=False)["people"]
        .sum(min_count=1, skipna=False)
        .rename(columns={"people": "population"})
    )
    return _finish(table, CENSUS_2021, path)


def population_for(
    areas: Iterable[str],
    population: pd.DataFrame,
    lookup: pd.DataFrame,
    *,
    level: Literal["lad", "csp", "pfa"],
) -> pd.DataFrame:
    """Sum a population table (LADs or 2021 LSOAs) up to the given LADs, CSPs or forces.

    ``lookup`` is the LAD → CSP → PFA table or the LSOA lookup from
    :mod:`analysis.inputs.geography`. Every part must have a population: a missing estimate,
    a part absent from the population table, or a LAD split between several CSPs raises
    :class:`DataCoverageError` naming the parts. Returns :data:`POPULATION_COLUMNS` plus
    ``parts`` (how many LADs or LSOAs were summed), in the order of ``areas``.
    """
    target = f"{level}_code"
    vintages = population["population_vintage"].unique().tolist()
    if len(vintages) != 1:
        raise DataCoverageError("a population total must come from one vintage", found=vintages)
    levels = set(population["area_level"])
    if levels == {"LAD"}:
        mapping = (
            lookup[["lad_code", target]].drop_duplicates().rename(columns={"lad_code": "part"})
        )
    elif levels == {"LSOA"} and "lsoa_code" in lookup.columns:
        rows = lookup[lookup["lsoa_vintage"] == 2021] if "lsoa_vintage" in lookup else lookup
        mapping = (
            rows[["lsoa_code", target]].drop_duplicates().rename(columns={"lsoa_code": "part"})
        )
    else:
        raise DataCoverageError(
            "population_for sums LAD populations, or 2021 LSOA populations with the LSOA lookup",
            found=sorted(levels),
            expected="area_level LAD, or LSOA with an lsoa_code lookup",
        )
    values = population.set_index("area_code")["population"]
    return pd.DataFrame(
        [_sum_one(code, mapping, values, target, vintages[0]) for code in areas]
    ).astype({"population": "Int64", "parts": "int64"})


def _sum_one(
    code: str, mapping: pd.DataFrame, values: pd.Series, target: str, vintage: str
) -> dict[str, object]:
    """Total population of one area; raise if any of its parts has no population."""
    parts = mapping.loc[mapping[target] == code, "part"]
    if parts.empty:
        raise DataCoverageError(
            "the area is not in the lookup", found=code, expected=f"a {target} in the lookup"
        )
    split = mapping[mapping["part"].isin(parts)]["part"].value_counts()
    problems = [f"{part} (split between areas)" for part in split[split > 1].index]
    present = values.reindex(parts.tolist())
    problems += [f"{part} (no population)" for part in present[present.isna()].index]
    if problems:
        raise DataCoverageError(
            f"cannot total the {vintage} population of {code}",
            found=sorted(problems)[:20],
            expected="a population for every part of the area",
            hint="use a population table and lookup with the same LAD codes",
        )
    return {
        "area_code": code,
        "area_level": target.removesuffix("_code").upper(),
        "population": int(present.sum()),
        "population_vintage": vintage,
        "parts": len(parts),
    }
