"""Tests for analysis.stats.survey: Wilson intervals, change between waves, rank among districts."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, InputError
from analysis.stats.survey import proportion_change, rank_among, survey_results, wilson_interval

Z95 = 1.959964  # the 97.5th normal percentile; Z95**2 = 3.841459


# --- wilson_interval ---------------------------------------------------------------------------


def test_wilson_half_of_a_hundred() -> None:
    # p = 0.5, n = 100: centre = (0.5 + 3.841459/200) / (1 + 3.841459/100) = 0.5;
    # half = 1.959964 / 1.0384146 * sqrt(0.25/100 + 3.841459/40000) = 1.887457 * 0.0509514
    #      = 0.096168  ->  [0.4038, 0.5962]
    lower, upper = wilson_interval(50, 100)
    assert lower == pytest.approx(0.4038, abs=5e-5)
    assert upper == pytest.approx(0.5962, abs=5e-5)


def test_wilson_none_and_all_of_ten() -> None:
    # p = 0: lower = 0, upper = z²/(n + z²) = 3.841459 / 13.841459 = 0.27753.
    # p = 1 is the mirror image: [1 - 0.27753, 1] = [0.72247, 1].
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.27753, abs=5e-6))
    assert wilson_interval(10, 10) == (pytest.approx(0.72247, abs=5e-6), 1.0)


def test_wilson_design_effect_uses_the_effective_sample_size() -> None:
    # deff 2 halves n: 50/100 behaves like 25/50. n_eff = 50, denominator = 1.0768292;
    # half = 1.959964 / 1.0768292 * sqrt(0.25/50 + 3.841459/10000) = 1.820130 * 0.0733765
    #      = 0.133555  ->  [0.36645, 0.63355], wider than the simple-random-sample interval.
    lower, upper = wilson_interval(50, 100, design_effect=2.0)
    assert lower == pytest.approx(0.36645, abs=5e-5)
    assert upper == pytest.approx(0.63355, abs=5e-5)
    assert wilson_interval(50, 100, design_effect=2.0) == pytest.approx(wilson_interval(25, 50))


def test_wilson_other_confidence_level() -> None:
    # 90 %: z = 1.644854, z² = 2.705543; half = 1.644854/1.0270554 * sqrt(0.0025 + 0.0000676)
    #      = 1.601524 * 0.0506715 = 0.081152  ->  [0.41885, 0.58115]
    assert wilson_interval(50, 100, confidence=0.90) == pytest.approx((0.41885, 0.58115),
                                                                      abs=5e-5)


@pytest.mark.parametrize(
    ("successes", "n", "kwargs", "error"),
    [
        (11, 10, {}, InputError),
        (-1, 10, {}, InputError),
        (1, 0, {}, InputError),
        (1, 10, {"design_effect": 0}, InputError),
        (1, 10, {"confidence": 95}, ConfigError),
    ],
)
def test_wilson_rejects_impossible_inputs(successes, n, kwargs, error) -> None:
    with pytest.raises(error):
        wilson_interval(successes, n, **kwargs)


@given(
    n=st.integers(min_value=1, max_value=100_000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.floats(min_value=0.5, max_value=0.999),
    design_effect=st.floats(min_value=0.5, max_value=5),
)
def test_wilson_contains_p_and_stays_in_zero_one(n, share, confidence, design_effect) -> None:
    successes = round(share * n)
    lower, upper = wilson_interval(successes, n, confidence, design_effect)
    assert 0.0 <= lower <= successes / n <= upper <= 1.0


# --- proportion_change -------------------------------------------------------------------------


def test_seed_crime_and_asb_more_of_a_problem_is_significant() -> None:
    # Seed 000: 22 % -> 33 %, 500 per wave. Pooled p = 0.275;
    # se = sqrt(0.275 * 0.725 * (1/500 + 1/500)) = sqrt(0.0007975) = 0.028240;
    # z = 0.11 / 0.028240 = 3.8952; two-sided p = 2 * (1 - Φ(3.8952)) = 0.0000981.
    change = proportion_change(0.22, 500, 0.33, 500)
    assert change["difference"] == pytest.approx(0.11)
    assert change["difference_points"] == pytest.approx(11.0)
    assert change["z"] == pytest.approx(3.8952, abs=1e-4)
    assert change["p_value"] == pytest.approx(9.81e-5, rel=1e-2)
    assert change["label"] == "significant increase"


def test_seed_police_good_job_change_is_not_significant() -> None:
    # Seed 000: 74 % -> 78 %, 500 per wave. Pooled p = 0.76;
    # se = sqrt(0.76 * 0.24 * 0.004) = sqrt(0.0007296) = 0.027011; z = 0.04 / 0.027011 = 1.4809;
    # two-sided p = 0.1386.
    change = proportion_change(0.74, 500, 0.78, 500)
    assert change["z"] == pytest.approx(1.4809, abs=1e-4)
    assert change["p_value"] == pytest.approx(0.1386, abs=1e-4)
    assert change["label"] == "no significant change"


def test_seed_understand_issues_fall_is_a_significant_decrease() -> None:
    # Seed 000: 71 % -> 55 %. Pooled p = 0.63; se = sqrt(0.63 * 0.37 * 0.004) = 0.030535;
    # z = -0.16 / 0.030535 = -5.2398.
    change = proportion_change(0.71, 500, 0.55, 500)
    assert change["z"] == pytest.approx(-5.2398, abs=1e-3)
    assert change["label"] == "significant decrease"


def test_design_effect_can_remove_significance() -> None:
    # deff 4: each wave counts as 125 people. se = sqrt(0.199375 * (2/125)) = 0.056480;
    # z = 0.11 / 0.056480 = 1.9476; p = 0.0515 > 0.05.
    change = proportion_change(0.22, 500, 0.33, 500, design_effect=4.0)
    assert change["z"] == pytest.approx(1.9476, abs=1e-4)
    assert change["p_value"] == pytest.approx(0.0515, abs=1e-4)
    assert change["label"] == "no significant change"


def test_unequal_waves_pool_by_size() -> None:
    # 0.30 of 200 and 0.40 of 800: pooled p = (60 + 320) / 1000 = 0.38;
    # se = sqrt(0.38 * 0.62 * (1/200 + 1/800)) = sqrt(0.2356 * 0.00625) = 0.038373;
    # z = 0.10 / 0.038373 = 2.6060.
    assert proportion_change(0.30, 200, 0.40, 800)["z"] == pytest.approx(2.6060, abs=1e-4)


def test_no_variation_is_no_change() -> None:
    change = proportion_change(0.0, 100, 0.0, 120)
    assert (change["z"], change["p_value"], change["label"]) == (0.0, 1.0,
                                                                 "no significant change")


def test_percentages_instead_of_proportions_are_refused() -> None:
    with pytest.raises(InputError, match="proportion"):
        proportion_change(22, 500, 33, 500)


# --- rank_among --------------------------------------------------------------------------------

# Latest wave of "crime and ASB has become more of a problem" (%), and hand-set intervals.
WAVE = pd.Series({"Holloway Downs": 36.0, "Kingsmere": 33.0, "Ashby Fen": 29.0,
                  "Brackenford": 24.0})
INTERVALS = pd.DataFrame(
    {"lower": [31.8, 29.0, 25.0, 20.3], "upper": [40.4, 37.3, 33.3, 28.1]}, index=WAVE.index
)


def test_second_highest_of_four_with_overlapping_neighbours() -> None:
    result = rank_among(WAVE, "Kingsmere", intervals=INTERVALS)
    assert result["rank"] == 2 and result["of"] == 4
    assert result["position"] == "second highest of 4"
    assert result["judgement"] == "second worst of 4"
    assert (result["above"], result["below"]) == (["Holloway Downs"], ["Ashby Fen"])
    # Kingsmere [29.0, 37.3] vs Holloway Downs [31.8, 40.4]: overlap; vs Ashby Fen
    # [25.0, 33.3]: overlap (29.0 <= 33.3).
    assert result["overlaps"] == {"Holloway Downs": True, "Ashby Fen": True}
    assert result["clear_of_neighbours"] is False
    assert "may be chance" in result["summary"]


def test_clear_of_neighbours_when_intervals_are_apart() -> None:
    # Brackenford [20.3, 28.1] vs Ashby Fen moved to [28.2, 33.3]: 28.1 < 28.2, no overlap.
    intervals = INTERVALS.copy()
    intervals.loc["Ashby Fen", "lower"] = 28.2
    result = rank_among(WAVE, "Brackenford", intervals=intervals)
    assert result["position"] == "lowest of 4" and result["judgement"] == "best of 4"
    assert result["overlaps"] == {"Ashby Fen": False}
    assert result["clear_of_neighbours"] is True


def test_ties_share_a_place_and_are_named() -> None:
    # Two areas at 33: one area is higher, so both are joint second.
    tied = WAVE.copy()
    tied["Ashby Fen"] = 33.0
    result = rank_among(tied, "Kingsmere")
    assert result["rank"] == 2
    assert result["position"] == "joint second highest of 4"
    assert result["tied_with"] == ["Ashby Fen"]
    assert result["below"] == ["Brackenford"]
    assert "level with Ashby Fen" in result["summary"]
    assert result["overlaps"] is None and result["clear_of_neighbours"] is None


def test_higher_is_better_turns_the_judgement_round() -> None:
    # "Police doing a good or excellent job": 79, 78, 72, 70 -> Kingsmere second best.
    good_job = pd.Series({"Brackenford": 79.0, "Kingsmere": 78.0, "Holloway Downs": 72.0,
                          "Ashby Fen": 70.0})
    result = rank_among(good_job, "Kingsmere", higher_is="better")
    assert (result["position"], result["judgement"]) == ("second highest of 4",
                                                         "second best of 4")
    assert rank_among(good_job, "Brackenford", higher_is="better")["judgement"] == "best of 4"


def test_rank_beyond_ten_uses_digits() -> None:
    values = pd.Series({f"area {i}": float(100 - i) for i in range(15)})
    assert rank_among(values, "area 11")["position"] == "12th highest of 15"


@pytest.mark.parametrize(
    ("values", "area", "kwargs", "error"),
    [
        (WAVE, "Nowhere", {}, InputError),
        (WAVE, "Kingsmere", {"higher_is": "bad"}, ConfigError),
        (pd.Series({"Kingsmere": 33.0, "Other": None}), "Kingsmere", {}, InputError),
        (WAVE, "Kingsmere", {"intervals": INTERVALS.drop(index="Brackenford")}, InputError),
    ],
)
def test_rank_among_rejects_bad_input(values, area, kwargs, error) -> None:
    with pytest.raises(error):
        rank_among(values, area, **kwargs)


# --- survey_results ----------------------------------------------------------------------------


def test_survey_rows_become_a_table_with_intervals() -> None:
    indicators = pd.DataFrame(
        {
            "indicator": ["survey:police_good_job", "Proven reoffending rate"],
            "area": ["E22900001", "E22900001"],
            "period": ["2024-25", "2022-23"],
            "value": [50.0, 27.1],
            "numerator": [50.0, 271.0],
            "denominator": [100.0, 1000.0],
            "source": ["Survey", "MoJ"],
            "note": ["Police are doing a good job [deff 2.0]", None],
        }
    )
    table = survey_results(indicators)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["question_id"], row["question"]) == ("police_good_job",
                                                     "Police are doing a good job")
    assert (row["proportion"], row["respondents"], row["design_effect"]) == (0.5, 100.0, 2.0)
    # deff 2 -> the interval of 25/50, worked out above: [0.36645, 0.63355].
    assert (row["lower"], row["upper"]) == pytest.approx((0.36645, 0.63355), abs=5e-5)


def test_survey_row_without_respondents_is_an_error() -> None:
    indicators = pd.DataFrame(
        {"indicator": ["survey:q"], "area": ["X"], "period": ["2024-25"], "value": [40.0],
         "numerator": [None], "denominator": [None], "source": [None], "note": [None]}
    )
    with pytest.raises(InputError, match="respondents"):
        survey_results(indicators)
