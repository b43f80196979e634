"""Monthly counts and period changes from partner extracts (one row per crime or incident).

police.uk counts come from the store already grouped by month; partner extracts arrive as
records with a date and time. These helpers turn records into the same long monthly counts
(``month, <groups...>, count``) so the statistical core (:func:`analysis.measures.change_table`,
:func:`analysis.trends.xmr`) is used unchanged, and they say which months an extract covers
so a month outside it is shown as unknown, never as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, InputError
from analysis.measures import change_table, count_headings, require_columns
from analysis.periods import Period, add_months

NOT_RECORDED = "not recorded"
"""Label for a blank group value (e.g. a victim with no recorded sex): kept, never dropped."""


def record_months(stamps: pd.Series) -> pd.Series:
    """The first day of each record's month as ``datetime.date`` (NaT stays missing)."""
    stamps = pd.to_datetime(stamps)
    return stamps.dt.to_period("M").dt.start_time.dt.date.where(stamps.notna())


def extract_months(stamps: pd.Series) -> list[date]:
    """Every month from the extract's first record to its last: the months it covers.

    A month inside that span with no record is a real zero (the extract covers it); months
    before the first or after the last record are not covered and stay unknown. Empty when
    no record has a date.
    """
    months = record_months(stamps).dropna()
    if months.empty:
        return []
    first, last = min(months), max(months)
    span = (last.year - first.year) * 12 + last.month - first.month
    return [add_months(first, step) for step in range(span + 1)]


def covered_periods(stamps: pd.Series, periods: Iterable[Period]) -> list[Period]:
    """The ``periods`` whose every month the extract covers (see :func:`extract_months`).

    Tables of counts for publication show only these: a period the extract does not fully
    cover has unknown counts, and a disclosure-controlled table cannot hold unknowns.
    """
    months = set(extract_months(stamps))
    return [period for period in periods if set(period.months) <= months]


