"""The data-and-methods section's tables and findings, on hand-made frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.findings import NO_DIRECTION, NOT_ASSESSED, NOT_TESTED, SPECIAL_CAUSE
from analysis.sections.data_and_methods import (
    GEOGRAPHY_SOURCE,
    NO_PARTNER_SOURCE,
    blank_location_jump,
    blank_location_table,
    header_sources,
    input_files_table,
    quality_check_tables,
    quality_findings,
    quarantine_tables,
    reconciliation_table,
)
from analysis.store.quality import QualityReport

ROOT = Path("/project")


def _partner() -> pd.DataFrame:
    return pd.DataFrame({"extract": ["crimes", "asb"],
                         "source_file": ["/project/data/crimes.csv", "data/asb.csv"],
                         "rows_read": [10, 5], "rows_loaded": [9, 5], "rows_quarantined": [1, 0]})


def test_header_sources_name_the_partner_extracts_or_say_there_are_none() -> None:
    without = header_sources("police.uk line", "Mid-2023", None)
    assert without == ["police.uk line", "Population: Mid-2023", GEOGRAPHY_SOURCE,
                       f"Partner extracts: {NO_PARTNER_SOURCE}"]
    with_partner = header_sources("police.uk line", "Mid-2023", _partner())
    assert with_partner[-1] == "Partner extracts: crimes, asb"


def test_reconciliation_table_shows_paths_relative_to_the_project() -> None:
    frame = pd.DataFrame({"source_file": ["/project/data/raw/a.zip!2024-04/street.csv"],
                          "months": ["2024-04"], "rows_read": [12], "rows_loaded": [10],
                          "rows_quarantined": [1], "duplicates_dropped": [1],
                          "balances": [True], "sha256": ["abc"]})
    table = reconciliation_table(frame, ROOT)
    assert table.frame["source_file"].tolist() == ["data/raw/a.zip!2024-04/street.csv"]
    assert list(table.frame.columns) == ["source_file", "months", "rows_read", "rows_loaded",
                                         "rows_quarantined", "duplicates_dropped", "balances"]
    assert list(table.formats) == ["rows_read", "rows_loaded", "rows_quarantined",
                                   "duplicates_dropped"]
    assert frame["source_file"].iloc[0].startswith("/project")  # the input is left as it was


def test_quarantine_tables_without_quarantined_rows_or_partner_extracts() -> None:
    tables = quarantine_tables(pd.DataFrame({"reason": [], "rows": []}), None, ROOT)
    assert [t.name for t in tables] == ["quarantine_reasons"]
    assert tables[0].caption == "Quarantined rows: none"
    assert dict(tables[0].formats) == {}


def test_quarantine_tables_with_reasons_and_partner_extracts() -> None:
    reasons = pd.DataFrame({"reason": ["bad month"], "rows": [1200]})
    tables = quarantine_tables(reasons, _partner(), ROOT)
    assert [t.name for t in tables] == ["quarantine_reasons", "partner_reconciliation"]
    assert tables[0].caption == "Quarantined rows by reason"
    assert dict(tables[0].formats) == {"rows": "{:,}"}
    assert tables[1].frame["source_file"].tolist() == ["data/crimes.csv", "data/asb.csv"]
    assert all(t.source == "process" for t in tables)


def test_input_files_table_shows_the_first_twelve_characters_of_each_checksum() -> None:
    inventory = pd.DataFrame({"path": ["data/a.csv"], "sha256": ["0123456789abcdef0123"],
                              "bytes": [99], "rows": [3], "months": ["2024-04"]})
    table = input_files_table(inventory)
    assert table.frame["sha256"].tolist() == ["0123456789ab…"]
    assert list(table.frame.columns) == ["path", "sha256", "rows", "months"]


def test_blank_location_table_keeps_the_area_force_when_given_by_force() -> None:
    by_force = pd.DataFrame({"force": ["Essex Police", "Kent Police"], "share": [0.1, 0.2]})
    assert blank_location_table(by_force, "Kent Police").frame["share"].tolist() == [0.2]
    overall = pd.DataFrame({"month": ["2024-04"], "share": [0.3]})
    assert blank_location_table(overall, "Kent Police").frame["share"].tolist() == [0.3]


def test_quality_check_tables_in_page_order() -> None:
    empty = pd.DataFrame()
    checks = QualityReport(empty, empty, empty, empty, empty,
                           out_of_area=pd.DataFrame({"x": [1]}),
                           unknown_lsoa=pd.DataFrame({"x": [2]}),
                           crime_type_drift=pd.DataFrame({"x": [3]}), asb_share=empty)
    tables = quality_check_tables(checks)
    assert [t.name for t in tables] == ["out_of_area", "unknown_lsoa", "crime_type_drift"]
    assert [t.frame["x"].iloc[0] for t in tables] == [1, 2, 3]


def _blank(shares: list[tuple[int, int]], force: str = "F") -> pd.DataFrame:
    """The no-location check's table for consecutive months from January 2024:
    (rows, rows with no location) per month."""
    months = pd.date_range("2024-01-01", periods=len(shares), freq="MS")
    return pd.DataFrame({"month": months, "falls_within": force,
                         "rows": [r for r, _ in shares], "blank_location": [b for _, b in shares],
                         "share": [b / r for r, b in shares]})


def _checks(blank: pd.DataFrame, *, notes: list[str] | None = None,
            unknown: pd.DataFrame | None = None,
            drift: pd.DataFrame | None = None) -> QualityReport:
    empty = pd.DataFrame()
    return QualityReport(coverage_by_force=empty, coverage_by_csp=empty, reconciliation=empty,
                         duplicates=empty, blank_location=blank, out_of_area=empty,
                         unknown_lsoa=unknown if unknown is not None else
                         pd.DataFrame(columns=["lsoa_code", "rows"]),
                         crime_type_drift=drift if drift is not None else
                         pd.DataFrame(columns=["month", "crime_type", "change"]),
                         asb_share=empty, notes=notes or [])


_BALANCED = pd.DataFrame({"source_file": ["a.csv", "b.csv"], "balances": [True, True]})
_NO_REASONS = pd.DataFrame(columns=["reason_code", "column", "rows"])


def test_a_jump_in_records_with_no_location_is_found_at_its_month() -> None:
    # 1 % for six months, then 4 % from July 2024: 10 of 1,000 -> 40 of 1,000.
    blank = _blank([(1000, 10)] * 6 + [(1000, 40)] * 6)
    jump = blank_location_jump(blank)
    assert jump is not None and pd.Timestamp(jump.month) == pd.Timestamp("2024-07-01")
    assert (jump.before, jump.after) == (1.0, 4.0)


def test_a_flat_or_small_rise_is_not_a_jump() -> None:
    assert blank_location_jump(_blank([(1000, 10)] * 12)) is None
    # doubles, but only by 0.5 points: under the 1-point threshold
    assert blank_location_jump(_blank([(1000, 5)] * 6 + [(1000, 10)] * 6)) is None
    # too few months either side of any split
    assert blank_location_jump(_blank([(1000, 10)] * 2 + [(1000, 90)] * 3)) is None


def test_quality_findings_say_what_the_checks_found_in_words() -> None:
    blank = pd.concat([_blank([(1000, 10)] * 6 + [(1000, 40)] * 6),
                       _blank([(500, 400)] * 12, force="Other")])
    months = list(pd.date_range("2024-07-01", periods=6, freq="MS").date)
    drift = pd.DataFrame({"month": [pd.Timestamp("2024-05-01")], "crime_type": ["Robbery"],
                          "change": ["disappeared"]})
    findings = quality_findings(_checks(blank, drift=drift), _NO_REASONS, _BALANCED, "F",
                                months)
    statements = [f.statement for f in findings]
    assert statements[0] == (
        "The share of police.uk records with no location jumped from 1.0 % before July 2024 "
        "to 4.0 % from then on: those records cannot be placed in any area, so counts for "
        "places and partnerships are lower than the force's.")
    assert findings[0].signal == SPECIAL_CAUSE and findings[0].effect == 3.0
    assert findings[0].table == "blank_location_share"
    # the other force's rows are not counted: 240 of 6,000 in July to December 2024
    assert statements[1] == ("4.0 % of police.uk records in the period (240 of 6,000) had no "
                             "location; the highest month was July 2024 (4.0 %).")
    # a problem comes before the checks that found nothing
    assert statements[2].startswith("Crime categories changed 1 time between months, e.g. "
                                    "'Robbery' disappeared in May 2024")
    assert statements[3].startswith("Every one of the 2 police.uk files read reconciles")
    assert statements[4] == "No police.uk row had to be quarantined."
    assert not any("0.04" in s or "00:00:00" in s or "2024-07" in s for s in statements)
    assert all(f.direction == NO_DIRECTION for f in findings)


def test_quality_findings_count_quarantine_and_unknown_lsoas_and_checks_not_run() -> None:
    reasons = pd.DataFrame({"reason_code": ["bad_month", "bad_lsoa"], "column": ["Month", "LSOA"],
                            "rows": [1200, 3]})
    unknown = pd.DataFrame({"lsoa_code": ["E01999999"], "rows": [17]})
    unbalanced = pd.DataFrame({"source_file": ["a.csv", "b.csv"], "balances": [True, False]})
    findings = quality_findings(
        _checks(_blank([(1000, 10)] * 12), notes=["Unknown LSOA codes were not checked."],
                unknown=unknown), reasons, unbalanced, "F", [])
    statements = [f.statement for f in findings]
    assert statements[:3] == [
        "1 of 2 police.uk files do not reconcile (rows read differ from rows loaded, "
        "quarantined and dropped).",
        "1,203 police.uk rows were quarantined, most for bad_month in column Month "
        "(1,200 rows).",
        "1 LSOA code (17 records) is not in the lookups, so those records are in no ward "
        "or partnership."]
    assert findings[-1].statement == "Unknown LSOA codes were not checked."
    assert findings[-1].significance == NOT_ASSESSED
    assert all(f.significance == NOT_TESTED for f in findings[:-1])
