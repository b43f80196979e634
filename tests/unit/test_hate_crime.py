"""Hate crime helpers: strands counted once each, totals once, published figures only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.core.findings import INCREASE, NO_DIRECTION, NOT_ASSESSED, NOT_SIGNIFICANT, NOT_TESTED
from analysis.core.periods import Period
from analysis.present.presentable import Table
from analysis.sections import hate_crime as hate
from analysis.stats.disclosure import DisclosureRule

CURRENT = Period.custom("2024-03", "2024-04")
PREVIOUS = CURRENT.previous()  # Jan and Feb 2024
ONS = DisclosureRule.named("ons")


def _crimes(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    stamps, strands, codes = zip(*rows, strict=True)
    return pd.DataFrame({"committed_from": pd.to_datetime(list(stamps)),
                         "hate_strands": pd.array(list(strands), dtype="string"),
                         "offence_code": list(codes)})


ROWS = [("2024-03-01", "race", "8P"), ("2024-03-02", "race;religion", "8P"),
        ("2024-04-03", "disability", "105A"), ("2024-04-04", "", "8P"),
        ("2024-01-05", "race", "9B"), ("2024-02-06", "", "30C")]


def test_flags_and_rows() -> None:
    crimes = _crimes(ROWS)
    assert hate.has_hate_flags(crimes)
    assert not hate.has_hate_flags(crimes.assign(hate_strands=pd.NA))
    assert len(hate.hate_crimes(crimes)) == 4
    assert hate.strand_rows(crimes)["strand"].tolist() == ["race", "race", "religion",
                                                          "disability", "race"]


def test_strand_change_counts_each_crime_once_per_strand() -> None:
    table = hate.strand_change(_crimes(ROWS), CURRENT, PREVIOUS).set_index("strand")
    # current: race 2 (one also religion), religion 1, disability 1 -> 3 crimes in total
    assert table.index.tolist() == [*hate.STRAND_LABELS.values(), hate.ALL_HATE]
    assert table["current"].tolist() == [2, 1, 0, 1, 0, 3]
    assert table["previous"].tolist() == [1, 0, 0, 0, 0, 1]
    assert hate.multi_strand_crimes(_crimes(ROWS), CURRENT) == 1


def test_published_counts_suppress_small_strands() -> None:
    rows = ([("2024-03-01", "race", "8P")] * 12 + [("2024-04-02", "transgender", "8N")] * 4
            + [("2024-01-01", "", "8N")])
    change = hate.strand_change(_crimes(rows), CURRENT, PREVIOUS)
    counts = hate.strand_counts(change, _crimes(rows), CURRENT, PREVIOUS)
    assert counts.attrs["not_covered"] == []
    published = hate.published_counts(counts, ONS, [PREVIOUS.label, CURRENT.label])
    shown = published.set_index("strand")[CURRENT.label]
    # race 12 -> 10; transgender 4 -> [c]; total 16 -> 15
    assert shown["Race"] == 10 and shown["Transgender identity"] == "[c]"
    assert shown[hate.ALL_HATE] == 15
    assert hate.published_counts(counts, None, [CURRENT.label]) is counts
    findings = [f.statement for f in
                hate.key_findings(change, published, 0, area_name="A", current=CURRENT, rule=ONS)]
    # previous total 0 is suppressed under ONS, so no change sentence with exact counts
    assert findings[0] == "There were too few hate crimes in A to describe the change safely."
    # zero strands are suppressed too under ONS (a published 0 narrows the others)
    assert findings[1] == (f"By strand in {CURRENT.label} (rounded to the nearest 5): race 10. "
                           "The religion or belief and sexual orientation and disability and "
                           "transgender identity strands had too few crimes to publish safely, "
                           "so the count is suppressed.")
    assert findings[2].startswith("A small number of")


def test_strand_counts_only_for_covered_periods() -> None:
    crimes = _crimes([("2024-03-01", "race", "8P"), ("2024-04-01", "race", "8P")])
    counts = hate.strand_counts(hate.strand_change(crimes, CURRENT, PREVIOUS), crimes,
                                CURRENT, PREVIOUS)
    assert counts.columns.tolist() == ["strand", CURRENT.label]
    assert counts.attrs["not_covered"] == [PREVIOUS.label]


def test_publishable_total_needs_counts_above_the_rule() -> None:
    rows = [("2024-03-01", "race", "8P")] * 12 + [("2024-01-01", "race", "8P")] * 10
    change = hate.strand_change(_crimes(rows), CURRENT, PREVIOUS)
    total = hate.publishable_total(change, ONS)
    assert total["current"].item() == 12 and total["previous"].item() == 10
    assert hate.publishable_total(change.assign(previous=9), ONS) is None
    unknown = change.assign(previous=pd.array([pd.NA] * len(change), dtype="Int64"))
    assert hate.publishable_total(unknown, None) is None


def test_quarterly_totals_unknown_outside_extract() -> None:
    rows = [("2024-01-15", "race", "8P"), ("2024-02-15", "", "8P"), ("2024-04-15", "race", "8P")]
    quarters = hate.quarterly_totals(_crimes(rows), [Period.custom("2024-01", "2024-06")])
    # Jan-Mar covered: 1 hate crime; Apr-Jun: May and June not covered -> unknown
    assert quarters["hate_crimes"].iloc[0] == 1.0
    assert np.isnan(quarters["hate_crimes"].iloc[1])


def test_quarters_never_run_past_the_period() -> None:
    # Jan-Jun 2024 is covered. Jan-Apr: one quarter, not a second one counting May and June.
    rows = [("2024-01-15", "race", "8P"), ("2024-04-15", "race", "8P"),
            ("2024-05-15", "race", "8P"), ("2024-06-15", "race", "8P")]
    quarters = hate.quarterly_totals(_crimes(rows), [Period.custom("2024-01", "2024-04")])
    assert quarters["quarter"].tolist() == [date(2024, 1, 1)]
    assert quarters["hate_crimes"].tolist() == [1.0]
    # A period shorter than a quarter is one block: Apr-May holds 2, June is after it.
    short = hate.quarterly_totals(_crimes(rows), [Period.custom("2024-04", "2024-05")])
    assert short.to_dict("records") == [{"quarter": date(2024, 4, 1), "hate_crimes": 2.0}]


def test_aggravated_offences_listed_with_total() -> None:
    table = hate.aggravated_offences(_crimes(ROWS), CURRENT, PREVIOUS).set_index("offence_code")
    assert {"8P", "105B", "8M", "9B", "58J"} <= set(table.index)
    # 8P three times this period (one without a hate flag still counts: it is the offence)
    assert table.loc["8P", CURRENT.label] == 3
    assert table.loc["9B", PREVIOUS.label] == 1
    assert table.iloc[-1][CURRENT.label] == 3
    late = hate.aggravated_offences(_crimes(ROWS[:4]), CURRENT, PREVIOUS)
    assert PREVIOUS.label not in late.columns and late.attrs["not_covered"] == [PREVIOUS.label]


def _strand_tables(rows: list[tuple[str, str, str]], rule: DisclosureRule | None = ONS):
    crimes = _crimes(rows)
    change = hate.strand_change(crimes, CURRENT, PREVIOUS)
    counts = hate.strand_counts(change, crimes, CURRENT, PREVIOUS)
    return crimes, change, counts, hate.publishable_total(change, rule)


TWELVE_AND_TEN = ([("2024-03-01", "race", "8P")] * 6 + [("2024-04-01", "race", "8P")] * 6
                  + [("2024-01-01", "race;religion", "8P")] * 5
                  + [("2024-02-01", "race;religion", "8P")] * 5)
"""Every month of both periods: 12 hate crimes now (race), 10 before (race and religion)."""


def test_findings_carry_the_total_change_and_state_no_direction_otherwise() -> None:
    _, change, counts, _ = _strand_tables(TWELVE_AND_TEN)
    published = hate.published_counts(counts, ONS, [PREVIOUS.label, CURRENT.label])
    total, strands, multi = hate.key_findings(change, published, 12, area_name="A",
                                              current=CURRENT, rule=ONS)
    # 12 against 10: +2 (20.0 %), not significant (exact test)
    assert total.statement == ("Hate crime in A rose by 2 offences (20.0 %), not a "
                               "statistically significant change.")
    assert (total.direction, total.significance) == (INCREASE, NOT_SIGNIFICANT)
    assert total.figures == ("hate_total_current", "hate_total_previous", "hate_pct_diff",
                             "hate_significance")
    assert (strands.direction, strands.significance) == (NO_DIRECTION, NOT_TESTED)
    assert strands.figures[:2] == ("hate_race_current", "hate_religion_current")
    assert multi.statement.startswith("10 hate crimes")  # 12 rounded to the nearest 5


def test_a_total_too_small_to_publish_is_not_assessed() -> None:
    _, change, counts, _ = _strand_tables([("2024-03-01", "race", "8P")] * 3)
    [total, *_] = hate.key_findings(change, counts, 0, area_name="A", current=CURRENT,
                                    rule=ONS)
    assert (total.direction, total.significance) == (NO_DIRECTION, NOT_ASSESSED)
    assert hate.NOT_AVAILABLE.significance == NOT_ASSESSED


def test_strand_key_for_known_and_unexpected_strands() -> None:
    assert hate.strand_key("Religion or belief") == "religion"
    assert hate.strand_key("Transgender identity") == "transgender"
    assert hate.strand_key("Alternative sub-culture") == "alternative_sub_culture"


def test_header_notes_without_an_extract_and_with_crimes_outside() -> None:
    sources, caveats = hate.header_notes(None, 0, available=False, police_source="police.uk",
                                         area_name="A", current=CURRENT, previous=PREVIOUS)
    assert sources == ["police.uk"]
    assert len(caveats) == 4 and caveats[-1].startswith("No partner crime extract")
    crimes = _crimes(ROWS)
    sources, caveats = hate.header_notes(crimes, 3, available=True, police_source="police.uk",
                                         area_name="A", current=CURRENT, previous=PREVIOUS)
    assert sources[1] == ("Partner crime extract: 6 crimes in A, committed Jan 2024 to Apr "
                          "2024; Home Office offence classification")
    assert caveats[2] == ("3 crimes in the extract are outside A or could not be placed, and "
                          "are not counted.")
    assert len(caveats) == 6


def test_strand_items_with_a_publishable_total() -> None:
    _, _, counts, total = _strand_tables(TWELVE_AND_TEN)
    strands, change = hate.strand_items(counts, total, current=CURRENT, previous=PREVIOUS)
    assert (strands.name, change.name) == ("hate_strands", "hate_total_change")
    assert strands.counts == [PREVIOUS.label, CURRENT.label]
    assert change.frame.iloc[0].tolist()[:4] == ["All hate crime (each crime once)", 10, 12, 2]
    assert change.derived == {"# diff.": ("difference", CURRENT.label, PREVIOUS.label),
                              "% diff.": ("percent_change", CURRENT.label, PREVIOUS.label)}


def test_strand_items_say_what_is_unknown_and_too_small() -> None:
    # the extract covers March and April only: the previous period is not covered
    _, _, counts, total = _strand_tables([("2024-03-01", "race", "8P"),
                                          ("2024-04-01", "race", "8P")])
    items = hate.strand_items(counts, total, current=CURRENT, previous=PREVIOUS)
    assert [type(item).__name__ for item in items] == ["Markdown", "Table", "Markdown"]
    assert PREVIOUS.label in items[0].data
    assert items[2].data == "There were too few hate crimes to show the change safely."
    assert items[1].counts == [CURRENT.label]


def test_trend_items_leave_out_the_xmr_chart_below_two_known_quarters() -> None:
    quarters = pd.DataFrame({"quarter": [date(2024, 1, 1), date(2024, 4, 1)],
                             "hate_crimes": [3.0, np.nan]})
    [trend] = hate.trend_items(quarters, [], area_name="A", current=CURRENT)
    assert trend.name == "hate_quarterly_trend" and trend.counts == ["hate_crimes"]
    known = quarters.assign(hate_crimes=[3.0, 5.0])
    items = hate.trend_items(known, [], area_name="A", current=CURRENT)
    assert [item.name for item in items[:2]] == ["hate_quarterly_trend", "hate_xmr"]


def test_aggravated_and_ward_tables_need_a_covered_period() -> None:
    frame = pd.DataFrame({"ward": ["W1", "All wards"], CURRENT.label: [3, 3]})
    assert hate.ward_table(frame, [], current=CURRENT, previous=PREVIOUS) == []
    assert hate.aggravated_table(frame, [], current=CURRENT, previous=PREVIOUS) == []
    [wards] = hate.ward_table(frame, [CURRENT.label], current=CURRENT, previous=PREVIOUS)
    assert isinstance(wards, Table)
    assert (wards.order, wards.total_row, list(wards.frame.columns)) == (
        CURRENT.label, 1, ["Ward", CURRENT.label])


class _RecordingSection:
    """What record_key_figures uses of a Section: the periods, record and published_change
    (the ONS rule: rounded to 5, 1 to 9 hidden)."""

    period, previous = CURRENT, PREVIOUS

    def __init__(self) -> None:
        self.recorded: dict[str, object] = {}

    def record(self, key, value, *, label=None, source="open"):
        self.recorded[key] = value

    def published_change(self, figures):
        return {**figures, "current": ONS.publish(figures["current"]),
                "previous": ONS.publish(figures["previous"])}


def test_record_key_figures_as_published() -> None:
    crimes, _, counts, total = _strand_tables(TWELVE_AND_TEN)
    columns = [PREVIOUS.label, CURRENT.label]
    published = hate.published_counts(counts, ONS, columns)
    section = _RecordingSection()
    hate.record_key_figures(section, total, published,
                            hate.aggravated_offences(crimes, CURRENT, PREVIOUS), ONS)
    figures = section.recorded
    assert (figures["hate_total_current"], figures["hate_total_previous"]) == (10, 10)
    assert figures["hate_race_current"] == 10 and figures["hate_religion_current"] == "[c]"
    assert figures["hate_aggravated_current"] == 10  # twelve 8P offences, rounded


def test_record_key_figures_without_a_total_or_a_covered_current_period() -> None:
    section = _RecordingSection()
    published = pd.DataFrame({"strand": ["Race"], PREVIOUS.label: [10]})
    hate.record_key_figures(section, None, published, published, ONS)
    assert section.recorded == {}
