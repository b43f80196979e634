"""``csp check-mapping``: a dry run of a partner export through its mapping.

The export is invented here, small and hand-made: a force's crimes in cp1252 with the date
and time in separate columns, ages in years, ward names and a column the mapping misspells.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core.errors import InputError
from analysis.inputs.areas import load_area
from analysis.inputs.partner import load_mapping, load_partner_extract, ward_name_table
from analysis.store.area import area_lookup
from analysis.store.mapping_check import check_export

CSP = Path(sys.executable).parent / "csp"

AREA = """name: testarea
title: Test Community Safety Partnership
csp_code: E22000001
csp_name: Alpha
lad_codes: [E06000001]
force: {code: E23000001, name: Testshire Police, slug: testshire}
default_period: 2024-25
sources:
  police_uk: []
  lsoa_ward_lookups: [lookups/lsoa_ward.csv]
  lad_csp_lookup: lookups/lad_csp.csv
"""
LSOA_WARD = """LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM
E01000001,Alpha 001A,E05000001,Riverside,E06000001,Alpha
E01000002,Alpha 001B,E05000002,Central,E06000001,Alpha
E01000003,Alpha 001C,E05000004,Hillside,E06000001,Alpha
E01000004,Beta 001A,E05000003,Central,E06000002,Beta
E01000009,Gamma 001A,E05000009,Nowhere,E06000009,Gamma
"""
LAD_CSP = """LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM
E06000001,Alpha,E22000001,Alpha,E23000001,Testshire
E06000002,Beta,E22000002,Beta,E23000001,Testshire
E06000009,Gamma,E22000009,Gamma,E23000009,Othershire
"""
MAPPING = """area: testarea
crimes:
  columns:
    Crime Number: reference
    Date Committed: committed_from
    HO Offence Code: offence_code
    Ward: ward_code
    Victim Age: victim_age_band
    Victim Sex: victim_sex
  date_formats: ["%d/%m/%Y"]
  time_columns: {committed_from: Time Committed}
  band_ages: [victim_age_band]
  ward_names: true
  encoding: cp1252
"""
EXPORT = [
    "Crime Number,Date Committed,Time Committed,HO Offence Code,Ward,Victim Age,Victim Sx,Notes",
    "A1,31/03/2024,22:15,8N,Riverside,34,M,Café – £5",      # line 2: loads, 25-34
    "A2,01/04/2024,,105A,riverside,17,F,",                  # 3: loads, date only
    "A3,02/04/2024,09:30,8N,Central,70,,",                  # 4: two wards named Central
    "A4,15/05/2024,25:00,8N,Nowhere,40,,",                  # 5: bad time; another force's ward
    "A5,03/04/2024,10:00,8N,E05000003,130,,",               # 6: a ward code is kept; age 130
    "A6,20/06/2024,23:00,8N,Hillside,,,",                   # 7: loads
    "A1,21/06/2024,08:00,8N,Hillside,30,,",                 # 8: repeats line 2's reference
    "A7,04/04/2024,12:00,8N,=HYPERLINK(\"http://x\"),30,,",  # 9: a formula as a ward name
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding one area (its ward lookup), the mapping and the cp1252 export."""
    (tmp_path / "config" / "areas").mkdir(parents=True)
    (tmp_path / "config" / "areas" / "testarea.yaml").write_text(AREA, encoding="utf-8")
    (tmp_path / "lookups").mkdir()
    (tmp_path / "lookups" / "lsoa_ward.csv").write_text(LSOA_WARD, encoding="utf-8")
    (tmp_path / "lookups" / "lad_csp.csv").write_text(LAD_CSP, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "crimes.csv").write_bytes("\r\n".join(EXPORT).encode("cp1252") + b"\r\n")
    return tmp_path


