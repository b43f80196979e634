"""Sections 85 (perception), 90 (priorities) and 99 (key findings) on the 36-month demo.

The demo plants: concern about crime and ASB 22 % -> 33 % of 500 (a significant increase;
Kingsmere second highest of 4 districts), police doing a good job 74 % -> 78 % (not
significant), a rising violence and sexual offences group and knife crime (+40 %) and a
stable burglary count. Sections 10, 85 and 90 are built, then 99, and every number the
summary shows is compared with the sections' own key figures and tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.build
PERIOD = "2024-25"
SOURCES = ("10_crime_overview", "85_public_perception", "90_priorities")


@pytest.fixture(scope="module")
def report(built_demo_report: Path) -> Path:
    """The demo report folder with 10, 85 and 90 built before 99 (the suite's one demo build:
    the executive summary is built last)."""
    assert all((built_demo_report / f"{section}.html").is_file() for section in SOURCES)
    return built_demo_report


def _table(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{name}.csv")


def _figures(report: Path, section: str) -> dict:
    path = report / "key_figures" / f"{section}.json"
    return json.loads(path.read_text(encoding="utf-8"))["figures"]


def test_perception_reports_the_planted_change_and_rank(report: Path) -> None:
    table = _table(report, "85_public_perception__survey_latest").set_index("Question")
    concern = table.loc[next(q for q in table.index if "more of a problem" in q)]
    assert (concern["Previous %"], concern["Latest %"]) == (22, 33)
    assert concern["Change"] == "significant increase"
    assert concern["Rank among districts"] == "second highest of 4"
    good = table.loc[next(q for q in table.index if "good or excellent job" in q)]
    assert (good["Previous %"], good["Latest %"]) == (74, 78)
    assert good["Change"] == "no significant change"
    districts = _table(report, "85_public_perception__districts_crime_asb_more_problem")
    assert districts["District"].tolist()[:4] == ["Holloway Downs", "Kingsmere", "Ashby Fen",
                                                  "Brackenford"]
    recorded = _table(report, "85_public_perception__perception_vs_recorded")
    crime_types = _table(report, "10_crime_overview__crime_type_change").set_index("Crime type")
    assert recorded["Recorded ASB incidents"].tolist() == [
        crime_types.loc["Anti-social behaviour", "2023/24"],
        crime_types.loc["Anti-social behaviour", "2024/25"]]
    figures = _figures(report, "85_public_perception")
    assert figures["survey:crime_asb_more_problem"]["value"] == 33
    assert figures["survey:crime_asb_more_problem:change"]["value"] == "significant increase"
    assert figures["survey:crime_asb_more_problem:rank"]["value"] == "second highest of 4"


def test_priorities_rank_the_planted_rises_and_not_burglary(report: Path) -> None:
    ranking = _table(report, "90_priorities__ranking").set_index("Issue")
    scales = _table(report, "90_priorities__dimension_scales")
    assert len(scales) == 7
    top_n = 5
    assert ranking.loc["Violence and sexual offences", "Rank"] <= top_n
    assert ranking.loc["Serious violence (knife or sharp instrument)", "Rank"] <= top_n
    assert ranking.loc["Burglary", "Rank"] > top_n
    assert ranking.loc["Violence and sexual offences", "Robust"] == "yes"
    plan = _table(report, "90_priorities__plan_on_a_page")
    assert {"Violence and sexual offences",
            "Serious violence (knife or sharp instrument)"} <= set(plan["Priority"])
    assert "Burglary" not in set(plan["Priority"])
    audit = _table(report, "90_priorities__audit_trail")
    assert (audit.groupby("Issue").size() == 7).all()
    knife = audit[(audit["Issue"] == "Serious violence (knife or sharp instrument)")
                  & (audit["Dimension"] == "Trend")].iloc[0]
    assert knife["Value"] == pytest.approx(40.0) and knife["Score"] == 5  # 150 -> 210
    # The trend figure of a police.uk crime type is the one in section 10's table.
    vso = audit[(audit["Issue"] == "Violence and sexual offences")
                & (audit["Dimension"] == "Trend")].iloc[0]
    crime_types = _table(report, "10_crime_overview__crime_type_change").set_index("Crime type")
    assert vso["Also in table"] == "10_crime_overview__crime_type_change"
    assert vso["Value"] == crime_types.loc["Violence and sexual offences", "% diff."]
    assert audit.loc[audit["Score"].isna(), "Rule applied"].str.startswith("missing").all()


def test_key_findings_repeat_every_section_exactly(report: Path) -> None:
    findings = _table(report, "99_key_findings__key_findings")
    headline = _table(report, "99_key_findings__headline_figures")
    sections = sorted(p.stem for p in (report / "key_figures").glob("*.json")
                      if p.stem != "99_key_findings")
    assert set(SOURCES) <= set(sections)
    recorded = [f for s in sections for f in _figures(report, s).get("findings", {})
                .get("value", [])]
    # Every section records Findings (statement, direction, significance, ...), and the
    # summary shows their fields as recorded.
    assert recorded and all(isinstance(f, dict) for f in recorded)
    assert findings["Finding"].tolist() == [f["statement"] for f in recorded]
    assert findings[["Direction", "Significance"]].values.tolist() == [
        [f["direction"], f["significance"]] for f in recorded]
    for _, row in headline.iterrows():
        recorded = _figures(report, row["Section page"].removesuffix(".html"))[row["Key"]]
        value = recorded["value"]
        assert str(row["Value"]) == str(value) or float(row["Value"]) == pytest.approx(value)


def test_key_findings_numbers_match_the_section_tables(report: Path) -> None:
    headline = _table(report, "99_key_findings__headline_figures").set_index("Key")
    crime_types = _table(report, "10_crime_overview__crime_type_change").set_index("Crime type")
    assert int(headline.loc["all_crime_current", "Value"]) == \
        crime_types.loc["All crime", "2024/25"]
    assert int(headline.loc["all_crime_previous", "Value"]) == \
        crime_types.loc["All crime", "2023/24"]
    assert float(headline.loc["all_crime_pct_diff", "Value"]) == \
        crime_types.loc["All crime", "% diff."]
    survey = _table(report, "85_public_perception__survey_latest")
    concern = survey[survey["Question"].str.contains("more of a problem")].iloc[0]
    assert float(headline.loc["survey:crime_asb_more_problem", "Value"]) == concern["Latest %"]
    assert float(headline.loc["survey:crime_asb_more_problem:previous", "Value"]) == \
        concern["Previous %"]
    ranking = _table(report, "90_priorities__ranking").set_index("Issue")
    vso = headline.loc["priority:violence_and_sexual_offences", "Value"]
    assert float(vso) == ranking.loc["Violence and sexual offences", "Weighted score"]
    findings = _table(report, "99_key_findings__key_findings")
    perception = findings[findings["Section page"] == "85_public_perception.html"]
    concern_row = perception[perception["Finding"].str.contains("up from 22 %")].iloc[0]
    assert concern_row["Direction"] == "increase" and concern_row["Significance"] == "significant"
    good_row = perception[perception["Finding"].str.contains("up from 74 %")].iloc[0]
    assert good_row["Significance"] == "not significant"
