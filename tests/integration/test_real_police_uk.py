"""Ingest of the 28 real Essex Police street files: counts per file match SOURCES.md."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.publish.dependencies import table_fingerprint
from analysis.store.ingest import IngestReport, ingest_police_uk
from analysis.store.quality import coverage_by_force, reconciliation_report
from analysis.store.query import connect

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
ESSEX = REAL / "police_uk" / "essex"
THURROCK_CSP = "E22000091"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not ESSEX.is_dir(), reason=f"real police.uk data not found at {ESSEX}"),
]

# From SOURCES.md section 1: month -> (Rows, Thurrock rows, Blank LSOA, Blank Crime ID).
EXPECTED = {
    "2018-01": (14786, 1559, 2, 3420),
    "2018-02": (13752, 1612, 0, 3238),
    "2018-03": (16014, 1747, 17, 3878),
    "2018-04": (16709, 1837, 48, 4194),
    "2018-05": (17618, 1929, 16, 4525),
    "2018-06": (17473, 1773, 62, 4627),
    "2018-07": (18713, 1813, 73, 4868),
    "2018-10": (17791, 1885, 79, 3826),
    "2018-11": (17050, 1913, 91, 3228),
    "2018-12": (16587, 1857, 84, 3134),
    "2019-01": (16428, 1876, 52, 3003),
    "2019-02": (16377, 1808, 63, 3269),
    "2019-11": (16804, 1818, 76, 2986),
    "2022-01": (15125, 1564, 116, 1761),
    "2022-02": (13942, 1443, 134, 1764),
    "2022-03": (17099, 1723, 141, 2180),
    "2022-04": (15530, 1526, 114, 2446),
    "2022-05": (16927, 1620, 217, 2575),
    "2022-06": (16121, 1521, 126, 2398),
    "2022-07": (18062, 1960, 160, 2641),
    "2022-08": (17344, 1658, 131, 2787),
    "2022-09": (15402, 1608, 108, 1803),
    "2022-10": (15754, 1564, 153, 1793),
    "2022-11": (14682, 1497, 144, 1515),
    "2024-01": (13148, 1385, 155, 942),
    "2024-02": (12722, 1449, 101, 1189),
    "2024-03": (14092, 1395, 524, 1209),
    "2024-04": (12875, 1286, 614, 1166),
}

MISSING = (
    ["2018-08", "2018-09"]
    + [f"2019-{m:02d}" for m in range(3, 11)]
    + ["2019-12"]
    + [f"{y}-{m:02d}" for y in (2020, 2021) for m in range(1, 13)]
    + ["2022-12"]
    + [f"2023-{m:02d}" for m in range(1, 13)]
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 28 months ingested once, without geography."""
    store_dir = tmp_path_factory.mktemp("store")
    ingest_police_uk([ESSEX], store_dir)
    return store_dir


def per_month(store: Path, sql: str) -> dict[str, int]:
    """A month -> count mapping from a query returning (YYYY-MM, count)."""
    with connect(store) as con:
        return dict(con.execute(sql).fetchall())


def test_every_file_reads_its_published_row_count_and_balances(store: Path) -> None:
    table = reconciliation_report(store)
    table["month"] = table["source_file"].str.extract(r"(\d{4}-\d{2})-essex-street")[0]

    assert table["month"].tolist() == list(EXPECTED)
    assert dict(zip(table["month"], table["rows_read"], strict=True)) == {
        month: counts[0] for month, counts in EXPECTED.items()
    }
    assert table["balances"].all()
    assert (table["rows_loaded"] == table["rows_read"]).all()
    assert (table["rows_quarantined"] == 0).all()
    assert (table["duplicates_dropped"] == 0).all()
    assert (table["months"] == table["month"]).all()
    assert set(table["force"]) == {"essex"}