def monthly_counts(rows: pd.DataFrame, time_col: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Records per month and per value of ``by``: columns ``month, <by...>, count``.

    A blank ``by`` value is counted under :data:`NOT_RECORDED`, so group counts always add
    up to the total. Records with no date cannot be placed in a month and raise InputError.
    """
    require_columns(rows, [time_col, *by])
    months = record_months(rows[time_col])
    if months.isna().any():
        raise InputError("a record has no date, so it cannot be counted in a month",
                         column=time_col, hint=f"row with index {months.isna().idxmax()!r}")
    frame = pd.DataFrame({"month": months})
    for column in by:
        frame[column] = rows[column].astype("string").fillna(NOT_RECORDED).to_numpy()
    keys = ["month", *by]
    return frame.groupby(keys, sort=True).size().rename("count").reset_index()


def change_by(rows: pd.DataFrame, time_col: str, by: str | Sequence[str], current: Period,
              previous: Period, *, total_label: str | None, order: Iterable[str] = (),
              subtotals: bool = False, subtotal_label: str = "All") -> pd.DataFrame:
    """:func:`analysis.measures.change_table` of the records, with the extract's coverage.

    ``order`` (with a single ``by`` column) lists values that must appear as rows, in that
    order and with 0 when the extract has none, e.g. every hate strand; other values follow
    in order of first appearance. Coverage is :func:`extract_months`, so a period the
    extract does not fully cover is "not assessed".
    """
    by = [by] if isinstance(by, str) else list(by)
    counts = monthly_counts(rows, time_col, by)
    wanted = list(order)
    if wanted and len(by) > 1:
        raise ConfigError("'order' works with one 'by' column", found=", ".join(by))
    if wanted:
        # A zero row for every wanted value puts it in the table without changing any sum.
        zeros = pd.DataFrame({"month": current.start, by[0]: wanted, "count": 0})
        rank = {value: i for i, value in enumerate(wanted)}
        counts = pd.concat([zeros, counts], ignore_index=True)
        counts = counts.iloc[np.argsort(counts[by[0]].map(rank).fillna(len(wanted)).to_numpy(),
                                        kind="stable")]
    return change_table(counts, current, previous, by, total_label=total_label,
                        available_months=extract_months(rows[time_col]), subtotals=subtotals,
                        subtotal_label=subtotal_label)


def monthly_series(rows: pd.DataFrame, time_col: str, months: Iterable[date]) -> pd.DataFrame:
    """Records in each of ``months``: ``month, count``; a month the extract does not cover is
    NaN (unknown), a covered month with no record is 0."""
    wanted = list(months)
    covered = set(extract_months(rows[time_col]))
    counts = record_months(rows[time_col]).value_counts()
    values = [float(counts.get(month, 0)) if month in covered else np.nan for month in wanted]
    return pd.DataFrame({"month": wanted, "count": values})


def in_area(rows: pd.DataFrame, csp_code: str) -> tuple[pd.DataFrame, int]:
    """The extract's records placed in the partnership, and how many were not.

    The ingest places each record by its location; a record outside the area or with a
    location that could not be placed is left out of the section's counts and reported.
    """
    require_columns(rows, ["csp_code"])
    inside = (rows["csp_code"] == csp_code).fillna(False).astype(bool)
    return rows[inside].reset_index(drop=True), int((~inside).sum())


NO_WARD = "ward not known"
"""Row label for records the extract could not place in a ward."""


def area_wards(lookup: pd.DataFrame, lad_codes: Iterable[str]) -> pd.DataFrame:
    """Every ward of the area's local authorities: ``ward_code, ward_name`` by name."""
    require_columns(lookup, ["ward_code", "ward_name", "lad_code"])
    wards = lookup[lookup["lad_code"].isin(list(lad_codes))][["ward_code", "ward_name"]]
    return wards.drop_duplicates("ward_code").sort_values("ward_name", ignore_index=True)


def ward_counts(rows: pd.DataFrame, time_col: str, wards: pd.DataFrame, current: Period,
                previous: Period, *, total_label: str) -> pd.DataFrame:
    """Records by ward in the two periods: ``ward, <previous label>, <current label>``.

    Every ward of ``wards`` is listed (0 when it has none), busiest first (ties by name),
    then :data:`NO_WARD` when some records have no ward, then the total. Only periods the
    extract fully covers get a column (``attrs['not_covered']`` lists the others). Counts are
    true counts: publish them through the disclosure rule with the last row as total.
    """
    require_columns(rows, [time_col, "ward_code"])
    months = record_months(rows[time_col])
    names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
    place = rows["ward_code"].map(names).fillna(NO_WARD)
    shown = covered_periods(rows[time_col], (previous, current))
    table = pd.DataFrame({"ward": [*names.values(), NO_WARD]})
    for period in shown:
        counts = place[months.isin(period.months).to_numpy()].value_counts()
        table[period.label] = table["ward"].map(counts).fillna(0).astype("int64")
    labels = [period.label for period in shown]
    unplaced = table["ward"] == NO_WARD
    keep = ~unplaced | (table[labels].sum(axis=1) > 0)
    table = pd.concat([
        table[~unplaced].sort_values([*labels[::-1], "ward"],
                                     ascending=[*[False] * len(labels), True]),
        table[unplaced & keep],
    ], ignore_index=True)
    total = {"ward": total_label, **{label: int(table[label].sum()) for label in labels}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table.attrs["not_covered"] = [p.label for p in (previous, current) if p not in shown]
    return table


def presentable_change(table: pd.DataFrame, label_col: str, heading: str, current: Period,
                       previous: Period) -> pd.DataFrame:
    """A change table with the headings of the seeds' tables: label, both periods, # diff.,
    % diff. and Change (with the small-base warning in words). The period headings name the
    months counted when the comparison is like for like or not made
    (:func:`analysis.measures.count_headings`), and then Change says why."""
    before, now = count_headings(table, current, previous)
    shown = pd.DataFrame({
        heading: table[label_col],
        before: table["previous"],
        now: table["current"],
        "# diff.": table["diff"],
        "% diff.": table["pct_diff"],
        "Change": table["significance"],
    })
    unreliable = ~table["pct_reliable"].astype(bool) & table["pct_diff"].notna()
    shown.loc[unreliable, "Change"] = (table.loc[unreliable, "significance"]
                                       + " (base under 10: % unreliable)")
    compared = table.attrs.get("months_compared")
    if compared is not None and not compared.comparable:
        shown["Change"] = compared.summary()
    return shown.reset_index(drop=True)


def headline(row: pd.Series) -> dict[str, object]:
    """A change-table row as key figures: current, previous (int), pct_diff (float) and
    significance (str), with None for an unknown value (never 0 or NaN in the JSON)."""
    def known(value: object, kind: type) -> object:
        return None if pd.isna(value) else kind(value)

    return {"current": known(row["current"], int), "previous": known(row["previous"], int),
            "pct_diff": known(row["pct_diff"], float),
            "significance": str(row["significance"])}
