"""Partner extracts in the store: placed in the geography, quarantined rows kept, reconciled."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.partner import ExtractMapping, PartnerMapping
from analysis.store.ingest import ingest_partner
from analysis.store.placement import place_partner_rows
from analysis.store.query import partner_table

LOOKUP = pd.DataFrame({
    "lsoa_code": ["E01000001", "E01000001", "E01000002"],
    "lsoa_vintage": [2011, 2021, 2021],
    "lsoa_name": ["A 001A", "A 001A", "A 001B"],
    "ward_code": ["E05000001", "E05000001", "E05000002"],
    "ward_name": ["North", "North", "South"],
    "lad_code": ["E06000001"] * 3, "lad_name": ["A"] * 3,
    "csp_code": ["E22000001"] * 3, "csp_name": ["A"] * 3,
    "pfa_code": ["E23000001"] * 3, "pfa_name": ["F"] * 3,
})
CRIMES = """reference,committed_from,offence_code,lsoa_code,ward_code,domestic_abuse
C1,01/04/2024 22:15,8N,E01000001,,Y
C2,02/04/2024 10:00,8N,,E05000002,N
C3,03/04/2024 11:00,999Z,E01000002,,N
C4,04/04/2024 12:00,8N,E01999999,,N
"""


@pytest.fixture
def mapping() -> PartnerMapping:
    fields = ["reference", "committed_from", "offence_code", "lsoa_code", "ward_code",
              "domestic_abuse"]
    return PartnerMapping(area="test", crimes=ExtractMapping(
        columns={f: f for f in fields}, date_formats=["%d/%m/%Y %H:%M"]))


def test_rows_placed_by_lsoa_or_ward(tmp_path: Path, mapping: PartnerMapping) -> None:
    path = tmp_path / "crimes.csv"
    path.write_text(CRIMES)
    reconciliation = ingest_partner({"crimes": path}, mapping, tmp_path / "store",
                                    lsoa_lookup=LOOKUP)
    row = reconciliation.iloc[0]
    # C3 has an offence code that is not in the Home Office classification: quarantined.
    assert (row.rows_read, row.rows_loaded, row.rows_quarantined) == (4, 3, 1)
    crimes = partner_table(tmp_path / "store", "crimes").set_index("reference")
    assert crimes.loc["C1", "ward_code"] == "E05000001"  # from its LSOA
    assert crimes.loc["C2", "csp_code"] == "E22000001"  # from its ward
    assert pd.isna(crimes.loc["C4", "csp_code"])  # LSOA unknown to the lookup: kept, unplaced
    quarantine = pd.read_parquet(tmp_path / "store" / "partner" / "crimes_quarantine.parquet")
    assert quarantine["reason"].str.contains("offence").all()


def test_unchanged_extracts_are_not_read_again_and_a_changed_one_is(
        tmp_path: Path, mapping: PartnerMapping) -> None:
    path = tmp_path / "crimes.csv"
    path.write_text(CRIMES)
    os.utime(path, (1_600_000_000, 1_600_000_000))  # downloaded well before the ingest
    first = ingest_partner({"crimes": path}, mapping, tmp_path / "store", lsoa_lookup=LOOKUP)
    written = (tmp_path / "store" / "partner" / "crimes.parquet").stat().st_mtime_ns

    again = ingest_partner({"crimes": path}, mapping, tmp_path / "store", lsoa_lookup=LOOKUP)
    assert (tmp_path / "store" / "partner" / "crimes.parquet").stat().st_mtime_ns == written
    pd.testing.assert_frame_equal(again, first)

    other_lookup = LOOKUP.assign(ward_name=["N", "N", "S"])
    ingest_partner({"crimes": path}, mapping, tmp_path / "store", lsoa_lookup=other_lookup)
    assert (tmp_path / "store" / "partner" / "crimes.parquet").stat().st_mtime_ns != written

    path.write_text(CRIMES.replace("C4,04/04/2024 12:00,8N,E01999999,,N\n", ""))
    os.utime(path, (1_600_000_100, 1_600_000_100))
    changed = ingest_partner({"crimes": path}, mapping, tmp_path / "store",
                             lsoa_lookup=other_lookup)
    assert changed.iloc[0].rows_read == 3


def test_missing_extract_is_none(tmp_path: Path) -> None:
    assert partner_table(tmp_path, "asb") is None


def test_failed_ingest_keeps_previous_partner_data(tmp_path: Path,
                                                   mapping: PartnerMapping) -> None:
    good = tmp_path / "crimes.csv"
    good.write_text(CRIMES)
    ingest_partner({"crimes": good}, mapping, tmp_path / "store", lsoa_lookup=LOOKUP)
    bad = tmp_path / "bad.csv"
    bad.write_text("something,else\n1,2\n")
    with pytest.raises(InputError):
        ingest_partner({"crimes": bad}, mapping, tmp_path / "store", lsoa_lookup=LOOKUP)
    assert len(partner_table(tmp_path / "store", "crimes")) == 3


def test_place_without_lookup_keeps_rows() -> None:
    rows = pd.DataFrame({"reference": ["X"], "lsoa_code": ["E01000001"]})
    placed = place_partner_rows(rows, None)
    assert len(placed) == 1 and pd.isna(placed.loc[0, "csp_code"])


def test_rows_with_coordinates_only_placed_by_point_in_polygon(tmp_path: Path) -> None:
    # One LSOA square in British National Grid: E 530000-531000, N 180000-181000 (London).
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    corners = [to_wgs84.transform(e, n) for e, n in
               ((530000, 180000), (531000, 180000), (531000, 181000), (530000, 181000),
                (530000, 180000))]
    boundary = tmp_path / "lsoa.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"LSOA21CD": "E01000002", "LSOA21NM": "A 001B"},
        "geometry": {"type": "Polygon", "coordinates": [[list(c) for c in corners]]}}]}))
    rows = pd.DataFrame({"reference": ["in-bng", "in-lonlat", "outside"],
                         "easting": [530500.0, None, 600000.0],
                         "northing": [180500.0, None, 100000.0],
                         "longitude": [None, to_wgs84.transform(530200, 180900)[0], None],
                         "latitude": [None, to_wgs84.transform(530200, 180900)[1], None]})
    placed = place_partner_rows(rows, LOOKUP, lsoa_boundaries=[boundary]).set_index("reference")
    assert placed.loc["in-bng", "lsoa_code"] == "E01000002"
    assert placed.loc["in-lonlat", "ward_code"] == "E05000002"
    assert pd.isna(placed.loc["outside", "csp_code"])  # kept, unplaced
