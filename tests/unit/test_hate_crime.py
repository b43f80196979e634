"""Hate crime helpers: strands counted once each, totals once, published figures only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.core.periods import Period
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
    findings = hate.key_findings(change, published, 0, area_name="A", current=CURRENT, rule=ONS)
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
