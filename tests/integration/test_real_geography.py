"""The geography lookups on the real ONS files and Essex boundaries (see SOURCES.md §1, §2, §5)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.inputs.geography import UnmatchedLadWarning, load_lsoa_lookup, lsoa_changes

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
BOUNDARIES = REAL / "boundaries" / "drkane_geo-lookups"
AREAS = ["E06000034.geojson", "E06000033.geojson", "E10000012.geojson.gz"]
THURROCK_LAD, THURROCK_CSP, ESSEX_PFA = "E06000034", "E22000091", "E23000028"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL}"),
]


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    with warnings.catch_warnings():
        # The national ward file has LAD-2019 codes the 2021 LAD → CSP file lacks
        # (Buckinghamshire, Northamptonshire): expected, and outside Essex.
        warnings.simplefilter("ignore", UnmatchedLadWarning)
        return load_lsoa_lookup(
            [REAL / "lookups" / "jtrim-ons_ons-lookups" / "csv" / "135.csv.gz"],
            REAL / "lookups" / "macoj_crime-city" / "lad_to_csp.csv",
            lsoa_boundaries=[BOUNDARIES / "lsoa" / name for name in AREAS],
            ward_boundaries=[BOUNDARIES / "ward" / name for name in AREAS],
        )


def test_every_thurrock_lsoa_maps_to_the_csp_and_force(lookup: pd.DataFrame) -> None:
    thurrock = lookup[lookup["lad_code"] == THURROCK_LAD]
    counts = thurrock.groupby("lsoa_vintage").size().to_dict()
    assert counts == {2011: 98, 2021: 100}
    assert set(thurrock["csp_code"]) == {THURROCK_CSP}
    assert set(thurrock["pfa_code"]) == {ESSEX_PFA}
    assert thurrock["ward_code"].notna().all()


def test_new_2021_lsoas_get_the_wards_of_their_parents(lookup: pd.DataFrame) -> None:
    new = lookup[lookup["lsoa_vintage"] == 2021].set_index("lsoa_code")["ward_name"]
    assert new[["E01034368", "E01034369"]].tolist() == ["Ockendon", "Ockendon"]
    assert new[["E01034370", "E01034371"]].tolist() == ["West Thurrock and South Stifford"] * 2


def test_same_code_has_a_different_name_in_each_vintage(lookup: pd.DataFrame) -> None:
    names = lookup[lookup["lsoa_code"] == "E01015921"].set_index("lsoa_vintage")["lsoa_name"]
    assert names.to_dict() == {2011: "Thurrock 015A", 2021: "Thurrock 021A"}


def test_essex_force_area_has_14_csps(lookup: pd.DataFrame) -> None:
    essex = lookup[lookup["pfa_code"] == ESSEX_PFA]
    assert essex["csp_code"].nunique() == 14
    assert essex.groupby("lsoa_vintage").size().to_dict() == {2011: 1077, 2021: 1111}


def test_thurrock_lsoa_changes() -> None:
    changes = lsoa_changes(
        [BOUNDARIES / "lsoa11" / "E06000034.geojson"], [BOUNDARIES / "lsoa" / "E06000034.geojson"]
    )
    changed = changes[changes["change"] != "unchanged"]
    assert changed[["lsoa11_code", "lsoa21_code", "change"]].values.tolist() == [
        ["E01015973", "E01034368", "split"],
        ["E01015973", "E01034369", "split"],
        ["E01016012", "E01034370", "split"],
        ["E01016012", "E01034371", "split"],
    ]
    assert (changes["change"] == "unchanged").sum() == 96


def test_essex_lookup_gives_no_note_about_councils_elsewhere() -> None:
    # The same files with the force named, as an Essex area's ingest reads them: the 13
    # unmatched councils (Buckinghamshire, Northamptonshire, ...) are none of Essex's.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedLadWarning)
        load_lsoa_lookup(
            [REAL / "lookups" / "jtrim-ons_ons-lookups" / "csv" / "135.csv.gz"],
            REAL / "lookups" / "macoj_crime-city" / "lad_to_csp.csv",
            force_code=ESSEX_PFA, lad_codes=[THURROCK_LAD],
        )