def run_check(project: Path, mapping: str = "mapping.yaml") -> subprocess.CompletedProcess[str]:
    """``csp check-mapping`` on the export, from the project folder, in a wide terminal."""
    return subprocess.run(
        [str(CSP), "check-mapping", "crimes.csv", "--kind", "crimes", "--mapping", mapping],
        cwd=project, capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "250", "CSP_PROJECT_ROOT": str(project)})


def table_row(output: str, *cells: str) -> bool:
    """Whether a line of a printed table holds ``cells`` in order, one per table cell."""
    pattern = re.compile("│ *" + " *│ *".join(re.escape(cell) for cell in cells) + " *│")
    return any(pattern.search(line) for line in output.splitlines())


def test_check_mapping_reports_fields_suggestions_set_aside_rows_dates_and_counts(
        project: Path) -> None:
    result = run_check(project)
    out = result.stderr
    assert "Traceback" not in out + result.stdout
    # Each field of the contract, the column it maps from, whether required.
    assert table_row(out, "reference", "required", "Crime Number", "mapped", "")
    assert table_row(out, "committed_from", "required", "Date Committed + Time Committed",
                     "mapped", "")
    assert table_row(out, "ward_code", "one location", "Ward (ward names)", "mapped", "")
    assert table_row(out, "victim_age_band", "optional", "Victim Age (ages banded)", "mapped",
                     "")
    assert table_row(out, "victim_sex", "optional", "Victim Sex", "missing from the file",
                     "did you mean 'Victim Sx'?")
    assert table_row(out, "outcome", "optional", "", "not mapped", "")
    # The file's columns the mapping does not read, with the near miss.
    assert table_row(out, "Victim Sx", "did you mean 'Victim Sex'? (named so in the mapping)")
    assert table_row(out, "Notes", "")
    # Counts and dates of what would load (lines 2, 3 and 7): May has none, line 3 no time.
    assert "Rows read: 8; would load: 3; would be set aside: 5" in out
    assert ("Dates: committed_from from 2024-03-31 to 2024-06-20 (4 months; no rows in "
            "2024-05); with a date but no time of day: 1") in out
    assert "Dry run: nothing was written to the store." in out
    assert table_row(out, "Ward", "expected one ward, but 2 wards have that name (E05000002, "
                     "E05000003): map it to a code under values", "1")
    assert table_row(out, "Ward", "expected a ward name in the area's ward lookup", "2")
    assert table_row(out, "Time Committed", "expected a time of day like %H:%M or %H:%M:%S",
                     "1")
    assert table_row(out, "Victim Age", "expected an age in whole years from 0 to 120", "1")
    assert table_row(out, "Crime Number", "duplicate reference", "1")
    # The real ingest would stop at the misspelt column: said, with exit code 2.
    assert result.returncode == 2
    assert ("Error: crimes.csv, line 1: the ingest would stop: 1 column(s) named in the mapping "
            "are not in the file") in out

    with (project / "crimes-set-aside.csv").open(encoding="utf-8", newline="") as handle:
        set_aside = list(csv.reader(handle))
    assert set_aside == [
        ["line", "column", "found", "reason"],
        ["4", "Ward", "Central", "expected one ward, but 2 wards have that name (E05000002, "
                                 "E05000003): map it to a code under values"],
        ["5", "Time Committed", "25:00", "expected a time of day like %H:%M or %H:%M:%S"],
        ["5", "Ward", "Nowhere", "expected a ward name in the area's ward lookup"],
        ["6", "Victim Age", "130", "expected an age in whole years from 0 to 120"],
        ["8", "Crime Number", "", "duplicate reference (first on line 2)"],
        ["9", "Ward", "'=HYPERLINK(\"http://x\")",  # stored as text, never a live formula
         "expected a ward name in the area's ward lookup"],
    ]


