"""Tests for analysis.present.narrative: sentences follow the numbers and never overclaim."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.periods import Period
from analysis.present.narrative import (
    change_finding,
    describe_change,
    describe_peer_comparison,
    in_words,
    peer_finding,
    percent,
)
from analysis.stats.comparators import peer_comparison
from analysis.stats.measures import change_table

FY17, FY18 = Period.financial_year(2017), Period.financial_year(2018)


def table_for(pairs: dict[str, tuple[int, int]], available=None) -> pd.DataFrame:
    rows = [{"month": period.months[0], "group": group, "count": n}
            for group, (previous, current) in pairs.items()
            for period, n in ((FY17, previous), (FY18, current))]
    return change_table(pd.DataFrame(rows), FY18, FY17, "group", total_label=None,
                        available_months=available)


def row(table: pd.DataFrame, group: str) -> pd.Series:
    return table.set_index("group").loc[group]


class TestDescribeChange:
    def test_seed_sentence(self):
        table = table_for({"Violence with injury": (1297, 1476)})
        text = describe_change(row(table, "Violence with injury"), "Violence with injury",
                               force_pct=9.1)
        assert text == ("Violence with injury rose by 179 offences (13.8 %), a statistically "
                        "significant increase; the force rose 9.1 %.")

    def test_significant_fall(self):
        table = table_for({"Burglary": (1238, 1134)})
        text = describe_change(row(table, "Burglary"), "Burglary", force_pct=-2.0)
        assert text == ("Burglary fell by 104 offences (8.4 %), a statistically significant "
                        "decrease; the force fell 2.0 %.")

    def test_not_significant(self):
        table = table_for({"Robbery": (205, 244)})
        text = describe_change(row(table, "Robbery"), "Robbery")
        assert text == ("Robbery rose by 39 offences (19.0 %), not a statistically "
                        "significant change.")
        assert "significant increase" not in text

    def test_no_change(self):
        table = table_for({"Arson": (40, 40)})
        assert describe_change(row(table, "Arson"), "Arson", force_pct=0.0) == (
            "Arson was unchanged at 40 offences, not a statistically significant change; "
            "the force was unchanged.")

    def test_small_base(self):
        table = table_for({"Hate crime": (4, 9)})
        text = describe_change(row(table, "Hate crime"), "Hate crime")
        assert text.startswith("Hate crime rose by 5 offences (too few last time for a "
                               "reliable percentage)")
        assert "%" not in text

    def test_from_zero_and_singular(self):
        table = table_for({"Homicide": (0, 1)})
        assert describe_change(row(table, "Homicide"), "Homicide").startswith(
            "Homicide rose from none to 1 offence,")

    def test_like_for_like_says_which_months(self):
        available = FY17.months[:-1] + FY18.months  # March 2018 missing
        table = table_for({"Violence with injury": (1297, 1476)}, available)
        text = describe_change(row(table, "Violence with injury"), "Violence with injury",
                               compared=table.attrs["months_compared"])
        assert text == ("Violence with injury rose by 179 offences (13.8 %), like for like on "
                        "the 11 of 12 months held in both periods (Apr 2018–Feb 2019 against "
                        "Apr 2017–Feb 2018), a statistically significant increase.")

    def test_unknown_count(self):
        counts = pd.DataFrame([{"month": FY18.months[0], "group": "New", "count": 4}])
        table = change_table(counts, FY18, FY17, "group", available_months=FY18.months)
        text = describe_change(row(table, "New"), "New", compared=table.attrs["months_compared"])
        assert text == "New: no change is given (not compared: 2017/18 holds no month of data)."

    @given(st.integers(0, 3000), st.integers(0, 3000))
    def test_never_claims_untested_significance(self, previous, current):
        table = table_for({"X": (previous, current)})
        record = row(table, "X")
        text = describe_change(record, "X")
        claimed = "statistically significant increase" in text or \
            "statistically significant decrease" in text
        assert claimed == record["significance"].startswith("significant")
        if current > previous:
            assert " rose " in text
        elif current < previous:
            assert " fell " in text


def test_peer_sentence():
    peers = pd.DataFrame({"area": list("ABCD"), "count": [120, 100, 80, 100],
                          "population": [10_000] * 4})
    text = describe_peer_comparison(peer_comparison(peers, "A"), "Robbery", area_name="A")
    assert text == ("Robbery in A was 12.0 per 1,000 population, the highest of 4 in its most "
                    "similar group and significantly higher than the peer average of 9.3.")
    text = describe_peer_comparison(peer_comparison(peers, "B"), "Robbery", area_name="B")
    # others: (120 + 80 + 100) / 30,000 x 1,000 = 10.0
    assert "not significantly different from the peer average of 10.0" in text


@pytest.mark.parametrize(("value", "text"), [(13.8, "13.8 %"), (-8.4, "8.4 %"), (0, "0.0 %")])
def test_percent(value, text):
    assert percent(value) == text


@pytest.mark.parametrize(
    ("names", "expected"),
    [([], ""), (["Ash"], "Ash"), (["Ash", "Elm"], "Ash and Elm"),
     (["Ash", "Elm", "Oak"], "Ash, Elm and Oak")],
)
def test_in_words_lists_names_as_a_sentence(names: list[str], expected: str) -> None:
    assert in_words(names) == expected


def test_change_finding_carries_the_row_s_direction_and_test() -> None:
    row = {"current": 1479, "previous": 1300, "diff": 179, "pct_diff": 13.8,
           "significance": "significant increase", "complete": True}
    finding = change_finding(row, "Violence with injury", figures=("violence_current",))
    assert finding.statement == describe_change(row, "Violence with injury")
    assert (finding.direction, finding.significance) == ("increase", "significant")
    assert finding.figures == ("violence_current",) and finding.theme == "Violence with injury"
    fell = change_finding({**row, "current": 1290, "diff": -10, "pct_diff": -0.8,
                           "significance": "no significant change"}, "Robbery")
    assert (fell.direction, fell.significance) == ("decrease", "not significant")
    flat = change_finding({**row, "current": 1300, "diff": 0, "pct_diff": 0.0}, "Theft")
    assert flat.direction == "no change"


def test_change_finding_states_nothing_it_cannot_know() -> None:
    unknown = {"current": 40, "previous": None, "diff": None, "pct_diff": None,
               "basis": "not compared"}
    finding = change_finding(unknown, "Drugs")
    assert (finding.direction, finding.significance) == ("–", "not assessed")
    withheld = change_finding({"current": 40, "previous": 3, "diff": 37, "pct_diff": None,
                               "withheld": "a count is too small to publish"}, "Arson")
    assert (withheld.direction, withheld.significance) == ("–", "not assessed")
    incomplete = change_finding({"current": 50, "previous": 30, "diff": 20, "pct_diff": 66.7,
                                 "significance": "significant increase", "complete": False},
                                "Burglary")
    assert (incomplete.direction, incomplete.significance) == ("increase", "not assessed")


def test_peer_finding_direction_follows_the_test() -> None:
    result = {"rate": 1.2, "peer_rate": 0.9, "position": "3rd highest of 15",
              "significance": "significantly higher"}
    above = peer_finding(result, "Robbery", area_name="Thurrock")
    assert (above.direction, above.significance) == ("above comparators", "significant")
    similar = peer_finding({**result, "significance": "not significantly different"},
                           "Robbery", area_name="Thurrock")
    assert (similar.direction, similar.significance) == ("similar to comparators",
                                                         "not significant")
