"""Monthly counts and period changes from partner extracts (one row per crime or incident).

police.uk counts come from the store already grouped by month; partner extracts arrive as
records with a date and time. These helpers turn records into the same long monthly counts
(``month, <groups...>, count``) so the statistical core
(:func:`analysis.stats.measures.change_table`,
:func:`analysis.stats.trends.xmr`) is used unchanged, and they say which months an extract covers
so a month outside it is shown as unknown, never as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import Period, add_months, month_starts, months_between, to_month
from analysis.stats.measures import change_table, count_headings, require_columns

NOT_RECORDED = "not recorded"
"""Label for a blank group value (e.g. a victim with no recorded sex): kept, never dropped."""


def extract_months(stamps: pd.Series) -> list[date]:
    """Every month from the extract's first record to its last: the months it covers.

    A month inside that span with no record is a real zero (the extract covers it); months
    before the first or after the last record are not covered and stay unknown. Empty when
    no record has a date.
    """
    months = month_starts(stamps).dropna()
    if months.empty:
        return []
    first, last = min(months), max(months)
    return [add_months(first, step) for step in range(months_between(first, last))]


def covered_periods(stamps: pd.Series, periods: Iterable[Period]) -> list[Period]:
    """The ``periods`` whose every month the extract covers (see :func:`extract_months`).

    Tables of counts for publication show only these: a period the extract does not fully
    cover has unknown counts, and a disclosure-controlled table cannot hold unknowns.
    """
    months = set(extract_months(stamps))
    return [period for period in periods if set(period.months) <= months]


def monthly_record_counts(rows: pd.DataFrame, time_col: str, by: Sequence[str] = ()
                          ) -> pd.DataFrame:
    """Records per month and per value of ``by``: columns ``month, <by...>, count``.

    A blank ``by`` value is counted under :data:`NOT_RECORDED`, so group counts always add
    up to the total. Records with no date cannot be placed in a month and raise InputError.
    """
    require_columns(rows, [time_col, *by])
    months = month_starts(rows[time_col])
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
    """:func:`analysis.stats.measures.change_table` of the records, with the extract's coverage.

    ``order`` (with a single ``by`` column) lists values that must appear as rows, in that
    order and with 0 when the extract has none, e.g. every hate strand; other values follow
    in order of first appearance. Coverage is :func:`extract_months`, so a period the
    extract does not fully cover is "not assessed".
    """
    by = [by] if isinstance(by, str) else list(by)
    counts = monthly_record_counts(rows, time_col, by)
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
    counts = month_starts(rows[time_col]).value_counts()
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
    months = month_starts(rows[time_col])
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
    (:func:`analysis.stats.measures.count_headings`), and then Change says why."""
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


def as_mask(values: pd.Series) -> pd.Series:
    """A comparison or flag as plain booleans (blank or unknown counts as not set)."""
    return pd.Series(values.to_numpy(dtype=bool, na_value=False), index=values.index)


def flag_mask(crimes: pd.DataFrame, column: str) -> pd.Series:
    """A flag column as plain booleans (a blank flag is not set)."""
    return as_mask(crimes[column].astype("boolean"))


def crime_months(crimes: pd.DataFrame) -> pd.Series:
    """The month (first day, ``datetime.date``) each crime was committed in."""
    months = month_starts(pd.to_datetime(crimes["committed_from"], errors="coerce"))
    if months.isna().any():
        raise InputError("A crime has no date it was committed", column="committed_from",
                         hint=f"check the row with index {months.isna().idxmax()!r}")
    return months


def crime_extract_months(crimes: pd.DataFrame) -> list[date]:
    """The months the extract covers: every month from its first to its last crime.

    An extract is one export of a date range, so a month inside it with no crime is a true
    zero; months before the first or after the last crime are outside it (unknown).
    """
    return extract_months(crime_months(crimes))


