"""Priority matrix: scoring rules, weighted mean with missing dimensions, ties, ranking,
sensitivity, configuration and the figures taken from small hand-made stores."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core import priority_matrix
from analysis.core.errors import ConfigError
from analysis.core.periods import Period
from analysis.sections import priorities
from analysis.stats import priority_scores

CURRENT = Period.parse("2024-25")
PREVIOUS = CURRENT.previous()


def _matrix(weights: dict[str, float], *, top_n: int = 5, min_coverage: float = 0.5
            ) -> priority_matrix.PriorityMatrix:
    """The default matrix with every weight set (dimensions not named get weight 0)."""
    all_weights = {name: weights.get(name, 0.0) for name in priority_matrix.DIMENSIONS}
    return priority_matrix.apply_override(
        priority_matrix.default_matrix(),
        priority_matrix.PriorityOverride(
            weights=all_weights, top_n=top_n, min_coverage=min_coverage
        ),
    )


def _audit(scores: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A minimal audit trail: issue -> {dimension: score}; unnamed dimensions are missing."""
    rows = [
        {
            "issue_id": issue,
            "issue": issue.upper(),
            "dimension": dimension,
            "score": given.get(dimension, math.nan),
        }
        for issue, given in scores.items()
        for dimension in priority_matrix.DIMENSIONS
    ]
    return pd.DataFrame(rows)


# --- scoring rules -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"), [(0.4, 1), (0.5, 2), (1.99, 2), (2, 3), (14.9, 4), (15, 5), (1000, 5)]
)
def test_band_score_counts_the_cutoffs_reached(value: float, expected: int) -> None:
    score, rule = priority_scores.band_score(value, [0.5, 2, 5, 15])
    assert score == expected
    assert rule.endswith(f"-> {expected}")


def test_band_score_of_a_missing_figure_is_missing_not_one() -> None:
    score, rule = priority_scores.band_score(math.nan, [0.5, 2, 5, 15])
    assert math.isnan(score) and "missing" in rule


@pytest.mark.parametrize(
    ("label", "pct", "expected"),
    [
        ("significant increase", 25.0, 5),
        ("significant increase", 20.0, 5),
        ("significant increase", 13.5, 4),
        ("no significant change", 30.0, 3),
        ("significant decrease", -10.0, 2),
        ("significant decrease", -20.0, 1),
    ],
)
def test_change_score_follows_the_test_and_size(label: str, pct: float, expected: int) -> None:
    assert priority_scores.change_score(label, pct, 20)[0] == expected


def test_change_rule_says_the_change_is_relative() -> None:
    assert priority_scores.change_score("significant increase", 13.5, 20)[1] == (
        "significant increase, +13.5 % on the comparison period's count (under 20 % more) -> 4")
    assert priority_scores.change_score("no significant change", -2.1, 20)[1] == (
        "no significant change, -2.1 % on the comparison period's count -> 3")
    assert priority_scores.change_score("significant decrease", -25.0, 20)[1] == (
        "significant decrease, -25 % on the comparison period's count (at least 20 % fewer) -> 1")


def test_change_not_assessed_is_missing() -> None:
    assert math.isnan(priority_scores.change_score("not assessed", math.nan, 20)[0])


@pytest.mark.parametrize(
    ("label", "ratio", "expected"),
    [
        ("significantly higher", 1.46, 5),
        ("significantly higher", 1.1, 4),
        ("not significantly different", 1.3, 3),
        ("significantly lower", 0.9, 2),
        ("significantly lower", 0.8, 1),
    ],
)  # 1 / 1.2 = 0.833, so 0.8 is a large difference
def test_comparison_score(label: str, ratio: float, expected: int) -> None:
    assert priority_scores.comparison_score(label, ratio, 1.2)[0] == expected


# --- weighted score and ranking: a hand-worked example of three issues ---------------------
# Weights volume 2, trend 1, harm 1 (the others 0).
#   A: volume 5, trend 4, harm 3  -> (2*5 + 4 + 3) / 4 = 17 / 4 = 4.25, coverage 4/4 = 1
#   B: volume 3, trend 5, harm -  -> (2*3 + 5) / 3  = 11 / 3 = 3.667, coverage 3/4 = 0.75
#   C: harm 5 only                -> 5 / 1 = 5.0,                     coverage 1/4 = 0.25
# With min_coverage 0.5, C has too little evidence: A ranks 1, B 2, C unranked.
THREE = {
    "A": {"volume": 5, "trend": 4, "harm": 3},
    "B": {"volume": 3, "trend": 5},
    "C": {"harm": 5},
}
WEIGHTS = {"volume": 2, "trend": 1, "harm": 1}


def test_hand_worked_three_issues() -> None:
    table = priority_scores.ranking(_audit(THREE), _matrix(WEIGHTS)).set_index("issue_id")
    assert table.loc["A", "score"] == pytest.approx(4.25)
    assert table.loc["B", "score"] == pytest.approx(11 / 3)
    assert table.loc["C", "score"] == pytest.approx(5.0)
    assert table["coverage"].to_dict() == pytest.approx({"A": 1.0, "B": 0.75, "C": 0.25})
    assert table.loc["A", "rank"] == 1 and table.loc["B", "rank"] == 2
    assert pd.isna(table.loc["C", "rank"])
    assert list(table.index) == ["A", "B", "C"]  # ranked first, unranked last


