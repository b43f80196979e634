"""Monthly counts, coverage and ward tables from partner records (hand-made extracts)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import Period
from analysis.stats.partner_counts import (
    NO_WARD,
    NOT_RECORDED,
    area_wards,
    change_by,
    covered_periods,
    extract_months,
    headline,
    in_area,
    monthly_record_counts,
    monthly_series,
    presentable_change,
    ward_counts,
)

CURRENT = Period.custom("2024-03", "2024-04")
PREVIOUS = CURRENT.previous()  # Jan and Feb 2024


def _rows(stamps: list[str], **columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"at": pd.to_datetime(stamps), **columns})


def test_extract_months_spans_first_to_last_record() -> None:
    rows = _rows(["2024-01-31 23:59", "2024-04-01 00:00"])
    assert extract_months(rows["at"]) == [date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert extract_months(pd.Series([], dtype="datetime64[ns]")) == []


def test_monthly_counts_keeps_blank_groups() -> None:
    rows = _rows(["2024-01-05", "2024-01-20", "2024-02-01"], sex=["female", None, "female"])
    counts = monthly_record_counts(rows, "at", ("sex",))
    assert counts.to_dict("records") == [
        {"month": date(2024, 1, 1), "sex": "female", "count": 1},
        {"month": date(2024, 1, 1), "sex": NOT_RECORDED, "count": 1},
        {"month": date(2024, 2, 1), "sex": "female", "count": 1},
    ]


def test_monthly_counts_refuses_undated_records() -> None:
    with pytest.raises(InputError):
        monthly_record_counts(_rows(["2024-01-05", None]), "at")


def test_change_by_lists_ordered_values_with_zero() -> None:
    # previous (Jan-Feb): a x2; current (Mar-Apr): a x3, c x1; b never occurs.
    rows = _rows(["2024-01-03", "2024-02-03", "2024-03-03", "2024-03-04", "2024-04-30",
                  "2024-04-01"], kind=["a", "a", "a", "a", "a", "c"])
    table = change_by(rows, "at", "kind", CURRENT, PREVIOUS, total_label="all",
                      order=["b", "a"])
    assert table["kind"].tolist() == ["b", "a", "c", "all"]
    assert table["current"].tolist() == [0, 3, 1, 4]
    assert table["previous"].tolist() == [0, 2, 0, 2]
    assert table["complete"].all()


def test_change_by_order_needs_one_column() -> None:
    rows = _rows(["2024-03-03"], kind=["a"], sub=["x"])
    with pytest.raises(ConfigError):
        change_by(rows, "at", ["kind", "sub"], CURRENT, PREVIOUS, total_label=None,
                  order=["a"])


def test_change_by_a_partly_covered_period_is_like_for_like() -> None:
    # The extract covers Feb-Apr: March (paired with uncovered January) is left out.
    rows = _rows(["2024-02-10", "2024-03-05", "2024-04-10"], kind=["a", "a", "a"])
    table = change_by(rows, "at", "kind", CURRENT, PREVIOUS, total_label=None)
    assert (table["previous"].tolist(), table["current"].tolist()) == ([1], [1])
    assert table["basis"].tolist() == ["like for like"]
    shown = presentable_change(table, "kind", "Kind", CURRENT, PREVIOUS)
    assert list(shown.columns[1:3]) == ["Jan 2024 to Feb 2024 (Feb 2024 only)",
                                        "Mar 2024 to Apr 2024 (Apr 2024 only)"]


def test_change_by_outside_the_extract_is_not_assessed() -> None:
    rows = _rows(["2024-03-10", "2024-04-10"], kind=["a", "a"])  # Jan and Feb not covered
    table = change_by(rows, "at", "kind", CURRENT, PREVIOUS, total_label=None)
    assert table["significance"].tolist() == ["not assessed"]
    assert table["previous"].isna().all()
    shown = presentable_change(table, "kind", "Kind", CURRENT, PREVIOUS)
    assert shown["Change"].tolist() == ["not compared: Jan 2024 to Feb 2024 holds no month "
                                        "of data"]


def test_monthly_series_unknown_outside_extract() -> None:
    rows = _rows(["2024-02-10", "2024-04-10", "2024-04-11"])
    series = monthly_series(rows, "at", [date(2024, m, 1) for m in (1, 2, 3, 4, 5)])
    assert series["count"].tolist()[1:4] == [1.0, 0.0, 2.0]
    assert series["count"].isna().tolist() == [True, False, False, False, True]


def test_in_area_counts_the_rest() -> None:
    rows = pd.DataFrame({"csp_code": ["E1", "E2", None, "E1"]})
    inside, outside = in_area(rows, "E1")
    assert len(inside) == 2 and outside == 2


def test_ward_counts_lists_every_ward_and_unplaced() -> None:
    wards = area_wards(pd.DataFrame({"ward_code": ["W1", "W2", "W2", "W9"],
                                     "ward_name": ["North", "South", "South", "Away"],
                                     "lad_code": ["L1", "L1", "L1", "L9"]}), ["L1"])
    assert wards["ward_name"].tolist() == ["North", "South"]
    rows = _rows(["2024-03-01", "2024-03-02", "2024-01-01", "2024-04-01"],
                 ward_code=["W2", "W2", "W1", None])
    table = ward_counts(rows, "at", wards, CURRENT, PREVIOUS, total_label="All")
    # current: South 2, North 0, unknown 1 -> total 3; previous: North 1 -> total 1
    assert table["ward"].tolist() == ["South", "North", NO_WARD, "All"]
    assert table[CURRENT.label].tolist() == [2, 0, 1, 3]
    assert table[PREVIOUS.label].tolist() == [0, 1, 0, 1]
    assert table.attrs["not_covered"] == []
    late = ward_counts(rows.iloc[[0, 1, 3]], "at", wards, CURRENT, PREVIOUS, total_label="All")
    assert PREVIOUS.label not in late.columns
    assert late.attrs["not_covered"] == [PREVIOUS.label]
    assert covered_periods(rows["at"], [PREVIOUS, CURRENT, CURRENT.shifted(2)]) == [
        PREVIOUS, CURRENT]


def test_presentable_change_and_headline() -> None:
    rows = _rows(["2024-01-03", "2024-03-03", "2024-03-04", "2024-04-30"], kind=["a"] * 4)
    table = change_by(rows, "at", "kind", CURRENT, PREVIOUS, total_label=None)
    shown = presentable_change(table, "kind", "Kind", CURRENT, PREVIOUS)
    # 1 -> 3: +200 %, base under 10
    assert shown.iloc[0]["% diff."] == 200.0
    assert shown.iloc[0]["Change"].endswith("(base under 10: % unreliable)")
    assert headline(table.iloc[0]) == {"current": 3, "previous": 1, "pct_diff": 200.0,
                                       "significance": "no significant change"}
    unknown = table.iloc[0].copy()
    unknown["previous"], unknown["pct_diff"] = pd.NA, float("nan")
    assert headline(unknown)["previous"] is None and headline(unknown)["pct_diff"] is None
