"""Backtest, second half: every snapshot number recounted from the raw demo files.

``raw_recount.py`` counts again, with plain pandas on the files ``analysis.demo`` writes
(police.uk street CSVs, the force crime extract, the council ASB extract, the indicators
sheet, the ONS lookups), each count or simple figure the snapshot holds: totals by crime
type for both years, # and % differences, rates per 1,000, ward and square rankings, partner
counts rounded and suppressed by the ONS rule (applied by hand), shares, survey percentages.

Every snapshot cell and key figure is either recounted here or listed in
``DERIVED_COLUMNS`` / ``DERIVED_FIGURES`` with the reason: a statistical method (exact
Poisson test, Gi* hotspots, Wilson and Byar intervals, the priority matrix) whose own unit
tests check it against hand-worked answers, or a fixed text. Figure labels are text and
checked by the snapshot only. A snapshot value that is neither recounted nor listed fails
``test_table_is_recounted`` / ``test_key_figures_are_recounted``, so a table or figure
added to the snapshot must be given a recount (or a reason) at the same time.

Needs only the suite's generated demo (``demo_project``), not the report build.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import raw_recount as rr
from snapshot_files import snapshot_key_figures, snapshot_table

pytestmark = pytest.mark.build

SIGNIFICANCE = ("exact Poisson test of the two counts (tests/unit/test_comparators.py, "
                "tests/unit/test_measures.py)")
HOTSPOT = "Gi* hotspot classes over rolling windows (tests/unit/test_places.py)"
INTERVAL = "Wilson score interval (tests/unit/test_indicators.py, tests/unit/test_reoffending.py)"
SURVEY = ("design-effect interval and two-proportion test of the survey waves "
          "(tests/unit/test_survey.py, tests/unit/test_perception.py)")
MATRIX = "priority-matrix scoring of the section outputs (tests/unit/test_risk.py)"
TEXT = "fixed text from the indicators sheet or the method (no number)"
FORECAST = "seasonal (ETS) forecast and its emerging rule (tests/unit/test_forecasts.py)"

TABLES: dict[str, tuple[list[str], Callable[[rr.RawDemo], rr.Recount], dict[str, str]]] = {
    # table: (columns naming a row, recount, columns not recounted -> why)
    "10_crime_overview__crime_type_change": (["Crime type"], rr.crime_type_change,
                                             {"Change": SIGNIFICANCE}),
    "20_anti_social_behaviour__asb_change": (["Area"], rr.asb_change, {"Change": SIGNIFICANCE}),
    "20_anti_social_behaviour__asb_categories": (["Category", "Type"], rr.asb_categories,
                                                 {"Change": SIGNIFICANCE}),
    "20_anti_social_behaviour__asb_wards": (["Ward"], rr.asb_wards, {"Change": SIGNIFICANCE}),
    "30_places__top_squares_crime": (["rank"], rr.top_squares_crime,
                                     {"change": SIGNIFICANCE, "hotspot class": HOTSPOT}),
    "30_places__ward_profile": (["ward"], rr.ward_profile, {"change": SIGNIFICANCE}),
    "40_vawg_domestic_abuse__da_change": (["Measure"], rr.da_change, {"Change": SIGNIFICANCE}),
    "40_vawg_domestic_abuse__da_wards": (["Ward"], rr.da_wards, {}),
    "50_serious_violence__measures_change": (["Measure"], rr.serious_violence_change,
                                             {"Change": SIGNIFICANCE}),
    "60_hate_crime__hate_strands": (["strand"], rr.hate_strands, {}),
    "60_hate_crime__hate_total_change": (["Hate crime"], rr.hate_total_change,
                                         {"Change": SIGNIFICANCE}),
    "60_hate_crime__hate_wards": (["Ward"], rr.hate_wards, {}),
    "70_exploitation_drugs__measures_change": (["Measure"], rr.exploitation_change,
                                               {"Change": SIGNIFICANCE}),
    "70_exploitation_drugs__wards": (["ward"], rr.exploitation_wards, {}),
    "80_offending_reoffending__reoffending_latest": (
        ["cohort", "geography"], rr.reoffending_latest, {"lower": INTERVAL, "upper": INTERVAL}),
    "80_offending_reoffending__rj_referrals": (
        ["Geography", "Period"], rr.rj_referrals, {"95 % interval": TEXT, "Source": TEXT}),
    "85_public_perception__survey_latest": (
        ["Question"], rr.survey_latest, {"95 % interval": SURVEY, "Change": SURVEY}),
    "90_priorities__ranking": ([], lambda raw: {}, {"*": MATRIX}),
}

DERIVED_FIGURES: dict[str, str] = {
    "10_crime_overview/all_crime_significance": SIGNIFICANCE,
    "20_anti_social_behaviour/asb_significance": SIGNIFICANCE,
    "10_crime_overview/emerging_trends": FORECAST,
    "30_places/crime_persistent_squares": HOTSPOT,
    "30_places/crime_emerging_squares": HOTSPOT,
    "40_vawg_domestic_abuse/da_significance": SIGNIFICANCE,
    **{f"50_serious_violence/{name}": SIGNIFICANCE for name in (
        "police_uk_violence_sexual_offences_significance", "police_uk_robbery_significance",
        "police_uk_possession_of_weapons_significance", "knife_crime_p_value",
        "knife_crime_significance", "violence_with_injury_p_value",
        "violence_with_injury_significance", "serious_violence_under25_p_value",
        "serious_violence_under25_significance")},
    "60_hate_crime/hate_significance": SIGNIFICANCE,
    "70_exploitation_drugs/drug_trafficking_significance": SIGNIFICANCE,
    "70_exploitation_drugs/drug_possession_significance": SIGNIFICANCE,
    "80_offending_reoffending/rj_referrals_significance": SIGNIFICANCE,
    **{f"85_public_perception/survey:{question}:change": SURVEY
       for question in rr.SURVEY_LABELS},
    "10_crime_overview/prc_all_crime_against_msg": "test against the most similar group's "
    "mean rate (tests/unit/test_recorded_crime.py)",
    "90_priorities/*": MATRIX,
    "90_priorities/matrix_version": "version string of the priority matrix (configuration)",
}
"""Key figures (section/figure id) not recounted, and why."""


@pytest.fixture(scope="module")
def raw(raw_demo) -> rr.RawDemo:  # type: ignore[no-untyped-def]
    """The raw demo files, read once for every recount of this module."""
    return rr.RawDemo(raw_demo)


def same(shown: str | object, recounted: object) -> bool:
    """True if a snapshot value equals its recount (numbers to 1e-9 relative)."""
    if isinstance(shown, bool) or isinstance(recounted, bool):
        return shown == recounted
    try:
        return math.isclose(float(shown), float(recounted), rel_tol=1e-9)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(shown) == str(recounted)


def secondary_suppression(rows: list[dict[str, str]], column: str) -> bool:
    """True if ``column`` of a ward table with an 'All wards' total hides two or more cells,
    as secondary suppression must (one hidden cell beside a total could be worked out)."""
    has_total = any(row.get("Ward") == "All wards" for row in rows)
    return has_total and sum(row[column] == rr.SUPPRESSED for row in rows) >= 2


@pytest.mark.parametrize("name", list(TABLES))
def test_table_is_recounted(raw: rr.RawDemo, name: str) -> None:
    keys, recount_table, derived = TABLES[name]
    rows = snapshot_table(name)
    if "*" in derived:
        return  # every column derived (listed with its reason)
    recount = recount_table(raw)
    named = {"|".join(row[k] for k in keys): row for row in rows}
    problems = [f"row {key!r}: in the recount but not in the snapshot"
                for key in recount if key not in named]
    for key, row in named.items():
        if key not in recount:
            problems.append(f"row {key!r}: not recounted")
            continue
        for column, shown in row.items():
            if column in keys or column in derived:
                continue
            if column not in recount[key]:
                problems.append(f"row {key!r}, column {column!r}: neither recounted nor listed "
                                "as derived")
            elif not same(shown, recount[key][column]) and not (
                    shown == rr.SUPPRESSED and secondary_suppression(rows, column)):
                problems.append(f"row {key!r}, column {column!r}: snapshot {shown!r}, "
                                f"recount from the raw files {recount[key][column]!r}")
    assert not problems, f"table {name}:\n" + "\n".join(problems)


def test_key_figures_are_recounted(raw: rr.RawDemo) -> None:
    recount = rr.key_figures(raw)
    problems = []
    for section, figures in snapshot_key_figures().items():
        for name, figure in figures.items():
            if f"{section}/{name}" in DERIVED_FIGURES or f"{section}/*" in DERIVED_FIGURES:
                continue
            if name not in recount.get(section, {}):
                problems.append(f"{section}/{name}: neither recounted nor listed as derived")
            elif not same(figure["value"], recount[section][name]):
                problems.append(f"{section}/{name}: snapshot {figure['value']!r}, recount from "
                                f"the raw files {recount[section][name]!r}")
    assert not problems, "key figures:\n" + "\n".join(problems)


def test_derived_lists_name_only_snapshot_values() -> None:
    figures = snapshot_key_figures()
    stale = [key for key in DERIVED_FIGURES if not key.endswith("/*")
             and key.split("/", 1)[1] not in figures.get(key.split("/", 1)[0], {})]
    for name, (_keys, _recount, derived) in TABLES.items():
        columns = set(snapshot_table(name)[0])
        stale += [f"{name}: {column}" for column in derived if column not in columns | {"*"}]
    assert not stale, f"listed as derived but not in the snapshot: {stale}"


def test_ons_rule_by_hand() -> None:
    shown = [rr.ons_publish(n) for n in (0, 9, 10, 12, 13, 2502, 2503, 20947)]
    assert shown == ["[c]", "[c]", 10, 10, 15, 2500, 2505, 20945]


def test_changes_by_hand() -> None:
    assert rr.percent_change(19751, 20947) == 6.1
    assert rr.change_row(45, 25) == {"2023/24": 45, "2024/25": 25, "# diff.": -20,
                                     "% diff.": -44.4}
    assert rr.published_change_row(12, 7) == {"2023/24": 10, "2024/25": "[c]"}
    assert rr.financial_year("2025-03") == "2024/25" and rr.financial_year("2024-04") == "2024/25"
    assert rr.position_words(1, 4) == "highest of 4"
    assert rr.position_words(3, 4) == "third highest of 4"
    assert rr.position_words(4, 4) == "lowest of 4"


def test_secondary_suppression_needs_a_total_and_two_hidden_cells() -> None:
    one = [{"Ward": "A", "x": "[c]"}, {"Ward": "B", "x": "110"}, {"Ward": "All wards", "x": "120"}]
    two = [{"Ward": "A", "x": "[c]"}, {"Ward": "B", "x": "[c]"}, {"Ward": "All wards", "x": "120"}]
    assert not secondary_suppression(one, "x")
    assert secondary_suppression(two, "x")
    assert not secondary_suppression(two[:2], "x")
