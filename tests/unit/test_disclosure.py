"""Tests for analysis.stats.disclosure: rounding, suppression, secondary suppression, checking."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, InputError
from analysis.stats.disclosure import (
    DisclosureRule,
    apply_disclosure,
    check_disclosure,
    disclosure_mask,
    recoverable_cells,
)

ONS = DisclosureRule.named("ons")
NHS = DisclosureRule.named("nhs")


class TestRules:
    @pytest.mark.parametrize(("count", "shown"), [(10, 10), (12, 10), (13, 15), (17, 15),
                                                  (18, 20), (1234, 1235), (1232, 1230)])
    def test_ons_rounding(self, count, shown):
        assert ONS.publish(count) == shown

    @pytest.mark.parametrize("count", range(10))
    def test_ons_suppresses_0_to_9(self, count):
        assert ONS.publish(count) == ONS.symbol

    @pytest.mark.parametrize(("count", "shown"), [(0, 0), (8, 10), (12, 10), (13, 15)])
    def test_nhs(self, count, shown):
        assert NHS.publish(count) == shown

    @pytest.mark.parametrize("count", range(1, 8))
    def test_nhs_suppresses_1_to_7(self, count):
        assert NHS.publish(count) == "*"

    def test_could_show(self):
        assert ONS.could_show(10) and ONS.could_show(15)
        assert not ONS.could_show(0) and not ONS.could_show(5) and not ONS.could_show(12)
        assert NHS.could_show(0) and NHS.could_show(10)
        assert not NHS.could_show(5)  # 1-7 are suppressed and 8 rounds to 10

    def test_unknown_rule(self):
        with pytest.raises(ConfigError):
            DisclosureRule.named("strict")

    def test_custom_rule_validated(self):
        with pytest.raises(ConfigError):
            DisclosureRule("x", 5, 2, 5, "*", "")


def grid_with_totals(cells: list[list[int]]) -> pd.DataFrame:
    """A table of cells plus a 'Total' column and an 'All' row holding the true totals."""
    table = pd.DataFrame(cells, columns=[f"c{j}" for j in range(len(cells[0]))],
                         index=[f"r{i}" for i in range(len(cells))])
    table["Total"] = table.sum(axis=1)
    table.loc["All"] = table.sum(axis=0)
    return table


class TestApply:
    def test_primary_and_rounding_without_totals(self):
        table = pd.DataFrame({"area": ["a", "b", "c"], "count": [3, 12, 0]})
        out = apply_disclosure(table, ONS, ["count"])
        assert out["count"].tolist() == ["[c]", 10, "[c]"]
        assert out["area"].tolist() == ["a", "b", "c"]
        assert "suppressed" in out.attrs["disclosure_rule"]
        assert table["count"].tolist() == [3, 12, 0]  # input untouched

    def test_nhs_keeps_zero(self):
        table = pd.DataFrame({"count": [0, 5, 8]})
        assert apply_disclosure(table, NHS, ["count"])["count"].tolist() == [0, "*", 10]

    def test_secondary_suppression_in_a_row(self):
        # row r0: 4 + 20 + 30 = 54. 4 is hidden; the total and 20, 30 would give it back,
        # so the smallest other cell (20) is hidden too. Column totals then expose 20's
        # column, and so on; after all that no line may hold exactly one hidden cell.
        table = grid_with_totals([[4, 20, 30], [25, 40, 35], [50, 45, 60]])
        mask = disclosure_mask(table, ONS, ["c0", "c1", "c2", "Total"], total_row="All",
                               total_column="Total")
        assert mask.loc["r0", "c0"] and mask.loc["r0", "c1"]
        assert not recoverable_cells(mask, total_row="All", total_column="Total")
        for _, row in mask.iterrows():
            assert row.sum() != 1
        for _, column in mask.items():
            assert column.sum() != 1

    def test_only_cell_and_total(self):
        # one part and its total: if the part is hidden the total must be hidden too
        table = pd.DataFrame({"n": [4, 4]}, index=["x", "All"])
        out = apply_disclosure(table, ONS, ["n"], total_row="All")
        assert out["n"].tolist() == ["[c]", "[c]"]

    def test_rounded_totals_come_from_true_values(self):
        table = grid_with_totals([[12, 12], [12, 12]])
        out = apply_disclosure(table, ONS, ["c0", "c1", "Total"], total_row="All",
                               total_column="Total")
        # cells 12 -> 10; row totals 24 -> 25; grand total 48 -> 50 (not 4 x 10 = 40)
        assert out.loc["r0", "c0"] == 10
        assert out.loc["r0", "Total"] == 25
        assert out.loc["All", "Total"] == 50

    def test_a_missing_count_stays_missing(self):
        # An unknown count (a period the extract does not cover) is neither 0 nor hidden.
        table = pd.DataFrame({"previous": pd.array([pd.NA, pd.NA], dtype="Int64"),
                              "current": [3, 12]})
        out = apply_disclosure(table, ONS, ["previous", "current"])
        assert out["previous"].isna().all()
        assert out["current"].tolist() == ["[c]", 10]
        assert check_disclosure(out, ONS, ["previous", "current"]).empty
        with pytest.raises(InputError):
            apply_disclosure(pd.DataFrame({"n": ["twelve"]}), ONS, ["n"])

    def test_a_missing_cell_is_never_the_one_hidden_to_protect_a_total(self):
        # Row total 20 with a hidden 4: the other part is unknown, so the total is hidden.
        table = pd.DataFrame({"a": [4], "b": pd.array([pd.NA], dtype="Int64"), "Total": [20]})
        mask = disclosure_mask(table, ONS, ["a", "b", "Total"], total_column="Total")
        assert mask.iloc[0].tolist() == [True, False, True]

    def test_bad_values(self):
        with pytest.raises(InputError):
            apply_disclosure(pd.DataFrame({"n": [1.5]}), ONS, ["n"])
        with pytest.raises(InputError):
            apply_disclosure(pd.DataFrame({"n": [1]}), ONS, ["m"])
        with pytest.raises(ConfigError):
            apply_disclosure(pd.DataFrame({"n": [1]}), ONS, ["n"], total_column="m")

    @settings(max_examples=80, deadline=None)
    @given(
        st.integers(1, 4).flatmap(lambda n_cols: st.lists(
            st.lists(st.integers(0, 40), min_size=n_cols, max_size=n_cols),
            min_size=1, max_size=5)),
        st.sampled_from(["ons", "nhs"]),
    )
    def test_no_suppressed_cell_recoverable(self, cells, rule_name):
        rule = DisclosureRule.named(rule_name)
        table = grid_with_totals(cells)
        columns = [*table.columns]
        out = apply_disclosure(table, rule, columns, total_row="All", total_column="Total")
        lines = [[(r, c) for c in columns] for r in table.index]  # parts + row total
        lines += [[(r, c) for r in table.index] for c in columns]  # parts + column total
        for line in lines:
            hidden = [cell for cell in line if out.loc[cell] == rule.symbol]
            if len(hidden) == 1:
                # try to recover it: total minus the other published cells
                *parts, total = line
                others = [out.loc[c] for c in parts if c != hidden[0]]
                guess = (out.loc[total] - sum(others) if hidden[0] != total
                         else sum(out.loc[c] for c in parts))
                pytest.fail(f"{hidden[0]} recoverable as about {guess}")
        # every published count is one the rule could show, and the checker agrees
        assert check_disclosure(out, rule, columns, total_row="All",
                                total_column="Total").empty

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.integers(0, 200), min_size=2, max_size=8))
    def test_single_column_with_total_never_one_hidden(self, values):
        table = pd.DataFrame({"n": [*values, sum(values)]},
                             index=[*range(len(values)), "All"])
        mask = disclosure_mask(table, ONS, ["n"], total_row="All")
        assert mask["n"].sum() != 1


class TestCheck:
    def test_reports_bad_counts(self):
        table = pd.DataFrame({"ward": ["a", "b", "c", "d"], "count": [3, "[c]", 12, 15],
                              "rate": [1.25, 2.5, 3.0, 4.1]})
        report = check_disclosure(table, ONS)
        assert report["row"].tolist() == [0, 2]
        assert report["column"].tolist() == ["count", "count"]
        assert report["value"].tolist() == [3, 12]

    def test_reports_recoverable_cell(self):
        table = pd.DataFrame({"n": ["[c]", 20, 25]}, index=["a", "b", "All"])
        report = check_disclosure(table, ONS, ["n"], total_row="All")
        assert report["problem"].str.contains("worked out").tolist() == [True]
        assert report["row"].tolist() == ["a"]

    def test_passes_clean_table(self):
        table = pd.DataFrame({"n": ["[c]", "[c]", 20, 25]}, index=["a", "b", "c", "All"])
        assert check_disclosure(table, ONS, ["n"], total_row="All").empty


