"""Updating a store: only changed months are read again, and the tables are those of a whole
ingest of the same inputs (compared by the table fingerprint the build uses)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd
import pytest

from analysis.inputs.areas import load_area
from analysis.publish.dependencies import table_fingerprint
from analysis.store.area import ingest_area
from analysis.store.ingest import ingest_police_uk
from analysis.store.manifest import (
    RACY_MARGIN_NS,
    Manifest,
    SourceEntry,
    month_groups,
    plan_update,
)
from tests.unit.test_outcomes_store import outcome, write_outcomes
from tests.unit.test_store import asb, lookup, row, write_archive, write_street

PAST = 1_600_000_000  # 2020-09-13: file times well before any ingest, so none is "racy"


def settle(*paths: Path) -> None:
    """Give files a time long past, as files downloaded before the last ingest have."""
    for path in paths:
        os.utime(path, (PAST, PAST))


def months(data: Path, names: list[str], extra: dict[str, list[str]] | None = None) -> list[Path]:
    """Street files ``<data>/<month>/<month>-essex-street.csv``: crimes ``<month>-a`` and
    ``<month>-b``, one quarantined row and one ASB incident each, plus ``extra`` rows."""
    paths = []
    for month in names:
        rows = [row(f"{month}-a", month), row(f"{month}-b", month, crime_type="Robbery"),
                row(f"{month}-bad", month, lon="east"), asb(month),
                *(extra or {}).get(month, [])]
        paths.append(write_street(data / month / f"{month}-essex-street.csv", rows))
    settle(*paths)
    return paths


def ingested(tmp_path: Path, names: list[str],
             extra: dict[str, list[str]] | None = None) -> tuple[Path, Path]:
    """``tmp_path/raw`` holding the street files of ``months(names, extra)``, and
    ``tmp_path/store`` ingested from it."""
    data, store = tmp_path / "raw", tmp_path / "store"
    months(data, names, extra)
    ingest_police_uk([data], store)
    return data, store


def fingerprint(store: Path) -> str:
    """The build's fingerprint of the police.uk tables."""
    return table_fingerprint(store, ["police_uk"])


def whole(inputs: list[Path], store: Path, **options: object) -> str:
    """The fingerprint of a whole ingest of ``inputs`` into a new store."""
    ingest_police_uk(inputs, store, full=True, **options)  # type: ignore[arg-type]
    return fingerprint(store)


def reading_message(caplog: pytest.LogCaptureFixture) -> str:
    """The ingest's message saying what it reads."""
    return next(r.getMessage() for r in caplog.records if "reading" in r.getMessage())


def test_adding_a_month_reads_only_that_month_and_gives_the_whole_ingests_tables(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02", "2022-03"])
    january = store / "police_uk" / "street" / "2022-01" / "data_0.parquet"
    inode = january.stat().st_ino
    months(data, ["2022-04"])

    with caplog.at_level(logging.INFO, logger="analysis"):
        report = ingest_police_uk([data], store)

    assert reading_message(caplog) == ("police.uk: reading the 1 street file(s) of 2022-04 "
                                       "again, keeping the other 3 from the store")
    assert january.stat().st_ino == inode  # linked from the old store, not written again
    assert fingerprint(store) == whole([data], tmp_path / "whole")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined,
            report.duplicates_dropped) == (16, 12, 4, 0)
    assert [f"{m:%Y-%m}" for m in report.months] == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert list(report.reconciliation["source_file"]) == sorted(
        str(p) for p in data.rglob("*.csv"))


def test_a_re_released_month_replaces_its_older_copy_as_a_whole_ingest_does(
        tmp_path: Path) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02", "2022-03"])
    archive = write_archive(tmp_path / "raw" / "2024-04.zip", {
        "2022-02-essex-street.csv": [
            row("2022-02-a", "2022-02", crime_type="Criminal damage and arson"),
            row("2022-02-new", "2022-02"), asb("2022-02"), asb("2022-02")]})
    settle(archive)

    report = ingest_police_uk([data], store)

    assert fingerprint(store) == whole([data], tmp_path / "whole")
    # the archive's copy of 2022-02 wins: one crime is a copy, the old ASB incident is dropped
    assert report.duplicates_dropped == 2
    assert report.rows_read == 16


