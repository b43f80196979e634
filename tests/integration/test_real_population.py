"""Population denominators from the real ONS and Census files (values in SOURCES.md §3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.inputs.geography import load_lad_csp, load_lsoa_lookup
from analysis.inputs.population import (
    load_census21_lsoa,
    load_mid_year_estimates,
    population_for,
)

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
POPULATION = REAL / "population"
LAD_CSP = REAL / "lookups" / "macoj_crime-city" / "lad_to_csp.csv"
THURROCK, THURROCK_CSP, ESSEX_PFA = "E06000034", "E22000091", "E23000028"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL}"),
]


def mid_year(year: int) -> pd.DataFrame:
    return load_mid_year_estimates(
        POPULATION / "traffordDataLab_covid-19" / f"mid-{year}" / "population.csv"
    )


@pytest.mark.parametrize(("year", "thurrock"), [(2019, 174_341), (2020, 175_531), (2022, 176_877)])
def test_thurrock_mid_year(year: int, thurrock: int) -> None:
    table = mid_year(year)
    assert table.set_index("area_code").loc[THURROCK, "population"] == thurrock
    assert set(table["population_vintage"]) == {f"ONS mid-{year}"}


def test_scottish_rows_of_mid_2022_are_missing_not_zero() -> None:
    table = mid_year(2022)
    scotland = table[table["area_code"].str.startswith("S")]
    assert len(scotland) == 32
    assert scotland["population"].isna().all()


@pytest.mark.parametrize(
    ("year", "essex"), [(2019, 1_846_655), (2020, 1_856_063), (2022, 1_877_301)]
)
def test_essex_force_and_thurrock_csp(year: int, essex: int) -> None:
    lad_csp = load_lad_csp(LAD_CSP)
    table = mid_year(year)
    force = population_for([ESSEX_PFA], table, lad_csp, level="pfa")
    assert force.loc[0, "population"] == essex
    assert force.loc[0, "parts"] == 14
    csp = population_for([THURROCK_CSP], table, lad_csp, level="csp")
    assert csp.loc[0, "population"] == table.set_index("area_code").loc[THURROCK, "population"]


def test_census_2021_thurrock_over_100_lsoas() -> None:
    census = load_census21_lsoa(POPULATION / "cwthom_hack25usefuldata" / "census21_pop.rda")
    assert len(census) == 35_672
    boundaries = REAL / "boundaries" / "drkane_geo-lookups"
    lookup = load_lsoa_lookup(
        [],
        LAD_CSP,
        lsoa_boundaries=[boundaries / "lsoa" / "E06000034.geojson"],
        ward_boundaries=[boundaries / "ward" / "E06000034.geojson"],
        strict=True,
    )
    total = population_for([THURROCK_CSP], census, lookup, level="csp")
    assert total.loc[0, "population"] == 176_003
    assert total.loc[0, "parts"] == 100
    assert total.loc[0, "population_vintage"] == "Census 2021"
