"""Ingest into the canonical store: schema, duplicates, geography, reconciliation, safety."""

from __future__ import annotations

import gzip
import logging
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.core.errors import ConfigError, DataCoverageError, InputError
from analysis.core.periods import Period
from analysis.inputs.geography import LOOKUP_COLUMNS
from analysis.store.ingest import ingest_police_uk
from analysis.store.query import (
    STREET_COLUMNS,
    connect,
    lsoa_vintage_for_period,
    monthly_counts,
    store_months,
)

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
ASB = "Anti-social behaviour"
OUTCOMES_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                   "LSOA code,LSOA name,Outcome type")


def row(
    crime_id: str = "c1",
    month: str = "2022-01",
    *,
    lon: str = "0.3",
    lat: str = "51.5",
    location: str = "On or near High Street",
    lsoa: str = "E01015921",
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
    force: str = "Essex Police",
) -> str:
    """One street CSV line (without line ending)."""
    lsoa_name = f"Name of {lsoa}" if lsoa else ""
    fields = [crime_id, month, force, force, lon, lat, location, lsoa, lsoa_name, crime_type]
    return ",".join([*fields, outcome, ""])


def asb(month: str = "2022-01", location: str = "On or near Park") -> str:
    """One ASB line: blank Crime ID and outcome."""
    return row("", month, crime_type=ASB, outcome="", location=location)


def no_location(crime_id: str, month: str = "2022-01") -> str:
    """One line with no location: blank coordinates and LSOA."""
    return row(crime_id, month, lon="", lat="", location="No Location", lsoa="")


def street_text(rows: list[str]) -> str:
    """A whole street CSV."""
    return "\n".join([HEADER, *rows]) + "\n"


def write_street(path: Path, rows: list[str]) -> Path:
    """Write a street CSV (gzip-compressed when the name ends .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = street_text(rows).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_archive(path: Path, members: dict[str, list[str]]) -> Path:
    """Write an archive zip with street members ``YYYY-MM/YYYY-MM-<force>-street.csv``."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, rows in members.items():
            zf.writestr(f"{name[:7]}/{name}", street_text(rows))
        zf.writestr("2022-01/2022-01-essex-outcomes.csv", OUTCOMES_HEADER
                    + "\nx,2022-01,Essex Police,Essex Police,,,No Location,,,Suspect charged\n")
    return path


def lookup(*rows: tuple[str, int, str]) -> pd.DataFrame:
    """An LSOA lookup from (code, vintage, ward) rows; LAD, CSP and PFA derive from the ward."""
    records = [
        {
            "lsoa_code": code,
            "lsoa_vintage": vintage,
            "lsoa_name": f"Name of {code}",
            "ward_code": ward,
            "ward_name": f"Ward {ward}",
            "lad_code": f"LAD-{ward}",
            "lad_name": f"District {ward}",
            "csp_code": f"CSP-{ward}",
            "csp_name": f"Partnership {ward}",
            "pfa_code": "E23000028",
            "pfa_name": "Essex",
        }
        for code, vintage, ward in rows
    ]
    return pd.DataFrame(records, columns=list(LOOKUP_COLUMNS))


def street(store: Path, columns: str = "*", order: str = "source_file, source_line") -> list:
    """Rows of the stored street view."""
    with connect(store) as con:
        return con.execute(f"SELECT {columns} FROM street ORDER BY {order}").fetchall()


def reconciliation(store: Path) -> list[tuple]:
    """(file name, read, loaded, quarantined, duplicates, months) per input file."""
    with connect(store) as con:
        return [
            (Path(f.split("!")[-1]).name, *rest)
            for f, *rest in con.execute(
                "SELECT source_file, rows_read, rows_loaded, rows_quarantined, "
                "duplicates_dropped, months FROM reconciliation ORDER BY source_file"
            ).fetchall()
        ]


# --- schema and values ------------------------------------------------------------------------


def test_street_dataset_has_the_canonical_columns_and_types(tmp_path: Path) -> None:
    path = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row()])

    ingest_police_uk([path], tmp_path / "store")

    files = sorted((tmp_path / "store" / "police_uk" / "street").rglob("*.parquet"))
    schema = pq.read_schema(files[0])
    assert tuple(schema.names) == STREET_COLUMNS
    types = {name: str(schema.field(name).type) for name in schema.names}
    assert types["month"] == "date32[day]"
    assert types["lsoa_vintage"] == "int16"
    assert (types["longitude"], types["latitude"]) == ("double", "double")
    assert types["is_asb"] == "bool"
    assert types["source_line"] == "int64"
    assert [f.parent.name for f in files] == ["2022-01"]