def test_misspelt_required_columns_are_suggested_and_the_rows_not_checked(
        project: Path) -> None:
    (project / "crimes.csv").write_bytes(
        "\r\n".join(["Crime Numbr,Date Committed,Time Committed,HO Code,Ward,Victim Age,"
                     "Victim Sex", "A1,31/03/2024,22:15,8N,Riverside,34,M"]).encode("cp1252"))
    result = run_check(project)
    out = result.stderr
    assert table_row(out, "reference", "required", "Crime Number", "missing from the file",
                     "did you mean 'Crime Numbr'?")
    assert table_row(out, "offence_code", "required", "HO Offence Code",
                     "missing from the file", "did you mean 'HO Code'?")
    assert table_row(out, "Crime Numbr", "did you mean 'Crime Number'? (named so in the "
                     "mapping)")
    assert table_row(out, "HO Code", "did you mean 'HO Offence Code'? (named so in the mapping)")
    assert "Rows not checked" in out and "required field(s) not mapped" in out
    assert not (project / "crimes-set-aside.csv").exists()
    assert result.returncode == 2 and "2 column(s) named in the mapping" in out


def test_a_clean_export_exits_0_and_writes_an_empty_set_aside_file(project: Path) -> None:
    (project / "crimes.csv").write_bytes(
        "\r\n".join([EXPORT[0].replace("Victim Sx", "Victim Sex"), EXPORT[1]]).encode("cp1252"))
    result = run_check(project)
    assert result.returncode == 0, result.stderr
    assert "Rows read: 1; would load: 1; would be set aside: 0" in result.stderr
    assert (project / "crimes-set-aside.csv").read_text() == "line,column,found,reason\n"


def test_an_export_not_in_utf8_names_the_line_and_the_encoding_key(project: Path) -> None:
    (project / "mapping.yaml").write_text(MAPPING.replace("  encoding: cp1252\n", ""))
    result = run_check(project)
    assert result.returncode == 2
    assert "crimes.csv, line 2: the file is not UTF-8 text" in result.stderr
    assert "encoding: cp1252" in result.stderr  # the hint names the key to set


def test_the_dry_run_uses_the_ingest_s_rules(project: Path) -> None:
    """The same file through the check and the loader: the same rows set aside."""
    check = check_export(project / "crimes.csv", "crimes", project / "mapping.yaml",
                         root=project)
    assert check.load is not None
    config = load_area("testarea", project)
    wards = ward_name_table(area_lookup(config, project), config.force.code)
    fixed = MAPPING.replace("Victim Sex:", "Victim Sx:")
    (project / "fixed.yaml").write_text(fixed)
    real = load_partner_extract(project / "crimes.csv", "crimes",
                                load_mapping(project / "fixed.yaml"), wards=wards)
    assert check.load.quarantine["source_line"].tolist() == [4, 5, 6, 8, 9]
    assert real.quarantine["source_line"].tolist() == [4, 5, 6, 8, 9]
    assert check.reason_counts()["rows"].sum() == len(check.set_aside()) == 6


def test_a_file_that_is_not_there_is_an_input_error(project: Path) -> None:
    with pytest.raises(InputError, match="extract file not found"):
        check_export(project / "nothing.csv", "crimes", project / "mapping.yaml", root=project)


def test_indicators_report_their_periods(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "mappings" / "example_force.yaml"
    path = tmp_path / "indicators.csv"
    path.write_text("Indicator,Area,Period,Value,Numerator,Denominator,Source,Note\n"
                    "Reoffending,E06000034,2023-24,27.5,110,400,MoJ,\n"
                    "Reoffending,E06000034,2021-22,25.0,100,400,MoJ,\n"
                    "Reoffending,E06000034,2022-23,n/a,,,MoJ,\n", encoding="utf-8")
    check = check_export(path, "indicators", example)
    assert check.coverage() == "periods 2021-22 to 2023-24 (2 distinct)"
    assert check.set_aside().to_dict("records") == [
        {"line": 4, "column": "Value", "found": "n/a", "reason": "expected a number"}]
    assert check.fields.set_index("field").loc["value", "need"] == "required"
