"""The force overview's rows, ranks and notes, from hand-made key figures."""

from __future__ import annotations

from analysis.publish.force_overview import (
    MISSING,
    Partnership,
    overview_notes,
    overview_table,
    rate_ranks,
)


def _figures(crimes: int, pct: float | None, rate: float, comparison: str = "complete",
             priorities: str | None = "1. Burglary; 2. Vehicle crime; 3. ASB") -> dict:
    figures = {
        "10_crime_overview": {
            "all_crime_current": {"value": crimes}, "all_crime_pct_diff": {"value": pct},
            "all_crime_significance": {"value": "significant increase" if pct else None},
            "all_crime_comparison": {"value": comparison},
            "all_crime_rate": {"value": rate},
            "all_crime_rate_interval": {"value": f"{rate - 1:.1f} to {rate + 1:.1f}"}},
        "20_anti_social_behaviour": {
            "asb_incidents_current": {"value": 1200}, "asb_pct_diff": {"value": -3.0},
            "asb_significance": {"value": "no significant change"}},
    }
    if priorities:
        figures["90_priorities"] = {"top_priorities": {"value": priorities}}
    return figures


def test_rate_ranks_put_the_highest_first_and_share_ties() -> None:
    assert rate_ranks({"a": 80.0, "b": 120.5, "c": 80.0, "d": 95.0}) == {
        "b": "1 of 4", "d": "2 of 4", "a": "3 of 4", "c": "3 of 4"}


def test_overview_rows_read_each_partnership_and_never_invent_a_figure() -> None:
    partnerships = [
        Partnership("x-north", "North", _figures(20947, 6.1, 120.4)),
        Partnership("x-south", "South", _figures(1500, None, 95.7, comparison="not compared",
                                                 priorities=None)),
        Partnership("x-east", "East", {}),  # not built
    ]
    table = overview_table(partnerships)
    assert table.loc[0].tolist() == [
        "North", "20,947", "+6.1 %, significant increase", "1,200",
        "-3.0 %, no significant change", "120.4 (119.4 to 121.4)", "1 of 2",
        "1. Burglary; 2. Vehicle crime; 3. ASB"]
    assert table.loc[1, "Crime change"] == MISSING  # unknown change: a dash, not 0 %
    assert table.loc[1, "Rank by crime rate (1 = highest)"] == "2 of 2"
    assert table.loc[1, "Top three priorities"] == MISSING
    assert (table.loc[2].iloc[1:] == MISSING).all()
    assert overview_notes(partnerships) == [
        "South: crime change compares not compared.",
        "South: priorities not built, shown as –.",
        "East: the report has not been built for this period, so its row is blank.",
    ]
