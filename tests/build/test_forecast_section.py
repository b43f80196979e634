"""The crime overview's future and emerging trends on the built 36-month demo.

The demo plants a late rise in Kingsmere's shoplifting (the last four months 15 to 60 % above
its flat trend) and keeps its burglary stable: the page must forecast every series (36
consecutive months are held), flag shoplifting as emerging and not burglary, carry the
emerging finding to the key findings page, and say in one sentence (with no empty heading)
that a five-year view needs five years.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.vocabulary import ALL_CRIME, ASB

pytestmark = pytest.mark.build
SECTION = "10_crime_overview"


def _table(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{SECTION}__{name}.csv")


def test_forecast_table_flags_the_planted_rise(built_demo_report: Path) -> None:
    summary = _table(built_demo_report, "forecast_summary").set_index("Series")
    assert {ALL_CRIME, ASB, "Shoplifting", "Burglary"} <= set(summary.index)
    assert (summary["Months used"] == "Apr 2022 to Mar 2025 (36)").all()
    assert summary.loc["Shoplifting", "Emerging"] == "yes"
    assert summary.loc["Burglary", "Emerging"] == "no"
    assert summary["MASE (model)"].notna().all()
    assert summary["MASE (seasonal naive)"].gt(0).all()
    test = _table(built_demo_report, "emerging_test")
    shoplifting = test[test["Series"] == "Shoplifting"]
    assert shoplifting["Month"].tolist() == ["Jan 2025", "Feb 2025", "Mar 2025"]
    upper = next(c for c in test.columns if c.startswith("Upper 95 %"))
    assert (shoplifting["Recorded"] > shoplifting[upper]).sum() >= 2


def test_fan_data_has_intervals_after_the_period_only(built_demo_report: Path) -> None:
    fans = _table(built_demo_report, "forecast_fans")
    ahead = fans[fans["forecast"].notna()]
    assert ahead["month"].min() == "2025-04-01" and ahead["month"].max() == "2026-03-01"
    assert (ahead["lower_95"] <= ahead["lower_80"]).all()
    assert (ahead["upper_80"] <= ahead["upper_95"]).all()
    assert fans.loc[fans["forecast"].isna(), "month"].max() == "2025-03-01"


def test_emerging_finding_and_figure(built_demo_report: Path) -> None:
    payload = json.loads((built_demo_report / "key_figures" / f"{SECTION}.json").read_text())
    figures = payload["figures"]
    assert figures["emerging_trends"]["value"] == "Shoplifting"
    statements = [f["statement"] for f in figures["findings"]["value"]]
    emerging = [s for s in statements if "emerging trend" in s]
    assert len(emerging) == 1 and emerging[0].startswith("Shoplifting in Kingsmere")
    key_findings = (built_demo_report / "99_key_findings.html").read_text()
    assert "Shoplifting in Kingsmere is an emerging trend" in key_findings


def test_page_states_the_rule_and_what_five_years_need(built_demo_report: Path) -> None:
    page = (built_demo_report / f"{SECTION}.html").read_text()
    assert "Future and emerging trends" in page
    assert "at least 2 of those months lie above the upper 95 % prediction interval" in page
    assert "A five-year view needs data.police.uk months in each of the 5 years" in page
    assert "Five-year trend" not in page  # no empty heading
    assert "ConvergenceWarning" not in page and "Warning" not in page
