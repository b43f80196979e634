"""Unit tests for the partner-extract contract (analysis.inputs.partner)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.inputs.partner import (
    FIELDS,
    ExtractMapping,
    load_mapping,
    load_partner_extract,
)

EXAMPLE_MAPPING = Path(__file__).resolve().parents[2] / "config" / "mappings" / "example_force.yaml"

CLASSIFICATION = pd.DataFrame(
    {
        "offence_code": ["8N", "105A", "28E"],
        "offence_subgroup": ["Violence with injury", "Violence without injury", "Burglary"],
        "offence_group": ["Violence against the person", "Violence against the person", "Burglary"],
    }
)

CRIMES_HEADER = (
    "Crime Reference,Committed From,Committed To,HO Offence Code,LSOA,Easting,Northing,DA Flag,"
    "Hate Strands,Knife Flag,Alcohol Flag,NTE Flag,CSE Flag,Victim Age Band,Victim Sex,Outcome"
)


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(EXAMPLE_MAPPING)


def test_example_mapping_is_valid(mapping) -> None:
    assert mapping.area == "example"
    assert mapping.crimes.columns["HO Offence Code"] == "offence_code"


def test_good_crimes_load_with_flags_strands_and_groups(tmp_path: Path, mapping) -> None:
    path = write(
        tmp_path,
        "crimes.csv",
        [
            CRIMES_HEADER,
            "42/1,31/03/2024 22:15,01/04/2024 01:00,8n,E01015921,,,Y,Faith|Race,N,Yes,Y,,"
            "18-24,M,Charged",
            "42/2,01/04/2024,,105A,,559000,180000,,,,,,,,F,",
        ],
    )

    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)

    assert result.counts == {"rows_read": 2, "rows_loaded": 2, "rows_quarantined": 0}
    rows = result.rows.set_index("reference")
    first, second = rows.loc["42/1"], rows.loc["42/2"]
    assert first["committed_from"] == pd.Timestamp("2024-03-31 22:15")
    assert first["offence_code"] == "8N"
    assert first["offence_group"] == "Violence against the person"
    assert first["hate_strands"] == "race;religion"  # canonical order, mapped names
    assert (first["domestic_abuse"], first["knife_sharp_instrument"], first["alcohol"]) == (
        True,
        False,
        True,
    )
    # Blank is listed as a false value in this mapping, so blank CSE flags read as False.
    assert result.rows["child_sexual_exploitation"].tolist() == [False, False]
    assert first["victim_sex"] == "male"
    assert second["hate_strands"] == ""
    assert second["committed_to"] is pd.NaT
    assert (second["easting"], second["northing"]) == (559000, 180000)
    assert result.rows["source_line"].tolist() == [2, 3]
    assert list(result.rows.columns[:2]) == ["source_file", "source_line"]
    assert set(FIELDS["crimes"]) <= set(result.rows.columns)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("42/3,32/03/2024,,8N,E01015921,,,,,,,,,,,", "column 'Committed From': found '32/03/2024'"),
        ("42/3,01/04/2024,,99Z,E01015921,,,,,,,,,,,", "offence_code: found '99Z'"),
        ("42/3,01/04/2024,,8N,,,,,,,,,,,,", "no location"),
        ("42/3,01/04/2024,,8N,,559000,,,,,,,,,,", "easting and northing must both be given"),
        ("42/3,01/04/2024,,8N,E01015921,,,maybe,,,,,,,,", "column 'DA Flag': found 'maybe'"),
        ("42/3,01/04/2024,,8N,E01015921,,,,Race|Age,,,,,,,", "column 'Hate Strands'"),
        ("42/3,02/04/2024,01/04/2024,8N,E01015921,,,,,,,,,,,", "committed_to is before"),
        ("42/3,01/04/2099,,8N,E01015921,,,,,,,,,,,", "date is in the future"),
        (",01/04/2024,,8N,E01015921,,,,,,,,,,,", "reference is blank"),
        ("42/3,01/04/2024,,8N,Thurrock 015A,,,,,,,,,,,", "column 'LSOA': found 'Thurrock 015A'"),
        ("42/3,01/04/2024,,8N,E01015921", "has 5 cells, the header has 16"),
    ],
)
def test_bad_crime_rows_are_quarantined_with_reason(
    tmp_path: Path, mapping, row: str, reason: str
) -> None:
    good = "42/1,31/03/2024,,8N,E01015921,,,,,,,,,,,"
    path = write(tmp_path, "crimes.csv", [CRIMES_HEADER, good, row])

    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)

    assert result.counts == {"rows_read": 2, "rows_loaded": 1, "rows_quarantined": 1}
    bad = result.quarantine.iloc[0]
    assert bad["source_line"] == 3
    assert reason in bad["reason"]
    assert bad["Crime Reference"] == row.split(",")[0]  # the row as it was in the file


@pytest.mark.parametrize("when", ["01/04/1500", "01/04/2999", "31/12/1677 23:59"])
def test_dates_beyond_any_real_crime_are_quarantined_not_fatal(tmp_path: Path, mapping,
                                                               when: str) -> None:
    good = "42/1,31/03/2024,,8N,E01015921,,,,,,,,,,,"
    path = write(tmp_path, "crimes.csv", [CRIMES_HEADER, good, f"42/3,{when},,8N,E01015921"
                                          ",,,,,,,,,,,"])
    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)
    assert result.counts == {"rows_read": 2, "rows_loaded": 1, "rows_quarantined": 1}
    assert result.quarantine["reason"].tolist() == [
        f"column 'Committed From': found '{when}', expected a date from 1900 to 2199"]
    assert result.rows["reference"].tolist() == ["42/1"]


def test_iso_date_in_year_1500_is_quarantined(tmp_path: Path) -> None:
    extract = ExtractMapping(columns={"Ref": "reference", "When": "committed_from",
                                      "Code": "offence_code", "LSOA": "lsoa_code"})
    path = write(tmp_path, "crimes.csv", ["Ref,When,Code,LSOA", "1,1500-01-01,8N,E01015921",
                                          "2,2024-01-01,8N,E01015921"])
    result = load_partner_extract(path, "crimes", extract, classification=CLASSIFICATION)
    assert result.rows["reference"].tolist() == ["2"]
    assert "found '1500-01-01', expected a date from 1900" in result.quarantine["reason"][0]


def test_duplicate_reference_is_quarantined_naming_first_line(tmp_path: Path, mapping) -> None:
    row = "42/1,31/03/2024,,8N,E01015921,,,,,,,,,,,"
    path = write(tmp_path, "crimes.csv", [CRIMES_HEADER, row, row])
    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)
    assert result.quarantine["reason"].tolist() == ["duplicate reference (first on line 2)"]


def test_multiline_cell_keeps_true_line_numbers(tmp_path: Path, mapping) -> None:
    path = write(
        tmp_path,
        "crimes.csv",
        [
            CRIMES_HEADER,
            '42/1,31/03/2024,,8N,E01015921,,,,,,,,,,,"Charged',
            'after review"',
            "42/2,31/03/2024,,XX,E01015921,,,,,,,,,,,",
        ],
    )
    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)
    assert result.rows["outcome"].tolist() == ["Charged\r\nafter review"]
    assert result.quarantine["source_line"].tolist() == [4]


def test_missing_mapped_column_is_a_file_error(tmp_path: Path, mapping) -> None:
    header = CRIMES_HEADER.replace("HO Offence Code", "ho offence code")
    path = write(tmp_path, "crimes.csv", [header])
    with pytest.raises(InputError) as info:
        load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)
    assert (info.value.line, info.value.column) == (1, "HO Offence Code")
    assert "ho offence code" in info.value.hint


def test_asb_categories_mapped_and_checked(tmp_path: Path, mapping) -> None:
    path = write(
        tmp_path,
        "asb.csv",
        [
            "Incident No,Date/Time,ASB Category,Incident Type,Ward Code,Longitude,Latitude,"
            "Repeat Caller",
            "A1,05/01/2024 23:10:00,ASB Personal,Neighbour dispute,E05002239,,,Y",
            "A2,05/01/2024 23:40:00,Noise,Loud music,,0.31,51.5,N",
            "A3,06/01/2024 10:00:00,ASB Environmental,Fly-tipping,,0.31,,",
        ],
    )
    result = load_partner_extract(path, "asb", mapping)

    assert result.rows["category"].tolist() == ["personal"]
    assert result.rows["repeat_caller"].tolist() == [True]
    reasons = result.quarantine.set_index("source_line")["reason"]
    assert reasons[3].startswith("column 'ASB Category': found 'Noise', expected one of personal")
    assert "longitude and latitude must both be given" in reasons[4]
    assert result.counts["rows_read"] == 3


def test_indicators_numbers_and_duplicates(tmp_path: Path, mapping) -> None:
    path = write(
        tmp_path,
        "indicators.csv",
        [
            "Indicator,Area,Period,Value,Numerator,Denominator,Source,Note",
            "Proven reoffending rate,E06000034,2022-23,27.5,110,400,MoJ,",
            "Proven reoffending rate,E06000034,2022-23,27.5,110,400,MoJ,resubmitted",
            "First-time entrants,E06000034,2022-23,n/a,,,YJB,",
            "First-time entrants,E23000028,2022-23,150,1.5,,YJB,",
        ],
    )
    result = load_partner_extract(path, "indicators", mapping)

    assert result.rows[["indicator", "value", "numerator", "denominator"]].values.tolist() == [
        ["Proven reoffending rate", 27.5, 110, 400]
    ]
    reasons = result.quarantine["reason"].tolist()
    assert reasons[0] == "duplicate indicator+area+period (first on line 2)"
    assert "found 'n/a', expected a number" in reasons[1]
    assert "found '1.5', expected a whole number ≥ 0" in reasons[2]
    assert result.counts == {"rows_read": 4, "rows_loaded": 1, "rows_quarantined": 3}


def test_iso_dates_by_default_and_unmapped_fields_are_missing(tmp_path: Path) -> None:
    mapping = ExtractMapping(
        columns={
            "ref": "reference",
            "when": "committed_from",
            "ho": "offence_code",
            "lsoa": "lsoa_code",
        }
    )
    path = write(tmp_path, "c.csv", ["ref,when,ho,lsoa", "1,2024-03-31T22:15,28E,E01015921"])
    result = load_partner_extract(path, "crimes", mapping, classification=CLASSIFICATION)
    row = result.rows.iloc[0]
    assert row["committed_from"] == pd.Timestamp("2024-03-31 22:15")
    assert row["hate_strands"] is pd.NA
    assert row["domestic_abuse"] is pd.NA


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("area: x\ncrimes:\n  columns: {A: reference, B: committed_from}\n", "offence_code"),
        (
            "area: x\ncrimes:\n  columns: {A: reference, B: committed_from, C: offence_code}\n",
            "map a location",
        ),
        ("area: x\nasb:\n  columns: {A: referense}\n", "unknown field"),
        ("area: x\nindicators:\n  colums: {}\n", "indicators"),
    ],
)
def test_bad_mapping_is_a_config_error(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_missing_extract_section_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("area: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no 'asb' section"):
        load_partner_extract(tmp_path / "asb.csv", "asb", load_mapping(path))


def test_default_classification_is_the_shipped_home_office_table(tmp_path: Path) -> None:
    mapping = ExtractMapping(
        columns={
            "ref": "reference",
            "when": "committed_from",
            "ho": "offence_code",
            "ward": "ward_code",
        }
    )
    path = write(
        tmp_path,
        "c.csv",
        ["ref,when,ho,ward", "1,2024-03-31,8n,E05002239", "2,2024-03-31,ZZ9,E05002239"],
    )
    result = load_partner_extract(path, "crimes", mapping)
    assert result.rows[["offence_code", "offence_subgroup"]].values.tolist() == [
        ["8N", "Violence with injury"]
    ]
    assert "offence_code: found 'ZZ9'" in result.quarantine.loc[0, "reason"]
