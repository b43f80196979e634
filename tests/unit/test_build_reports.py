"""build_reports: many (area, period) reports in one batch, each report's executive summary
after its own other sections, its index after its summary, a failure kept to its report."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import BuildError
from analysis.publish import build
from analysis.publish.build import INDEX_STEP, StepDone, build_reports

SECTIONS = ["10_crime_overview", "30_places", "99_key_findings"]
REPORTS = [("thurrock", "2022"), ("thurrock", "2023"), ("southend-on-sea", "2022")]


@pytest.fixture
def steps_run(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Replace the section and index steps by recorders (no kernels); ``30_places`` of
    Thurrock 2023 fails."""
    run: list[tuple[str, str, str]] = []

    def section(area: str, period: str, name: str, root: Path) -> StepDone:
        run.append((area, period, name))
        if (area, period, name) == ("thurrock", "2023", "30_places"):
            return StepDone(area, period, name, 0.1, error="cell 2 failed: planted")
        return StepDone(area, period, name, 0.1, root / area / period / f"{name}.html")

    def index(area: str, period: str, root: Path) -> StepDone:
        run.append((area, period, INDEX_STEP))
        return StepDone(area, period, INDEX_STEP, 0.1, root / area / period / "index.html")

    monkeypatch.setattr(build, "_run_step", section)
    monkeypatch.setattr(build, "_index_step", index)
    return run


def test_each_report_is_finished_in_order_and_a_failure_stays_in_its_report(
        tmp_path: Path, steps_run: list[tuple[str, str, str]]) -> None:
    heard: list[StepDone] = []
    with pytest.raises(BuildError) as raised:
        build_reports(REPORTS, sections=SECTIONS, root=tmp_path, listener=heard.append)

    assert steps_run == [
        ("thurrock", "2022", "10_crime_overview"),
        ("thurrock", "2022", "30_places"),
        ("thurrock", "2022", "99_key_findings"),  # its summary jumps the queue
        ("thurrock", "2022", INDEX_STEP),
        ("thurrock", "2023", "10_crime_overview"),
        ("thurrock", "2023", "30_places"),
        ("thurrock", "2023", "99_key_findings"),  # no index: a section failed
        ("southend-on-sea", "2022", "10_crime_overview"),
        ("southend-on-sea", "2022", "30_places"),
        ("southend-on-sea", "2022", "99_key_findings"),
        ("southend-on-sea", "2022", INDEX_STEP),
    ]
    assert [(step.area, step.period, step.step) for step in heard] == steps_run
    assert str(raised.value).startswith(
        "1 step(s) failed: thurrock 2023 30_places: cell 2 failed: planted")


def test_the_index_pages_come_back_in_the_order_of_the_reports(
        tmp_path: Path, steps_run: list[tuple[str, str, str]]) -> None:
    reports = [("southend-on-sea", "2022"), ("thurrock", "2022")]
    pages = build_reports(reports, sections=SECTIONS, root=tmp_path)
    assert pages == [tmp_path / area / period / "index.html" for area, period in reports]
