"""The partner pack: contents, spreadsheet safety, and refusal when a small count slipped in."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cli import report_failure
from analysis.core.errors import BuildError, StorageError
from analysis.demo import DemoSpec, generate
from analysis.present.page import Section
from analysis.publish.share import build_share_pack, sheet_names

ROOT = Path(__file__).resolve().parents[2]


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
    assert set(sheets["Contents"]["Sheet"]) == {"60 notes", "60 by_strand"}
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


def test_workbook_numbers_are_numbers_and_text_is_text(report: Path) -> None:
    out = report / "reports" / "demo" / "2024-25"
    # Another section, so the hate-crime section's register keeps its own tables.
    section = Section.open("10_crime_overview", "demo", "2024-25", str(out))
    section.table(pd.DataFrame({"Code": ["007", "E05002239", "=1+1", "-", "+5"],
                                "Count": ["12", "-3", "", "1,145", "4.5"],
                                "Big": ["1234567890123456", "0", "0.25", "nan", "1e5"]}),
                  "mixed", "Mixed cells", source="process")
    with zipfile.ZipFile(build_share_pack("demo", "2024-25", report)) as archive:
        book = openpyxl.load_workbook(io.BytesIO(archive.read("tables.xlsx")))
    rows = list(book["10 mixed"].iter_rows(min_row=2, values_only=True))
    assert rows == [("007", 12, "1234567890123456"), ("E05002239", -3, 0),
                    ("'=1+1", None, 0.25), ("'-", "1,145", "nan"), ("+5", 4.5, "1e5")]
    cells = [cell for row in book["10 mixed"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)  # nothing a spreadsheet would run
    strands = list(book["60 by_strand"].iter_rows(min_row=2, values_only=True))
    # Disability (10) is suppressed too, or the total would give Transgender away.
    assert strands == [("Race", 105), ("Disability", "[c]"), ("Transgender", "[c]"),
                       ("All", 120)]
    assert book["60 notes"]["A2"].value == "'=HYPERLINK(\"http://x\")"
    assert book["60 notes"]["B2"].value == 1234 and book["60 notes"]["B2"].data_type == "n"


def test_contents_sheet_has_each_tables_title_linked_to_its_sheet(report: Path) -> None:
    with zipfile.ZipFile(build_share_pack("demo", "2024-25", report)) as archive:
        book = openpyxl.load_workbook(io.BytesIO(archive.read("tables.xlsx")))
    contents = book["Contents"]
    rows = list(contents.iter_rows(values_only=True))
    assert rows[0] == ("Table", "Sheet", "Table file")
    assert rows[1:] == [
        ("Hate crime by strand", "60 by_strand", "tables/60_hate_crime__by_strand.csv"),
        ("Hate crime: notes", "60 notes", "tables/60_hate_crime__notes.csv")]
    # The first has its page's caption; the second has no page, so a name from its file.
    links = [contents.cell(row=r, column=1).hyperlink.location for r in (2, 3)]
    assert links == ["'60 by_strand'!A1", "'60 notes'!A1"]
    assert book.sheetnames == ["Contents", "60 by_strand", "60 notes"]


def test_same_report_gives_the_same_workbook(report: Path) -> None:
    first = build_share_pack("demo", "2024-25", report).read_bytes()
    time.sleep(1.1)  # zip dates have two-second steps: a stamped time would differ by now
    assert build_share_pack("demo", "2024-25", report).read_bytes() == first


def archive_member(pack: Path, name: str) -> bytes:
    with zipfile.ZipFile(pack) as archive:
        return archive.read(name)


def test_pack_and_its_files_have_the_users_permissions(report: Path) -> None:
    old = os.umask(0o022)
    try:
        pack = build_share_pack("demo", "2024-25", report)
    finally:
        os.umask(old)
    assert pack.stat().st_mode & 0o777 == 0o644
    with zipfile.ZipFile(pack) as archive:  # and each file unzips as -rw-r--r--
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}
    with zipfile.ZipFile(io.BytesIO(archive_member(pack, "tables.xlsx"))) as workbook:
        assert {info.external_attr >> 16 for info in workbook.infolist()} == {0o644}


@pytest.mark.parametrize("refusal", ["small count", "no disclosure rule"])
def test_refused_share_removes_the_previous_pack(report: Path, refusal: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pack = build_share_pack("demo", "2024-25", report)
    out = report / "reports" / "demo" / "2024-25"
    before = {p.name: p.read_bytes() for p in (out / "tables").iterdir()}
    if refusal == "small count":
        table = out / "tables" / "60_hate_crime__by_strand.csv"
        table.write_text(table.read_text().replace("[c]", "4", 1))
        before[table.name] = table.read_bytes()
    else:
        config = report / "config" / "areas" / "demo.yaml"
        config.write_text(config.read_text().replace("disclosure: ons", "disclosure: none"))
    with pytest.raises(BuildError) as caught:
        build_share_pack("demo", "2024-25", report)
    assert not pack.exists() and not list(pack.parent.iterdir())
    assert report_failure(caught.value) == 2
    printed = capsys.readouterr().err
    assert f"the previous pack ({pack.name}) was removed" in printed
    assert "Traceback" not in printed
    assert {p.name: p.read_bytes() for p in (out / "tables").iterdir()} == before


def test_a_slashed_period_shares_the_same_report(report: Path) -> None:
    pack = build_share_pack("demo", "2024/25", report)
    assert pack == report / "reports" / "demo" / "2024-25" / "share" / (
        "demo-2024-25-partner-pack.zip")


def test_pack_refused_when_a_file_holds_an_absolute_path(report: Path) -> None:
    out = report / "reports" / "demo" / "2024-25"
    (out / "manifest.json").write_text(json.dumps({"output_dir": str(out)}))
    with pytest.raises(BuildError, match="absolute path") as caught:
        build_share_pack("demo", "2024-25", report)
    assert caught.value.file == "manifest.json" and caught.value.found == str(report.resolve())
    assert not list((out / "share").glob("*.zip"))


def test_manifest_paths_are_relative_to_the_project(report: Path) -> None:
    from analysis.inputs.areas import load_area
    from analysis.publish.index_page import write_manifest

    out = report / "reports" / "demo" / "2024-25"
    (out / "_build").mkdir()
    (out / "_build" / "60_hate_crime.json").write_text(json.dumps(
        {"section": "60_hate_crime", "seconds": 1.0,
         "parameters": {"area": "demo", "period": "2024-25",
                        "output_dir": "reports/demo/2024-25"}}))
    generate(report / "data" / "raw" / "demo", DemoSpec(first_month=date(2024, 4, 1), n_months=2))
    manifest = write_manifest(load_area("demo", report), "2024-25", out, report)
    text = json.dumps(manifest)
    assert str(report) not in text and manifest["inputs"]
    assert all(not Path(item["path"]).is_absolute() for item in manifest["inputs"])


def test_full_disk_while_writing_the_pack_leaves_no_pack(report: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    pack = build_share_pack("demo", "2024-25", report)

    def full(self: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "replace", full)
    with pytest.raises(StorageError) as caught:
        build_share_pack("demo", "2024-25", report)
    assert report_failure(caught.value) == 2
    printed = capsys.readouterr().err
    assert printed.startswith(f"Error: {pack}: the disk is full while writing the partner "
                              "pack; no pack was written")
    assert f"the previous pack ({pack.name}) was removed" in printed
    assert "Traceback" not in printed
    assert not list(pack.parent.iterdir())  # neither the old pack nor a part-written one


def test_a_page_table_under_human_headings_is_still_checked(report: Path) -> None:
    out = report / "reports" / "demo" / "2024-25"
    section = Section.open("50_serious_violence", "demo", "2024-25", str(out))
    victims = pd.DataFrame({"age_band": ["Under 18", "18 and over"], "female": [40, 3]})
    page = section.table(victims, "victims", "Victims", source="partner", counts=["female"],
                         order="labels")
    assert "<th>Female</th>" in page.data  # the register names the file's column 'female'
    (out / "50_serious_violence.html").write_text(f"<html><body>{page.data}</body></html>")
    build_share_pack("demo", "2024-25", report)
    (out / "50_serious_violence.html").write_text(
        f"<html><body>{page.data.replace('[c]', '3', 1)}</body></html>")  # edited after
    with pytest.raises(BuildError, match="disclosure rule"):
        build_share_pack("demo", "2024-25", report)