def test_missing_dimension_is_left_out_not_scored_zero() -> None:
    scores = priority_scores.wide_scores(_audit(THREE))
    totals = priority_scores.weighted_scores(scores, WEIGHTS)
    # As zero, B would be (2*3 + 5 + 0) / 4 = 2.75; left out it is 11 / 3.
    assert totals.loc["B", "score"] == pytest.approx(11 / 3)
    assert totals.loc["B", "score"] != pytest.approx(2.75)


def test_weights_may_sum_to_anything() -> None:
    scores = priority_scores.wide_scores(_audit(THREE))
    small = priority_scores.weighted_scores(scores, WEIGHTS)
    large = priority_scores.weighted_scores(scores, {k: 10 * v for k, v in WEIGHTS.items()})
    pd.testing.assert_frame_equal(small, large)


def test_all_zero_weights_are_refused() -> None:
    scores = priority_scores.wide_scores(_audit(THREE))
    with pytest.raises(ConfigError):
        priority_scores.weighted_scores(scores, dict.fromkeys(priority_matrix.DIMENSIONS, 0.0))
    with pytest.raises(ConfigError):
        _matrix({})


def test_min_coverage_zero_ranks_thin_issues() -> None:
    table = priority_scores.ranking(_audit(THREE), _matrix(WEIGHTS, min_coverage=0)).set_index(
        "issue_id"
    )
    assert table["rank"].to_dict() == {"C": 1, "A": 2, "B": 3}


def test_equal_scores_share_a_place_and_the_next_place_is_skipped() -> None:
    # D and E both score (4 + 2) / 2 = 3 and 0.1 + 0.2 vs 0.3 style rounding must not split
    # them; F scores 2.
    audit = _audit(
        {
            "D": {"volume": 4, "trend": 2},
            "E": {"volume": 2, "trend": 4},
            "F": {"volume": 2, "trend": 2},
        }
    )
    table = priority_scores.ranking(audit, _matrix({"volume": 1, "trend": 1})).set_index("issue_id")
    assert table["rank"].to_dict() == {"D": 1, "E": 1, "F": 3}


def test_floating_point_noise_does_not_break_a_tie() -> None:
    totals = pd.DataFrame({"score": [0.1 + 0.2, 0.3], "coverage": [1.0, 1.0]}, index=["x", "y"])
    assert priority_scores.rank_scores(totals, 0.5).tolist() == [1, 1]


# Comparable dimensions: with weights volume 1, trend 1, peer 1 and no issue holding a trend
# (the comparison period is not held), trend leaves every issue's coverage alike:
#   P: volume 4, peer 2 -> 3.0, coverage 2/2 = 1 ; Q: volume 5 -> 5.0, coverage 1/2 = 0.5
#   R: nothing -> unranked. Counting trend, P would have 2/3 and Q 1/3 (unranked).
def test_a_dimension_no_issue_has_is_left_out_of_coverage_for_all() -> None:
    audit = _audit({"P": {"volume": 4, "peer_position": 2}, "Q": {"volume": 5}, "R": {}})
    matrix = _matrix({"volume": 1, "trend": 1, "peer_position": 1}, min_coverage=0.5)
    assert (
        priority_scores.comparable_weights(priority_scores.wide_scores(audit), matrix.weights)[
            "trend"
        ]
        == 0
    )
    table = priority_scores.ranking(audit, matrix).set_index("issue_id")
    assert table["coverage"].to_dict() == pytest.approx({"P": 1.0, "Q": 0.5, "R": 0.0})
    assert table.loc["Q", "rank"] == 1 and table.loc["P", "rank"] == 2
    assert pd.isna(table.loc["R", "rank"])
    assert priority_scores.not_assessed_dimensions(audit) == [
        "trend",
        "harm",
        "cost",
        "vulnerability",
        "public_concern",
    ]


def test_left_out_lists_each_missing_dimension_with_its_reason_in_order() -> None:
    audit = _audit({"P": {"volume": 4, "peer_position": 2}}).assign(note="")
    audit.loc[audit["dimension"] == "harm", "note"] = "only 40 of 100 crimes (40 %) weighted"
    audit.loc[audit["dimension"] == "trend", "note"] = "the comparison period (2021) is not held"
    text = priority_scores.left_out(audit).loc["P"]
    assert text.startswith(
        "Trend: the comparison period (2021) is not held; Harm: only 40 of "
        "100 crimes (40 %) weighted; Cost: no figure"
    )


