"""Command-line conventions: ``--version``, ``--jobs`` defaulting to the cores as make does,
and the warning line when a report's period misses months."""

from __future__ import annotations

from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import cli
from analysis.core.periods import MonthsCompared, Period, compared_months, comparison_period
from analysis.publish import build
from analysis.publish.index_page import (
    INCOMPLETE_NOTE,
    incompleteness_warning,
    write_incompleteness_note,
)


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"csp {metadata.version('csp-analysis')}\n"


def test_available_cores_counts_the_cores_this_process_may_use(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert cli.available_cores() == 3
    monkeypatch.delattr(cli.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 8)
    assert cli.available_cores() == 8


@pytest.mark.parametrize(("args", "jobs"), [([], 3), (["--jobs", "1"], 1)])
def test_build_jobs_default_to_the_cores(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         args: list[str], jobs: int) -> None:
    seen: dict[str, object] = {}

    def fake_build(areas: list[str], period: str | None, *, sections: object,
                   jobs: int, listener: object) -> list[Path]:
        seen.update(areas=areas, jobs=jobs)
        return [tmp_path / "index.html"]

    monkeypatch.setattr(cli, "available_cores", lambda: 3)
    monkeypatch.setattr(build, "build_areas", fake_build)
    result = CliRunner().invoke(cli.app, ["build", "--area", "demo", *args])
    assert result.exit_code == 0, result.output
    assert seen == {"areas": ["demo"], "jobs": jobs}


def held(first: str, last: str) -> list[date]:
    """Every month from ``first`` to ``last`` ('YYYY-MM') as a first-of-month date."""
    return list(Period.parse(f"{first}..{last}").months)


def compared(period: str, months: list[date]) -> MonthsCompared:
    """``period`` against its comparison period over the months ``months``."""
    current = Period.parse(period)
    return compared_months(current, comparison_period(current), months)


def test_warning_names_the_missing_months_of_both_periods() -> None:
    warning = incompleteness_warning("thurrock", compared(
        "2018-19", held("2017-04", "2018-07") + held("2018-10", "2019-02")))
    assert warning == (
        "Warning: thurrock 2018/19 is incomplete (months missing; changes are like for like): "
        "2018/19: 9 of 12 months held (missing: Aug–Sep 2018, Mar 2019). "
        "2017/18: 12 of 12 months held.")


def test_no_warning_when_both_periods_are_whole() -> None:
    assert incompleteness_warning("demo", compared("2024-25", held("2023-04", "2025-03"))) == ""


def test_a_missing_comparison_year_is_warned_too() -> None:
    warning = incompleteness_warning("x", compared("2024", held("2024-01", "2024-12")))
    assert "2023: 0 of 12 months held (missing: Jan–Dec 2023)" in warning
    assert "changes are not compared" in warning


def test_the_note_is_written_printed_and_removed_when_complete(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    gappy = compared("2022", held("2021-01", "2022-11"))
    write_incompleteness_note(tmp_path, "essex-basildon", gappy)
    note = (tmp_path / INCOMPLETE_NOTE).read_text(encoding="utf-8")
    assert note.startswith("Warning: essex-basildon 2022 is incomplete") and "Dec 2022" in note

    monkeypatch.setattr(build, "build_areas", lambda *a, **k: [tmp_path / "index.html"])
    result = CliRunner().invoke(cli.app, ["build", "--area", "essex-basildon"])
    assert result.exit_code == 0, result.output
    assert note.strip() in result.output.replace("\n", " ")

    write_incompleteness_note(tmp_path, "essex-basildon", compared("2022", held("2021-01",
                                                                                "2022-12")))
    assert not (tmp_path / INCOMPLETE_NOTE).exists()
