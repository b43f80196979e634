"""Hostile and broken inputs (issue 12): each case gets a clear outcome, nothing is lost.

Every case asserts the exact behaviour: the message names file (and line/column where it can),
or the rows are quarantined with a reason and the file still reconciles; and a failed ingest
leaves the previous store as it was.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import report_failure
from analysis.core.errors import AnalysisError, InputError
from analysis.inputs import police_uk
from analysis.store.ingest import ingest_police_uk
from analysis.store.query import connect

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context\n")


def row(crime_id: str = "a1", month: str = "2024-01", lon: str = "0.1", lat: str = "51.5",
        crime_type: str = "Burglary") -> str:
    return (f"{crime_id},{month},Essex Police,Essex Police,{lon},{lat},On or near X,"
            f"E01015921,Thurrock 015A,{crime_type},Under investigation,\n")


def street_file(folder: Path, text: str, month: str = "2024-01") -> Path:
    path = folder / month / f"{month}-essex-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def archive(path: Path, members: dict[str, bytes], *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


def quarantine(store: Path) -> pd.DataFrame:
    with connect(store) as con:
        return con.execute("SELECT * FROM quarantine ORDER BY source_line").df()


@pytest.mark.parametrize("name", ["../2024-01/2024-01-essex-street.csv",
                                  "/etc/2024-01-essex-street.csv",
                                  "2024-01/../../2024-01-essex-street.csv"])
def test_zip_slip_archive_is_refused_by_name(tmp_path: Path, name: str) -> None:
    bad = archive(tmp_path / "2024-01.zip", {name: (HEADER + row()).encode()})
    with pytest.raises(InputError, match="points outside the archive") as caught:
        ingest_police_uk([bad], tmp_path / "store")
    assert name in str(caught.value) and "2024-01.zip" in str(caught.value)


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    # 20 MB of one repeated row compresses about 1,000 times: no real street file does that.
    bomb = (HEADER + row() * 200_000).encode()
    bad = archive(tmp_path / "2024-01.zip", {"2024-01/2024-01-essex-street.csv": bomb})
    with pytest.raises(InputError, match="compressed") as caught:
        ingest_police_uk([bad], tmp_path / "store")
    assert "zip bomb" in str(caught.value)
    assert not (tmp_path / "store").exists()


def test_oversized_member_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(police_uk, "MAX_MEMBER_BYTES", 1_000)
    big = archive(tmp_path / "2024-01.zip",
                  {"2024-01/2024-01-essex-street.csv": (HEADER + row() * 20).encode()},
                  stored=True)
    with pytest.raises(InputError, match="larger"):
        ingest_police_uk([big], tmp_path / "store")


def test_line_longer_than_the_limit_names_file_and_line(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(police_uk, "MAX_LINE_BYTES", 2_000)
    path = street_file(tmp_path, HEADER + row() + row("a2").replace("On or near X", "Y" * 5_000)
                       + row("a3"))
    with pytest.raises(InputError, match="longer than the limit of 2,000 bytes") as caught:
        ingest_police_uk([tmp_path], tmp_path / "store")
    assert caught.value.line == 3 and str(path) in caught.value.file


def test_future_month_is_quarantined_and_the_file_reconciles(tmp_path: Path) -> None:
    street_file(tmp_path, HEADER + row("a1", "2099-01") + row("a2", "2099-01"), "2099-01")
    report = ingest_police_uk([tmp_path], tmp_path / "store")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 0, 2)
    assert set(quarantine(tmp_path / "store")["reason_code"]) == {"future_month"}


def test_impossible_coordinates_are_quarantined_with_column_and_value(tmp_path: Path) -> None:
    street_file(tmp_path, HEADER + row("a1") + row("a2", lat="95.2") + row("a3", lon="abc"))
    report = ingest_police_uk([tmp_path], tmp_path / "store")
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2)
    bad = quarantine(tmp_path / "store")
    assert bad[["source_line", "column", "value"]].values.tolist() == [
        [3, "Latitude", "95.2"], [4, "Longitude", "abc"]]


def test_wrong_delimiter_is_a_file_error_naming_the_columns(tmp_path: Path) -> None:
    street_file(tmp_path, HEADER.replace(",", ";") + row().replace(",", ";"))
    with pytest.raises(InputError, match="column") as caught:
        ingest_police_uk([tmp_path], tmp_path / "store")
    assert "2024-01-essex-street.csv" in str(caught.value)


def test_extra_and_reordered_columns_are_read_by_name(tmp_path: Path) -> None:
    columns = HEADER.strip().split(",")
    values = row().strip().split(",")
    order = [*reversed(range(len(columns)))]
    text = ",".join([*(columns[i] for i in order), "Notes"]) + "\n" \
        + ",".join([*(values[i] for i in order), "extra"]) + "\n"
    street_file(tmp_path, text)
    report = ingest_police_uk([tmp_path], tmp_path / "store")
    assert (report.rows_loaded, report.rows_quarantined) == (1, 0)


def test_utf8_bom_and_cp1252_bytes(tmp_path: Path) -> None:
    street_file(tmp_path / "bom", "\ufeff" + HEADER + row())
    assert ingest_police_uk([tmp_path / "bom"], tmp_path / "s1").rows_loaded == 1
    path = street_file(tmp_path / "cp", HEADER + row())
    path.write_bytes(path.read_bytes().replace(b"On or near X", "On or near Caf\xe9".encode(
        "cp1252")))
    with pytest.raises(InputError) as caught:
        ingest_police_uk([tmp_path / "cp"], tmp_path / "s2")
    assert caught.value.line == 2 and caught.value.column == "Location"


def test_failed_hostile_ingest_keeps_the_previous_store(tmp_path: Path) -> None:
    street_file(tmp_path / "good", HEADER + row())
    ingest_police_uk([tmp_path / "good"], tmp_path / "store")
    bad = archive(tmp_path / "bad.zip", {"../2024-01-essex-street.csv": b"x"})
    with pytest.raises(InputError):
        ingest_police_uk([bad], tmp_path / "store")
    with connect(tmp_path / "store") as con:
        assert con.execute("SELECT count(*) FROM street").fetchone()[0] == 1


def test_small_archive_in_memory_is_fine(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("2024-01/2024-01-essex-street.csv", HEADER + row() + row("a2"))
    (tmp_path / "2024-01.zip").write_bytes(buffer.getvalue())
    assert ingest_police_uk([tmp_path / "2024-01.zip"], tmp_path / "store").rows_loaded == 2


def good_store(tmp_path: Path) -> Path:
    """A store holding one loaded row, to show that a failed ingest leaves it as it was."""
    street_file(tmp_path / "good", HEADER + row())
    ingest_police_uk([tmp_path / "good"], tmp_path / "store")
    return tmp_path / "store"


def assert_store_unchanged(store: Path) -> None:
    with connect(store) as con:
        assert con.execute("SELECT count(*) FROM street").fetchone()[0] == 1
    assert sorted(p.name for p in store.iterdir()) == ["police_uk"]  # no temporary folder left


def shown(error: AnalysisError, capsys: pytest.CaptureFixture[str]) -> str:
    """What `csp` prints for ``error`` (exit code 2, no traceback)."""
    assert report_failure(error) == 2
    printed = capsys.readouterr().err
    assert "Traceback" not in printed
    return printed


def gz_street_file(folder: Path, data: bytes) -> Path:
    path = folder / "2024-02" / "2024-02-essex-street.csv.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


def test_csv_gz_that_is_not_gzip_names_the_file_and_the_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = good_store(tmp_path)
    path = gz_street_file(tmp_path / "bad", (HEADER + row()).encode())
    with pytest.raises(InputError) as caught:
        ingest_police_uk([tmp_path / "bad"], store)
    printed = shown(caught.value, capsys)
    assert f"{path}: the file is named .gz but is not gzip-compressed" in printed
    assert "drop the .gz from its name" in printed
    assert_store_unchanged(store)


def test_truncated_gz_names_the_file_and_says_download_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = good_store(tmp_path)
    whole = gzip.compress((HEADER + "".join(row(f"b{i}") for i in range(3_000))).encode())
    path = gz_street_file(tmp_path / "bad", whole[: len(whole) // 2])
    with pytest.raises(InputError) as caught:
        ingest_police_uk([tmp_path / "bad"], store)
    printed = shown(caught.value, capsys)
    assert f"{path}: the compressed file is cut short or damaged" in printed
    assert "download it again" in printed
    assert_store_unchanged(store)


def test_zip_member_with_a_bad_crc_names_archive_and_member(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = good_store(tmp_path)
    member = "2024-02/2024-02-essex-street.csv"
    bad = archive(tmp_path / "2024-02.zip", {member: (HEADER + row("b1", "2024-02")).encode()},
                  stored=True)
    data = bytearray(bad.read_bytes())
    data[data.index(b"Thurrock 015A")] = ord("t")  # one byte changed after the CRC was taken
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        ingest_police_uk([bad], store)
    printed = shown(caught.value, capsys)
    assert f"{bad}!{member}: the archive member is damaged" in printed
    assert "download the archive again" in printed
    assert_store_unchanged(store)


def test_dangling_link_in_the_folder_is_named_not_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = good_store(tmp_path)
    street_file(tmp_path / "inputs", HEADER + row("b1"))
    link = tmp_path / "inputs" / "2024-02" / "2024-02-essex-street.csv"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "gone" / "2024-02-essex-street.csv")
    with pytest.raises(InputError) as caught:
        ingest_police_uk([tmp_path / "inputs"], store)
    printed = shown(caught.value, capsys)
    assert f"{link}: a link in the folder points to a file that does not exist" in printed
    assert "gone" in printed and "restore the file the link points to" in printed
    assert_store_unchanged(store)
