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


def _table(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{name}.csv")


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
    # 2023 holds no month: no previous count, no change, in every row and the total.
    assert (change["Change"] == "not compared: 2023 holds no month of data").all()
    assert change["2023 (no data)"].isna().all() and change["# diff."].isna().all()


def test_places_use_both_lsoa_vintages(report: Path) -> None:
    wards = pd.read_csv(report / "tables" / "30_places__ward_profile.csv")
    assert len(wards) == 20  # Thurrock's 20 wards, the new 2021 LSOAs included
    placed = pd.read_csv(report / "tables" / "30_places__placement.csv")
    assert placed.loc[placed["outcome"] == "placed in a grid square", "rows"].iloc[0] > 1000
    assert (wards["change"] == "not assessed").all()  # 2023 is not published


def test_sections_without_partner_data_say_so(report: Path) -> None:
    perception = (report / "85_public_perception.html").read_text()
    assert "survey" in perception.lower() and "no " in perception.lower()


def test_population_release_nearest_the_period_is_used_and_named(report: Path) -> None:
    releases = _table(report, "00_data_and_methods__population_releases").set_index("Vintage")
    assert releases.loc["ONS mid-2022 population estimates", "Used"] == "yes"
    assert (releases.drop("ONS mid-2022 population estimates")["Used"] == "no").all()
    for section in ("10_crime_overview", "90_priorities"):
        assert "Population: ONS mid-2022 population estimates" in (
            report / f"{section}.html").read_text()


def test_harm_states_months_held_coverage_and_units(report: Path) -> None:
    harm = _table(report, "10_crime_overview__harm_and_cost").astype({"Period": str}).set_index(
        "Period")
    assert harm.loc["2024", "Months held"] == "4 of 12"
    assert harm.loc["2023", "Months held"] == "0 of 12"
    assert harm.loc["2023"].drop("Months held").isna().all()  # not held: unknown, never 0
    assert 0 < harm.loc["2024", "Share weighted (%)"] < 100
    assert "Harm per 1,000 residents (severity-weighted days)" in harm.columns
    gaps = _table(report, "10_crime_overview__harm_and_cost_gaps")
    assert gaps["Not valued"].str.contains("in the table used").all()
    assert not gaps["Not valued"].str.contains("publish").any()


def test_matrix_ranks_on_peers_over_the_months_held_and_says_what_was_left_out(
        report: Path) -> None:
    ranking = _table(report, "90_priorities__ranking")
    ranked = ranking[ranking["Rank"].notna()]
    assert len(ranked) >= 10  # every police.uk issue, on the comparable dimensions
    assert ranked["Position against peers"].notna().all()
    assert ranked["Left out (why)"].str.contains(
        "Trend: the comparison period \\(2023\\) is not held").all()
    audit = _table(report, "90_priorities__audit_trail")
    peers = audit[audit["Dimension"] == "Position against peers"]["Figure"]
    assert peers[peers != "–"].str.contains("over the 4 months of 2024 held").all()
