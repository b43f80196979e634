"""IMD 2019 loader: deciles from national ranks, and errors that name the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from analysis.core.errors import InputError
from analysis.inputs.imd import IMD_COLUMNS, imd_decile, load_imd2019

HEADER = "LSOA11CD,LSOA11NM,LAD19CD,LAD19NM,IMD19,FID\n"


def test_deciles_are_ten_equal_groups_of_the_32844_ranks() -> None:
    # 32,844 / 10 = 3,284.4: rank 3,284 is the last of decile 1, 3,285 the first of decile 2.
    assert imd_decile([1, 3284, 3285, 6568, 6569, 29559, 29560, 32844]).tolist() == [
        1, 1, 2, 2, 3, 9, 10, 10]


def test_load_reads_the_ons_layout_plain_or_gzipped(tmp_path: Path) -> None:
    text = HEADER + ("E01015921,Thurrock 015A,E06000034,Thurrock,3285,1\n"
                     "E01015922,Thurrock 008A,E06000034,Thurrock,32844,2\n")
    plain = tmp_path / "imd.csv"
    plain.write_text(text)
    zipped = tmp_path / "imd.csv.gz"
    zipped.write_bytes(gzip.compress(text.encode()))
    for path in (plain, zipped):
        table = load_imd2019(path)
        assert list(table.columns) == IMD_COLUMNS
        assert table["imd_decile"].tolist() == [2, 10]
        assert table["lsoa_code"].tolist() == ["E01015921", "E01015922"]


@pytest.mark.parametrize("rank", ["0", "32845", "12.5", "", "n/a"])
def test_a_bad_rank_names_the_line(tmp_path: Path, rank: str) -> None:
    path = tmp_path / "imd.csv"
    path.write_text(HEADER + "E01000001,A,E09000001,L,5,1\n"
                    + f"E01000002,B,E09000001,L,{rank},2\n")
    with pytest.raises(InputError) as error:
        load_imd2019(path)
    assert error.value.line == 3 and error.value.column == "IMD19"


def test_missing_column_and_repeated_lsoa(tmp_path: Path) -> None:
    path = tmp_path / "imd.csv"
    path.write_text("LSOA11CD,LSOA11NM,LAD19CD,FID\nE01000001,A,E09000001,1\n")
    with pytest.raises(InputError, match="missing columns"):
        load_imd2019(path)
    path.write_text(HEADER + "E01000001,A,E09000001,L,5,1\nE01000001,A,E09000001,L,6,2\n")
    with pytest.raises(InputError, match="more than once") as error:
        load_imd2019(path)
    assert error.value.line == 3
    with pytest.raises(InputError, match="not found"):
        load_imd2019(tmp_path / "absent.csv")
