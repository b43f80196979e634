"""The demo report's justice outcomes part (page 80): the outcome profile, its change with
significance for the area and the force, the months still changing, read from the demo's
police.uk outcomes files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.outcomes import OUTCOME_GROUPS


def _table(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"80_offending_reoffending__{name}.csv")


def test_demo_shows_the_outcome_profile(built_demo_report: Path) -> None:
    profile = _table(built_demo_report, "outcome_profile").set_index("Crime type")
    assert list(profile.columns) == ["Crimes", *(f"{g} (%)" for g in OUTCOME_GROUPS)]
    for total in ("All crime, Kingsmere", "All crime, Demoshire Police"):
        assert profile.loc[total].drop("Crimes").sum() == pytest.approx(100, abs=0.5)
    change = _table(built_demo_report, "outcome_change")
    assert set(change["Outcome"]) == set(OUTCOME_GROUPS)
    assert change["Result"].isin({"significant increase", "significant decrease",
                                  "no significant change"}).all()
    months = _table(built_demo_report, "outcome_months")
    assert months["Outcomes still changing"].iloc[-6:].eq("yes").all()  # the latest 6 months
    page = (built_demo_report / "80_offending_reoffending.html").read_text(encoding="utf-8")
    assert "Justice outcomes" in page
    assert "police.uk outcomes files" in page and "joined to the street crimes by Crime ID" in page
    assert "Outcomes of recent months are still changing" in page

