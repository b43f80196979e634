"""Mapping features through the real ingest (store.ingest.ingest_partner): a date column with
a separate time column, ages banded into the contract's bands, ward names read as ward codes,
the file's encoding; and near-miss column names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import Period
from analysis.inputs.partner import (
    ExtractMapping,
    PartnerMapping,
    close_names,
    load_mapping,
    load_partner_extract,
    times_of_day,
    ward_name_table,
)
from analysis.sections import places, serious_violence
from analysis.store.ingest import ingest_partner
from analysis.store.query import partner_table

FORCE = "E23000001"
LOOKUP = pd.DataFrame({
    "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005",
                  "E01000009"],
    "lsoa_vintage": [2021] * 6,
    "lsoa_name": ["A 001A", "A 001B", "A 001C", "B 001A", "A 001D", "C 001A"],
    "ward_code": ["E05000001", "E05000002", "E05000003", "E05000004", "E05000005",
                  "E05000009"],
    "ward_name": ["North", "South", "Central", "Central", "St Mary's", "Elsewhere"],
    "lad_code": ["E06000001", "E06000001", "E06000001", "E06000002", "E06000001",
                 "E06000009"],
    "lad_name": ["A", "A", "A", "B", "A", "C"],
    "csp_code": ["E22000001", "E22000001", "E22000001", "E22000002", "E22000001",
                 "E22000009"],
    "csp_name": ["A", "A", "A", "B", "A", "C"],
    "pfa_code": [FORCE] * 5 + ["E23000009"],
    "pfa_name": ["Testshire"] * 5 + ["Othershire"],
})
"""Two councils of one force, both with a 'Central' ward; 'Elsewhere' is another force's."""


def crimes_mapping(**options: object) -> PartnerMapping:
    """A crimes mapping of columns Ref, Date, Code and Ward (codes), plus ``options``."""
    columns = {"Ref": "reference", "Date": "committed_from", "Code": "offence_code",
               "Ward": "ward_code", **options.pop("columns", {})}  # type: ignore[dict-item]
    return PartnerMapping(area="test", crimes=ExtractMapping(columns=columns, **options))


