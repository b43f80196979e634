"""The data-and-methods section's tables and findings, on hand-made frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.findings import NO_DIRECTION, NOT_TESTED
from analysis.sections.data_and_methods import (
    ALL_CHECKS_RAN,
    GEOGRAPHY_SOURCE,
    NO_PARTNER_SOURCE,
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


def test_quality_findings_state_no_change_and_no_test() -> None:
    assert [f.statement for f in quality_findings([])] == [ALL_CHECKS_RAN]
    notes = quality_findings(["Unknown LSOA codes were not checked."])
    assert [f.statement for f in notes] == ["Unknown LSOA codes were not checked."]
    assert all(f.direction == NO_DIRECTION and f.significance == NOT_TESTED for f in notes)