def test_a_crime_repeated_in_a_kept_month_is_read_again_with_the_new_month(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02", "2022-03"])
    # the same Crime ID as a January crime, in a later file: its copy displaces January's
    months(data, ["2022-04"], extra={"2022-04": [row("2022-01-a", "2022-04")]})

    with caplog.at_level(logging.INFO, logger="analysis"):
        report = ingest_police_uk([data], store)

    assert any("months 2022-01 share Crime IDs" in r.getMessage() for r in caplog.records)
    assert fingerprint(store) == whole([data], tmp_path / "whole")
    assert report.duplicates_dropped == 1


def test_a_changed_or_removed_file_gives_the_whole_ingests_tables(tmp_path: Path) -> None:
    data = tmp_path / "raw"
    paths = months(data, ["2022-01", "2022-02", "2022-03"])
    store = tmp_path / "store"
    ingest_police_uk([data], store)
    months(data, ["2022-02"], extra={"2022-02": [row("late", "2022-02")]})  # rewritten

    ingest_police_uk([data], store)
    assert fingerprint(store) == whole([data], tmp_path / "whole")

    paths[2].unlink()
    report = ingest_police_uk([data], store)
    assert fingerprint(store) == whole([data], tmp_path / "whole-2")
    assert [f"{m:%Y-%m}" for m in report.months] == ["2022-01", "2022-02"]


def test_an_ingest_with_nothing_changed_touches_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "raw"
    months(data, ["2022-01", "2022-02"])
    store = tmp_path / "store"
    first = ingest_police_uk([data], store)
    reconciliation = store / "police_uk" / "reconciliation.parquet"
    written = reconciliation.stat().st_mtime_ns

    with caplog.at_level(logging.INFO, logger="analysis"):
        again = ingest_police_uk([data], store)

    assert reconciliation.stat().st_mtime_ns == written
    assert "up to date" in caplog.records[0].getMessage()
    assert (again.rows_read, again.rows_loaded, again.months, again.forces) == (
        first.rows_read, first.rows_loaded, first.months, first.forces)
    pd.testing.assert_frame_equal(again.reconciliation, first.reconciliation)


def test_another_lookup_rebuilds_the_whole_store(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "raw"
    months(data, ["2022-01", "2022-02"])
    store = tmp_path / "store"
    ingest_police_uk([data], store, lsoa_lookup=lookup(("E01015921", 2011, "W1")))
    changed = lookup(("E01015921", 2011, "W2"))

    with caplog.at_level(logging.INFO, logger="analysis"):
        ingest_police_uk([data], store, lsoa_lookup=changed)

    assert reading_message(caplog) == "police.uk: reading 2 street file(s) from 1 input(s)"
    assert fingerprint(store) == whole([data], tmp_path / "whole", lsoa_lookup=changed)


def test_a_store_written_by_other_ingest_code_is_rebuilt_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02"])
    monkeypatch.setattr("analysis.store.ingest.code_digest", lambda: "other code")

    with caplog.at_level(logging.INFO, logger="analysis"):
        ingest_police_uk([data], store)

    assert reading_message(caplog) == "police.uk: reading 2 street file(s) from 1 input(s)"


def test_a_new_outcomes_file_updates_older_crimes_latest_outcomes(tmp_path: Path) -> None:
    data = tmp_path / "raw"
    months(data, ["2022-01", "2022-02"])
    settle(write_outcomes(data / "2022-01" / "2022-01-essex-outcomes.csv",
                          [outcome("2022-01-a", "2022-01", "Under investigation")]))
    store = tmp_path / "store"
    ingest_police_uk([data], store)
    months(data, ["2022-03"])
    settle(write_outcomes(data / "2022-03" / "2022-03-essex-outcomes.csv",
                          [outcome("2022-01-a", "2022-03", "Suspect charged"),
                           outcome("", "2022-03", "Suspect charged")]))  # quarantined

    ingest_police_uk([data], store)

    assert fingerprint(store) == whole([data], tmp_path / "whole")
    latest = pd.read_parquet(store / "police_uk" / "latest_outcomes.parquet")
    assert latest.set_index("crime_id")["outcome_type"].to_dict() == {
        "2022-01-a": "Suspect charged"}


def test_an_outcomes_file_alone_added_gives_the_whole_ingests_tables(tmp_path: Path) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02"])
    settle(write_outcomes(data / "2022-02" / "2022-02-essex-outcomes.csv",
                          [outcome("2022-01-a", "2022-02", "Suspect charged")]))

    ingest_police_uk([data], store)

    assert fingerprint(store) == whole([data], tmp_path / "whole")
    latest = pd.read_parquet(store / "police_uk" / "latest_outcomes.parquet")
    assert latest["crime_id"].tolist() == ["2022-01-a"]


def test_a_month_with_rows_not_yet_happened_is_read_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data, store = ingested(tmp_path, ["2022-01", "2022-02"],
                           extra={"2022-01": [row("soon", "2099-01")]})
    months(data, ["2022-03"])

    with caplog.at_level(logging.INFO, logger="analysis"):
        ingest_police_uk([data], store)

    assert reading_message(caplog).startswith(
        "police.uk: reading the 2 street file(s) of 2022-01, 2022-03 again")
    assert fingerprint(store) == whole([data], tmp_path / "whole")


def entry(name: str, month: str, modified_ns: int, identity: str = "file:1:1",
          text_bytes: int = 100) -> SourceEntry:
    """A manifest entry."""
    return SourceEntry(name, month, month, identity, modified_ns, text_bytes)


def manifest(*entries: SourceEntry, started_ns: int = 10 * RACY_MARGIN_NS) -> Manifest:
    """A manifest of street files ``entries``, no outcomes files."""
    return Manifest({"lookup": "none", "vintage_switch": "2023-01"}, entries, (), started_ns)


def test_plan_reads_new_changed_removed_and_racy_files_months() -> None:
    old = manifest(entry("a", "2022-01", 0), entry("b", "2022-02", 0),
                   entry("c", "2022-03", 0), entry("d", "2022-04", 0),
                   entry("racy", "2022-05", 10 * RACY_MARGIN_NS - 1))
    new = manifest(entry("a", "2022-01", 0), entry("b", "2022-02", 0, "file:2:2"),
                   entry("d", "2022-04", 0), entry("racy", "2022-05", 10 * RACY_MARGIN_NS - 1),
                   entry("e", "2022-06", 0))

    plan = plan_update(old, new)

    assert plan is not None
    assert plan.months == {"2022-02", "2022-03", "2022-05", "2022-06"}
    assert plan.kept_street == {"a", "d"}
    assert not plan.nothing_changed


def test_plan_is_a_whole_rebuild_for_new_settings_or_every_month_touched() -> None:
    old = manifest(entry("a", "2022-01", 0), entry("b", "2022-02", 0))

    assert plan_update(None, old) is None
    assert plan_update(old, Manifest({"lookup": "other", "vintage_switch": "2023-01"},
                                     old.street, (), old.started_ns)) is None
    assert plan_update(old, manifest(entry("a", "2022-01", 0, "file:2:2"),
                                     entry("b", "2022-02", 0, "file:3:3"))) is None
    unchanged = plan_update(old, old)
    assert unchanged is not None and unchanged.nothing_changed


def test_months_are_grouped_in_order_within_the_text_budget() -> None:
    entries = [entry("a", "2022-01", 0, text_bytes=60), entry("b", "2022-01", 0, text_bytes=30),
               entry("c", "2022-02", 0, text_bytes=50), entry("d", "2022-03", 0, text_bytes=40),
               entry("e", "2022-04", 0, text_bytes=200), entry("f", "2022-05", 0)]

    groups = month_groups(entries, ["2022-05", "2022-04", "2022-03", "2022-02", "2022-01"], 100)

    assert groups == [{"2022-01"}, {"2022-02", "2022-03"}, {"2022-04"}, {"2022-05"}]


def test_a_store_read_a_few_months_at_a_time_is_the_one_read_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "raw"
    # 2022-03 repeats a January crime: the later copy wins across groups
    months(data, ["2022-01", "2022-02", "2022-03", "2022-04"],
           extra={"2022-03": [row("2022-01-a", "2022-03")]})
    once = whole([data], tmp_path / "once")
    monkeypatch.setattr("analysis.store.ingest.GROUP_TEXT_BYTES", 1)  # one month per group

    with caplog.at_level(logging.INFO, logger="analysis"):
        report = ingest_police_uk([data], tmp_path / "grouped", full=True)

    assert "months 2022-04 to 2022-04 (group 4 of 4)" in caplog.text
    assert "months 2022-01 share Crime IDs" in caplog.text
    assert fingerprint(tmp_path / "grouped") == once
    assert report.duplicates_dropped == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert not [p for p in (tmp_path / "grouped").iterdir() if p.name.startswith(".")]


def test_an_area_ingest_updates_its_store_unless_asked_to_read_everything(
        demo_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = load_area("demo", demo_project)
    store = demo_project / "data" / "processed" / "demo"
    assert (store / "police_uk" / "sources.json").is_file()
    before = fingerprint(store)
    ingest_area(config, demo_project)  # re-reads files written just before the session's ingest

    with caplog.at_level(logging.INFO, logger="analysis.store"):
        ingest_area(config, demo_project)
        assert "police.uk: the store is up to date" in caplog.text
        caplog.clear()
        ingest_area(config, demo_project, full=True)

    assert "the store is up to date" not in caplog.text  # neither police.uk nor partner
    assert "police.uk: reading 36 street file(s)" in caplog.text
    assert fingerprint(store) == before  # the shared store is rebuilt as it was
