"""police.uk outcomes files in the store: reading, quarantine, the latest outcome per crime
and the counts by outcome (small hand-made fixtures)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.police_uk_outcomes import discover_outcome_files
from analysis.store.ingest import ingest_police_uk
from analysis.store.outcomes import (
    LATEST_FILE,
    OUTCOMES_FILE_SOURCE,
    QUARANTINE_FILE,
    STREET_FILE_SOURCE,
    crime_outcome_counts,
    outcome_files_summary,
)

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                 "LSOA code,LSOA name,Crime type,Last outcome category,Context")
OUTCOMES_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                   "LSOA code,LSOA name,Outcome type")


def row(crime_id: str = "c1", month: str = "2022-01", *, outcome: str = "Under investigation",
        crime_type: str = "Burglary") -> str:
    """One street CSV line."""
    return ",".join([crime_id, month, "Essex Police", "Essex Police", "0.3", "51.5",
                     "On or near High Street", "E01015921", "Name", crime_type, outcome, ""])


def asb() -> str:
    """One ASB street line: no Crime ID, no outcome."""
    return row("", crime_type="Anti-social behaviour", outcome="")


def write_street(path: Path, rows: list[str]) -> Path:
    """Write a street CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([STREET_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def outcome(crime_id: str, month: str, outcome_type: str) -> str:
    """One outcomes CSV line."""
    return ",".join([crime_id, month, "Essex Police", "Essex Police", "0.3", "51.5",
                     "On or near High Street", "E01015921", "Name", outcome_type])


def write_outcomes(path: Path, rows: list[str], header: str = OUTCOMES_HEADER) -> Path:
    """Write an outcomes CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def build(tmp_path: Path) -> Path:
    """Street files for January and February 2022 (release = their month) and outcomes files
    for January to March: the store they ingest into."""
    data = tmp_path / "raw"
    write_street(data / "2022-01" / "2022-01-essex-street.csv",
                 [row("a", outcome="Under investigation"), row("b", outcome="Under investigation"),
                  row("c", outcome="Unable to prosecute suspect"), asb()])
    write_street(data / "2022-02" / "2022-02-essex-street.csv",
                 [row("d", "2022-02", outcome="Under investigation"),
                  row("e", "2022-02", outcome="Under investigation")])
    write_outcomes(data / "2022-01" / "2022-01-essex-outcomes.csv",
                   [outcome("a", "2022-01", "Suspect charged"),
                    outcome("c", "2022-01", "Local resolution")])
    write_outcomes(data / "2022-02" / "2022-02-essex-outcomes.csv",
                   [outcome("a", "2022-02", "Offender fined"),
                    outcome("d", "2022-02", "Suspect charged"),
                    outcome("d", "2022-02", "Offender sent to prison"),   # same month: stage 5 wins
                    outcome("", "2022-02", "Offender fined"),              # no Crime ID
                    outcome("e", "2022-03", "Offender fined")])            # month not the file's
    write_outcomes(data / "2022-03" / "2022-03-essex-outcomes.csv",
                   [outcome("b", "2022-03", "Investigation complete; no suspect identified"),
                    outcome("zz", "2022-03", "Offender fined")])           # no such crime
    store = tmp_path / "store"
    ingest_police_uk([data], store)
    return store


def test_discovery_finds_outcomes_files_only(tmp_path: Path) -> None:
    write_street(tmp_path / "2022-01" / "2022-01-essex-street.csv", [row()])
    write_outcomes(tmp_path / "2022-01" / "2022-01-essex-outcomes.csv", [])
    with zipfile.ZipFile(tmp_path / "2024-04.zip", "w") as zf:
        zf.writestr("2022-02/2022-02-kent-outcomes.csv", OUTCOMES_HEADER + "\n")
        zf.writestr("2022-02/2022-02-kent-street.csv", "x\n")
    found = discover_outcome_files([tmp_path])
    assert [(s.force, f"{s.month:%Y-%m}", f"{s.release:%Y-%m}") for s in found] == [
        ("essex", "2022-01", "2022-01"), ("kent", "2022-02", "2024-04")]


def test_latest_outcome_per_crime_by_month_then_stage(tmp_path: Path) -> None:
    store = build(tmp_path)
    latest = pd.read_parquet(store / "police_uk" / LATEST_FILE).set_index("crime_id")
    # a: charged in January, fined in February -> February; b: March's outcome (file month
    # after its street release); c: January (= its street release) counts; d: two outcomes in
    # February -> the court result (stage 5) over the charge (stage 3); e: its only row was
    # quarantined; zz is no street crime.
    assert latest["outcome_type"].to_dict() == {
        "a": "Offender fined",
        "b": "Investigation complete; no suspect identified",
        "c": "Local resolution",
        "d": "Offender sent to prison",
    }
    assert str(latest.loc["a", "outcome_month"])[:7] == "2022-02"


def test_outcome_rows_before_the_street_release_are_not_used(tmp_path: Path) -> None:
    data = tmp_path / "raw"
    # the street file comes from a later archive (release 2024-04) than the outcome row
    write_street(data / "2024-04" / "2022-01" / "2022-01-essex-street.csv",
                 [row("a", outcome="Offender sent to prison")])
    write_outcomes(data / "2022-01" / "2022-01-essex-outcomes.csv",
                   [outcome("a", "2022-01", "Suspect charged")])
    ingest_police_uk([data], tmp_path / "store")
    counts = crime_outcome_counts(tmp_path / "store", where="true", params={})
    assert counts[["outcome", "outcome_source", "count"]].values.tolist() == [
        ["Offender sent to prison", STREET_FILE_SOURCE, 1]]


def test_counts_use_the_latest_outcome_else_the_street_file(tmp_path: Path) -> None:
    store = build(tmp_path)
    counts = crime_outcome_counts(store, where="true", params={})
    got = {(r.crime_type, r.outcome, r.outcome_source): r.count
           for r in counts.itertuples()}
    assert got == {
        ("Burglary", "Offender fined", OUTCOMES_FILE_SOURCE): 1,
        ("Burglary", "Investigation complete; no suspect identified", OUTCOMES_FILE_SOURCE): 1,
        ("Burglary", "Local resolution", OUTCOMES_FILE_SOURCE): 1,
        ("Burglary", "Offender sent to prison", OUTCOMES_FILE_SOURCE): 1,
        ("Burglary", "Under investigation", STREET_FILE_SOURCE): 1,   # e: no usable row
    }
    assert sum(got.values()) == 5  # every crime once, ASB left out


def test_bad_outcome_rows_are_quarantined_with_reason(tmp_path: Path) -> None:
    store = build(tmp_path)
    quarantine = pd.read_parquet(store / "police_uk" / QUARANTINE_FILE)
    assert quarantine[["source_line", "reason_code", "column"]].values.tolist() == [
        [5, "missing_value", "Crime ID"], [6, "month_mismatch", "Month"]]
    assert quarantine["source_file"].str.endswith("2022-02-essex-outcomes.csv").all()
    assert "expected the month in the file name" in quarantine["reason"].iloc[1]
    assert outcome_files_summary(store) == {"files": 3, "rows": 7, "quarantined": 2,
                                            "crimes": 4}


def test_outcomes_file_missing_a_column_is_a_file_error(tmp_path: Path) -> None:
    data = tmp_path / "raw"
    write_street(data / "2022-01" / "2022-01-essex-street.csv", [row("a")])
    write_outcomes(data / "2022-01" / "2022-01-essex-outcomes.csv", ["a,2022-01"],
                   header="Crime ID,Month")
    with pytest.raises(InputError) as caught:
        ingest_police_uk([data], tmp_path / "store")
    assert "2022-01-essex-outcomes.csv" in str(caught.value)
    assert "Reported by" in str(caught.value)


def test_store_without_outcomes_files_uses_street_outcomes(tmp_path: Path) -> None:
    write_street(tmp_path / "raw" / "2022-01-essex-street.csv", [row("a"), asb()])
    ingest_police_uk([tmp_path / "raw"], tmp_path / "store")
    counts = crime_outcome_counts(tmp_path / "store", where="true", params={})
    assert counts[["outcome", "outcome_source", "count"]].values.tolist() == [
        ["Under investigation", STREET_FILE_SOURCE, 1]]
    assert outcome_files_summary(tmp_path / "store")["files"] == 0