def test_harm_is_left_out_when_too_few_crimes_are_weighted() -> None:
    # Robbery 1 a month (weight 746.543), burglary 10 a month (no weight in the shipped table)
    counts = _evidence().counts
    robbery = counts.assign(crime_type="Robbery", count=1)
    mixed = priority_matrix.IssueSpec(
        id="m", name="M", police_uk_crime_types=["Robbery", "Burglary"]
    )
    figures = _by_dimension(
        priorities.police_uk_figures(
            mixed, _evidence(counts=pd.concat([counts, robbery])), CURRENT, PREVIOUS
        )
    )
    # 12 of 132 crimes weighted = 9 %, under 80 %: harm left out, saying so.
    assert math.isnan(figures["harm"]["value"])
    assert figures["harm"]["note"] == (
        "only 12 of 132 crimes (9 %) weighted, under the 80 % needed (no weight in the table "
        "used (ONS CSS 2016 original weights) for the rest)"
    )
    only_robbery = priority_matrix.IssueSpec(id="r", name="R", police_uk_crime_types=["Robbery"])
    figures = _by_dimension(
        priorities.police_uk_figures(only_robbery, _evidence(counts=robbery), CURRENT, PREVIOUS)
    )
    # 12 robberies x 746.543 / 1,000 residents x 1,000 = 8,958.516 days per 1,000.
    assert figures["harm"]["value"] == pytest.approx(8_958.516)
    assert figures["harm"]["detail"] == (
        "8,959 severity-weighted days per 1,000 residents; 12 of 12 crimes (100 %) weighted"
    )
    assert figures["cost"]["note"].startswith(
        "none of the 12 crimes can be valued: no unit cost in the table used"
    )


def test_ranking_is_reproducible_whatever_the_row_order() -> None:
    audit = _audit(THREE)
    matrix = _matrix(WEIGHTS)
    first = priority_scores.ranking(audit, matrix)
    shuffled = priority_scores.ranking(audit.sample(frac=1, random_state=3), matrix)
    pd.testing.assert_frame_equal(first, shuffled)


# --- sensitivity ---------------------------------------------------------------------------
# Weights volume 1, trend 1, each moved 25 % up and down (5 weightings in all):
#   X (5, 2), Y (3, 3), Z (1, 5)
#   base          X 3.5,   Y 3, Z 3      -> X 1, Y 2, Z 2
#   volume x1.25  X 3.667, Y 3, Z 2.778  -> X 1, Y 2, Z 3
#   volume x0.75  X 3.286, Y 3, Z 3.286  -> X 1, Z 1, Y 3
#   trend x1.25   X 3.333, Y 3, Z 3.222  -> X 1, Z 2, Y 3
#   trend x0.75   X 3.714, Y 3, Z 2.714  -> X 1, Y 2, Z 3
def test_sensitivity_rank_ranges_and_robustness() -> None:
    audit = _audit(
        {
            "X": {"volume": 5, "trend": 2},
            "Y": {"volume": 3, "trend": 3},
            "Z": {"volume": 1, "trend": 5},
        }
    )
    matrix = _matrix({"volume": 1, "trend": 1}, top_n=1)
    table = priority_scores.sensitivity(audit, matrix).set_index("issue_id")
    assert table.loc["X", ["rank", "best_rank", "worst_rank"]].tolist() == [1, 1, 1]
    assert table.loc["Y", ["rank", "best_rank", "worst_rank"]].tolist() == [2, 2, 3]
    assert table.loc["Z", ["rank", "best_rank", "worst_rank"]].tolist() == [2, 1, 3]
    assert table["robust"].to_dict() == {"X": True, "Y": False, "Z": False}
    assert (table["weightings"] == 5).all()


def test_weightings_skip_zero_weights() -> None:
    tested = priority_scores.weightings({"volume": 2.0, "trend": 0.0}, 0.25)
    assert [label for label, _ in tested] == ["base", "volume up 25%", "volume down 25%"]
    assert tested[1][1]["volume"] == pytest.approx(2.5)
    assert tested[2][1]["volume"] == pytest.approx(1.5)


# --- configuration -------------------------------------------------------------------------
def test_default_matrix_has_every_dimension_and_the_brief_issues() -> None:
    matrix = priority_matrix.default_matrix()
    assert set(matrix.dimensions) == set(priority_matrix.DIMENSIONS)
    ids = {issue.id for issue in matrix.issues}
    assert {
        "violence_and_sexual_offences",
        "burglary",
        "anti_social_behaviour",
        "domestic_abuse",
        "knife_crime",
        "hate_crime",
        "drugs",
        "child_sexual_exploitation",
        "adult_reoffending",
    } <= ids


def _write_override(root: Path, text: str) -> None:
    folder = root / "config" / "priorities"
    folder.mkdir(parents=True)
    (folder / "x.yaml").write_text(text, encoding="utf-8")


def test_no_override_file_means_the_defaults(tmp_path: Path) -> None:
    matrix, used = priority_matrix.load_priority_matrix("x", tmp_path)
    assert used is None and matrix == priority_matrix.default_matrix()


def test_override_changes_weights_and_adds_a_local_issue(tmp_path: Path) -> None:
    _write_override(
        tmp_path,
        """
weights: {harm: 3}
top_n: 3
exclude_issues: [shoplifting]
local_issues:
  - id: car_cruising
    name: Car cruising (public order)
    police_uk_crime_types: [Public order]
""",
    )
    matrix, used = priority_matrix.load_priority_matrix("x", tmp_path)
    assert used == tmp_path / "config" / "priorities" / "x.yaml"
    assert matrix.dimensions["harm"].weight == 3 and matrix.top_n == 3
    ids = [issue.id for issue in matrix.issues]
    assert "car_cruising" in ids and "shoplifting" not in ids


