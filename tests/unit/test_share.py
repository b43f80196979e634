"""The partner pack: contents, spreadsheet safety, and refusal when a small count slipped in."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import BuildError
from analysis.report import Section
from analysis.share import build_share_pack, neutralise_cell, sheet_names

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("cell", "safe"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"), ("-2+3", "'-2+3"), ("\t=1", "'\t=1"),
    ("-61", "-61"), ("+1,145", "+1,145"), ("-8.4", "-8.4"), ("Burglary", "Burglary"), (5, 5),
])
def test_formula_cells_neutralised_numbers_kept(cell: object, safe: object) -> None:
    assert neutralise_cell(cell) == safe


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A built-looking demo report with one controlled and one open table."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    out = tmp_path / "reports" / "demo" / "2024-25"
    section = Section.open("60_hate_crime", "demo", "2024-25", str(out))
    strands = pd.DataFrame({"Strand": ["Race", "Disability", "Transgender", "All"],
                            "Crimes": [106, 10, 4, 120]})
    page = section.table(strands, "by_strand", "Hate crime by strand", source="partner",
                         counts=["Crimes"], order="labels", total_row=3)
    section.table(pd.DataFrame({"Note": ["=HYPERLINK(\"http://x\")"], "Count": [1234]}),
                  "notes", "Notes", source="process")
    (out / "60_hate_crime.html").write_text(f"<html><body>{page.data}</body></html>")
    (out / "index.html").write_text("<html></html>")
    return tmp_path


def test_pack_holds_pages_tables_and_workbook(report: Path) -> None:
    pack = build_share_pack("demo", "2024-25", report)
    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "index.html", "60_hate_crime.html", "tables.xlsx",
                "tables/60_hate_crime__by_strand.csv", "tables/60_hate_crime__notes.csv",
                "disclosure_register.json"} <= names
        register = json.loads(archive.read("disclosure_register.json"))
        assert [(e["file"], e["source"]) for e in register["files"]] == [
            ("tables/60_hate_crime__by_strand.csv", "partner"),
            ("tables/60_hate_crime__notes.csv", "process")]
        assert "data.police.uk publishes every record" in archive.read("README.txt").decode()
        assert not any("_executed" in n or n.endswith(".ipynb") for n in names)
        notes = archive.read("tables/60_hate_crime__notes.csv").decode()
        assert "'=HYPERLINK" in notes
        sheets = pd.read_excel(io.BytesIO(archive.read("tables.xlsx")), sheet_name=None)
    assert sheets["60 notes"].iloc[0, 0].startswith("'=")
    assert set(sheets["Contents"]["sheet"]) == {"60 notes", "60 by_strand"}
    strand = sheets["60 by_strand"].set_index("Strand")["Crimes"].astype(str)
    assert strand["Transgender"] == "[c]" and strand["Race"] == "105"


def test_pack_refused_when_a_small_count_slipped_in(report: Path) -> None:
    table = report / "reports" / "demo" / "2024-25" / "tables" / "60_hate_crime__by_strand.csv"
    table.write_text(table.read_text().replace("[c]", "4", 1))  # a hand edit after the build
    with pytest.raises(BuildError, match="disclosure rule"):
        build_share_pack("demo", "2024-25", report)
    assert not list((report / "reports" / "demo" / "2024-25" / "share").glob("*.zip"))


def test_pack_refused_for_a_table_file_with_no_register_entry(report: Path) -> None:
    tables = report / "reports" / "demo" / "2024-25" / "tables"
    (tables / "60_hate_crime__stray.csv").write_text("Ward,Crimes\nNorth,3\n")
    with pytest.raises(BuildError, match="disclosure rule") as error:
        build_share_pack("demo", "2024-25", report)
    assert "60_hate_crime__stray.csv" in str(error.value)
    assert "no disclosure register entry" in str(error.value)


def test_pack_needs_a_built_report(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    with pytest.raises(BuildError, match="not been built"):
        build_share_pack("demo", "2024-25", tmp_path)


def test_sheet_names_unique_within_excel_limit() -> None:
    stems = ["00_data_and_methods__blank_location_share_by_month",
             "00_data_and_methods__blank_location_share_by_force", "10_crime_overview__rates"]
    names = sheet_names(stems)
    assert len(set(names.values())) == 3 and all(len(n) <= 31 for n in names.values())
    assert names["10_crime_overview__rates"] == "10 rates"
