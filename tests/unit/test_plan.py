"""The plan on a page: the partnership's YAML (validated, line-numbered errors), the legal
duty defaults, and the merge with the evidence columns the build computes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.core.plan import (
    AreaPlan,
    PlanEntry,
    default_legal_duties,
    load_plan,
    parse_plan,
    yaml_line,
)
from analysis.core.priority_matrix import default_matrix
from analysis.sections import priorities

ISSUES = ("burglary", "anti_social_behaviour", "domestic_abuse")
PLAN = """\
police_and_crime_plan: Demoshire Police and Crime Plan 2024-28
priorities:
  burglary:
    outcome: Fewer homes burgled
    lead: District Commander
    supporting: [Council, Probation]
    police_and_crime_plan: "1. Crime prevention"
    measures: [Repeat burglary victims]
  domestic_abuse:
    lead: Assistant Director, Housing
    legal_duty: Domestic Abuse Act 2021 (local duty)
"""


def test_a_plan_reads_into_its_model() -> None:
    plan = parse_plan(PLAN, "config/plan/demo.yaml", ISSUES)
    assert plan.police_and_crime_plan == "Demoshire Police and Crime Plan 2024-28"
    assert plan.priorities["burglary"] == PlanEntry(
        outcome="Fewer homes burgled", lead="District Commander",
        supporting=["Council", "Probation"], police_and_crime_plan="1. Crime prevention",
        measures=["Repeat burglary victims"])
    assert plan.priorities["domestic_abuse"].outcome is None


def test_a_misspelt_key_is_an_error_naming_file_line_and_key() -> None:
    text = PLAN.replace("    lead: District Commander", "    leed: District Commander")
    with pytest.raises(ConfigError) as raised:
        parse_plan(text, "config/plan/demo.yaml", ISSUES)
    error = raised.value
    assert error.file == "config/plan/demo.yaml" and error.line == 5
    assert error.column == "priorities.burglary.leed"


def test_a_priority_the_matrix_does_not_have_is_an_error_at_its_line() -> None:
    text = PLAN + "  knife_crme:\n    lead: Someone\n"
    with pytest.raises(ConfigError, match="not an issue of the priority matrix") as raised:
        parse_plan(text, "p.yaml", ISSUES)
    assert raised.value.line == 12 and "burglary" in str(raised.value.expected)


def test_a_wrong_type_is_an_error_at_its_line() -> None:
    text = PLAN.replace("supporting: [Council, Probation]", "supporting: {a: 1}")
    with pytest.raises(ConfigError) as raised:
        parse_plan(text, "p.yaml", ISSUES)
    assert raised.value.line == 6


def test_yaml_line_of_nested_keys_and_list_items() -> None:
    assert yaml_line(PLAN, ["priorities", "burglary", "supporting", 1]) == 6
    assert yaml_line(PLAN, ["priorities", "domestic_abuse"]) == 9
    assert yaml_line(PLAN, ["priorities", "nothing", "here"]) == 2  # deepest part found
    assert yaml_line("a: [unclosed", ["a"]) is None


def test_no_plan_file_is_an_empty_plan(tmp_path: Path) -> None:
    assert load_plan("demo", ISSUES, tmp_path) == (AreaPlan(), None)
    folder = tmp_path / "config" / "plan"
    folder.mkdir(parents=True)
    (folder / "demo.yaml").write_text(PLAN, encoding="utf-8")
    plan, path = load_plan("demo", ISSUES, tmp_path)
    assert path == folder / "demo.yaml" and set(plan.priorities) == {"burglary",
                                                                    "domestic_abuse"}


def test_every_matrix_issue_has_a_default_legal_duty() -> None:
    duties = default_legal_duties()
    assert {issue.id for issue in default_matrix().issues} <= set(duties)
    assert duties["domestic_abuse"].startswith("Domestic Abuse Act 2021")
    assert duties["knife_crime"].startswith("Serious Violence Duty")
    assert duties["prevent_extremism"].startswith("Prevent duty")
    assert "reoffending" in duties["adult_reoffending"].lower()


def _ranked() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    table = pd.DataFrame({"issue_id": ["burglary", "domestic_abuse", "anti_social_behaviour"],
                          "issue": ["Burglary", "Domestic abuse", "ASB"], "rank": [1, 2, 3],
                          "score": [4.5, 4.0, 3.0]})
    robustness = pd.DataFrame({"issue_id": table["issue_id"], "robust": [True, True, False],
                               "best_rank": [1, 2, 2], "worst_rank": [1, 2, 4]})
    audit = pd.DataFrame({"issue_id": ["burglary"], "dimension": ["trend"], "score": [5],
                          "detail": ["100 -> 140 crimes (40 %), significant increase"]})
    return table, robustness, audit


def test_the_plan_merges_owner_fields_with_the_evidence_columns() -> None:
    matrix = default_matrix().model_copy(update={"top_n": 3})
    plan = parse_plan(PLAN, "p.yaml", ISSUES)
    frame = priorities.plan_on_a_page(*_ranked(), matrix, plan,
                                      duties={"burglary": "Crime and Disorder Act 1998 s.17",
                                              "domestic_abuse": "default DA duty"})
    assert frame.columns.tolist() == [
        "Rank", "Priority", "Outcome sought", "Lead partner", "Supporting partners",
        "Resources", "Police and Crime Plan", "Legal duty", "Measures to watch",
        "Why (evidence)", "Weighted score", "Stability"]
    burglary, da, asb = (frame.iloc[i] for i in range(3))
    assert burglary["Lead partner"] == "District Commander"
    assert burglary["Supporting partners"] == "Council; Probation"
    assert burglary["Legal duty"] == "Crime and Disorder Act 1998 s.17"  # the default
    assert burglary["Measures to watch"].endswith("; Repeat burglary victims")  # matrix, then plan
    assert burglary["Why (evidence)"] == "Trend: 100 -> 140 crimes (40 %), significant increase"
    assert da["Legal duty"] == "Domestic Abuse Act 2021 (local duty)"  # the plan overrides
    assert da["Outcome sought"] == priorities.NOT_AGREED
    assert asb["Lead partner"] == priorities.NOT_AGREED and asb["Legal duty"] == "–"


def test_without_a_plan_only_the_evidence_columns_and_a_notice() -> None:
    matrix = default_matrix().model_copy(update={"top_n": 3})
    frame = priorities.plan_on_a_page(*_ranked(), matrix)
    assert "Lead partner" not in frame.columns and "Legal duty" in frame.columns
    notice = priorities.plan_notice(None, "demo")
    assert "config/plan/demo.yaml" in notice and "Outcome sought, Lead partner" in notice
    assert "from <code>config/plan/x.yaml</code>" in priorities.plan_notice(
        "config/plan/x.yaml", "x")
