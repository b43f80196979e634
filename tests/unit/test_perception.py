"""Perception section helpers: waves, question summary (change, rank, pooled figure),
district tables, recorded counts by wave with missing months, the generated sentences and the
page's Findings, tables and charts."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis.core.errors import DataCoverageError
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_CHANGE,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
)
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


# --- the page as Findings, tables and charts ------------------------------------------------
def _summary(results: pd.DataFrame, previous: str | None = "2023-24") -> pd.DataFrame:
    return perception.question_summary(results, "K", NAMES, "2024-25", previous)


def test_question_findings_take_direction_and_significance_from_the_test(
        results: pd.DataFrame) -> None:
    rows = _summary(results).set_index("question_id", drop=False)
    concern = perception.question_finding(rows.loc["crime_asb_more_problem"], "Kingsmere")
    # 22 % -> 33 %: +11 points, p = 0.0002 < 0.05.
    assert (concern.direction, concern.significance) == (INCREASE, SIGNIFICANT)
    assert concern.statement == perception.describe_question(
        rows.loc["crime_asb_more_problem"], "Kingsmere")
    assert concern.figures == ("survey:crime_asb_more_problem",
                               "survey:crime_asb_more_problem:previous",
                               "survey:crime_asb_more_problem:change")
    good = perception.question_finding(rows.loc["police_good_job"], "Kingsmere")
    # 74 % -> 78 %: +4 points, p = 0.16.
    assert (good.direction, good.significance) == (INCREASE, NOT_SIGNIFICANT)


def test_a_question_without_an_earlier_wave_is_not_assessed(results: pd.DataFrame) -> None:
    row = _summary(results, previous=None).iloc[0]
    finding = perception.question_finding(row, "Kingsmere")
    assert (finding.direction, finding.significance) == (NO_DIRECTION, NOT_ASSESSED)
    assert finding.figures == ("survey:crime_asb_more_problem",)


def test_question_direction_comes_from_the_points_not_the_question_words(
        results: pd.DataFrame) -> None:
    row = _summary(results).iloc[0].copy()
    row["question"] = "Crime has risen here and is higher than elsewhere (agree)"
    row["previous_percent"], row["change_points"] = 35.0, -2.0
    row["change"] = "no significant change"
    fell = perception.question_finding(row, "Kingsmere")
    assert (fell.direction, fell.significance) == (DECREASE, NOT_SIGNIFICANT)
    row["previous_percent"], row["change_points"] = 33.0, 0.0
    assert perception.question_finding(row, "Kingsmere").direction == NO_CHANGE
    row["change"] = "not assessed"  # the test could not be made (no p-value)
    assert perception.question_finding(row, "Kingsmere").significance == NOT_ASSESSED


def test_a_district_level_with_another_is_tied_and_not_above_it() -> None:
    indicators = _indicators()
    level = (indicators["indicator"] == "survey:police_good_job") & (indicators["area"] == "A")
    indicators.loc[level, ["value", "numerator", "denominator"]] = [78.0, 390, 500.0]  # as K
    summary = perception.question_summary(survey_results(indicators), "K", NAMES, "2024-25",
                                          "2023-24").set_index("question_id", drop=False)
    good = summary.loc["police_good_job"]
    assert good["tied"] and good["position"] == "joint highest of 2"
    assert perception.rank_finding(good).direction == NO_DIRECTION
    assert not summary.loc["crime_asb_more_problem", "tied"]


@pytest.mark.parametrize(("rank", "districts", "tied", "direction"), [
    (1, 4, False, ABOVE_COMPARATORS),  # highest of 4
    (1, 4, True, NO_DIRECTION),  # joint highest of 4: level with another, not above it
    (4, 4, False, BELOW_COMPARATORS),  # lowest of 4
    (3, 4, True, NO_DIRECTION),  # joint third highest of 4: tied at the bottom
    (2, 4, False, NO_DIRECTION),  # second highest of 4
    (1, 1, False, NO_DIRECTION),  # no other district to compare with
])
def test_rank_finding_direction_from_the_place(results: pd.DataFrame, rank: int, districts: int,
                                               tied: bool, direction: str) -> None:
    row = _summary(results).iloc[0].copy()
    row["rank"], row["districts"], row["tied"] = rank, districts, tied
    finding = perception.rank_finding(row)
    assert finding.direction == direction and finding.significance == NOT_TESTED
    assert finding.figures == ("survey:crime_asb_more_problem:rank",)


def test_beside_finding_states_no_direction_or_test() -> None:
    beside = pd.DataFrame({"wave": ["2023-24", "2024-25"], "percent": [22.0, 33.0],
                           "recorded": [4331.0, 4270.0]})
    finding = perception.beside_finding(beside, "Kingsmere")
    assert (finding.direction, finding.significance) == (NO_DIRECTION, NOT_TESTED)
    assert "4,331 to 4,270" in finding.statement


def test_survey_key_figures_leave_out_the_previous_share_without_an_earlier_wave(
        results: pd.DataFrame) -> None:
    figures = perception.survey_key_figures(_summary(results).iloc[:1])
    assert [(key, value) for key, value, _ in figures] == [
        ("survey:crime_asb_more_problem", 33.0),
        ("survey:crime_asb_more_problem:previous", 22.0),
        ("survey:crime_asb_more_problem:change", "significant increase"),
        ("survey:crime_asb_more_problem:rank", "second highest of 4")]
    assert figures[1][2] == ("Crime and ASB has become more of a problem (agree): % agreeing, "
                             "2023-24")
    first_wave = perception.survey_key_figures(_summary(results, previous=None).iloc[:1])
    assert [key for key, _, _ in first_wave] == [
        "survey:crime_asb_more_problem", "survey:crime_asb_more_problem:change",
        "survey:crime_asb_more_problem:rank"]
    assert first_wave[1][1] == "no earlier wave"


@pytest.mark.parametrize(("later_waves_only", "notice"), [
    (True, "No survey wave ends by the end of this period."),
    (False, "No survey results are available for this area."),
])
def test_no_survey_page_says_why_and_shows_nothing_else(later_waves_only: bool,
                                                         notice: str) -> None:
    page = perception.no_survey_page(["police.uk"], later_waves_only=later_waves_only)
    assert not page.has_survey and page.sources == ["police.uk"]
    assert [notice in item.data for item in page.notice] == [True]
    assert page.no_survey_findings == [perception.NO_SURVEY_FINDING]
    assert perception.NO_SURVEY_FINDING.significance == NOT_ASSESSED
    assert not (page.summary or page.districts or page.waves or page.beside
                or page.question_findings or page.key_figures)
    assert page.caveats == list(perception.CAVEATS)


def _asb(years: list[str], per_month: list[int]) -> pd.DataFrame:
    months = [m for year in years for m in Period.parse(year).months]
    return pd.DataFrame({"month": months,
                         "count": [n for n in per_month for _ in range(12)]})


def test_survey_page_shows_each_question_and_sets_concern_beside_recorded_asb(
        results: pd.DataFrame) -> None:
    years = ["2023-24", "2024-25"]
    months = [m for year in years for m in Period.parse(year).months]
    page = perception.survey_page(
        results, _asb(years, [10, 20]), sources=["Demo survey", "police.uk"], area_code="K",
        area_name="Kingsmere", force_name="Demoshire Police", names=NAMES,
        period_text="2024-25", force_months=months)
    assert page.has_survey and not page.notice and not page.no_survey_findings
    [summary] = page.summary
    assert summary.name == "survey_latest" and summary.source == "partner"
    assert summary.caption == "Survey results for Kingsmere: 2024-25 compared with 2023-24"
    assert summary.frame["Latest %"].tolist() == [33.0, 78.0]
    assert [t.name for t in page.districts] == ["districts_crime_asb_more_problem",
                                                "districts_police_good_job"]
    assert page.districts[0].caption == ("Crime and ASB has become more of a problem (agree): "
                                         "districts of "
                                         "Demoshire Police, 2024-25")
    assert [f.direction for f in page.question_findings] == [INCREASE, INCREASE]
    assert [f.direction for f in page.rank_findings] == [NO_DIRECTION, ABOVE_COMPARATORS]
    assert [c.name for c in page.waves] == ["survey_waves"]
    table, chart = page.beside
    assert table.name == "perception_vs_recorded" and chart.name == "perception_vs_recorded_chart"
    # 12 months x 10 and 12 x 20 incidents.
    assert table.frame["Recorded ASB incidents"].tolist() == [120.0, 240.0]
    [beside] = page.beside_findings
    assert "120 to 240" in beside.statement
    assert len(page.key_figures) == 8  # 4 figures for each of the two questions


def test_survey_page_without_the_concern_question_says_so(results: pd.DataFrame) -> None:
    other = results[results["question_id"] != perception.CONCERN_QUESTION]
    page = perception.survey_page(
        other, _asb(["2024-25"], [10]), sources=[], area_code="K", area_name="Kingsmere",
        force_name="Force", names=NAMES, period_text="2024-25",
        force_months=Period.parse("2024-25").months)
    [note] = page.beside
    assert note.data == "<p>The survey has no 'crime_asb_more_problem' question for this area.</p>"
    assert page.beside_findings == []


def test_record_key_figures_records_each_figure_with_its_label() -> None:
    recorded: list[tuple[str, object, str | None]] = []

    class Recorder:
        def record(self, key: str, value: object, *, label: str | None = None) -> None:
            recorded.append((key, value, label))

    page = perception.PerceptionPage(sources=[], has_survey=True,
                                     key_figures=[("survey:q", 33.0, "Q: % agreeing, 2024-25")])
    perception.record_key_figures(Recorder(), page)  # type: ignore[arg-type]
    assert recorded == [("survey:q", 33.0, "Q: % agreeing, 2024-25")]