def test_pandas_reads_the_street_folder_as_one_table(tmp_path: Path) -> None:
    write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a")])
    write_street(tmp_path / "in" / "2022-02-essex-street.csv", [row("b", "2022-02")])

    ingest_police_uk([tmp_path / "in"], tmp_path / "store")

    table = pd.read_parquet(tmp_path / "store" / "police_uk" / "street")
    assert list(table.columns) == list(STREET_COLUMNS)
    assert sorted(table["crime_id"]) == ["a", "b"]


def test_crime_asb_and_no_location_rows_are_stored_as_the_contract_says(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "in" / "2022-01-essex-street.csv", [row("a"), asb(), no_location("b")]
    )

    report = ingest_police_uk([path], tmp_path / "store")

    assert street(
        tmp_path / "store",
        "month, crime_id, crime_type, lsoa_code, lsoa_vintage, longitude, latitude, location, "
        "last_outcome_category, is_asb, csp_code, source_line",
    ) == [
        (date(2022, 1, 1), "a", "Burglary", "E01015921", 2011, 0.3, 51.5,
         "On or near High Street", "Under investigation", False, None, 2),
        (date(2022, 1, 1), None, ASB, "E01015921", 2011, 0.3, 51.5,
         "On or near Park", None, True, None, 3),
        (date(2022, 1, 1), "b", "Burglary", None, None, None, None,
         "No Location", "Under investigation", False, None, 4),
    ]  # fmt: skip
    assert (report.rows_read, report.rows_loaded) == (3, 3)
    assert report.months == [date(2022, 1, 1)]
    assert report.forces == ["Essex Police"]


def test_any_mix_of_inputs_and_forces_is_loaded(tmp_path: Path) -> None:
    plain = write_street(tmp_path / "a" / "2022-01-essex-street.csv", [row("e1")])
    folder = tmp_path / "b" / "2022-02"
    write_street(folder / "2022-02-essex-street.csv.gz", [row("e2", "2022-02")])
    archive = write_archive(
        tmp_path / "2022-03.zip",
        {"2022-03-kent-street.csv": [row("k1", "2022-03", force="Kent Police"), asb("2022-03")]},
    )

    report = ingest_police_uk([plain, folder, archive], tmp_path / "store")

    assert report.rows_loaded == 4
    assert report.months == [date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1)]
    assert report.forces == ["Essex Police", "Kent Police"]
    assert [r[:5] for r in reconciliation(tmp_path / "store")] == [
        ("2022-03-kent-street.csv", 2, 2, 0, 0),
        ("2022-01-essex-street.csv", 1, 1, 0, 0),
        ("2022-02-essex-street.csv.gz", 1, 1, 0, 0),
    ]


# --- quarantine and reconciliation ------------------------------------------------------------


def test_bad_rows_are_quarantined_and_every_file_balances(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "in" / "2022-01-essex-street.csv",
        [row("a"), row("b", lon="east"), row("c", crime_type="Burglery"), asb()],
    )

    report = ingest_police_uk([path], tmp_path / "store")

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 2, 2)
    assert reconciliation(tmp_path / "store") == [
        ("2022-01-essex-street.csv", 4, 2, 2, 0, "2022-01")
    ]
    quarantine = pd.read_parquet(tmp_path / "store" / "police_uk" / "quarantine.parquet")
    assert quarantine[["source_line", "reason_code", "column", "value"]].values.tolist() == [
        [3, "invalid_longitude", "Longitude", "east"],
        [4, "unknown_crime_type", "Crime type", "Burglery"],
    ]
    assert quarantine["source_file"].tolist() == [str(path), str(path)]
    assert quarantine.loc[0, "raw_crime_id"] == "b"
    assert quarantine.loc[1, "raw_location"] == "On or near High Street"


def test_rows_holding_another_month_are_quarantined(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "in" / "2022-01-essex-street.csv", [row("a", "2022-02"), row("b", "2022-02")]
    )

    report = ingest_police_uk([path], tmp_path / "store")

    assert (report.rows_loaded, report.rows_quarantined) == (0, 2)
    quarantine = pd.read_parquet(tmp_path / "store" / "police_uk" / "quarantine.parquet")
    assert set(quarantine["reason"]) == {
        "column 'Month': found '2022-02', expected the month in the file name"
    }
    assert street(tmp_path / "store") == []


