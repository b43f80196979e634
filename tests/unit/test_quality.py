"""Coverage grids, reconciliation and quality checks on small generated stores."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.inputs.geography import LOOKUP_COLUMNS
from analysis.store.ingest import ingest_police_uk
from analysis.store.quality import (
    as_month,
    coverage_by_csp,
    coverage_by_force,
    quality_report,
    quarantine_reasons,
    reconciliation_report,
)

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
ASB = "Anti-social behaviour"
ESSEX, KENT = "Essex Police", "Kent Police"


def row(
    crime_id: str,
    month: str,
    *,
    lsoa: str = "E01000001",
    crime_type: str = "Burglary",
    force: str = ESSEX,
) -> str:
    """One street CSV line; a blank ``lsoa`` gives a "No Location" row."""
    lon, lat, location = ("0.3", "51.5", "On or near X") if lsoa else ("", "", "No Location")
    fields = [crime_id, month, force, force, lon, lat, location, lsoa, lsoa, crime_type, "", ""]
    return ",".join(fields)


def asb(month: str, *, force: str = ESSEX, lsoa: str = "E01000001") -> str:
    """One ASB line (blank Crime ID)."""
    return row("", month, crime_type=ASB, force=force, lsoa=lsoa)


def write_street(folder: Path, name: str, rows: list[str]) -> Path:
    """Write ``folder/name`` as a street CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def lookup(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """A 2011 LSOA lookup from (code, csp, pfa) rows."""
    records = [
        {
            "lsoa_code": code,
            "lsoa_vintage": 2011,
            "lsoa_name": code,
            "ward_code": f"W-{code}",
            "ward_name": "Ward",
            "lad_code": f"L-{csp}",
            "lad_name": "District",
            "csp_code": csp,
            "csp_name": "Partnership",
            "pfa_code": pfa,
            "pfa_name": "Force area",
        }
        for code, csp, pfa in rows
    ]
    return pd.DataFrame(records, columns=list(LOOKUP_COLUMNS))


GEOGRAPHY = lookup(
    ("E01000001", "CSP-A", "PFA-ESSEX"),
    ("E01000002", "CSP-B", "PFA-ESSEX"),
    ("E01000009", "CSP-LONDON", "PFA-MET"),
)


def ym(frame: pd.DataFrame, column: str = "month") -> list[str]:
    """A month column as YYYY-MM strings."""
    return pd.to_datetime(frame[column]).dt.strftime("%Y-%m").tolist()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Essex 2022-01 and 2022-03 (not 02), Kent 2022-02 only, with geography."""
    raw = tmp_path / "raw"
    write_street(
        raw,
        "2022-01-essex-street.csv",
        [
            row("a", "2022-01"),
            row("b", "2022-01", lsoa=""),
            asb("2022-01"),
            asb("2022-01", lsoa="E01000002"),
        ],
    )
    write_street(
        raw,
        "2022-03-essex-street.csv",
        [
            row("c", "2022-03", crime_type="Drugs"),
            row("d", "2022-03", lsoa="E01000009"),
            row("e", "2022-03", lsoa="E01000777"),
            row("f", "2022-03", lsoa="E01000777"),
        ],
    )
    write_street(raw, "2022-02-kent-street.csv", [row("k", "2022-02", force=KENT)])
    store_dir = tmp_path / "store"
    ingest_police_uk([raw], store_dir, lsoa_lookup=GEOGRAPHY)
    return store_dir


# --- coverage ---------------------------------------------------------------------------------


def test_force_grid_marks_months_without_data_missing_not_zero(store: Path) -> None:
    grid = coverage_by_force(store, "2021-12", "2022-03")

    assert grid["force"].tolist() == [ESSEX] * 4 + [KENT] * 4
    assert ym(grid) == ["2021-12", "2022-01", "2022-02", "2022-03"] * 2
    assert grid["status"].tolist() == [
        "missing", "present", "missing", "present", "missing", "missing", "present", "missing",
    ]  # fmt: skip
    essex = grid[grid["force"] == ESSEX]
    assert essex["rows"].tolist() == [pd.NA, 4, pd.NA, 4]
    assert essex["crimes"].tolist() == [pd.NA, 2, pd.NA, 4]
    assert essex["asb"].tolist() == [pd.NA, 2, pd.NA, 0]
    assert {str(grid[c].dtype) for c in ("rows", "crimes", "asb")} == {"Int64"}


def test_force_grid_for_a_requested_force_not_in_the_store(store: Path) -> None:
    grid = coverage_by_force(store, date(2022, 1, 1), date(2022, 2, 1), forces=["Surrey Police"])

    assert grid["status"].tolist() == ["missing", "missing"]
    assert grid["rows"].isna().all()


def test_csp_grid_counts_zero_only_when_the_home_force_has_data(store: Path) -> None:
    grid = coverage_by_csp(store, "2022-01", "2022-03", csp_codes=["CSP-A", "CSP-B"])

    assert grid["csp_code"].tolist() == ["CSP-A"] * 3 + ["CSP-B"] * 3
    assert grid["status"].tolist() == ["present", "missing", "present"] * 2
    assert grid["rows"].tolist() == [2, pd.NA, 1, 1, pd.NA, 0]
    assert grid["asb"].tolist() == [1, pd.NA, 0, 1, pd.NA, 0]


def test_csp_grid_defaults_to_csps_in_the_store(store: Path) -> None:
    grid = coverage_by_csp(store, "2022-03", "2022-03")

    assert grid[["csp_code", "force", "rows"]].values.tolist() == [
        ["CSP-A", ESSEX, 1],
        ["CSP-B", ESSEX, 0],
        ["CSP-LONDON", ESSEX, 1],
    ]


@pytest.mark.parametrize("value", ["2022/01", "January", "2022-13"])
def test_bad_month_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError):
        as_month(value)


def test_reversed_range_is_a_config_error(store: Path) -> None:
    with pytest.raises(ConfigError, match="ends before it starts"):
        coverage_by_force(store, "2022-03", "2022-01")


# --- reconciliation ---------------------------------------------------------------------------


def test_reconciliation_balances_per_file(store: Path) -> None:
    table = reconciliation_report(store)

    assert table[["rows_read", "rows_loaded", "balances"]].values.tolist() == [
        [4, 4, True],
        [1, 1, True],
        [4, 4, True],
    ]


def test_reconciliation_flags_a_file_that_does_not_balance(store: Path) -> None:
    path = store / "police_uk" / "reconciliation.parquet"
    table = pd.read_parquet(path)
    table.loc[0, "rows_loaded"] -= 1
    table.to_parquet(path)

    assert reconciliation_report(store)["balances"].tolist() == [False, True, True]


# --- checks -----------------------------------------------------------------------------------


def test_report_shares_by_month(store: Path) -> None:
    report = quality_report(store, "2022-01", "2022-03")

    blank = report.blank_location[report.blank_location["falls_within"] == ESSEX]
    assert blank[["rows", "blank_location", "share"]].values.tolist() == [[4, 1, 0.25], [4, 0, 0.0]]
    asb_share = report.asb_share[report.asb_share["falls_within"] == ESSEX]
    assert asb_share[["asb", "share"]].values.tolist() == [[2, 0.5], [0, 0.0]]


def test_report_out_of_area_uses_the_forces_main_pfa(store: Path) -> None:
    out = quality_report(store, "2022-01", "2022-03").out_of_area
    essex = out[out["falls_within"] == ESSEX]

    assert ym(essex) == ["2022-01", "2022-03"]
    assert essex[["home_pfa_code", "located", "out_of_area"]].values.tolist() == [
        ["PFA-ESSEX", 3, 0],
        ["PFA-ESSEX", 2, 1],
    ]
    assert essex["share"].tolist() == [0.0, 0.5]


def test_report_out_of_area_with_a_given_home_pfa(store: Path) -> None:
    out = quality_report(store, "2022-03", "2022-03", home_pfa={ESSEX: "PFA-MET"}).out_of_area

    assert out.loc[out["falls_within"] == ESSEX, "out_of_area"].tolist() == [1]
    assert out.loc[out["falls_within"] == ESSEX, "home_pfa_code"].tolist() == ["PFA-MET"]


def test_report_lists_unknown_lsoa_codes(store: Path) -> None:
    unknown = quality_report(store, "2022-01", "2022-03").unknown_lsoa

    assert unknown[["lsoa_code", "rows"]].values.tolist() == [["E01000777", 2]]
    assert ym(unknown, "first_month") == ["2022-03"]


def test_report_crime_type_drift_between_months_with_data(store: Path) -> None:
    drift = quality_report(store, "2022-01", "2022-03").crime_type_drift
    essex = drift[drift["falls_within"] == ESSEX]

    assert essex[["crime_type", "change"]].values.tolist() == [
        ["Drugs", "appeared"],
        [ASB, "disappeared"],
    ]
    assert ym(essex) == ["2022-03", "2022-03"]
    assert ym(essex, "previous_month") == ["2022-01", "2022-01"]


def test_report_lists_duplicate_ids_and_overlapping_asb(tmp_path: Path) -> None:
    for release in ("2022-02", "2022-03"):
        with zipfile.ZipFile(tmp_path / f"{release}.zip", "w") as zf:
            zf.writestr(
                "2022-01/2022-01-essex-street.csv",
                "\n".join([HEADER, row("a", "2022-01"), asb("2022-01"), asb("2022-01")]) + "\n",
            )
    ingest_police_uk(sorted(tmp_path.glob("*.zip")), tmp_path / "store")

    duplicates = quality_report(tmp_path / "store", "2022-01", "2022-01").duplicates

    assert duplicates[["kind", "rows_dropped"]].values.tolist() == [
        ["asb_force_month", 2],
        ["crime_id", 1],
    ]
    assert duplicates["crime_id"].isna().tolist() == [True, False]
    assert duplicates["crime_id"].iloc[1] == "a"
    assert set(duplicates["kept_source_file"]) == {
        f"{tmp_path / '2022-03.zip'}!2022-01/2022-01-essex-street.csv"
    }


def test_report_without_geography_notes_the_checks_not_run(tmp_path: Path) -> None:
    path = write_street(tmp_path, "2022-01-essex-street.csv", [row("a", "2022-01")])
    ingest_police_uk([path], tmp_path / "store")

    report = quality_report(tmp_path / "store", "2022-01", "2022-01")

    assert report.out_of_area.empty
    assert report.unknown_lsoa.empty
    assert report.coverage_by_csp.empty
    assert report.notes == [
        "The store was built without an LSOA lookup: out-of-area shares and unknown LSOA codes "
        "were not checked."
    ]


def test_quarantine_reasons_grouped_by_kind_largest_first(tmp_path: Path) -> None:
    # Three bad rows in two files: two unknown crime types, one impossible month.
    first = write_street(tmp_path / "2022-01", "2022-01-essex-street.csv", [
        row("a1", "2022-01"), row("a2", "2022-01", crime_type="Piracy"),
        row("a3", "2022-13")])
    write_street(tmp_path / "2022-02", "2022-02-essex-street.csv", [
        row("b1", "2022-02", crime_type="Smuggling"), row("b2", "2022-02")])
    ingest_police_uk([first.parent, tmp_path / "2022-02"], tmp_path / "store")
    reasons = quarantine_reasons(tmp_path / "store")
    assert reasons[["reason_code", "rows", "files"]].values.tolist() == [
        ["unknown_crime_type", 2, 2], ["invalid_month", 1, 1]]
    assert "Piracy" in reasons.loc[0, "example"] or "Smuggling" in reasons.loc[0, "example"]