@pytest.mark.parametrize(
    "text",
    [
        "weigths: {harm: 3}",  # misspelt key
        "weights: {severity: 3}",  # unknown dimension
        "cutoffs: {volume: [5, 2, 1, 0]}",  # cut-offs not rising
        "exclude_issues: [no_such_issue]",
        "local_issues: [{id: x, name: X, asb: true, partner_flag: hate}]",  # two sources
        "local_issues: [{id: x, name: X, police_uk_crime_types: [Burglarly]}]",
    ],
)
def test_bad_overrides_are_errors_naming_the_file(tmp_path: Path, text: str) -> None:
    _write_override(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        priority_matrix.load_priority_matrix("x", tmp_path)
    assert "x.yaml" in str(caught.value)


# --- figures from hand-made inputs ---------------------------------------------------------
def _months(period: Period) -> list[date]:
    return list(period.months)


def _evidence(**changes: object) -> priorities.Evidence:
    """Area A (population 1,000) and peer B (2,000): 10 burglaries a month in A this year,
    5 a month last year; 10 a month in B both years."""
    rows = []
    for month in _months(CURRENT):
        rows += [("A", month, 10), ("B", month, 10)]
    for month in _months(PREVIOUS):
        rows += [("A", month, 5), ("B", month, 10)]
    counts = pd.DataFrame(rows, columns=["csp_code", "month", "count"]).assign(
        crime_type="Burglary"
    )
    populations = pd.DataFrame(
        {
            "area_code": ["A", "B", "F"],
            "area_name": ["A", "B", "Force"],
            "area_level": ["CSP", "CSP", "PFA"],
            "population": [1000, 2000, 3000],
            "population_vintage": "test",
        }
    )
    base = {
        "area_code": "A",
        "peer_codes": ("B",),
        "force_code": "F",
        "counts": counts,
        "available_months": tuple(_months(PREVIOUS) + _months(CURRENT)),
        "populations": populations,
        "crimes": None,
        "indicators": None,
    }
    return priorities.Evidence(**(base | changes))


def _by_dimension(figures: list[dict]) -> dict[str, dict]:
    return {figure["dimension"]: figure for figure in figures}


BURGLARY = priority_matrix.IssueSpec(
    id="burglary", name="Burglary", police_uk_crime_types=["Burglary"]
)


def test_police_uk_figures_hand_counted() -> None:
    figures = _by_dimension(priorities.police_uk_figures(BURGLARY, _evidence(), CURRENT, PREVIOUS))
    # 120 burglaries in the year / 1,000 residents x 1,000 = 120 per 1,000.
    assert figures["volume"]["value"] == pytest.approx(120.0)
    # 60 -> 120 is +100.0 %, far beyond chance.
    assert figures["trend"]["value"] == pytest.approx(100.0)
    assert figures["trend"]["test"] == "significant increase"
    assert figures["trend"]["also_in"] == priorities.CRIME_TYPE_TABLE
    # A 120 per 1,000 against B's 120 / 2,000 x 1,000 = 60: ratio 2.
    assert figures["peer_position"]["value"] == pytest.approx(2.0)
    assert figures["peer_position"]["test"] == "significantly higher"
    # Burglary has no police.uk severity weight or unit cost; no victim details.
    for dimension in ("harm", "cost", "vulnerability"):
        assert math.isnan(figures[dimension]["value"]) and figures[dimension]["note"]


def test_an_incomplete_period_annualises_volume_and_compares_peers_on_the_months_held() -> None:
    held = tuple(m for m in _months(PREVIOUS) + _months(CURRENT) if m != date(2024, 6, 1))
    figures = _by_dimension(
        priorities.police_uk_figures(BURGLARY, _evidence(available_months=held), CURRENT, PREVIOUS)
    )
    # 11 months held x 10 burglaries = 110; 110 / 1,000 x 1,000 x 12 / 11 = 120 a year.
    assert figures["volume"]["value"] == pytest.approx(120.0)
    assert "annualised from the 11 months" in figures["volume"]["detail"]
    # Over the same 11 months: A 110 / 1,000 against B 110 / 2,000 -> ratio 2.
    assert figures["peer_position"]["value"] == pytest.approx(2.0)
    assert "over the 11 months" in figures["peer_position"]["detail"]
    # The trend is like for like on the 11 month pairs held in both: 11 x 5 = 55 against 110.
    assert figures["trend"]["value"] == pytest.approx(100.0)
    assert figures["trend"]["detail"].startswith(
        "55 -> 110 crimes (100 %, like for like on the 11 months held in both periods)"
    )
    for dimension in ("harm", "cost"):
        assert math.isnan(figures[dimension]["value"]), dimension
        assert figures[dimension]["note"], dimension


def test_too_few_months_held_leaves_volume_out_saying_why() -> None:
    held = tuple(_months(PREVIOUS) + _months(CURRENT)[:5])
    figures = _by_dimension(
        priorities.police_uk_figures(BURGLARY, _evidence(available_months=held), CURRENT, PREVIOUS)
    )
    assert math.isnan(figures["volume"]["value"])
    assert figures["volume"]["note"] == (
        "only 5 of 12 months of 2024/25 held; at least 6 are needed to annualise"
    )
    assert figures["peer_position"]["value"] == pytest.approx(2.0)  # still like for like


def test_comparison_period_not_held_is_named_in_the_trend_note() -> None:
    figures = _by_dimension(
        priorities.police_uk_figures(
            BURGLARY, _evidence(available_months=tuple(_months(CURRENT))), CURRENT, PREVIOUS
        )
    )
    assert figures["trend"]["note"] == "the comparison period (2023/24) is not held"


def test_no_population_leaves_rates_missing() -> None:
    figures = _by_dimension(
        priorities.police_uk_figures(BURGLARY, _evidence(populations=None), CURRENT, PREVIOUS)
    )
    assert math.isnan(figures["volume"]["value"])
    assert figures["volume"]["note"] == "no population is configured"
    assert figures["trend"]["test"] == "significant increase"  # counts alone suffice


def _crimes() -> pd.DataFrame:
    """Partner crimes in A: this year two DA assaults with injury (8N), one hate public-order
    offence with a child victim and two burglaries; last year one DA assault and one
    burglary. The first and last rows make the extract span April 2023 to March 2025."""
    return pd.DataFrame(
        {
            "committed_from": pd.to_datetime(
                [
                    "2023-04-02",
                    "2024-05-03",
                    "2024-07-09",
                    "2024-08-01",
                    "2024-09-30",
                    "2023-06-01",
                    "2025-03-15",
                ]
            ),
            "offence_code": ["28E", "8N", "8N", "9A", "28E", "8N", "28E"],
            "offence_subgroup": [
                "Residential burglary",
                "Violence with injury",
                "Violence with injury",
                "Public order offences",
                "Residential burglary",
                "Violence with injury",
                "Residential burglary",
            ],
            "offence_group": [
                "Theft offences",
                "Violence against the person",
                "Violence against the person",
                "Public order offences",
                "Theft offences",
                "Violence against the person",
                "Theft offences",
            ],
            "domestic_abuse": pd.array(
                [False, True, True, False, False, True, False], dtype="boolean"
            ),
            "knife_sharp_instrument": pd.array([False] * 7, dtype="boolean"),
            "child_sexual_exploitation": pd.array([False] * 7, dtype="boolean"),
            "hate_strands": ["", "", "", "race", "", "", ""],
            "victim_age_band": ["35-44", "25-34", None, "0-17", "45-54", "25-34", "35-44"],
            "csp_code": ["A"] * 7,
        }
    )


def test_partner_selection_by_flag_hate_and_crime_type() -> None:
    crimes = _crimes()
    da = priority_matrix.IssueSpec(id="da", name="DA", partner_flag="domestic_abuse")
    hate = priority_matrix.IssueSpec(id="hate", name="Hate", partner_flag="hate")
    vso = priority_matrix.IssueSpec(
        id="v", name="V", police_uk_crime_types=["Violence and sexual offences"]
    )
    assert priorities.partner_selection(da, crimes).tolist() == [
        False,
        True,
        True,
        False,
        False,
        True,
        False,
    ]
    assert priorities.partner_selection(hate, crimes).tolist() == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
    ]
    assert (
        priorities.partner_selection(vso, crimes).tolist()
        == priorities.partner_selection(da, crimes).tolist()
    )
    assert priorities.partner_selection(BURGLARY, crimes).tolist() == [
        True,
        False,
        False,
        False,
        True,
        False,
        True,
    ]