def test_adding_months_to_a_store_gives_the_whole_ingests_tables(
        store: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folders = sorted(p for p in ESSEX.iterdir() if p.is_dir())
    updated = tmp_path / "store"
    ingest_police_uk([f for f in folders if f.name not in ("2022-06", "2024-04")], updated)

    with caplog.at_level(logging.INFO, logger="analysis"):
        report = ingest_police_uk(folders, updated)

    assert ("reading the 2 street file(s) of 2022-06, 2024-04 again, keeping the other 26 "
            "from the store") in caplog.text
    assert table_fingerprint(updated, ["police_uk"]) == table_fingerprint(store, ["police_uk"])
    assert report.rows_read == sum(counts[0] for counts in EXPECTED.values())


def test_blank_lsoa_and_asb_counts_match_sources(store: Path) -> None:
    blank_lsoa = per_month(
        store,
        "SELECT strftime(month, '%Y-%m'), count(*) FILTER (WHERE lsoa_code IS NULL) "
        "FROM street GROUP BY 1",
    )
    asb = per_month(
        store,
        "SELECT strftime(month, '%Y-%m'), count(*) FILTER (WHERE is_asb) FROM street GROUP BY 1",
    )
    blank_id = per_month(
        store,
        "SELECT strftime(month, '%Y-%m'), count(*) FILTER (WHERE crime_id IS NULL) "
        "FROM street GROUP BY 1",
    )

    assert blank_lsoa == {month: counts[2] for month, counts in EXPECTED.items()}
    assert asb == {month: counts[3] for month, counts in EXPECTED.items()}
    assert blank_id == asb


def test_no_location_rows_have_no_coordinates_or_geography(store: Path) -> None:
    with connect(store) as con:
        mismatched = con.execute(
            "SELECT count(*) FROM street WHERE (lsoa_code IS NULL) <> (longitude IS NULL) "
            "OR (lsoa_code IS NULL AND (lsoa_vintage IS NOT NULL OR location <> 'No Location'))"
        ).fetchall()
    assert mismatched == [(0,)]


def test_snake_case_months_load_like_the_others(store: Path) -> None:
    with connect(store) as con:
        first = con.execute(
            "SELECT crime_id, lsoa_code, crime_type, source_line FROM street "
            "WHERE month = DATE '2018-01-01' AND source_line = 2"
        ).fetchall()
    assert first == [
        (
            "69d0eef75999f75fcd194a1a035c102da2dcc4bfc6b19a06090e413b6073d3ec",
            "E01029913",
            "Violence and sexual offences",
            2,
        )
    ]


def test_coverage_grid_reports_the_gaps_as_missing(store: Path) -> None:
    grid = coverage_by_force(store, "2018-01", "2024-04")
    grid["ym"] = grid["month"].dt.strftime("%Y-%m")

    assert len(grid) == 76
    assert grid.loc[grid["status"] == "missing", "ym"].tolist() == MISSING
    assert grid.loc[grid["status"] == "missing", "rows"].isna().all()
    present = grid[grid["status"] == "present"]
    assert dict(zip(present["ym"], present["rows"], strict=True)) == {
        month: counts[0] for month, counts in EXPECTED.items()
    }


@pytest.fixture(scope="module")
def geography_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport]:
    """The 28 months ingested with the real LSOA lookup (skips if it is not available yet)."""
    geography = pytest.importorskip("analysis.inputs.geography")
    if not hasattr(geography, "load_lsoa_lookup"):
        pytest.skip("analysis.inputs.geography.load_lsoa_lookup is not written yet")
    boundaries = REAL / "boundaries" / "drkane_geo-lookups"
    areas = ["E06000034.geojson", "E06000033.geojson", "E10000012.geojson.gz"]
    with warnings.catch_warnings():
        # LADs outside Essex whose codes changed between the lookup files: expected.
        warnings.simplefilter("ignore", getattr(geography, "UnmatchedLadWarning", UserWarning))
        lookup: pd.DataFrame = geography.load_lsoa_lookup(
            [REAL / "lookups" / "jtrim-ons_ons-lookups" / "csv" / "135.csv.gz"],
            REAL / "lookups" / "macoj_crime-city" / "lad_to_csp.csv",
            lsoa_boundaries=[boundaries / "lsoa" / name for name in areas],
            ward_boundaries=[boundaries / "ward" / name for name in areas],
        )
    store_dir = tmp_path_factory.mktemp("geo_store")
    return store_dir, ingest_police_uk([ESSEX], store_dir, lsoa_lookup=lookup)


def test_thurrock_rows_are_assigned_to_the_thurrock_csp(
    geography_report: tuple[Path, IngestReport],
) -> None:
    store, report = geography_report
    thurrock = per_month(
        store, f"SELECT strftime(month, '%Y-%m'), count(*) FROM street "
        f"WHERE csp_code = '{THURROCK_CSP}' GROUP BY 1"
    )  # fmt: skip
    with connect(store) as con:
        named_thurrock_elsewhere = con.execute(
            "SELECT count(*) FROM street "
            "WHERE lsoa_name LIKE 'Thurrock %' AND csp_code IS DISTINCT FROM $csp",
            {"csp": THURROCK_CSP},
        ).fetchall()
        vintages = con.execute(
            "SELECT DISTINCT year(month) < 2023, lsoa_vintage FROM street "
            "WHERE csp_code = $csp ORDER BY 1",
            {"csp": THURROCK_CSP},
        ).fetchall()

    assert report.rows_loaded == sum(counts[0] for counts in EXPECTED.values())
    assert thurrock == {month: counts[1] for month, counts in EXPECTED.items()}
    assert named_thurrock_elsewhere == [(0,)]
    assert vintages == [(False, 2021), (True, 2011)]
