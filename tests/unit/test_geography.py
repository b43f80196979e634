"""Unit tests for analysis.inputs.geography on small hand-made lookups and square polygons."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.geography import (
    LOOKUP_COLUMNS,
    UnmatchedLadWarning,
    load_boundaries,
    load_lad_csp,
    load_lsoa_lookup,
    lsoa_changes,
    lsoa_names,
    lsoa_names_note,
    place_points,
    unresolved_lads,
)

LAD_CSP_OFFICIAL = (
    "LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM\n"
    "E06000034,Thurrock,E22000091,Thurrock,E23000028,Essex\n"
    "E06000033,Southend-on-Sea,E22000090,Southend-on-Sea,E23000028,Essex\n"
)
LAD_CSP_RESAVED = (
    "lad-code;lad-name;csp-code;csp-name;PFA21CD;PFA21NM\r\n"
    "E06000034;Thurrock;E22000091;Thurrock;E23000028;Essex\r\n"
    "E06000033;Southend-on-Sea;E22000090;Southend-on-Sea;E23000028;Essex\r\n"
)
LSOA11_WARD = (
    "FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM\n"
    "1,E01000001,Thurrock 001A,E05000001,Ward One,E06000034,Thurrock\n"
    "2,E01000002,Thurrock 001B,E05000002,Ward Two,E06000034,Thurrock\n"
    "3,E01000003,Southend 001A,E05000003,Ward Three,E06000033,Southend-on-Sea\n"
)


def write(path: Path, text: str, *, gz: bool = False, bom: bool = False) -> Path:
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def rectangle(x0: float, y0: float, width: float, height: float) -> dict:
    """A GeoJSON polygon: a lon/lat rectangle with its south-west corner at (x0, y0)."""
    x1, y1 = x0 + width, y0 + height
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def square(x0: float, y0: float, size: float) -> dict:
    """A GeoJSON polygon: a lon/lat square with its south-west corner at (x0, y0)."""
    return rectangle(x0, y0, size, size)


def geojson(path: Path, features: list[tuple[dict, dict]], *, gz: bool = False) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
        ],
    }
    return write(path, json.dumps(collection), gz=gz)


@pytest.fixture
def lad_csp(tmp_path: Path) -> Path:
    return write(tmp_path / "lad_csp.csv", LAD_CSP_RESAVED)


# The 2021 LSOAs sit in two wards: west half (x 0.0-0.1) and east half (x 0.1-0.2).
@pytest.fixture
def wards(tmp_path: Path) -> Path:
    return geojson(
        tmp_path / "wards.geojson.gz",
        [
            (
                {"WD25CD": "E05000001", "WD25NM": "Ward One", "LAD25CD": "E06000034"},
                square(0.0, 51.0, 0.1),
            ),
            (
                {"WD25CD": "E05000002", "WD25NM": "Ward Two", "LAD25CD": "E06000034"},
                square(0.1, 51.0, 0.1),
            ),
        ],
        gz=True,
    )


@pytest.fixture
def lsoa21(tmp_path: Path) -> Path:
    return geojson(
        tmp_path / "lsoa21.geojson",
        [
            ({"LSOA21CD": "E01000001", "LSOA21NM": "Thurrock 001A"}, square(0.0, 51.0, 0.1)),
            # E01000002 (2011) split into two 2021 LSOAs, both in Ward Two.
            (
                {"LSOA21CD": "E01000010", "LSOA21NM": "Thurrock 001C"},
                rectangle(0.1, 51.0, 0.05, 0.1),
            ),
            (
                {"LSOA21CD": "E01000011", "LSOA21NM": "Thurrock 001D"},
                rectangle(0.15, 51.0, 0.05, 0.1),
            ),
        ],
    )


def test_lookup_from_ward_file_has_exact_columns_and_csp(tmp_path: Path, lad_csp: Path) -> None:
    lookup_file = write(tmp_path / "135.csv.gz", LSOA11_WARD, gz=True, bom=True)

    lookup = load_lsoa_lookup([lookup_file], lad_csp)

    assert list(lookup.columns) == LOOKUP_COLUMNS
    assert lookup["lsoa_vintage"].tolist() == [2011, 2011, 2011]
    row = lookup.set_index("lsoa_code").loc["E01000003"]
    assert (row["ward_name"], row["csp_code"], row["csp_name"]) == (
        "Ward Three",
        "E22000090",
        "Southend-on-Sea",
    )
    assert set(lookup["pfa_code"]) == {"E23000028"}


def test_header_is_case_insensitive_and_2021_vintage_detected(
    tmp_path: Path, lad_csp: Path
) -> None:
    text = "lsoa21cd,lsoa21nm,wd22cd,wd22nm,lad22cd,lad22nm\nE01000001,A,E05000001,W,E06000034,T\n"
    lookup = load_lsoa_lookup([write(tmp_path / "l.csv", text)], lad_csp)
    assert lookup.loc[0, "lsoa_vintage"] == 2021
    assert lookup.loc[0, "csp_code"] == "E22000091"


def test_official_lad_csp_header_is_read(tmp_path: Path) -> None:
    table = load_lad_csp(write(tmp_path / "lad_csp.csv", LAD_CSP_OFFICIAL))
    assert table["csp_code"].tolist() == ["E22000091", "E22000090"]


def test_lookup_file_without_lsoa_vintage_is_rejected(tmp_path: Path, lad_csp: Path) -> None:
    bad = write(tmp_path / "bad.csv", "LSOACD,WD19CD,WD19NM,LAD19CD,LAD19NM\nE01,E05,W,E06,T\n")
    with pytest.raises(InputError, match="LSOA vintage") as info:
        load_lsoa_lookup([bad], lad_csp)
    assert info.value.line == 1


def test_blank_code_names_line_and_column(tmp_path: Path, lad_csp: Path) -> None:
    text = LSOA11_WARD.replace("2,E01000002", "2,")
    with pytest.raises(InputError) as info:
        load_lsoa_lookup([write(tmp_path / "l.csv", text)], lad_csp)
    assert (info.value.line, info.value.column) == (3, "LSOA11CD")


def test_new_2021_lsoas_are_placed_in_wards(
    tmp_path: Path, lad_csp: Path, lsoa21: Path, wards: Path
) -> None:
    lookup_file = write(tmp_path / "135.csv", LSOA11_WARD)

    lookup = load_lsoa_lookup(
        [lookup_file], lad_csp, lsoa_boundaries=[lsoa21], ward_boundaries=[wards]
    )

    new = lookup[lookup["lsoa_vintage"] == 2021].set_index("lsoa_code")
    assert new["ward_name"].to_dict() == {
        "E01000001": "Ward One",
        "E01000010": "Ward Two",
        "E01000011": "Ward Two",
    }
    assert set(new["csp_code"]) == {"E22000091"}
    assert new.loc["E01000010", "lad_name"] == "Thurrock"  # from the LAD → CSP file
    assert len(lookup) == 6  # 3 from the ward file + 3 placed; the pair is unique
    assert not lookup.duplicated(["lsoa_code", "lsoa_vintage"]).any()


def test_lsoa_outside_every_ward_is_an_error(tmp_path: Path, lad_csp: Path, wards: Path) -> None:
    far = geojson(
        tmp_path / "far.geojson", [({"LSOA21CD": "E01000099", "LSOA21NM": "X"}, square(2, 53, 0.1))]
    )
    with pytest.raises(InputError, match="none of the ward boundaries") as info:
        load_lsoa_lookup([], lad_csp, lsoa_boundaries=[far], ward_boundaries=[wards])
    assert info.value.found == ["E01000099"]


def test_lad_missing_from_csp_file_is_listed_not_dropped(tmp_path: Path, lad_csp: Path) -> None:
    text = LSOA11_WARD + "4,E01000004,Corby 001A,E05000004,Ward Four,E07000150,Corby\n"
    lookup_file = write(tmp_path / "l.csv", text)

    with pytest.warns(UnmatchedLadWarning, match="E07000150 Corby"):
        lookup = load_lsoa_lookup([lookup_file], lad_csp)

    assert len(lookup) == 4
    assert lookup.set_index("lsoa_code").loc["E01000004", "csp_code"] is pd.NA
    listed = unresolved_lads(lookup, load_lad_csp(lad_csp))
    assert listed.to_dict("records") == [
        {
            "lad_code": "E07000150",
            "lad_name": "Corby",
            "lsoas": 1,
            "reason": "not in the LAD → CSP lookup",
        }
    ]
    with pytest.raises(InputError, match="cannot be matched"):
        load_lsoa_lookup([lookup_file], lad_csp, strict=True)


def test_lad_with_several_csps_is_unresolved(tmp_path: Path) -> None:
    lad_csp = write(
        tmp_path / "lad_csp.csv",
        LAD_CSP_OFFICIAL
        + "E06000061,North Northamptonshire,E22000233,Corby,E23000022,Northamptonshire\n"
        + "E06000061,North Northamptonshire,E22000236,Kettering,E23000022,Northamptonshire\n",
    )
    text = "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\nE01000001,A,E05000001,W,E06000061,NN\n"
    with pytest.warns(UnmatchedLadWarning):
        lookup = load_lsoa_lookup([write(tmp_path / "l.csv", text)], lad_csp)
    assert unresolved_lads(lookup, load_lad_csp(lad_csp))["reason"].tolist() == [
        "has 2 CSPs in the LAD → CSP lookup"
    ]


def test_lookup_note_names_only_the_configured_forces_councils(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Essex's Basildon has two CSPs here; Corby (Northamptonshire) is not in the file at all;
    # Milton (another force) has two CSPs. Only Basildon concerns Essex; Wycombe is the area's
    # own council, so it is named too even though no force can be read for it.
    lad_csp = write(
        tmp_path / "lad_csp.csv",
        LAD_CSP_OFFICIAL
        + "E07000066,Basildon,E22000001,Basildon North,E23000028,Essex\n"
        + "E07000066,Basildon,E22000002,Basildon South,E23000028,Essex\n"
        + "E06000099,Milton,E22000003,Milton A,E23000099,Elsewhere\n"
        + "E06000099,Milton,E22000004,Milton B,E23000099,Elsewhere\n",
    )
    text = (LSOA11_WARD
            + "4,E01000004,Basildon 001A,E05000004,Ward Four,E07000066,Basildon\n"
            + "5,E01000005,Corby 001A,E05000005,Ward Five,E07000150,Corby\n"
            + "6,E01000006,Milton 001A,E05000006,Ward Six,E06000099,Milton\n"
            + "7,E01000007,Wycombe 001A,E05000007,Ward Seven,E07000007,Wycombe\n")
    lookup_file = write(tmp_path / "l.csv", text)
    with caplog.at_level("INFO", logger="analysis.inputs.geography"), \
            pytest.warns(UnmatchedLadWarning) as caught:
        lookup = load_lsoa_lookup([lookup_file], lad_csp, force_code="E23000028",
                                  lad_codes=["E07000007"])
    assert len(caught) == 1  # one note, not one per council
    note = str(caught[0].message)
    assert note.startswith("2 local authority code(s)")
    assert "E07000066 Basildon" in note and "E07000007 Wycombe" in note
    assert "Corby" not in note and "Milton" not in note
    assert "E07000150 Corby" in caplog.text and "E06000099 Milton" in caplog.text
    assert lookup["csp_code"].isna().sum() == 4  # nothing dropped, only the note is narrower


def test_no_lookup_note_when_no_council_of_the_force_is_unmatched(tmp_path: Path,
                                                                   lad_csp: Path) -> None:
    text = LSOA11_WARD + "4,E01000004,Corby 001A,E05000004,Ward Four,E07000150,Corby\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        load_lsoa_lookup([write(tmp_path / "l.csv", text)], lad_csp, force_code="E23000028")


def test_conflicting_duplicate_lsoa_is_rejected(tmp_path: Path, lad_csp: Path) -> None:
    text = LSOA11_WARD + "4,E01000001,Thurrock 001A,E05000002,Ward Two,E06000034,Thurrock\n"
    with pytest.raises(InputError, match="more than once"):
        load_lsoa_lookup([write(tmp_path / "l.csv", text)], lad_csp)


def test_lsoa_changes_classifies_split_and_unchanged(tmp_path: Path, lsoa21: Path) -> None:
    lsoa11 = geojson(
        tmp_path / "lsoa11.geojson",
        [
            ({"LSOA11CD": "E01000001", "LSOA11NM": "A"}, square(0.0, 51.0, 0.1)),
            ({"LSOA11CD": "E01000002", "LSOA11NM": "B"}, square(0.1, 51.0, 0.1)),
        ],
    )
    changes = lsoa_changes([lsoa11], [lsoa21])
    assert changes[["lsoa11_code", "lsoa21_code", "change"]].values.tolist() == [
        ["E01000001", "E01000001", "unchanged"],
        ["E01000002", "E01000010", "split"],
        ["E01000002", "E01000011", "split"],
    ]
    # Each half holds half the 2011 area. Shares are measured in British National Grid, where
    # the straight lon/lat edges bend slightly, hence the tolerance.
    split = changes[changes["change"] == "split"]["share_of_lsoa11"]
    assert split.sum() == pytest.approx(1.0, abs=1e-3)
    assert split.tolist() == pytest.approx([0.5, 0.5], abs=0.01)


def test_lsoa_changes_merged(tmp_path: Path) -> None:
    lsoa11 = geojson(
        tmp_path / "a.geojson",
        [
            ({"LSOA11CD": "E01000001"}, rectangle(0.0, 51.0, 0.05, 0.1)),
            ({"LSOA11CD": "E01000002"}, rectangle(0.05, 51.0, 0.05, 0.1)),
        ],
    )
    lsoa21 = geojson(tmp_path / "b.geojson", [({"LSOA21CD": "E01000020"}, square(0.0, 51.0, 0.1))])
    changes = lsoa_changes([lsoa11], [lsoa21])
    assert changes["change"].tolist() == ["merged", "merged"]
    assert changes["share_of_lsoa11"].tolist() == pytest.approx([1.0, 1.0], abs=1e-3)
    assert changes["share_of_lsoa21"].tolist() == pytest.approx([0.5, 0.5], abs=0.01)


def test_place_points_returns_containing_lsoa_or_missing(lsoa21: Path) -> None:
    frame = pd.DataFrame(
        {"lon": [0.05, 0.12, None, 3.0], "lat": [51.05, 51.02, None, 51.0]}, index=[10, 11, 12, 13]
    )
    codes = place_points(frame, "lon", "lat", [lsoa21])
    assert codes.index.tolist() == [10, 11, 12, 13]
    assert codes.tolist()[:2] == ["E01000001", "E01000010"]
    assert codes.iloc[2:].isna().all()


def test_place_points_rejects_text_coordinates(lsoa21: Path) -> None:
    frame = pd.DataFrame({"lon": ["0.05", "east"], "lat": ["51.05", "51.0"]})
    with pytest.raises(InputError) as info:
        place_points(frame, "lon", "lat", [lsoa21])
    assert info.value.column == "lon"
    assert "east" in str(info.value.found)


def test_load_boundaries_stacks_files_and_records_source(lsoa21: Path, wards: Path) -> None:
    frame = load_boundaries([lsoa21, wards])
    assert len(frame) == 5
    assert frame.crs.to_epsg() == 4326
    assert frame["source_file"].tolist().count(str(wards)) == 2


def test_missing_boundary_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_boundaries([tmp_path / "nope.geojson"])


def test_lsoa_names_take_one_vintage_per_code() -> None:
    lookup = pd.DataFrame({
        "lsoa_code": ["E01016011", "E01016012", "E01016011", "E01033333"],
        "lsoa_vintage": [2011, 2011, 2021, 2021],
        "lsoa_name": ["Thurrock 015B", "Thurrock 015C", "Thurrock 022A", "Thurrock 030X"],
        "ward_name": ["West Thurrock", "West Thurrock", "West Thurrock", "Grays"]})
    names = lsoa_names(lookup, 2011).set_index("lsoa_code")
    assert names["lsoa_name"].to_dict() == {"E01016011": "Thurrock 015B",
                                            "E01016012": "Thurrock 015C",
                                            "E01033333": "Thurrock 030X"}
    assert names.loc["E01033333", "name_vintage"] == 2021
    newer = lsoa_names(lookup, 2021).set_index("lsoa_code")["lsoa_name"]
    assert newer["E01016011"] == "Thurrock 022A" and newer["E01016012"] == "Thurrock 015C"
    assert lsoa_names_note(lsoa_names(lookup, 2011), 2011) == (
        "LSOA codes and names: 2011 LSOAs, the vintage of the period's data; 1 code(s) "
        "found only in the 2021 LSOAs keep their 2021 name")
