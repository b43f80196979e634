"""The core sections on the real Thurrock months: data and methods, overview, places,
perception, priorities and key findings, for calendar 2024.

2024's three-year window reaches back to 2022, so the places section works with LSOA 2011
codes (2022 files) and LSOA 2021 codes (2024 files) in one window.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.integration
SECTIONS = ("00_data_and_methods", "10_crime_overview", "30_places", "85_public_perception",
            "90_priorities", "99_key_findings")


@pytest.fixture(scope="module")
def report(real_reports: dict[tuple[str, str], Path]) -> Path:
    """Thurrock 2024, built with every other real report (``conftest.py``)."""
    return real_reports[("thurrock", "2024")]


def test_every_core_section_builds(report: Path) -> None:
    for section in SECTIONS:
        assert (report / f"{section}.html").is_file()
    index = (report / "index.html").read_text()
    assert index.index("99_key_findings.html") < index.index("00_data_and_methods.html")


def test_gaps_reported_as_missing_never_zero(report: Path) -> None:
    coverage = pd.read_csv(report / "tables" / "00_data_and_methods__coverage_force.csv")
    missing = set(coverage.loc[coverage["status"] == "missing", "month"].str[:7])
    assert {"2022-12", "2023-06", "2024-05", "2024-12"} <= missing
    assert coverage.loc[coverage["status"] == "missing", "rows"].isna().all()
    change = pd.read_csv(report / "tables" / "10_crime_overview__crime_type_change.csv")
    assert (change["Change"] == "not assessed: months missing in a period").all()


def test_places_use_both_lsoa_vintages(report: Path) -> None:
    wards = pd.read_csv(report / "tables" / "30_places__ward_profile.csv")
    assert len(wards) == 20  # Thurrock's 20 wards, the new 2021 LSOAs included
    placed = pd.read_csv(report / "tables" / "30_places__placement.csv")
    assert placed.loc[placed["outcome"] == "placed in a grid square", "rows"].iloc[0] > 1000
    assert (wards["change"] == "not assessed").all()  # 2023 is not published


def test_sections_without_partner_data_say_so(report: Path) -> None:
    perception = (report / "85_public_perception.html").read_text()
    assert "survey" in perception.lower() and "no " in perception.lower()
