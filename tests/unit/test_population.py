"""Unit tests for analysis.inputs.population on small hand-made files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyreadr
import pytest

from analysis.core.config import PopulationRelease, mid_year_of
from analysis.core.errors import DataCoverageError, InputError
from analysis.inputs.population import (
    POPULATION_COLUMNS,
    area_level,
    load_census21_lsoa,
    load_mid_year_estimates,
    months_from_mid_year,
    nearest_release,
    population_for,
)

MID_YEAR = "area_code,population\nE06000034,174341\nE06000033,182463\nS12000005,NA\n"
LAD_CSP = pd.DataFrame(
    {
        "lad_code": ["E06000034", "E06000033", "S12000005"],
        "csp_code": ["E22000091", "E22000090", "S99000001"],
        "pfa_code": ["E23000028", "E23000028", "S99000002"],
    }
)


def mid_year_file(tmp_path: Path, text: str = MID_YEAR, folder: str = "mid-2019") -> Path:
    path = tmp_path / folder / "population.csv"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_mid_year_reads_vintage_from_folder_and_keeps_na_missing(tmp_path: Path) -> None:
    table = load_mid_year_estimates(mid_year_file(tmp_path))

    assert list(table.columns) == POPULATION_COLUMNS
    values = table.set_index("area_code")["population"]
    assert values["E06000034"] == 174341
    assert values["S12000005"] is pd.NA
    assert set(table["population_vintage"]) == {"ONS mid-2019"}
    assert set(table["area_level"]) == {"LAD"}


def test_explicit_vintage_wins_and_missing_vintage_is_an_error(tmp_path: Path) -> None:
    path = mid_year_file(tmp_path, folder="estimates")
    with pytest.raises(InputError, match="which mid-year"):
        load_mid_year_estimates(path)
    table = load_mid_year_estimates(path, vintage="ONS mid-2021")
    assert set(table["population_vintage"]) == {"ONS mid-2021"}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("area_code,population\nE06000034,174341\nE06000033,many\n", 3, "population"),
        ("area_code,population\nE06000034,-5\n", 2, "population"),
        ("area_code,population\nThurrock,174341\n", 2, "area_code"),
    ],
)
def test_bad_values_name_line_and_column(tmp_path: Path, text: str, line: int, column: str) -> None:
    with pytest.raises(InputError) as info:
        load_mid_year_estimates(mid_year_file(tmp_path, text))
    assert (info.value.line, info.value.column) == (line, column)


def test_sum_to_csp_and_force(tmp_path: Path) -> None:
    table = load_mid_year_estimates(mid_year_file(tmp_path))

    result = population_for(["E23000028"], table, LAD_CSP, level="pfa")

    assert result.to_dict("records") == [
        {
            "area_code": "E23000028",
            "area_level": "PFA",
            "population": 174341 + 182463,
            "population_vintage": "ONS mid-2019",
            "parts": 2,
        }
    ]
    csp = population_for(["E22000091"], table, LAD_CSP, level="csp")
    assert csp.loc[0, "population"] == 174341


def test_missing_part_is_an_error_not_an_undercount(tmp_path: Path) -> None:
    table = load_mid_year_estimates(mid_year_file(tmp_path))
    with pytest.raises(DataCoverageError) as info:
        population_for(["S99000002"], table, LAD_CSP, level="pfa")
    assert info.value.found == ["S12000005 (no population)"]
    lookup = pd.concat(
        [
            LAD_CSP,
            pd.DataFrame(
                {"lad_code": ["E06000099"], "csp_code": ["E22000091"], "pfa_code": ["E23000028"]}
            ),
        ]
    )
    with pytest.raises(DataCoverageError, match="E22000091"):
        population_for(["E22000091"], table, lookup, level="csp")


def test_lad_split_between_csps_cannot_be_summed(tmp_path: Path) -> None:
    table = load_mid_year_estimates(mid_year_file(tmp_path))
    lookup = pd.concat(
        [
            LAD_CSP,
            pd.DataFrame(
                {"lad_code": ["E06000034"], "csp_code": ["E22000999"], "pfa_code": ["E23000028"]}
            ),
        ]
    )
    with pytest.raises(DataCoverageError) as info:
        population_for(["E22000091"], table, lookup, level="csp")
    assert info.value.found == ["E06000034 (split between areas)"]


def test_census_sums_age_groups_per_lsoa(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "lsoa21_code": ["E01000001", "E01000001", "E01000002", "E01000002"],
            "lsoa21_name": ["A", "A", "B", "B"],
            "age_group": ["0-15", "16+", "0-15", "16+"],
            "usual_residents": [100.0, 250.0, 80.0, float("nan")],
        }
    )
    path = tmp_path / "census21_pop.rda"
    pyreadr.write_rdata(str(path), frame, df_name="census21_pop")

    table = load_census21_lsoa(path)

    values = table.set_index("area_code")["population"]
    assert values["E01000001"] == 350
    assert values["E01000002"] is pd.NA  # one age group missing: unknown, not 80
    assert set(table["area_level"]) == {"LSOA"}
    assert set(table["population_vintage"]) == {"Census 2021"}
    lookup = pd.DataFrame(
        {"lsoa_code": ["E01000001"], "lsoa_vintage": [2021], "csp_code": ["E22000091"]}
    )
    total = population_for(["E22000091"], table, lookup, level="csp")
    assert total.loc[0, "population"] == 350


def test_a_damaged_census_file_is_a_clear_input_error(tmp_path: Path) -> None:
    path = tmp_path / "census21_pop.rda"
    path.write_bytes(b"RDX3\n not really R data")

    with pytest.raises(InputError, match="cannot read the R data file") as raised:
        load_census21_lsoa(path)
    assert raised.value.file == str(path)


def test_area_level_from_code_prefix() -> None:
    assert [area_level(c) for c in ["E01015921", "E06000034", "E22000091", "E23000028"]] == [
        "LSOA",
        "LAD",
        "CSP",
        "PFA",
    ]


# --- choosing among several releases (vintages) ----------------------------------------------
RELEASES = [
    PopulationRelease(Path("mid-2019.csv"), 2019, "ONS mid-2019"),
    PopulationRelease(Path("mid-2020.csv"), 2020, "ONS mid-2020"),
    PopulationRelease(Path("mid-2022.csv"), 2022, "ONS mid-2022"),
]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # calendar 2022: middle is end of June 2022, 0 months from mid-2022
        (date(2022, 1, 1), date(2022, 12, 1), "ONS mid-2022"),
        # financial year 2018-19: middle end of Sep 2018; mid-2019 is 9 months off, the nearest
        (date(2018, 4, 1), date(2019, 3, 1), "ONS mid-2019"),
        # calendar 2024: 24 months from mid-2022, the latest held
        (date(2024, 1, 1), date(2024, 12, 1), "ONS mid-2022"),
        # Jan-Feb 2021: middle end of Jan 2021; mid-2020 is 7 months off, mid-2022 17
        (date(2021, 1, 1), date(2021, 2, 1), "ONS mid-2020"),
        # calendar 2021: 12 months from mid-2020 and from mid-2022, a tie: the earlier wins
        (date(2021, 1, 1), date(2021, 12, 1), "ONS mid-2020"),
    ],
)
def test_nearest_release_to_the_middle_of_the_period(first: date, last: date,
                                                      expected: str) -> None:
    assert nearest_release(RELEASES, first, last).label == expected
    assert nearest_release(list(reversed(RELEASES)), first, last).label == expected


def test_months_from_mid_year_by_hand() -> None:
    assert months_from_mid_year(2022, date(2022, 1, 1), date(2022, 12, 1)) == 0
    assert months_from_mid_year(2019, date(2018, 4, 1), date(2019, 3, 1)) == 9
    assert months_from_mid_year(2018, date(2018, 4, 1), date(2019, 3, 1)) == 3
    assert months_from_mid_year(2022, date(2022, 1, 1), date(2022, 11, 1)) == 0.5


def test_a_single_release_is_used_whatever_its_year() -> None:
    only = [PopulationRelease(Path("people.csv"), None, "Demo")]
    assert nearest_release(only, date(2030, 1, 1), date(2030, 12, 1)).label == "Demo"


def test_no_release_or_an_undated_one_among_several_is_an_error() -> None:
    with pytest.raises(InputError):
        nearest_release([], date(2022, 1, 1), date(2022, 12, 1))
    undated = [*RELEASES, PopulationRelease(Path("x.csv"), None, "x")]
    with pytest.raises(InputError):
        nearest_release(undated, date(2022, 1, 1), date(2022, 12, 1))


def test_mid_year_read_from_label_or_path() -> None:
    assert mid_year_of(Path("a/mid-2019/population.csv"), None) == 2019
    assert mid_year_of(Path("people.csv"), "ONS mid-2021 estimates") == 2021
    assert mid_year_of(Path("people.csv"), "Census") is None