def test_partner_figures_for_domestic_abuse() -> None:
    da = priority_matrix.IssueSpec(id="da", name="DA", partner_flag="domestic_abuse")
    figures = _by_dimension(
        priorities.partner_figures(da, _evidence(crimes=_crimes()), CURRENT, PREVIOUS)
    )
    # 2 DA crimes this year / 1,000 residents = 2.0 per 1,000; 1 -> 2 (+100 %), too few to
    # be significant.
    assert figures["volume"]["value"] == pytest.approx(2.0)
    assert figures["trend"]["test"] == "no significant change"
    # Harm: 2 x 184.099 (8N weight) / 1,000 x 1,000 = 368.198 per 1,000.
    assert figures["harm"]["value"] == pytest.approx(368.198)
    # Cost: 2 x 14,050 (violence with injury) = 28,100 per 1,000.
    assert figures["cost"]["value"] == pytest.approx(28100.0)
    # Domestic abuse is left out of the DA issue's vulnerability (it would be 100 % by
    # definition): neither DA crime this year has a child victim or a CSE flag -> 0 %.
    assert figures["vulnerability"]["value"] == pytest.approx(0.0)
    assert "domestic abuse left out as circular" in figures["vulnerability"]["detail"]
    assert math.isnan(figures["peer_position"]["value"])


def test_child_sexual_exploitation_vulnerability_leaves_out_its_circular_parts() -> None:
    # Every CSE crime has a child victim by definition: only the DA flag is left to measure.
    cse = priority_matrix.IssueSpec(id="cse", name="CSE", partner_flag="child_sexual_exploitation")
    crimes = _crimes().assign(
        child_sexual_exploitation=pd.array([False] * 6 + [True], dtype="boolean"),
        domestic_abuse=pd.array([False] * 6 + [True], dtype="boolean"),
    )
    figures = _by_dimension(
        priorities.partner_figures(cse, _evidence(crimes=crimes), CURRENT, PREVIOUS)
    )
    # The one CSE crime of 2024/25 (March 2025) is flagged DA: 1 of 1 = 100 %.
    assert figures["vulnerability"]["value"] == pytest.approx(100.0)
    assert figures["vulnerability"]["detail"] == (
        "1 of 1 crimes (100 %) with domestic abuse; a victim under 18 and child sexual "
        "exploitation left out as circular"
    )