# --- duplicates -------------------------------------------------------------------------------


def test_overlapping_archives_keep_newest_crime_and_newest_asb(tmp_path: Path) -> None:
    older = write_archive(
        tmp_path / "2024-03.zip",
        {
            "2024-01-essex-street.csv": [
                row("A", "2024-01", outcome="Under investigation"),
                row("B", "2024-01"),
                asb("2024-01", "old 1"),
                asb("2024-01", "old 2"),
                asb("2024-01", "old 3"),
            ]
        },
    )
    newer = write_archive(
        tmp_path / "2024-04.zip",
        {
            "2024-01-essex-street.csv": [
                row("A", "2024-01", outcome="Offender charged"),
                asb("2024-01", "new 1"),
                asb("2024-01", "new 2"),
            ]
        },
    )

    report = ingest_police_uk([newer, older], tmp_path / "store")

    assert (report.rows_read, report.rows_loaded, report.duplicates_dropped) == (8, 4, 4)
    assert street(
        tmp_path / "store", "crime_id, location, last_outcome_category", "location, crime_id"
    ) == [
        ("A", "On or near High Street", "Offender charged"),
        ("B", "On or near High Street", "Under investigation"),
        (None, "new 1", None),
        (None, "new 2", None),
    ]
    assert reconciliation(tmp_path / "store") == [
        ("2024-01-essex-street.csv", 5, 1, 0, 4, "2024-01"),
        ("2024-01-essex-street.csv", 3, 3, 0, 0, "2024-01"),
    ]
    duplicates = pd.read_parquet(tmp_path / "store" / "police_uk" / "duplicates.parquet")
    assert duplicates["kept_source_file"].unique().tolist() == [
        f"{newer}!2024-01/2024-01-essex-street.csv"
    ]
    assert duplicates.loc[duplicates["crime_id"] == "A", "kept_source_line"].tolist() == [2]


def test_asb_of_other_force_months_is_untouched_by_an_overlap(tmp_path: Path) -> None:
    older = write_archive(
        tmp_path / "2024-02.zip",
        {
            "2024-01-essex-street.csv": [asb("2024-01")],
            "2024-02-essex-street.csv": [asb("2024-02")],
        },
    )
    newer = write_archive(tmp_path / "2024-03.zip", {"2024-02-essex-street.csv": [asb("2024-02")]})

    report = ingest_police_uk([older, newer], tmp_path / "store")

    assert (report.rows_loaded, report.duplicates_dropped) == (2, 1)
    assert street(tmp_path / "store", "month", "month") == [
        (date(2024, 1, 1),),
        (date(2024, 2, 1),),
    ]


def test_repeated_crime_id_within_a_file_is_kept_once(tmp_path: Path) -> None:
    path = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a"), row("a")])

    report = ingest_police_uk([path], tmp_path / "store")

    assert (report.rows_loaded, report.duplicates_dropped) == (1, 1)
    assert street(tmp_path / "store", "source_line") == [(2,)]


# --- geography --------------------------------------------------------------------------------


def test_lsoa_vintage_and_geography_follow_the_lookup(tmp_path: Path) -> None:
    table = lookup(
        ("E01000001", 2011, "W-OLD"),  # only in 2011
        ("E01000002", 2021, "W-NEW"),  # only in 2021
        ("E01000003", 2011, "W-2011"),  # in both: month decides
        ("E01000003", 2021, "W-2021"),
    )
    dec = write_street(
        tmp_path / "in" / "2022-12-essex-street.csv",
        [
            row("a", "2022-12", lsoa="E01000001"),
            row("b", "2022-12", lsoa="E01000002"),
            row("c", "2022-12", lsoa="E01000003"),
            row("d", "2022-12", lsoa="E01999999"),
            no_location("e", "2022-12"),
        ],
    )
    jan = write_street(
        tmp_path / "in" / "2023-01-essex-street.csv", [row("f", "2023-01", lsoa="E01000003")]
    )

    ingest_police_uk([dec, jan], tmp_path / "store", lsoa_lookup=table)

    assert street(
        tmp_path / "store", "crime_id, lsoa_vintage, ward_code, lad_code, csp_code, pfa_code"
    ) == [
        ("a", 2011, "W-OLD", "LAD-W-OLD", "CSP-W-OLD", "E23000028"),
        ("b", 2021, "W-NEW", "LAD-W-NEW", "CSP-W-NEW", "E23000028"),
        ("c", 2011, "W-2011", "LAD-W-2011", "CSP-W-2011", "E23000028"),
        ("d", None, None, None, None, None),
        ("e", None, None, None, None, None),
        ("f", 2021, "W-2021", "LAD-W-2021", "CSP-W-2021", "E23000028"),
    ]


