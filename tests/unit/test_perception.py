"""Perception section helpers: waves, question summary (change, rank, pooled figure),
district tables, recorded counts by wave with missing months, and the generated sentences."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis.core.errors import DataCoverageError
from analysis.core.periods import Period
from analysis.sections import perception
from analysis.stats.survey import survey_results

NAMES = {"K": "Kingsmere", "A": "Ashby Fen", "H": "Holloway Downs", "B": "Brackenford"}
QUESTION = "Crime and ASB has become more of a problem (agree) [deff 1.1]"


def _indicators() -> pd.DataFrame:
    """The demo's crime_asb_more_problem and police_good_job rows (design effect 1.1)."""
    rows = [
        ("crime_asb_more_problem", "K", "2023-24", 22, 500), ("crime_asb_more_problem", "K",
                                                               "2024-25", 33, 500),
        ("crime_asb_more_problem", "A", "2024-25", 29, 460),
        ("crime_asb_more_problem", "H", "2024-25", 36, 510),
        ("crime_asb_more_problem", "B", "2024-25", 24, 410),
        ("police_good_job", "K", "2023-24", 74, 500), ("police_good_job", "K", "2024-25", 78, 500),
        ("police_good_job", "A", "2024-25", 70, 460),
    ]
    return pd.DataFrame({
        "indicator": [f"survey:{q}" for q, *_ in rows],
        "area": [a for _, a, *_ in rows], "period": [p for _, _, p, *_ in rows],
        "value": [float(v) for *_, v, _ in rows],
        "numerator": [round(v * n / 100) for *_, v, n in rows],
        "denominator": [float(n) for *_, n in rows],
        "source": "Demo survey",
        "note": [QUESTION if q.startswith("crime") else "Police do a good job [deff 1.1]"
                 for q, *_ in rows],
    })


@pytest.fixture
def results() -> pd.DataFrame:
    return survey_results(_indicators())


def test_survey_waves_takes_the_latest_wave_not_after_the_period(results: pd.DataFrame) -> None:
    assert perception.survey_waves(results, "2024-25") == ("2024-25", "2023-24")
    assert perception.survey_waves(results, "2023-24") == ("2023-24", None)
    # A 36-month range holds both waves (as text, '2023-24' would sort after it).
    assert perception.survey_waves(results, "2022-04..2025-03") == ("2024-25", "2023-24")
    assert perception.survey_waves(results, "2024-04..2024-05") == ("2023-24", None)
    with pytest.raises(DataCoverageError):
        perception.survey_waves(results, "2020-21")
    # The wave chart of a 2023/24 assessment never shows the later 2024-25 wave.
    assert perception.waves_up_to(results, "2023-24") == ["2023-24"]
    assert perception.waves_up_to(results, "2020-21") == []


def test_question_summary_reports_the_planted_change_and_rank(results: pd.DataFrame) -> None:
    summary = perception.question_summary(results, "K", NAMES, "2024-25", "2023-24")
    concern = summary.set_index("question_id").loc["crime_asb_more_problem"]
    # Hand calculation: effective n = 500 / 1.1 = 454.545 in each wave; pooled p = 0.275;
    # se = sqrt(0.275 x 0.725 x 2 / 454.545) = 0.029616; z = 0.11 / 0.029616 = 3.714;
    # two-sided p = 0.000204.
    assert concern["percent"] == 33 and concern["previous_percent"] == 22
    assert concern["change_points"] == pytest.approx(11.0)
    assert concern["p_value"] == pytest.approx(0.000204, abs=2e-6)
    assert concern["change"] == "significant increase"
    # Latest wave: H 36, K 33, A 29, B 24.
    assert concern["position"] == "second highest of 4"
    assert concern["judgement"] == "second worst of 4"
    assert "overlaps" in concern["rank_summary"]
    good = summary.set_index("question_id").loc["police_good_job"]
    # 74 -> 78: se = sqrt(0.76 x 0.24 x 2 / 454.545) = 0.028317; z = 1.413; p = 0.158.
    assert good["p_value"] == pytest.approx(0.158, abs=1e-3)
    assert good["change"] == "no significant change"
    assert good["judgement"] == "best of 2"  # agreeing is good news for this question