def test_vulnerability_counts_children_and_flags_once() -> None:
    vso_and_order = priority_matrix.IssueSpec(
        id="x",
        name="X",
        offence_groups=["Violence against the person", "Public order offences", "Theft offences"],
    )
    figures = _by_dimension(
        priorities.partner_figures(vso_and_order, _evidence(crimes=_crimes()), CURRENT, PREVIOUS)
    )
    # This year: 2 DA + 1 child victim of 5 crimes = 60 %.
    assert figures["vulnerability"]["value"] == pytest.approx(60.0)


def test_partner_extract_not_covering_the_period_leaves_counts_missing() -> None:
    da = priority_matrix.IssueSpec(id="da", name="DA", partner_flag="domestic_abuse")
    short = _crimes().iloc[1:6]  # June 2023 to September 2024 only
    figures = _by_dimension(
        priorities.partner_figures(da, _evidence(crimes=short), CURRENT, PREVIOUS)
    )
    for dimension in ("volume", "harm", "cost", "vulnerability"):
        assert math.isnan(figures[dimension]["value"]), dimension
    # The trend is like for like on the months the extract holds in both years (Jun-Sep).
    assert figures["trend"]["detail"].startswith(
        "1 -> 1 crimes (0 %, like for like on the 4 months held in both periods)"
    )


def test_indicator_figures_for_reoffending() -> None:
    indicators = pd.DataFrame(
        {
            "indicator": ["proven_reoffending_adult"] * 3,
            "area": ["A", "A", "F"],
            "period": ["2021-22", "2022-23", "2022-23"],
            "value": [25.8, 27.1, 25.3],
            "numerator": [258.0, 271.0, 1012.0],
            "denominator": [1000.0, 1000.0, 4000.0],
            "note": [None] * 3,
            "source": ["MoJ"] * 3,
        }
    )
    issue = priority_matrix.IssueSpec(id="r", name="R", indicator="proven_reoffending_adult")
    figures = _by_dimension(
        priorities.indicator_figures(issue, _evidence(indicators=indicators), "2024-25")
    )
    # 25.8 % -> 27.1 %: relative change (0.271 / 0.258 - 1) x 100 = 5.0388 %.
    assert figures["trend"]["value"] == pytest.approx(5.0388, abs=1e-4)
    assert figures["trend"]["test"] == "no significant change"
    # 27.1 % against the force's 25.3 %: ratio 0.271 / 0.253 = 1.0711.
    assert figures["peer_position"]["value"] == pytest.approx(1.0711, abs=1e-4)
    assert figures["peer_position"]["test"] == "not significantly different"
    assert math.isnan(figures["volume"]["value"])


def test_collect_and_score_give_seven_dimensions_per_issue() -> None:
    matrix = priority_matrix.apply_override(
        priority_matrix.default_matrix(),
        priority_matrix.PriorityOverride(
            exclude_issues=[
                i.id for i in priority_matrix.default_matrix().issues if i.id != "burglary"
            ]
        ),
    )
    audit = priority_scores.score_figures(
        priorities.collect_figures(matrix, _evidence(), CURRENT, "2024-25"), matrix
    )
    assert audit["dimension"].tolist() == list(priority_matrix.DIMENSIONS)
    scores = audit.set_index("dimension")["score"]
    assert scores["volume"] == 5 and scores["trend"] == 5 and scores["peer_position"] == 5
    assert scores[["harm", "cost", "vulnerability", "public_concern"]].isna().all()
    assert audit.set_index("dimension").loc["harm", "rule"].startswith("missing:")


def test_findings_name_dimensions_not_assessed_and_a_single_dimension_ranking() -> None:
    plan = pd.DataFrame(
        {
            "Rank": [1],
            "Priority": ["Vehicle crime"],
            "Weighted score": [5.0],
            "Stability": ["holds under every tested weighting"],
        }
    )
    table = pd.DataFrame({"issue": ["Vehicle crime", "Domestic abuse"], "rank": [1, pd.NA]})
    only_peers = [d for d in priority_matrix.DIMENSIONS if d != "peer_position"]
    sentences = priorities.describe_priorities(plan, table, only_peers)
    assert sentences[-1] == (
        "Not assessed for any issue, so left out of every score: Volume, Trend, Harm, Cost, "
        "Vulnerability, Public concern (see the audit trail for why). The ranking rests on "
        "one dimension only (Position against peers): read it as indicative."
    )
    assert "Too little evidence to rank: Domestic abuse." in sentences
    assert priorities.describe_priorities(plan, table) == sentences[:-1]