def test_vintage_switch_month_is_configurable(tmp_path: Path) -> None:
    table = lookup(("E01000003", 2011, "W-2011"), ("E01000003", 2021, "W-2021"))
    path = write_street(
        tmp_path / "in" / "2022-06-essex-street.csv", [row("c", "2022-06", lsoa="E01000003")]
    )

    ingest_police_uk([path], tmp_path / "store", lsoa_lookup=table, vintage_switch=date(2022, 6, 1))

    assert street(tmp_path / "store", "lsoa_vintage, ward_code") == [(2021, "W-2021")]


def test_without_lookup_vintage_follows_the_month_and_geography_is_null(tmp_path: Path) -> None:
    dec = write_street(tmp_path / "in" / "2022-12-essex-street.csv", [row("a", "2022-12")])
    jan = write_street(tmp_path / "in" / "2023-01-essex-street.csv", [row("b", "2023-01")])

    ingest_police_uk([dec, jan], tmp_path / "store")

    assert street(tmp_path / "store", "crime_id, lsoa_vintage, ward_code, pfa_code") == [
        ("a", 2011, None, None),
        ("b", 2021, None, None),
    ]


def test_lookup_missing_a_column_is_an_error(tmp_path: Path) -> None:
    path = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row()])
    table = lookup(("E01000001", 2011, "W")).drop(columns="csp_code")

    with pytest.raises(InputError, match="missing columns") as caught:
        ingest_police_uk([path], tmp_path / "store", lsoa_lookup=table)
    assert caught.value.column == "csp_code"


def test_lookup_with_two_rows_for_one_code_and_vintage_is_an_error(tmp_path: Path) -> None:
    path = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row()])
    table = lookup(("E01000001", 2011, "W1"), ("E01000001", 2011, "W2"))

    with pytest.raises(InputError, match="more than one row") as caught:
        ingest_police_uk([path], tmp_path / "store", lsoa_lookup=table)
    assert caught.value.found == "E01000001"


# --- replacing the store safely ---------------------------------------------------------------


def test_failed_ingest_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    good = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a"), row("b")])
    ingest_police_uk([good], tmp_path / "store")
    broken = tmp_path / "bad" / "2022-02-essex-street.csv"
    broken.parent.mkdir()
    broken.write_text(HEADER.replace(",Crime type", "") + "\n" + row() + "\n")

    with pytest.raises(InputError, match="required column missing") as caught:
        ingest_police_uk([good, broken], tmp_path / "store")

    assert (caught.value.file, caught.value.line, caught.value.column) == (
        str(broken),
        1,
        "Crime type",
    )
    assert street(tmp_path / "store", "crime_id") == [("a",), ("b",)]
    assert [p.name for p in (tmp_path / "store").iterdir()] == ["police_uk"]


def test_failed_ingest_on_bad_bytes_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    good = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a")])
    ingest_police_uk([good], tmp_path / "store")
    broken = tmp_path / "bad" / "2022-02-essex-street.csv"
    broken.parent.mkdir()
    broken.write_bytes(street_text([row("b", "2022-02")]).encode() + b"\xff\xfe,2022-02\n")

    with pytest.raises(InputError, match="not UTF-8") as caught:
        ingest_police_uk([good, broken], tmp_path / "store")

    assert (caught.value.line, caught.value.column) == (3, "Crime ID")
    assert street(tmp_path / "store", "crime_id") == [("a",)]


def test_ingest_replaces_the_store_with_exactly_the_new_inputs(tmp_path: Path) -> None:
    first = write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a")])
    second = write_street(tmp_path / "in" / "2022-02-essex-street.csv", [row("b", "2022-02")])

    ingest_police_uk([first], tmp_path / "store")
    ingest_police_uk([second], tmp_path / "store")

    assert street(tmp_path / "store", "crime_id") == [("b",)]
    assert store_months(tmp_path / "store")["month"].dt.date.tolist() == [date(2022, 2, 1)]