def ingest(tmp_path: Path, mapping: PartnerMapping, text: str, *,
           encoding: str = "utf-8") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ingest ``text`` as the crimes extract; (loaded rows by reference, quarantine)."""
    path = tmp_path / "crimes.csv"
    path.write_bytes(text.encode(encoding))
    ingest_partner({"crimes": path}, mapping, tmp_path / "store", lsoa_lookup=LOOKUP,
                   force_code=FORCE)
    rows = partner_table(tmp_path / "store", "crimes")
    assert rows is not None
    quarantine = pd.read_parquet(tmp_path / "store" / "partner" / "crimes_quarantine.parquet")
    return rows.set_index("reference"), quarantine.set_index("Ref")


# --------------------------------------------------------------------------------------------
# Date and time in separate columns; date-only values have no time of day
# --------------------------------------------------------------------------------------------


def test_a_date_column_and_a_time_column_make_one_date_time(tmp_path: Path) -> None:
    mapping = crimes_mapping(date_formats=["%d/%m/%Y", "%d/%m/%Y %H:%M:%S"],
                             time_columns={"committed_from": "Time"})
    rows, quarantine = ingest(tmp_path, mapping, "Ref,Date,Time,Code,Ward\n"
                              "C1,31/03/2024,22:15,8N,E05000001\n"
                              "C2,01/04/2024,,8N,E05000001\n"
                              "C3,03/04/2024 00:00:00,09:05:30,8N,E05000001\n"
                              "C4,02/04/2024,25:00,8N,E05000001\n")
    assert rows.loc["C1", "committed_from"] == pd.Timestamp("2024-03-31 22:15")
    assert rows.loc["C3", "committed_from"] == pd.Timestamp("2024-04-03 09:05:30")  # Excel's
    # midnight in the date column is not its time: the time column is
    assert rows.loc["C2", "committed_from"] == pd.Timestamp("2024-04-01")
    assert rows["committed_from_time_known"].to_dict() == {"C1": True, "C2": False, "C3": True}
    assert quarantine.loc["C4", "reason"] == ("column 'Time': found '25:00', expected a time "
                                              "of day like %H:%M or %H:%M:%S")


def test_date_only_values_have_an_unknown_time_not_midnight(tmp_path: Path) -> None:
    mapping = crimes_mapping(date_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y"],
                             columns={"To": "committed_to"})
    rows, quarantine = ingest(tmp_path, mapping, "Ref,Date,To,Code,Ward\n"
                              "C1,31/03/2024 22:15,31/03/2024,8N,E05000001\n"
                              "C2,01/04/2024,,8N,E05000001\n"
                              "C3,02/04/2024 10:00,01/04/2024,8N,E05000001\n")
    assert rows["committed_from_time_known"].to_dict() == {"C1": True, "C2": False}
    assert rows.loc["C1", "committed_to_time_known"] == False  # noqa: E712 (a pandas NA-able)
    # A date-only end on the start's day is not "before" a 22:15 start; a day earlier is.
    assert list(quarantine.index) == ["C3"]
    assert quarantine.loc["C3", "reason"] == "committed_to is before committed_from"
    assert times_of_day(rows, "committed_from").isna().to_dict() == {"C1": False, "C2": True}


def test_iso_dates_know_whether_they_hold_a_time(tmp_path: Path) -> None:
    rows, _ = ingest(tmp_path, crimes_mapping(), "Ref,Date,Code,Ward\n"
                     "C1,2024-03-31T22:15,8N,E05000001\nC2,2024-03-31,8N,E05000001\n"
                     "C3,2024-03-31 00:00,8N,E05000001\n")
    assert rows["committed_from_time_known"].to_dict() == {"C1": True, "C2": False, "C3": True}


def test_busiest_hour_leaves_out_records_with_no_time(tmp_path: Path) -> None:
    """The places page: date-only records are "had no time", never Monday 00:00-00:59."""
    mapping = crimes_mapping(date_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y"])
    rows, _ = ingest(tmp_path, mapping, "Ref,Date,Code,Ward\n"
                     "C1,01/04/2024,8N,E05000001\nC2,01/04/2024,8N,E05000001\n"
                     "C3,08/04/2024,8N,E05000001\nC4,02/04/2024 14:30,8N,E05000001\n")
    timed = {"Recorded crime (partner extract)": rows.reset_index(),
             "ASB incidents (partner extract)": None}
    _, busiest, _ = places.peak_time_items(timed, "E22000001", Period.financial_year(2024))
    assert busiest.data == ("Busiest hour: **Tuesday 14:00-14:59** (1 records); 3 records had "
                            "no time.")  # 1 and 8 April 2024 were Mondays


def test_weekend_night_share_leaves_out_crimes_with_no_time(tmp_path: Path) -> None:
    """A date-only Saturday is not Saturday 00:00 (a weekend-night hour)."""
    mapping = crimes_mapping(date_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y"])
    rows, _ = ingest(tmp_path, mapping, "Ref,Date,Code,Ward\n"
                     "C1,05/04/2024 23:00,8N,E05000001\nC2,06/04/2024,8N,E05000001\n"
                     "C3,03/04/2024 12:00,8N,E05000001\n")  # Friday, Saturday, Wednesday
    share = serious_violence.weekend_night_share(times_of_day(rows, "committed_from"))
    assert share == {"crimes": 2, "weekend_night": 1, "share_percent": 50.0}


# --------------------------------------------------------------------------------------------
# Ages in years banded
# --------------------------------------------------------------------------------------------


def test_ages_are_banded_into_the_contract_bands(tmp_path: Path) -> None:
    mapping = crimes_mapping(columns={"Age": "victim_age_band"}, band_ages=["victim_age_band"],
                             values={"victim_age_band": {"Not known": "", "Under 18": "0-17"}})
    ages = ["0", "17", "18", "24", "25", "34", "35", "44", "45", "54", "55", "64", "65", "120",
            "", "Not known", "Under 18", " 40 "]
    lines = [f"C{i},2024-04-01,8N,E05000001,{age}" for i, age in enumerate(ages)]
    rows, quarantine = ingest(tmp_path, mapping, "\n".join(["Ref,Date,Code,Ward,Age", *lines]))
    assert quarantine.empty
    bands = rows["victim_age_band"].astype(object).where(rows["victim_age_band"].notna(), None)
    assert bands.tolist() == ["0-17", "0-17", "18-24", "18-24", "25-34", "25-34", "35-44",
                              "35-44", "45-54", "45-54", "55-64", "55-64", "65+", "65+",
                              None, None, "0-17", "35-44"]


@pytest.mark.parametrize("age", ["121", "-1", "34.5", "forty", "999"])
def test_an_impossible_age_is_set_aside(tmp_path: Path, age: str) -> None:
    mapping = crimes_mapping(columns={"Age": "victim_age_band"}, band_ages=["victim_age_band"])
    rows, quarantine = ingest(tmp_path, mapping, "Ref,Date,Code,Ward,Age\n"
                              f"C1,2024-04-01,8N,E05000001,{age}\nC2,2024-04-01,8N,E05000001,30\n")
    assert rows.index.tolist() == ["C2"]
    assert quarantine.loc["C1", "reason"] == (f"column 'Age': found '{age}', expected an age "
                                              "in whole years from 0 to 120")


def test_an_age_given_as_a_band_is_set_aside_with_the_fix(tmp_path: Path) -> None:
    mapping = crimes_mapping(columns={"Age": "victim_age_band"})
    rows, quarantine = ingest(tmp_path, mapping, "Ref,Date,Code,Ward,Age\n"
                              "C1,2024-04-01,8N,E05000001,34\nC2,2024-04-01,8N,E05000001,25-34\n")
    assert rows["victim_age_band"].tolist() == ["25-34"]
    assert "found '34', expected an age band like 18-24, not an age: list the field under " \
           "band_ages" in quarantine.loc["C1", "reason"]


# --------------------------------------------------------------------------------------------
# Ward names read as ward codes
# --------------------------------------------------------------------------------------------


def test_ward_names_become_the_force_s_ward_codes(tmp_path: Path) -> None:
    mapping = crimes_mapping(ward_names=True, values={"ward_code": {"Central (B)": "E05000004"}})
    names = ["north", " NORTH ", "St. Marys", "E05000002", "Central (B)", "Central",
             "Elsewhere", "Nort"]
    lines = [f"C{i},2024-04-01,8N,{name}" for i, name in enumerate(names)]
    rows, quarantine = ingest(tmp_path, mapping, "\n".join(["Ref,Date,Code,Ward", *lines]))
    assert rows["ward_code"].to_dict() == {"C0": "E05000001", "C1": "E05000001",
                                           "C2": "E05000005", "C3": "E05000002",
                                           "C4": "E05000004"}
    assert rows.loc["C4", "csp_code"] == "E22000002"  # placed from the code, as any ward code
    reasons = quarantine["reason"].to_dict()
    assert reasons == {
        "C5": "column 'Ward': found 'Central', expected one ward, but 2 wards have that name "
              "(E05000003, E05000004): map it to a code under values",
        "C6": "column 'Ward': found 'Elsewhere', expected a ward name in the area's ward "
              "lookup",  # a ward of another force is not looked up
        "C7": "column 'Ward': found 'Nort', expected a ward name in the area's ward lookup "
              "(did you mean 'North'?)",
    }


def test_ward_names_need_the_ward_lookup(tmp_path: Path) -> None:
    path = tmp_path / "crimes.csv"
    path.write_text("Ref,Date,Code,Ward\nC1,2024-04-01,8N,North\n")
    with pytest.raises(ConfigError, match="ward names"):
        load_partner_extract(path, "crimes", crimes_mapping(ward_names=True))


def test_ward_name_table_keeps_the_force_s_wards() -> None:
    table = ward_name_table(LOOKUP, FORCE)
    assert "Elsewhere" not in table["ward_name"].tolist()
    assert table[table["ward_name"] == "Central"]["ward_code"].tolist() == ["E05000003",
                                                                            "E05000004"]


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------

CP1252_TEXT = "Ref,Date,Code,Ward,Outcome\nC1,2024-04-01,8N,E05000001,Café – charged £50\n"


def test_a_cp1252_file_loads_when_the_mapping_names_it(tmp_path: Path) -> None:
    mapping = crimes_mapping(columns={"Outcome": "outcome"}, encoding="cp1252")
    rows, _ = ingest(tmp_path, mapping, CP1252_TEXT, encoding="cp1252")
    assert rows.loc["C1", "outcome"] == "Café – charged £50"


def test_a_file_not_in_utf8_names_the_line_and_the_encoding_setting(tmp_path: Path) -> None:
    path = tmp_path / "crimes.csv"
    text = ('Ref,Date,Code,Ward,Outcome\nC0,2024-04-01,8N,E05000001,"two\nlines"\n\n'
            "C1,2024-04-01,8N,E05000001,Café\n")
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError) as info:
        load_partner_extract(path, "crimes", crimes_mapping(columns={"Outcome": "outcome"}))
    error = info.value
    assert error.line == 5  # the editor's line: the quoted cell spans two, one is blank
    assert "byte e9" in error.message and "not UTF-8" in error.message
    assert "encoding: cp1252" in (error.hint or "")
    assert error.found == "C1,2024-04-01,8N,E05000001,Caf\ufffd"


def test_a_named_encoding_that_cannot_read_the_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "crimes.csv"
    path.write_bytes(CP1252_TEXT.encode("cp1252"))
    with pytest.raises(InputError) as info:
        load_partner_extract(path, "crimes", crimes_mapping(columns={"Outcome": "outcome"},
                                                            encoding="utf-8"))
    assert info.value.line == 2
    assert "the mapping says encoding: utf-8" in (info.value.hint or "")


# --------------------------------------------------------------------------------------------
# The mapping: new keys validated; near-miss column names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "message"), [
    ("  encoding: klingon\n", "unknown encoding 'klingon'"),
    ("  time_columns: {offence_code: T}\n", "'offence_code' is not a date/time field"),
    ("  time_columns: {committed_to: T}\n", "'committed_to' needs its date column mapped"),
    ("  time_columns: {committed_from: Code}\n", "'Code' is also mapped under columns"),
    ("  band_ages: [outcome]\n", "'outcome' is not an age-band field"),
    ("  band_ages: [victim_age_band]\n", "'victim_age_band' is not mapped"),
    ("  ward_names: true\n", "map the column of ward names to ward_code"),
])
def test_the_new_mapping_keys_are_checked(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("area: x\ncrimes:\n  columns: {Ref: reference, Date: committed_from, "
                    "Code: offence_code, LSOA: lsoa_code}\n" + extra, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_the_example_mapping_s_commented_options_are_valid(tmp_path: Path) -> None:
    """config/mappings/example_force.yaml shows the options as comments; uncommented, they
    are a valid mapping meaning what the comments say."""
    example = Path(__file__).resolve().parents[2] / "config" / "mappings" / "example_force.yaml"
    options = ("time_columns:", "time_formats:", "band_ages:", "ward_names:", "encoding:")
    lines = [line.replace("# ", "", 1) if line.lstrip("# ").startswith(options) else line
             for line in example.read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "example.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.crimes is not None and mapping.asb is not None
    assert mapping.crimes.time_columns == {"committed_from": "Time Committed"}
    assert mapping.crimes.time_formats == ["%H:%M", "%H%M"]
    assert mapping.crimes.band_ages == ["victim_age_band"]
    assert mapping.crimes.encoding == "cp1252"
    assert mapping.asb.ward_names


@pytest.mark.parametrize(("name", "candidates", "expected"), [
    ("Crime Numbr", ["Crime Number", "Crime Type"], ["Crime Number"]),
    ("HO Code", ["LSOA Code", "HO Offence Code", "Outcome"], ["HO Offence Code"]),
    ("ho offence code", ["HO Offence Code"], ["HO Offence Code"]),
    ("Victim_Sex", ["Victim Sex"], ["Victim Sex"]),
    ("Outcome", ["Crime Number", "Date"], []),
])
def test_near_miss_column_names(name: str, candidates: list[str], expected: list[str]) -> None:
    assert close_names(name, candidates) == expected


def test_a_misspelt_column_in_the_mapping_is_suggested_by_the_ingest(tmp_path: Path) -> None:
    path = tmp_path / "crimes.csv"
    path.write_text("Crime Numbr,Date,HO Code,Ward\nC1,2024-04-01,8N,E05000001\n")
    mapping = ExtractMapping(columns={"Crime Number": "reference", "Date": "committed_from",
                                      "HO Offence Code": "offence_code", "Ward": "ward_code"})
    with pytest.raises(InputError) as info:
        load_partner_extract(path, "crimes", mapping)
    assert (info.value.line, info.value.column) == (1, "Crime Number")
    assert info.value.hint == "did you mean 'Crime Numbr'? fix the mapping's column name"


def test_problems_are_listed_one_per_column(tmp_path: Path) -> None:
    path = tmp_path / "crimes.csv"
    path.write_text("Ref,Date,Code,Ward\nC1,2024-13-01,ZZ9,W1\nC2,2024-04-01,8N,E05000001\n"
                    "C2,2024-04-02,8N,E05000001\n")
    load = load_partner_extract(path, "crimes", crimes_mapping())
    assert load.problems.to_dict("records") == [
        {"source_line": 2, "column": "Date", "found": "2024-13-01",
         "problem": "expected an ISO 8601 date/time (2024-03-31 or 2024-03-31T22:15)",
         "summary": "expected an ISO 8601 date/time (2024-03-31 or 2024-03-31T22:15)"},
        {"source_line": 2, "column": "Ward", "found": "W1",
         "problem": "expected a code like E05002239", "summary": "expected a code like E05002239"},
        {"source_line": 2, "column": "Code", "found": "ZZ9",
         "problem": "expected a Home Office offence code in the classification",
         "summary": "expected a Home Office offence code in the classification"},
        {"source_line": 4, "column": "Ref", "found": None,
         "problem": "duplicate reference (first on line 3)", "summary": "duplicate reference"},
    ]
    assert load.quarantine["reason"].tolist()[0] == (
        "column 'Date': found '2024-13-01', expected an ISO 8601 date/time (2024-03-31 or "
        "2024-03-31T22:15); column 'Ward': found 'W1', expected a code like E05002239; "
        "offence_code: found 'ZZ9', expected a Home Office offence code in the classification")