def test_interval_allows_for_the_design_effect(results: pd.DataFrame) -> None:
    summary = perception.question_summary(results, "K", NAMES, "2024-25", "2023-24")
    row = summary.set_index("question_id").loc["crime_asb_more_problem"]
    # Wilson on n_eff = 454.545, p = 0.33: 28.84 % to 37.45 % (wider than 28.98-37.30 at n=500).
    assert row["lower"] == pytest.approx(28.836, abs=1e-3)
    assert row["upper"] == pytest.approx(37.449, abs=1e-3)


def test_pooled_districts_sums_agreeing_and_respondents(results: pd.DataFrame) -> None:
    pooled = perception.pooled_districts(results, "crime_asb_more_problem", "2024-25")
    # agreeing 165 + 133 (29 % of 460 = 133.4 -> 133) + 184 (36 % of 510 = 183.6) + 98
    # (24 % of 410 = 98.4) = 580 of 1,880 respondents = 30.851 %.
    assert pooled["respondents"] == 1880
    assert pooled["percent"] == pytest.approx(100 * 580 / 1880)


def test_district_table_orders_by_share_and_ends_with_the_pool(results: pd.DataFrame) -> None:
    table = perception.district_table(results, NAMES, "2024-25", "crime_asb_more_problem")
    assert table["District"].tolist() == ["Holloway Downs", "Kingsmere", "Ashby Fen",
                                          "Brackenford", perception.ALL_DISTRICTS]
    assert (table["Lower 95 %"] < table["%"]).all() and (table["%"] < table["Upper 95 %"]).all()


def test_recorded_by_wave_leaves_a_year_with_a_missing_month_unknown() -> None:
    year = Period.parse("2024-25")
    last = Period.parse("2023-24")
    counts = pd.DataFrame({"month": [*last.months, *year.months],
                           "count": [10] * 12 + [20] * 12})
    available = [m for m in [*last.months, *year.months] if m != date(2024, 12, 1)]
    table = perception.recorded_by_wave(counts, ["2023-24", "2024-25"], available)
    assert table.loc[0, "recorded"] == 120
    assert math.isnan(table.loc[1, "recorded"]) and "Dec 2024" in table.loc[1, "note"]


def test_perception_beside_recorded_joins_on_the_wave(results: pd.DataFrame) -> None:
    waves = perception.area_waves(results, "K", ["2023-24", "2024-25"])
    recorded = pd.DataFrame({"wave": ["2023-24", "2024-25"], "recorded": [4331.0, 4270.0],
                             "note": ["", ""]})
    beside = perception.perception_beside_recorded(waves, recorded)
    assert beside[["wave", "percent", "recorded"]].values.tolist() == [
        ["2023-24", 22.0, 4331.0], ["2024-25", 33.0, 4270.0]]
    sentence = perception.describe_perception_beside_recorded(beside, "Kingsmere")
    assert "22 % (2023-24) to 33 % (2024-25)" in sentence and "4,331 to 4,270" in sentence


def test_sentences_follow_the_test(results: pd.DataFrame) -> None:
    summary = perception.question_summary(results, "K", NAMES, "2024-25", "2023-24")
    rows = summary.set_index("question_id")
    concern = perception.describe_question(rows.loc["crime_asb_more_problem"], "Kingsmere")
    assert "up from 22 % in 2023-24, a statistically significant increase of 11.0" in concern
    good = perception.describe_question(rows.loc["police_good_job"], "Kingsmere")
    assert "up from 74 %" in good and "not a statistically significant change" in good
    rank = perception.describe_rank(rows.loc["crime_asb_more_problem"])
    assert "Kingsmere is second highest of 4" in rank


def test_higher_is_worse_only_for_concern_questions() -> None:
    assert perception.higher_is("crime_asb_more_problem") == "worse"
    assert perception.higher_is("police_good_job") == "better"


def test_survey_source_names() -> None:
    assert perception.survey_source_names(_indicators()) == ["Demo survey"]