def test_override_sets_the_coverage_and_months_rules() -> None:
    matrix = priority_matrix.apply_override(
        priority_matrix.default_matrix(),
        priority_matrix.PriorityOverride(min_weighted_share=0.05, min_months_held=12),
    )
    assert (matrix.min_weighted_share, matrix.min_months_held) == (0.05, 12)
    rules = priorities.FigureRules.of(matrix)
    counts = _evidence().counts
    mixed = priority_matrix.IssueSpec(
        id="m", name="M", police_uk_crime_types=["Robbery", "Burglary"]
    )
    evidence = _evidence(counts=pd.concat([counts, counts.assign(crime_type="Robbery", count=1)]))
    figures = _by_dimension(priorities.police_uk_figures(mixed, evidence, CURRENT, PREVIOUS, rules))
    # 12 of 132 crimes (9 %) weighted reaches 5 %: 12 x 746.543 / 1,000 x 1,000 = 8,958.516
    assert figures["harm"]["value"] == pytest.approx(8_958.516)
    assert priority_matrix.default_matrix().min_weighted_share == 0.8


# --- the page: header, tables, Findings and key figures -------------------------------------
def _burglary_only() -> priority_matrix.PriorityMatrix:
    return priority_matrix.apply_override(
        priority_matrix.default_matrix(),
        priority_matrix.PriorityOverride(
            exclude_issues=[
                i.id for i in priority_matrix.default_matrix().issues if i.id != "burglary"
            ]
        ),
    )


def _inputs(evidence: priorities.Evidence) -> priorities.PriorityInputs:
    return priorities.PriorityInputs(
        matrix=_burglary_only(),
        evidence=evidence,
        current=CURRENT,
        previous=PREVIOUS,
        period_text="2024-25",
        area_name="Area A",
        sources=[],
        caveats=[],
    )


def test_priority_sources_name_each_input_and_the_override() -> None:
    matrix = priority_matrix.default_matrix()
    sources = priorities.priority_sources(matrix, _evidence(), "Test Police", None)
    assert sources == [
        "data.police.uk street-level crime and ASB, Test Police, Apr 2023 to Mar 2025 "
        "(24 months); Open Government Licence v3.0",
        "Population: test",
        f"Priority matrix version {matrix.version} (reference/priority_matrix.yaml)",
    ]
    with_extracts = _evidence(crimes=_crimes(), indicators=pd.DataFrame(), populations=None)
    sources = priorities.priority_sources(
        matrix, with_extracts, "Test Police", "config/priorities/a.yaml"
    )
    assert sources[1:] == [
        "Partner crimes extract",
        "Partner indicators extract",
        "Population: none configured",
        f"Priority matrix version {matrix.version} (reference/priority_matrix.yaml) with the "
        "area's changes in config/priorities/a.yaml",
    ]


def test_scales_table_declares_process_numbers_and_names_the_version() -> None:
    matrix = _matrix({"volume": 1.0}, min_coverage=0.5)
    table = priorities.scales_table(matrix)
    assert (table.name, table.source) == ("dimension_scales", "process")
    assert table.caption == (
        f"Dimensions, weights and scales (matrix version {matrix.version};"
        " issues need 50% of the weight to be ranked)"
    )
    pd.testing.assert_frame_equal(table.frame, priorities.dimension_scales(matrix))


def test_priority_key_figures_keep_the_top_issues_with_ties_at_the_cut() -> None:
    table = pd.DataFrame(
        {
            "issue_id": ["a", "b", "c", "d"],
            "issue": ["A", "B", "C", "D"],
            "rank": [1, 2, 2, pd.NA],
            "score": [4.456, 3.5, 3.5, 2.0],
        }
    )
    figures = priorities.priority_key_figures(table, _matrix({"volume": 1.0}, top_n=2))
    assert figures == [
        ("priority:a", 4.46, "Priority 1: A (weighted score)"),
        ("priority:b", 3.5, "Priority 2: B (weighted score)"),
        ("priority:c", 3.5, "Priority 2: C (weighted score)"),
        ("top_priorities", "1. A; 2. B; 2. C", "Top three priorities"),
        ("matrix_version", priority_matrix.default_matrix().version, "Priority matrix version"),
    ]


def test_priority_findings_state_no_test_and_mark_what_was_not_assessed() -> None:
    plan = pd.DataFrame(
        {
            "Rank": [1],
            "Priority": ["Vehicle crime"],
            "Weighted score": [5.0],
            "Stability": ["holds under every tested weighting"],
        }
    )
    table = pd.DataFrame({"issue": ["Vehicle crime", "Domestic abuse"], "rank": [1, pd.NA]})
    findings = priorities.priority_findings(
        plan, table, iter(["trend"]), top_figures=["priority:vehicle"]
    )
    assert [f.statement for f in findings] == priorities.describe_priorities(plan, table, ["trend"])
    assert [(f.direction, f.significance, f.figures) for f in findings] == [
        ("–", "no test stated", ("priority:vehicle",)),  # the top priorities
        ("–", "no test stated", ()),  # robust
        ("–", "no test stated", ()),  # too little evidence to rank
        ("–", "not assessed", ()),
    ]  # trend not assessed for any issue
    nothing = priorities.priority_findings(plan.iloc[0:0], table)
    assert [(f.statement, f.significance) for f in nothing] == [
        ("No issue had enough evidence to be ranked.", "not assessed")
    ]


