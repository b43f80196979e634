"""Sections 50, 70 and 80 on the real Thurrock months (data.police.uk only, no partner data).

Essex 2022 has January to November (December is missing) and no 2021 months, so changes are
not assessed; the sections must still build, show what police.uk supports and say what needs
partner data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

SECTIONS = ("50_serious_violence", "70_exploitation_drugs", "80_offending_reoffending")
PERIOD = "2022"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report(real_reports: dict[tuple[str, str], Path]) -> Path:
    """Thurrock 2022, built with every other real report (``conftest.py``)."""
    return real_reports[("thurrock", PERIOD)]


def _findings(report: Path, section: str) -> list[str]:
    """The section's finding sentences (each Finding is kept as a record with its statement)."""
    figures = json.loads((report / "key_figures" / f"{section}.json").read_text())["figures"]
    return [f["statement"] for f in figures["findings"]["value"]]


def test_serious_violence_shows_police_uk_and_states_limits(report: Path) -> None:
    change = pd.read_csv(report / "tables" / "50_serious_violence__police_uk_change.csv")
    assert list(change["Crime type"]) == ["Violence and sexual offences", "Robbery",
                                          "Possession of weapons"]
    assert (change["2022 (11 of 12 months)"] > 0).all()
    assert change["2021 (no data)"].isna().all()  # 2021 is not held: unknown, never 0
    assert (change["Change"] == "not compared: 2021 holds no month of data").all()
    rates = pd.read_csv(report / "tables" / "50_serious_violence__police_uk_rates.csv")
    assert rates["Place among the force's partnerships"].str.endswith("of 14").all()
    summary = pd.read_csv(report / "tables" / "50_serious_violence__needs_assessment.csv")
    extract = summary[summary["Source"] == "force crime extract"]
    assert (extract["Change"] == "not available").all() and extract["2022"].isna().all()
    assert not (report / "tables" / "50_serious_violence__measures_change.csv").exists()
    findings = " ".join(_findings(report, "50_serious_violence"))
    assert "need the force's crime extract" in findings
    assert "no change is given (not compared: 2021 holds no month of data)" in findings


def test_exploitation_explains_what_needs_partner_data(report: Path) -> None:
    change = pd.read_csv(report / "tables" / "70_exploitation_drugs__police_uk_change.csv")
    assert list(change["Crime type"]) == ["Drugs", "Possession of weapons"]
    findings = " ".join(_findings(report, "70_exploitation_drugs"))
    assert "need the force's crime extract" in findings
    assert "Not supplied: NRM referrals" in findings


def test_reoffending_explains_what_needs_partner_data(report: Path) -> None:
    assert (report / "80_offending_reoffending.html").is_file()
    findings = " ".join(_findings(report, "80_offending_reoffending"))
    assert "No partner indicators were supplied" in findings
    # only the justice outcomes of police.uk crimes, which need no partner data
    assert {p.name.split("__")[1] for p in (report / "tables").glob("80_offending_reoffending__*")
            } <= {"outcome_profile.csv", "outcome_change.csv", "outcome_months.csv",
                  "outcome_unrecognised.csv"}