def monthly_measure_counts(crimes: pd.DataFrame,
                           masks: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Long monthly counts ``month, measure, count`` for each mask, ready for change_table.

    Every measure gets a row for every month of the extract (zeros included), so a measure
    with no crime in one period still appears in the change table.
    """
    months = crime_months(crimes)
    every = crime_extract_months(crimes)
    frames = []
    for measure, mask in masks.items():
        counts = months[mask.to_numpy()].value_counts().reindex(every, fill_value=0)
        frames.append(pd.DataFrame({"month": every, "measure": measure,
                                    "count": counts.to_numpy(dtype="int64")}))
    return pd.concat(frames, ignore_index=True)


def split_small_counts(change: pd.DataFrame, minimum: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a change table whose counts are all at least ``minimum``, and the rest.

    Small counts (homicide, a rare flag) must not be published with a difference or a
    percentage beside them: the second frame keeps only the label and the two counts, for a
    table that goes through disclosure control. An unknown count (a period the extract does
    not cover) discloses nothing, so it neither makes a row small nor keeps it large: the row
    goes by its known counts, and the unknown one stays blank.
    """
    counts = change[["current", "previous"]]
    large = counts.ge(minimum).astype("boolean").fillna(True).all(axis=1).to_numpy(dtype=bool)
    label_columns = [c for c in change.columns if c not in _CHANGE_COLUMNS]
    small = change.loc[~large, [*label_columns, "previous", "current"]]
    return change[large].reset_index(drop=True), small.reset_index(drop=True)


_CHANGE_COLUMNS = ("current", "previous", "diff", "pct_diff", "pct_reliable", "p_value",
                   "significance", "complete")


def in_period(crimes: pd.DataFrame, period: Period) -> pd.Series:
    """Row mask: crimes committed in a month of ``period``."""
    return crime_months(crimes).isin(set(period.months))


def wide_monthly_series(counts: pd.DataFrame, label_col: str, labels: list[str],
                   months: list[date], available_months: list[date]) -> pd.DataFrame:
    """Wide monthly series (one column per label) over ``months``; absent months are NaN.

    ``counts`` is long (``month``, ``label_col``, ``count``). A month in ``available_months``
    with no row is a real zero; a month outside it is unknown and stays empty in the chart.
    """
    frame = counts.assign(month=[to_month(m) for m in counts["month"]])
    wide = frame[frame[label_col].isin(labels)].pivot_table(
        index="month", columns=label_col, values="count", aggfunc="sum")
    wide = wide.reindex(index=months, columns=labels).fillna(0)
    present = set(available_months)
    wide.loc[[m not in present for m in months], :] = np.nan
    return wide.rename_axis("month").reset_index().rename_axis(columns=None)


def measure_row(change: pd.DataFrame | None, measure: str) -> pd.Series | None:
    """The row of a change table by ``measure`` for one measure, or None if it is not there."""
    if change is None or measure not in set(change["measure"]):
        return None
    return change.set_index("measure").loc[measure]


def area_crimes(crimes: pd.DataFrame | None, csp_code: str) -> pd.DataFrame | None:
    """The partnership's rows of its partner crime extract; None when it has no extract.

    Pass ``section.partner("crimes")``, which is None unless the area's config names an
    extract, so an area without one reports "not available", never zero.
    """
    if crimes is None:
        return None
    return crimes[as_mask(crimes["csp_code"] == csp_code).to_numpy()].reset_index(drop=True)


def presentable_measures(change: pd.DataFrame, current: Period, previous: Period
                         ) -> pd.DataFrame:
    """A change table by ``measure`` with the headings of the crime overview's table
    (:func:`analysis.sections.overview.count_headings`: the months counted are named when the
    comparison is like for like or not made, and then **Change** says why)."""
    before, now = count_headings(change, current, previous)
    shown = change[["measure", "previous", "current", "diff", "pct_diff", "significance"]].rename(
        columns={"measure": "Measure", "previous": before, "current": now,
                 "diff": "# diff.", "pct_diff": "% diff.", "significance": "Change"})
    unreliable = (~change["pct_reliable"].astype(bool) & change["pct_diff"].notna()).to_numpy()
    shown.loc[unreliable, "Change"] = (shown.loc[unreliable, "Change"]
                                       + " (base under 10: % unreliable)")
    compared = change.attrs.get("months_compared")
    if compared is not None and not compared.comparable:
        shown["Change"] = compared.summary()
    return shown.reset_index(drop=True)