def test_priorities_page_ranks_and_finds_on_the_evidence() -> None:
    page = priorities.priorities_page(_inputs(_evidence()))
    [notice, plan] = page.plan
    # No plan file: the page says what the partnership fills in; only evidence columns.
    assert "has not filled in its plan" in notice.data and "Lead partner" in notice.data
    assert "Lead partner" not in plan.frame.columns
    assert plan.frame["Legal duty"].tolist() == [
        "Crime and Disorder Act 1998 s.6 (crime and disorder strategy) and s.17"]
    assert plan.name == "plan_on_a_page"
    assert plan.caption == "Plan on a page: top priorities for Area A, 2024/25"
    assert plan.frame["Priority"].tolist() == ["Burglary"]
    assert (page.ranking.name, page.audit.name) == ("ranking", "audit_trail")
    assert page.ranking.frame["Issue"].tolist() == ["Burglary"]
    assert page.key_figures[0] == (
        "priority:burglary",
        5.0,
        "Priority 1: Burglary (weighted score)",
    )
    assert page.findings[0].figures == ("priority:burglary",)
    # Harm, cost, vulnerability and concern have no figure for the only issue.
    assert page.findings[-1].significance == "not assessed"


def test_priorities_page_without_months_says_nothing_could_be_ranked() -> None:
    page = priorities.priorities_page(_inputs(_evidence(available_months=())))
    [notice] = page.plan
    assert "No issue has enough evidence to be ranked for 2024/25." in notice.data
    assert page.findings[0].statement == "No issue had enough evidence to be ranked."
    assert [key for key, _, _ in page.key_figures] == ["matrix_version"]


def test_record_key_figures_records_each_figure_with_its_label() -> None:
    recorded: list[tuple[str, object, str | None]] = []

    class Recorder:
        def record(self, key: str, value: object, *, label: str | None = None) -> None:
            recorded.append((key, value, label))

    page = priorities.PrioritiesPage(
        plan=[],
        ranking=priorities.scales_table(priority_matrix.default_matrix()),
        audit=priorities.scales_table(priority_matrix.default_matrix()),
        findings=[],
        key_figures=[("matrix_version", "1", "Priority matrix version")],
    )
    priorities.record_key_figures(Recorder(), page)  # type: ignore[arg-type]
    assert recorded == [("matrix_version", "1", "Priority matrix version")]


# --- the emerging signal as a trend signal --------------------------------------------------
def _trend_figures(emerging: object, test: str = "no significant change", value: float = 5.0
                   ) -> pd.DataFrame:
    return pd.DataFrame([{"issue_id": "x", "issue": "X", "dimension": "trend", "value": value,
                          "test": test, "detail": "", "source": "", "also_in": "",
                          "note": "", "emerging": emerging}])


def test_an_emerging_trend_scores_at_least_the_configured_floor() -> None:
    matrix = priority_matrix.default_matrix()
    assert matrix.emerging_trend_score == 4
    raised = priority_scores.score_figures(_trend_figures(True), matrix).iloc[0]
    assert raised["score"] == 4  # not significant (3), raised to 4 by the emerging rule
    assert "emerging" in raised["rule"] and raised["rule"].endswith("-> at least 4: 4")
    kept = priority_scores.score_figures(_trend_figures(True, "significant increase", 25.0),
                                         matrix).iloc[0]
    assert kept["score"] == 5  # a significant rise of 20 % or more keeps its 5
    for flag in (False, None):
        plain = priority_scores.score_figures(_trend_figures(flag), matrix).iloc[0]
        assert plain["score"] == 3 and "emerging" not in plain["rule"]


def test_the_emerging_signal_can_be_switched_off() -> None:
    matrix = priority_matrix.apply_override(priority_matrix.default_matrix(),
                                            priority_matrix.PriorityOverride(
                                                emerging_trend_score=0))
    assert priority_scores.score_figures(_trend_figures(True), matrix).iloc[0]["score"] == 3


def test_a_missing_trend_that_is_emerging_gets_the_floor() -> None:
    assert priority_scores.emerging_score(math.nan, "change not assessed", 4)[0] == 4.0


def _monthly_evidence(values: list[float]) -> priorities.Evidence:
    months = [date(2022, 4, 1) + pd.DateOffset(months=i) for i in range(len(values))]
    months = [m.date() for m in months]
    counts = pd.DataFrame({"csp_code": "A", "month": months, "count": values,
                           "crime_type": "Burglary"})
    return _evidence(counts=counts, available_months=tuple(months))


def test_police_uk_trend_figure_carries_the_emerging_flag() -> None:
    rng = np.random.default_rng(3)
    stable = rng.poisson(100, 36).astype(float)
    rising = stable.copy()
    rising[-3:] = np.round(rising[-3:] * 1.6)
    flagged = _by_dimension(priorities.police_uk_figures(
        BURGLARY, _monthly_evidence(list(rising)), CURRENT, PREVIOUS))["trend"]
    assert flagged["emerging"] is True and "emerging: 3 of the last 3 months" in flagged["detail"]
    calm = _by_dimension(priorities.police_uk_figures(
        BURGLARY, _monthly_evidence(list(stable)), CURRENT, PREVIOUS))["trend"]
    assert calm["emerging"] is False
    short = _by_dimension(priorities.police_uk_figures(BURGLARY, _evidence(), CURRENT,
                                                       PREVIOUS))["trend"]
    assert short["emerging"] is None  # 24 months held: not tested
