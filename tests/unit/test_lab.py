"""Notebooks run by hand: the working area, and a scratch folder apart from the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.core.files import report_dir
from analysis.core.lab import LAB_FILE, WorkingArea, lab_dir, working_area
from analysis.present.page import Section

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding the repo's configs, with no working area set in the environment."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.setenv("CSP_PROJECT_ROOT", str(tmp_path))
    monkeypatch.delenv("CSP_AREA", raising=False)
    monkeypatch.delenv("CSP_PERIOD", raising=False)
    return tmp_path


def test_without_a_setting_the_working_area_is_the_demo(project: Path) -> None:
    assert working_area(project) == WorkingArea("demo", None)


def test_the_lab_file_sets_the_working_area_and_an_unquoted_year_is_a_period(
        project: Path) -> None:
    (project / LAB_FILE).write_text("area: thurrock\nperiod: 2022\n")
    assert working_area(project) == WorkingArea("thurrock", "2022")


def test_environment_variables_win_over_the_lab_file(project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (project / LAB_FILE).write_text("area: thurrock\nperiod: '2022'\n")
    monkeypatch.setenv("CSP_AREA", "demo")
    assert working_area(project) == WorkingArea("demo", "2022")  # the file's period stays
    monkeypatch.setenv("CSP_PERIOD", "2023-24")
    assert working_area(project) == WorkingArea("demo", "2023-24")


def test_a_misspelt_key_in_the_lab_file_names_the_file(project: Path) -> None:
    (project / LAB_FILE).write_text("aera: thurrock\n")
    with pytest.raises(ConfigError, match="unknown key") as caught:
        working_area(project)
    assert caught.value.file == str(project / LAB_FILE)


def test_invalid_yaml_in_the_lab_file_names_the_line(project: Path) -> None:
    (project / LAB_FILE).write_text("area: demo\nperiod: [2022\n")
    with pytest.raises(ConfigError, match="not valid YAML") as caught:
        working_area(project)
    assert caught.value.line == 3  # the unclosed list is noticed at the end of the file


def test_the_lab_folder_is_under_reports_and_uses_the_canonical_period(project: Path) -> None:
    assert lab_dir("demo", "2024/25", project) == project / "reports" / "_lab" / "demo" / "2024-25"


def test_notebook_run_by_hand_writes_to_the_scratch_folder_not_the_report(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published = report_dir("demo", "2024-25", project)
    (published / "tables").mkdir(parents=True)
    table = published / "tables" / "40_test__by_ward.csv"
    table.write_text("Ward,Crimes\nNorth,1\n")
    monkeypatch.setenv("CSP_PERIOD", "2024-25")

    section = Section.open("40_test")  # the parameters cell's empty defaults
    section.table(pd.DataFrame({"Ward": ["South"], "Crimes": [20]}), "by_ward", "By ward",
                  source="open")
    section.record("total", 20)

    scratch = project / "reports" / "_lab" / "demo" / "2024-25"
    assert section.output_dir == scratch and section.config.name == "demo"
    assert (scratch / "tables" / "40_test__by_ward.csv").read_text().startswith("Ward,Crimes")
    assert json.loads((scratch / "key_figures" / "40_test.json").read_text())["figures"]
    assert table.read_text() == "Ward,Crimes\nNorth,1\n"  # the published table is untouched
    assert [p.name for p in published.rglob("*") if p.is_file()] == [table.name]


def test_the_working_areas_own_default_period_is_used(project: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSP_AREA", "demo")
    section = Section.open("40_test")
    assert section.period_text == "2024-25"  # config/areas/demo.yaml's default_period


def test_given_parameters_are_used_as_given(project: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.setenv("CSP_AREA", "thurrock")  # ignored: the build names the area
    out = project / "staging"
    section = Section.open("40_test", "demo", "2023-24", str(out))
    assert (section.config.name, section.period_text, section.output_dir) == (
        "demo", "2023-24", out)