# --- reading the store ------------------------------------------------------------------------


def test_monthly_counts_by_columns_with_a_parameterised_filter(tmp_path: Path) -> None:
    write_street(
        tmp_path / "in" / "2022-01-essex-street.csv",
        [row("a"), row("b"), row("c", crime_type="Drugs"), asb()],
    )
    write_street(
        tmp_path / "in" / "2022-02-essex-street.csv", [row("d", "2022-02"), asb("2022-02")]
    )
    ingest_police_uk([tmp_path / "in"], tmp_path / "store")

    counts = monthly_counts(tmp_path / "store")
    crimes = monthly_counts(
        tmp_path / "store", by=("falls_within",), where="is_asb = $asb", params={"asb": False}
    )

    assert counts.assign(month=counts["month"].dt.strftime("%Y-%m")).values.tolist() == [
        ["2022-01", ASB, 1],
        ["2022-01", "Burglary", 2],
        ["2022-01", "Drugs", 1],
        ["2022-02", ASB, 1],
        ["2022-02", "Burglary", 1],
    ]
    assert crimes["count"].tolist() == [3, 1]
    assert list(crimes.columns) == ["month", "falls_within", "count"]


def test_monthly_counts_rejects_an_unknown_column(tmp_path: Path) -> None:
    ingest_police_uk([write_street(tmp_path / "2022-01-essex-street.csv", [row()])], tmp_path / "s")

    with pytest.raises(ConfigError) as caught:
        monthly_counts(tmp_path / "s", by=("crime_type; DROP",))
    assert caught.value.column == "crime_type; DROP"


def test_store_months_lists_month_and_force(tmp_path: Path) -> None:
    write_street(tmp_path / "in" / "2022-01-essex-street.csv", [row("a")])
    write_street(tmp_path / "in" / "2022-01-kent-street.csv", [row("b", force="Kent Police")])
    write_street(
        tmp_path / "in" / "2022-03-kent-street.csv", [row("c", "2022-03", force="Kent Police")]
    )
    ingest_police_uk([tmp_path / "in"], tmp_path / "store")

    months = store_months(tmp_path / "store")

    assert months.assign(month=months["month"].dt.strftime("%Y-%m")).values.tolist() == [
        ["2022-01", "Essex Police"],
        ["2022-01", "Kent Police"],
        ["2022-03", "Kent Police"],
    ]


def test_connect_exposes_quarantine_and_reconciliation_views(tmp_path: Path) -> None:
    path = write_street(tmp_path / "2022-01-essex-street.csv", [row("a"), row("b", lat="x")])
    ingest_police_uk([path], tmp_path / "store")

    with connect(tmp_path / "store") as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(1,)]
        assert con.execute("SELECT rows_read FROM reconciliation").fetchall() == [(2,)]


def test_connect_to_a_store_without_police_data_is_a_coverage_error(tmp_path: Path) -> None:
    with pytest.raises(DataCoverageError, match=r"no data\.police\.uk street data"):
        connect(tmp_path)


def test_lsoa_vintage_for_period_follows_the_switch() -> None:
    assert lsoa_vintage_for_period(Period.parse("2022").months) == 2011
    assert lsoa_vintage_for_period(Period.parse("2024").months) == 2021
    # 2022/23: April to December 2022 (9 months) are 2011, January to March 2023 are 2021
    assert lsoa_vintage_for_period(Period.parse("2022-23").months) == 2011
    # 2022-07..2023-06: six months each side, a tie goes to 2021
    assert lsoa_vintage_for_period(Period.parse("2022-07..2023-06").months) == 2021


def test_ingest_logs_files_read_and_rows_loaded_and_quarantined(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_street(tmp_path / "in" / "2022-01-essex-street.csv",
                        [row("a"), row("a"), row("b", lon="east"), asb()])

    with caplog.at_level(logging.DEBUG, logger="analysis"):
        ingest_police_uk([path], tmp_path / "store")

    messages = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [
        ("analysis.store.ingest", "INFO", "police.uk: reading 1 street file(s) from 1 input(s)"),
        ("analysis.store.ingest", "INFO", "police.uk: 4 rows read, 2 loaded, 1 quarantined, "
                                   "1 duplicates dropped (2022-01 to 2022-01, 1 force(s))"),
        ("analysis.store.ingest", "DEBUG", f"police.uk {path}: 4 read, 2 loaded, 1 quarantined, "
                                    "1 duplicates"),
    ]
