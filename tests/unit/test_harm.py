"""Tests for analysis.harm: severity weights, unit costs and the listing of gaps."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import ConfigError, InputError
from analysis.harm import (
    NOT_A_CRIME,
    cost_of_crime,
    crime_severity_score,
    load_css_weights,
    load_unit_costs,
    severity_weighted_total,
    unit_cost,
)
from analysis.offences import load_offence_classification


class TestReferenceTables:
    def test_css_has_source_vintage_trust(self):
        weights = load_css_weights()
        for column in ("weight", "weight_vintage", "source", "trust"):
            assert weights[column].notna().all()
        assert set(weights["trust"]) <= {"V", "S"}

    def test_verified_css_weights(self):
        # domain.md §3.1 [V] values
        weights = load_css_weights().query("classification == 'ho_offence_code'")
        lookup = dict(zip(weights["key"], weights["weight"], strict=True))
        assert lookup["1"] == pytest.approx(7978.793)
        assert lookup["2"] == pytest.approx(4662.786)
        assert lookup["5D"] == pytest.approx(1965.338)
        assert lookup["8N"] == pytest.approx(184.099)
        assert lookup["8G"] == pytest.approx(127.373)

    def test_single_source_weights_marked(self):
        weights = load_css_weights().query("classification == 'police_uk_crime_type'")
        assert set(weights["trust"]) == {"S"}
        lookup = dict(zip(weights["key"], weights["weight"], strict=True))
        assert lookup == {"Shoplifting": 13, "Theft from the person": 86, "Bicycle theft": 10,
                          "Robbery": pytest.approx(746.543), "Other theft": 33}

    def test_weight_codes_are_classified(self):
        codes = set(load_offence_classification()["offence_code"])
        weights = load_css_weights().query("classification == 'ho_offence_code'")
        assert set(weights["key"]) <= codes

    def test_unit_costs_price_year(self):
        costs = load_unit_costs()
        assert set(costs["price_year"]) == {"2015/16"}
        assert costs["source"].notna().all() and costs["trust"].notna().all()

    @pytest.mark.parametrize(
        ("key", "classification", "cost"),
        # domain.md §3.2 [V] values
        [("Rape", "ho_offence_subgroup", 39_360),
         ("Violence with injury", "ho_offence_subgroup", 14_050),
         ("Robbery of personal property", "ho_offence_subgroup", 11_320),
         ("48", "ho_offence_code", 10_290), ("Arson", "ho_offence_subgroup", 8_420),
         ("Other sexual offences", "ho_offence_subgroup", 6_520),
         ("Criminal damage", "ho_offence_subgroup", 1_350),
         ("45", "ho_offence_code", 870)],
    )
    def test_unit_costs(self, key, classification, cost):
        assert unit_cost(key, classification) == cost

    def test_code_inherits_subgroup_cost(self):
        assert unit_cost("19C", "ho_offence_code") == 39_360  # rape of a female 16+
        assert unit_cost("58A", "ho_offence_code") == 1_350

    def test_unknown_cost(self):
        with pytest.raises(InputError):
            unit_cost("Shoplifting")
        with pytest.raises(ConfigError):
            unit_cost("Rape", "made_up")


class TestWeightedTotals:
    def test_severity_by_code_with_gap(self):
        counts = pd.DataFrame({
            "period": ["2024/25"] * 3 + ["2023/24"],
            "offence_code": ["8N", "2", "105A", "8N"],
            "count": [10, 1, 7, 4],
        })
        result = severity_weighted_total(counts, by="period")
        table = result.table.set_index("period")
        # 2024/25: 10 x 184.099 + 1 x 4662.786 = 1840.99 + 4662.786 = 6503.776 ; 105A no weight
        assert table.loc["2024/25", "severity_weighted_total"] == pytest.approx(6503.776)
        assert table.loc["2024/25", "count"] == 18
        assert table.loc["2024/25", "count_weighted"] == 11
        assert table.loc["2024/25", "count_not_weighted"] == 7
        # 2023/24: 4 x 184.099 = 736.396
        assert table.loc["2023/24", "severity_weighted_total"] == pytest.approx(736.396)
        assert result.gaps.to_dict("records") == [
            {"period": "2024/25", "key": "105A", "count": 7,
             "reason": "no weight or cost in the reference table"}]
        assert not result.complete
        assert "2016" in result.basis

    def test_police_uk_types_and_asb(self):
        counts = pd.DataFrame({
            "crime_type": ["Shoplifting", "Robbery", "Burglary", "Anti-social behaviour"],
            "count": [100, 2, 30, 500],
        })
        result = severity_weighted_total(counts, key_col="crime_type",
                                         classification="police_uk_crime_type")
        row = result.table.iloc[0]
        # 100 x 13 + 2 x 746.543 = 1300 + 1493.086 = 2793.086
        assert row["severity_weighted_total"] == pytest.approx(2793.086)
        assert row["count"] == 132  # ASB is not crime
        gaps = result.gaps.set_index("key")
        assert gaps.loc["Burglary", "count"] == 30
        assert gaps.loc["Anti-social behaviour", "reason"] == NOT_A_CRIME

    def test_cost_by_code(self):
        counts = pd.DataFrame({"offence_code": ["48", "45", "19C", "46"],
                               "count": [2, 10, 1, 50]})
        result = cost_of_crime(counts)
        # 2 x 10,290 + 10 x 870 + 1 x 39,360 = 20,580 + 8,700 + 39,360 = 68,640
        assert result.table["cost_gbp"].iloc[0] == pytest.approx(68_640)
        assert result.gaps["key"].tolist() == ["46"]
        assert "2015/16" in result.basis

    def test_never_silently_zero(self):
        counts = pd.DataFrame({"offence_code": ["99"], "count": [5]})
        result = cost_of_crime(counts)
        assert result.table["cost_gbp"].iloc[0] == 0
        assert result.gaps["count"].tolist() == [5]  # the zero is explained

    def test_complete_when_all_weighted(self):
        result = severity_weighted_total(pd.DataFrame({"offence_code": ["8N"], "count": [1]}))
        assert result.complete and result.gaps.empty

    def test_bad_input(self):
        with pytest.raises(InputError):
            severity_weighted_total(pd.DataFrame({"offence_code": ["8N"], "n": [1]}))
        with pytest.raises(InputError):
            severity_weighted_total(pd.DataFrame({"offence_code": ["8N"], "count": [-1]}))


def test_crime_severity_score():
    # 4.5M offences x mean weight 130 / 57.9M people = 10.10 (domain.md §1.3 check)
    assert crime_severity_score(4_500_000 * 130, 57_900_000) == pytest.approx(10.10, abs=0.01)
    with pytest.raises(InputError):
        crime_severity_score(1.0, 0)
