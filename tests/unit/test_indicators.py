"""Tests for analysis.stats.indicators: selection, intervals, comparisons and sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_DIRECTION,
    NOT_SIGNIFICANT,
    SIGNIFICANT,
    SIMILAR_TO_COMPARATORS,
)
from analysis.core.periods import Period
from analysis.stats.indicators import (
    AREA,
    ENGLAND,
    FORCE,
    NO_INTERVAL,
    Geographies,
    IndicatorKind,
    change_between,
    compare_with_wider,
    comparison_finding,
    comparison_table,
    describe_comparison,
    describe_level,
    indicator_period,
    indicator_table,
    interval,
    kind_of,
    latest_periods,
    presentable_indicator,
    select_indicator,
)

GEO = Geographies(("E22000001", "E06000001"), "E23000001", "Townsville", "Shire Police")
PROPORTION = kind_of("proven_reoffending_adult")
RATE = kind_of("first_time_entrants")
COUNT = kind_of("rj_referrals")


def _rows(*rows: tuple) -> pd.DataFrame:
    """An indicators table from (indicator, area, period, value, numerator, denominator)."""
    frame = pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "numerator",
                                        "denominator"])
    frame["source"] = "test"
    frame["note"] = pd.NA
    return frame.astype({"value": "Float64", "numerator": "Float64", "denominator": "Float64"})


REOFFENDING = _rows(
    ("proven_reoffending_adult", "E22000001", "2021-22", 25.8, 258, 1000),
    ("proven_reoffending_adult", "E22000001", "2022-23", 27.1, 271, 1000),
    ("proven_reoffending_adult", "E23000001", "2022-23", 25.3, 1012, 4000),
    ("proven_reoffending_adult", "E92000001", "2022-23", 25.6, 35840, 140000),
    ("proven_reoffending_adult", "E22999999", "2022-23", 30.0, 30, 100),  # another CSP
    ("rj_referrals", "E22000001", "2023-24", 45, None, None),
)


class TestSelect:
    def test_levels_names_and_order(self):
        rows = select_indicator(REOFFENDING, "proven_reoffending_adult", GEO)
        assert list(rows["level"]) == [AREA, AREA, FORCE, ENGLAND]
        assert list(rows["geography"]) == ["Townsville", "Townsville", "Shire Police", "England"]
        assert list(rows["period"]) == ["2021-22", "2022-23", "2022-23", "2022-23"]
        assert rows["value"].dtype == "float64"

    def test_csp_row_wins_over_lad_row(self):
        both = _rows(("rj_referrals", "E06000001", "2023-24", 40, None, None),
                     ("rj_referrals", "E22000001", "2023-24", 45, None, None))
        rows = select_indicator(both, "rj_referrals", GEO)
        assert list(rows["value"]) == [45.0]

    def test_lad_code_alone_counts_as_the_area(self):
        lad = _rows(("rj_referrals", "E06000001", "2023-24", 40, None, None))
        assert list(select_indicator(lad, "rj_referrals", GEO)["level"]) == [AREA]

    def test_no_table_gives_empty_rows(self):
        rows = indicator_table(None, "rj_referrals", GEO)
        assert rows.empty and {"lower", "upper", "interval_method"} <= set(rows.columns)

    def test_periods_filter(self):
        rows = select_indicator(REOFFENDING, "proven_reoffending_adult", GEO,
                                periods=["2021-22"])
        assert list(rows["period"]) == ["2021-22"]


class TestIntervals:
    def test_wilson_for_a_proportion(self):
        # Wilson, p = 0.271, n = 1000, z = 1.95996: centre = (0.271 + z²/2000) / (1 + z²/1000)
        # = 0.272921 / 1.003841 = 0.271877; half = z/1.003841 * sqrt(0.271*0.729/1000
        # + z²/4e6) = 1.952459 * 0.014068 = 0.027467 -> 24.44 % to 29.93 %
        lower, upper, method = interval(271, 1000, PROPORTION)
        assert method == "Wilson score"
        assert lower == pytest.approx(24.44, abs=0.01)
        assert upper == pytest.approx(29.94, abs=0.01)

    def test_byar_for_a_rate_scaled_by_population(self):
        # Byar, O = 52: lower = 52 (1 - 1/468 - 1.96/(3 sqrt 52))^3 = 52 * 0.74684^3 = 38.84
        # x 100,000 / 17,300 = 224.5
        lower, upper, method = interval(52, 17300, RATE)
        assert method == "Byar"
        assert lower == pytest.approx(224.5, abs=0.1)
        assert upper == pytest.approx(394.2, abs=0.1)

    def test_exact_poisson_below_ten_events(self):
        # exact: chi2(0.025, 10)/2 = 3.247/2 = 1.623 ; chi2(0.975, 12)/2 = 23.337/2 = 11.668
        lower, upper, method = interval(5, 1000, IndicatorKind("rate", 1000, "per 1,000"))
        assert method == "exact Poisson"
        assert (lower, upper) == pytest.approx((1.6235, 11.6683), abs=1e-3)

    @pytest.mark.parametrize(("numerator", "denominator", "kind"),
                             [(math.nan, math.nan, PROPORTION), (271, math.nan, PROPORTION),
                              (math.nan, 17300, RATE), (52, 0, RATE), (math.nan, math.nan, COUNT)])
    def test_no_interval_without_a_base(self, numerator, denominator, kind):
        lower, upper, method = interval(numerator, denominator, kind)
        assert math.isnan(lower) and math.isnan(upper)
        assert method == NO_INTERVAL == "no interval: no numerator/denominator supplied"

    def test_count_with_its_numerator_gets_a_poisson_interval(self):
        lower, upper, method = interval(45, math.nan, COUNT)
        assert method == "Byar" and lower < 45 < upper

    def test_table_says_which_rows_have_no_interval(self):
        rows = indicator_table(REOFFENDING, "rj_referrals", GEO)
        assert list(rows["interval_method"]) == [NO_INTERVAL]
        shown = presentable_indicator(rows, COUNT)
        assert list(shown["95 % interval"]) == [NO_INTERVAL]

    def test_fractional_rate_numerator_is_refused(self):
        with pytest.raises(InputError):
            interval(52.5, 17300, RATE)


class TestComparisons:
    def setup_method(self):
        self.rows = indicator_table(REOFFENDING, "proven_reoffending_adult", GEO)

    def test_area_against_the_rest_of_the_force(self):
        # rest of force: (1012 - 271) / (4000 - 1000) = 741 / 3000 = 24.7 %
        # pooled p = 1012/4000 = 0.253; se = sqrt(.253 * .747 * (1/1000 + 1/3000)) = 0.015874
        # z = (0.271 - 0.247) / 0.015874 = 1.512 -> p = 0.1306
        result = compare_with_wider(self.rows, "2022-23", FORCE, PROPORTION)
        assert result["other_value"] == pytest.approx(24.7)
        assert result["difference"] == pytest.approx(2.4)
        assert result["p_value"] == pytest.approx(0.1306, abs=5e-4)
        assert result["significance"] == "not significantly different"
        assert result["comparison"] == "Townsville against the rest of Shire Police"

    def test_significantly_higher(self):
        rows = indicator_table(_rows(
            ("first_time_entrants", "E22000001", "2024-25", 300.6, 52, 17300),
            ("first_time_entrants", "E92000001", "2024-25", 136.8, 8000, 5850000)),
            "first_time_entrants", GEO)
        result = compare_with_wider(rows, "2024-25", ENGLAND, RATE)
        assert result["significance"] == "significantly higher"
        assert result["p_value"] < 0.001

    def test_counts_are_not_compared_with_wider_areas(self):
        rows = indicator_table(REOFFENDING, "rj_referrals", GEO)
        assert compare_with_wider(rows, "2023-24", FORCE, COUNT) is None

    def test_wider_smaller_than_area_is_an_error(self):
        bad = indicator_table(_rows(
            ("proven_reoffending_adult", "E22000001", "2022-23", 27.1, 271, 1000),
            ("proven_reoffending_adult", "E23000001", "2022-23", 25.0, 100, 400)),
            "proven_reoffending_adult", GEO)
        with pytest.raises(InputError):
            compare_with_wider(bad, "2022-23", FORCE, PROPORTION)

    def test_count_change_is_the_planted_40_percent_fall(self):
        rows = indicator_table(_rows(
            ("rj_referrals", "E22000001", "2023-24", 45, None, None),
            ("rj_referrals", "E22000001", "2024-25", 27, None, None)), "rj_referrals", GEO)
        result = change_between(rows, AREA, "2023-24", "2024-25", COUNT)
        # (27 - 45) / 45 = -40.0 %; exact test: 27 of 72 under Bin(72, 0.5) -> p = 0.0444
        assert (result["diff"], result["pct_diff"]) == (-18.0, -40.0)
        assert result["p_value"] == pytest.approx(0.0444, abs=5e-4)
        assert result["significance"] == "significant decrease"

    def test_proportion_change_between_cohorts(self):
        # 258/1000 -> 271/1000: pooled 0.2645, se = sqrt(.2645*.7355*0.002) = 0.019725,
        # z = 0.013 / 0.019725 = 0.659 -> p = 0.510
        result = change_between(self.rows, AREA, "2021-22", "2022-23", PROPORTION)
        assert result["p_value"] == pytest.approx(0.510, abs=1e-3)
        assert result["significance"] == "no significant change"

    def test_missing_period_gives_none(self):
        assert change_between(self.rows, FORCE, "2021-22", "2022-23", PROPORTION) is None

    def test_comparison_table_has_all_three_tests(self):
        table = comparison_table(self.rows, PROPORTION, "2022-23", "2021-22")
        assert list(table["comparison"]) == [
            "Townsville against the rest of Shire Police",
            "Townsville against the rest of England",
            "Townsville 2022-23 against 2021-22"]
        assert (table["method"] == "pooled two-proportion z-test").all()


class TestPeriodsAndWords:
    def test_indicator_period(self):
        assert indicator_period(Period.parse("2024/25")) == "2024-25"
        assert indicator_period(Period.parse("2022")) == "2022"

    def test_latest_periods_stop_at_the_assessment(self):
        rows = select_indicator(REOFFENDING, "proven_reoffending_adult", GEO)
        assert latest_periods(rows, Period.parse("2024/25")) == ["2021-22", "2022-23"]
        assert latest_periods(rows, Period.parse("2021/22")) == ["2021-22"]

    def test_unknown_indicator(self):
        with pytest.raises(ConfigError):
            kind_of("burglary_rate")

    def test_sentences(self):
        rows = indicator_table(REOFFENDING, "proven_reoffending_adult", GEO)
        text = describe_level(rows, PROPORTION, "2022-23", "Adult proven reoffending")
        assert text == ("Adult proven reoffending in Townsville (2022-23) was 27.1 % (271 of "
                        "1,000; 95 % interval 24.4 to 29.9, Wilson score); Shire Police "
                        "25.3 %, England 25.6 %.")
        result = compare_with_wider(rows, "2022-23", FORCE, PROPORTION)
        assert describe_comparison(result, "Adult reoffending") == (
            "Adult reoffending, Townsville against the rest of Shire Police: not significantly "
            "different (pooled two-proportion z-test, p = 0.131).")


@pytest.mark.parametrize(("label", "direction", "significance"), [
    ("significantly higher", ABOVE_COMPARATORS, SIGNIFICANT),
    ("significantly lower", BELOW_COMPARATORS, SIGNIFICANT),
    ("not significantly different", SIMILAR_TO_COMPARATORS, NOT_SIGNIFICANT),
    ("significant increase", INCREASE, SIGNIFICANT),
    ("significant decrease", DECREASE, SIGNIFICANT),
    ("no significant change", NO_DIRECTION, NOT_SIGNIFICANT),  # the sentence states none
])
def test_comparison_finding_takes_its_facts_from_the_test(label, direction, significance):
    result = {"comparison": "Townsville against the rest of England", "p_value": 0.0004,
              "significance": label, "method": "exact conditional Poisson test"}
    finding = comparison_finding(result, "First-time entrants", ("rate",))
    assert finding.statement == (f"First-time entrants, Townsville against the rest of "
                                 f"England: {label} (exact conditional Poisson test, "
                                 f"p < 0.001).")
    assert (finding.direction, finding.significance) == (direction, significance)
    assert (finding.figures, finding.theme) == (("rate",), "First-time entrants")
