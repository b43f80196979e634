"""Tests for analysis.stats.harm: severity weights, unit costs and the listing of gaps."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.core.offences import load_offence_classification
from analysis.stats.harm import (
    NOT_A_CRIME,
    cost_of_crime,
    coverage_words,
    harm_and_cost,
    load_css_weights,
    load_unit_costs,
    read_value_table,
    severity_weighted_total,
    unit_cost,
)


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
             "reason": "no weight in the table used (ONS CSS 2016 original weights)"}]
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


class TestHarmAndCost:
    """The one computation behind the overview, the violence section and the matrix."""

    def test_police_uk_types_hand_computed_with_coverage_and_units(self):
        counts = pd.DataFrame({
            "period": ["2022", "2022", "2022", "2022", "2021"],
            "crime_type": ["Shoplifting", "Robbery", "Burglary", "Anti-social behaviour",
                           "Burglary"],
            "count": [100, 10, 90, 500, 40]})
        result = harm_and_cost(counts, key_col="crime_type",
                               classification="police_uk_crime_type", by="period",
                               population=2_000)
        row = result.table.set_index("period").loc["2022"]
        # 200 crimes (ASB is not crime); 110 weighted: 100 x 13 + 10 x 746.543 = 8,765.43 days
        assert row["crimes"] == 200 and row["crimes_weighted"] == 110
        assert row["weighted_share"] == pytest.approx(0.55)
        assert row["severity_days"] == pytest.approx(8_765.43)
        assert row["severity_days_per_1000"] == pytest.approx(8_765.43 / 2)
        # No shipped unit cost for any police.uk category: cost unknown, never 0.
        assert row["crimes_costed"] == 0 and pd.isna(row["cost_gbp"])
        earlier = result.table.set_index("period").loc["2021"]
        assert earlier["crimes_weighted"] == 0 and pd.isna(earlier["severity_days"])
        assert result.severity_unit == "severity-weighted days per 1,000 residents"
        assert result.cost_unit == "£ at 2015/16 prices"
        burglary = result.gaps[(result.gaps["period"] == "2022")
                               & (result.gaps["key"] == "Burglary")].iloc[0]
        assert burglary["count"] == 90
        assert burglary["missing"] == (
            "no weight in the table used (ONS CSS 2016 original weights); no unit cost in "
            "the table used (Home Office RR99 (2018))")
        assert "publishes" not in " ".join(result.gaps["missing"])

    def test_offence_codes_cost_and_weight_without_population(self):
        counts = pd.DataFrame({"offence_code": ["8N", "48", "46"], "count": [2, 1, 4]})
        result = harm_and_cost(counts, key_col="offence_code", classification="ho_offence_code")
        row = result.table.iloc[0]
        # weights: 2 x 184.099 + 4 x 13 = 420.198 (48 has none); costs: 2 x 14,050 + 10,290
        assert row["severity_days"] == pytest.approx(420.198)
        assert row["weighted_share"] == pytest.approx(6 / 7)
        assert row["cost_gbp"] == pytest.approx(38_390)
        assert row["costed_share"] == pytest.approx(3 / 7)
        assert pd.isna(row["severity_days_per_1000"])  # no population, no rate

    def test_coverage_words(self):
        assert coverage_words(400, 1000) == "400 of 1,000 crimes (40 %) weighted"
        assert coverage_words(0, 0) == "no crimes"


class TestAnalystTables:
    def test_fuller_weight_table_replaces_the_shipped_one(self, tmp_path):
        path = tmp_path / "css.csv"
        path.write_text(
            "code,description,value,vintage,source\n"
            "28E,Burglary - residential,300.5,ONS CSS 2023,ONS CSS data tool (YE Mar 2023)\n"
            "8n,Assault with injury,200,ONS CSS 2023,ONS CSS data tool (YE Mar 2023)\n")
        table = read_value_table(path, "severity")
        assert table.vintage == "ONS CSS 2023" and table.origin == str(path)
        result = harm_and_cost(pd.DataFrame({"offence_code": ["28E", "8N", "46"],
                                             "count": [3, 1, 2]}),
                               key_col="offence_code", classification="ho_offence_code",
                               weights=table)
        # 3 x 300.5 + 1 x 200 = 1,101.5; shoplifting (46) is not in this table
        assert result.table["severity_days"].iloc[0] == pytest.approx(1_101.5)
        gap = result.gaps[result.gaps["key"] == "46"].iloc[0]
        assert gap["missing"].startswith("no weight in the table used (ONS CSS 2023)")

    def test_unit_cost_table_needs_a_price_year(self, tmp_path):
        path = tmp_path / "costs.csv"
        path.write_text("code,description,value,vintage,source\n28E,Burglary,5930,RR99,x\n")
        with pytest.raises(InputError) as caught:
            read_value_table(path, "cost")
        assert "price_year" in str(caught.value)
        path.write_text("classification,code,description,value,vintage,source,price_year\n"
                        "police_uk_crime_type,Burglary,Burglary,5930,RR99 full,RR99 Table 1,"
                        "2015/16\n")
        table = read_value_table(path, "cost")
        assert table.lookup("police_uk_crime_type") == {"Burglary": 5930.0}
        assert table.unit == "£ at 2015/16 prices"

    @pytest.mark.parametrize(("text", "line", "column"), [
        ("code,description,value,vintage,source\n8N,x,many,v,s\n", 2, "value"),
        ("code,description,value,vintage,source\n8N,x,-1,v,s\n", 2, "value"),
        ("code,description,value,vintage,source\n8N,x,1,,s\n", 2, "vintage"),
        ("classification,code,description,value,vintage,source\nward,8N,x,1,v,s\n", 2,
         "classification"),
    ])
    def test_bad_cells_name_line_and_column(self, tmp_path, text, line, column):
        path = tmp_path / "css.csv"
        path.write_text(text)
        with pytest.raises(InputError) as caught:
            read_value_table(path, "severity")
        assert (caught.value.line, caught.value.column) == (line, column)
