"""Presented tables show human headings, never machine column names."""

from __future__ import annotations

import pytest

from analysis.present.presentable import COLUMN_HEADINGS, heading


@pytest.mark.parametrize(("column", "shown"), [
    ("rate_lower", "Rate: lower 95 %"), ("cell_id", "Grid square (BNG)"),
    ("lsoa_code", "LSOA code"), ("top_places", "Places in the busiest"),
    ("rows_read", "Rows read"), ("rank", "Rank"), ("some_new_count", "Some new count"),
    ("2024/25", "2024/25"), ("% diff.", "% diff."), ("Ward", "Ward"),
    ("of which Fri/Sat 22:00-01:59", "of which Fri/Sat 22:00-01:59"), (7, 7)])
def test_heading_turns_machine_names_into_words(column: object, shown: object) -> None:
    assert heading(column) == shown


def test_no_heading_is_itself_a_machine_name() -> None:
    assert all(heading(shown) == shown and "_" not in shown
               for shown in COLUMN_HEADINGS.values())
