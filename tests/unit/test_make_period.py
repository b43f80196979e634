"""``make report AREA=x`` builds the area's own ``default_period`` unless PERIOD is given.

Make reads the period from the area's YAML with sed (no Python starts for it); these dry
runs in a throwaway folder holding the Makefile and a config run nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(project: Path, *args: str) -> str:
    """What ``make -n report`` would run (commands printed, none run)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PERIOD", "MAKEFLAGS")}
    result = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=project,
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The Makefile and the shipped force files, with an area written per test."""
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(ROOT / "config" / "forces", tmp_path / "config" / "forces")
    (tmp_path / "config" / "areas").mkdir()
    return tmp_path


@pytest.mark.parametrize(("written", "period"), [
    ('"2019-20"', "2019-20"), ("'2022'", "2022"), ("2022", "2022"),
    ("2018-19  # the fullest year", "2018-19"), ("2024/25", "2024-25"),
    ('"R12-2024-03"', "R12-2024-03"), ("2022-01..2022-11", "2022-01..2022-11"),
])
def test_report_builds_the_areas_default_period(project: Path, written: str,
                                                period: str) -> None:
    (project / "config" / "areas" / "mine.yaml").write_text(
        f"name: mine\ndefault_period: {written}\nstore: x\n")
    plan = dry_run(project, "report", "AREA=mine")
    assert f"reports/mine/{period}/index.html" in plan
    assert f"Report: reports/mine/{period}/index.html" in plan


def test_period_on_the_command_line_wins(project: Path) -> None:
    (project / "config" / "areas" / "mine.yaml").write_text("default_period: '2022'\n")
    assert "reports/mine/2024-25/index.html" in dry_run(project, "report", "AREA=mine",
                                                        "PERIOD=2024/25")


def test_a_force_csp_takes_the_force_files_period(project: Path) -> None:
    assert "reports/essex-basildon/2022/index.html" in dry_run(
        project, "report", "AREA=essex-basildon")


def test_the_demo_still_builds_its_year() -> None:
    assert "reports/demo/2024-25/index.html" in dry_run(ROOT, "report")


def test_report_prints_the_incompleteness_warning_last(project: Path) -> None:
    (project / "config" / "areas" / "mine.yaml").write_text("default_period: '2022'\n")
    plan = dry_run(project, "report", "AREA=mine").splitlines()
    assert plan[-1] == ("if [ -s reports/mine/2022/.incomplete.txt ]; then cat "
                        "reports/mine/2022/.incomplete.txt >&2; fi")
