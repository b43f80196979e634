"""Statistical disclosure control for published tables of small counts.

Small counts (a hate-crime strand in one ward, a reoffending cohort) can identify people.
Before a table leaves the partnership each count is either suppressed (shown as a symbol) or
rounded to the nearest 5, under a named rule:

* ``ons`` (the default): 0 to 9 suppressed; 10 and above rounded to the nearest 5, so 10 is
  shown as 10, 12 as 10 and 13 as 15. Zero is suppressed too, because a published zero next
  to suppressed cells narrows what they can be.
* ``nhs``: 0 shown as 0; 1 to 7 shown as ``*``; 8 and above rounded to the nearest 5.

Rounding alone does not protect a suppressed cell that sits in a row or column with a
published total: total minus the other cells gives it back (approximately, once rounded).
Secondary suppression hides further cells until no suppressed cell can be worked out from
the totals, checked exactly with linear algebra. :func:`check_disclosure` scans a finished
table, or every table in an HTML page, and reports any cell that breaks the rule.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from analysis.core.errors import ConfigError, InputError

_RULES: dict[str, dict[str, Any]] = {
    "ons": dict(
        suppress_min=0, suppress_max=9, round_to=5, symbol="[c]",
        description="Counts of 0 to 9 are suppressed ([c]); other counts are rounded to the "
        "nearest 5; further cells are suppressed so that none can be worked out from totals.",
    ),
    "nhs": dict(
        suppress_min=1, suppress_max=7, round_to=5, symbol="*",
        description="Zero is shown as 0; counts of 1 to 7 are suppressed (*); other counts are "
        "rounded to the nearest 5; further cells are suppressed so that none can be worked out "
        "from totals.",
    ),
}


@dataclass(frozen=True)
class DisclosureRule:
    """Which counts are suppressed, what they are rounded to and the symbol shown instead."""

    name: str
    suppress_min: int
    suppress_max: int
    round_to: int
    symbol: str
    description: str

    def __post_init__(self) -> None:
        if self.round_to < 1 or self.suppress_min < 0 or self.suppress_max < self.suppress_min:
            raise ConfigError(
                "Disclosure rule numbers do not make sense",
                found=f"suppress {self.suppress_min}-{self.suppress_max}, round to "
                f"{self.round_to}",
                expected="0 <= suppress_min <= suppress_max and round_to >= 1",
            )

    @classmethod
    def named(cls, name: str) -> DisclosureRule:
        """The built-in rule called ``name`` ('ons' or 'nhs')."""
        key = str(name).strip().lower()
        if key not in _RULES:
            raise ConfigError(
                "Unknown disclosure rule", found=name, expected=f"one of {', '.join(_RULES)}"
            )
        return cls(name=key, **_RULES[key])

    def is_suppressed(self, count: int) -> bool:
        """True if a true count of this size is hidden by primary suppression."""
        return self.suppress_min <= count <= self.suppress_max

    def rounded(self, count: int) -> int:
        """``count`` rounded to the nearest ``round_to`` (halves go up)."""
        return ((2 * count + self.round_to) // (2 * self.round_to)) * self.round_to

    def publish(self, count: int) -> int | str:
        """What the rule shows for one true count: the symbol or the rounded count."""
        return self.symbol if self.is_suppressed(count) else self.rounded(count)

    def shown(self, count: int) -> str:
        """One true count as a sentence may quote it: the rule's symbol or the rounded count
        with thousands separators, as the tables beside it show it."""
        published = self.publish(count)
        return published if isinstance(published, str) else f"{published:,}"

    def could_show(self, shown: int) -> bool:
        """True if some true count would be published as ``shown`` under this rule."""
        if shown < 0:
            return False
        return any(
            self.publish(count) == shown
            for count in range(max(0, shown - self.round_to), shown + self.round_to + 1)
        )


# --- applying the rule -----------------------------------------------------------------------
def _true_counts(table: pd.DataFrame, value_columns: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in value_columns if c not in table.columns]
    if missing:
        raise InputError("Column missing from the table", column=missing[0],
                         found=list(table.columns))
    # A missing cell (NA: an unknown count, e.g. a period the extract does not cover) stays
    # missing: it discloses nothing, is never hidden and is never published as 0.
    given = table[list(value_columns)]
    values = given.apply(pd.to_numeric, errors="coerce")
    bad = (values.isna() & given.notna()) | (values < 0) | (values != values.round())
    if bad.fillna(False).to_numpy(dtype=bool).any():
        row, column = bad.fillna(False).stack().idxmax()
        raise InputError("Disclosure control needs whole-number counts, 0 or more",
                         column=str(column), found=table.loc[row, column],
                         hint=f"row {row!r}")
    return values.astype("Int64")


def _lines(
    index: pd.Index, columns: Sequence[str], total_row: Hashable | None,
    total_column: str | None,
) -> list[tuple[list[tuple[Hashable, str]], tuple[Hashable, str]]]:
    """Each published addition: (cells that add up, the cell holding their total)."""
    if total_column is not None and total_column not in columns:
        raise ConfigError("total_column must be one of the value columns", found=total_column)
    if total_row is not None and total_row not in index:
        raise ConfigError("total_row must be a row label of the table", found=total_row)
    lines = []
    if total_column is not None:
        parts = [c for c in columns if c != total_column]
        lines += [([(r, c) for c in parts], (r, total_column)) for r in index]
    if total_row is not None:
        parts_rows = [r for r in index if r != total_row]
        lines += [([(r, c) for r in parts_rows], (total_row, c)) for c in columns]
    return lines


def recoverable_cells(
    suppressed: pd.DataFrame, *, total_row: Hashable | None = None,
    total_column: str | None = None,
) -> list[tuple[Hashable, str]]:
    """Suppressed cells whose value follows exactly from the published cells and totals.

    Each total gives one equation (total = sum of its cells). A suppressed cell can be
    recovered exactly when it is fixed by those equations whatever the other suppressed cells
    are, i.e. when its coordinate vanishes in every solution of the homogeneous system.
    """
    lines = _lines(suppressed.index, list(suppressed.columns), total_row, total_column)
    unknown = [(r, c) for c in suppressed.columns for r in suppressed.index
               if suppressed.loc[r, c]]
    return fixed_unknowns(unknown, lines)


Unknown = TypeVar("Unknown", bound=Hashable)
"""An unknown cell's key, of whatever kind the caller uses (a (row, column) pair, a tuple)."""


def fixed_unknowns(unknown: Sequence[Unknown],
                   equations: Sequence[tuple[Sequence[Hashable], Hashable]]) -> list[Unknown]:
    """The ``unknown`` values (in their order) that ``equations`` fix whatever the others are.

    Each equation is (parts, total): total = sum of parts; a part or total not in ``unknown``
    is a published number. An unknown is fixed when its coordinate vanishes in every solution
    of the homogeneous system (the null space of the equations' matrix).
    """
    if not unknown or not equations:
        return []
    position = {key: i for i, key in enumerate(unknown)}
    rows = []
    for parts, total in equations:
        row = np.zeros(len(unknown))
        for key in parts:
            if key in position:
                row[position[key]] += 1.0
        if total in position:
            row[position[total]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    free = null_space(np.array(rows))
    fixed = np.all(np.abs(free) < 1e-9, axis=1) if free.size else np.ones(len(unknown), bool)
    return [key for key, is_fixed in zip(unknown, fixed, strict=True) if is_fixed]


def disclosure_mask(
    table: pd.DataFrame,
    rule: DisclosureRule,
    value_columns: Sequence[str],
    *,
    total_row: Hashable | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """True for every cell to hide: primary suppression plus secondary suppression.

    Secondary suppression: while a row or column with a published total has exactly one
    hidden cell, or any hidden cell can be worked out from the totals, hide the smallest
    visible cell in that row or column (the total itself if nothing else is left).
    """
    counts = _true_counts(table, value_columns)
    mask = pd.DataFrame({column: [pd.notna(count) and rule.is_suppressed(int(count))
                                  for count in counts[column]] for column in counts.columns},
                        index=counts.index, dtype=bool)
    lines = _lines(counts.index, list(value_columns), total_row, total_column)
    while True:
        exposed = [line for line in lines if _hidden_in(line, mask) == 1]
        if not exposed:
            recoverable = recoverable_cells(mask, total_row=total_row,
                                            total_column=total_column)
            if not recoverable:
                return mask
            exposed = [line for line in lines if _contains(line, recoverable[0])]
        _hide_one_more(exposed, mask, counts)


def _hidden_in(line: tuple[list, tuple], mask: pd.DataFrame) -> int:
    parts, total = line
    return sum(bool(mask.loc[cell]) for cell in [*parts, total])


def _contains(line: tuple[list, tuple], cell: tuple[Hashable, str]) -> bool:
    parts, total = line
    return cell == total or cell in parts


def _hide_one_more(exposed: list[tuple[list, tuple]], mask: pd.DataFrame,
                   counts: pd.DataFrame) -> None:
    """Hide the smallest visible cell of the first exposed line that still has one."""
    for parts, total in exposed:
        visible = [cell for cell in parts if not mask.loc[cell] and pd.notna(counts.loc[cell])]
        if not visible and not mask.loc[total] and pd.notna(counts.loc[total]):
            visible = [total]
        if visible:
            mask.loc[min(visible, key=lambda cell: counts.loc[cell])] = True
            return
    raise InputError("Secondary suppression could not protect the table")


def apply_disclosure(
    table: pd.DataFrame,
    rule: DisclosureRule,
    value_columns: Sequence[str],
    *,
    total_row: Hashable | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """A copy of ``table`` safe to publish under ``rule``.

    ``value_columns`` hold the true counts. ``total_row`` (an index label) is the row holding
    column totals and ``total_column`` (one of ``value_columns``) the column holding row
    totals; give them whenever the table has totals so secondary suppression can protect the
    hidden cells. Totals are rounded from their true values, not summed from rounded cells.
    Value columns come back as object columns holding ints and the rule's symbol; a missing
    (unknown) count stays missing, never 0. Columns
    derived from the counts (differences, percentages, rates) are not touched: recompute them
    from the published values or drop them. ``attrs['disclosure_rule']`` names the rule.
    """
    counts = _true_counts(table, value_columns)
    mask = disclosure_mask(table, rule, value_columns, total_row=total_row,
                           total_column=total_column)
    out = table.copy()
    for column in value_columns:
        shown = [pd.NA if pd.isna(count) else rule.symbol if hidden else rule.rounded(int(count))
                 for count, hidden in zip(counts[column], mask[column], strict=True)]
        out[column] = pd.Series(shown, index=table.index, dtype=object)
    out.attrs["disclosure_rule"] = rule.description
    return out


# --- checking a finished table ---------------------------------------------------------------
_INTEGER = re.compile(r"^-?\d{1,3}(,\d{3})*$|^-?\d+$")


def _as_count(value: object) -> int | None:
    """The integer a published cell shows, or None if it is not a whole number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if np.isfinite(value) and float(value).is_integer() else None
    text = str(value).strip()
    return int(text.replace(",", "")) if _INTEGER.match(text) else None


def _count_columns(table: pd.DataFrame, rule: DisclosureRule) -> list[str]:
    """Columns whose every non-blank cell is a whole number or the suppression symbol."""
    chosen = []
    for column in table.columns:
        cells = [v for v in table[column] if not (pd.isna(v) or str(v).strip() == "")]
        counts = [_as_count(v) for v in cells]
        if any(c is not None for c in counts) and all(
            c is not None or str(v).strip() == rule.symbol
            for v, c in zip(cells, counts, strict=True)
        ):
            chosen.append(column)
    return chosen


def check_disclosure(
    table: pd.DataFrame,
    rule: DisclosureRule,
    value_columns: Sequence[str] | None = None,
    *,
    total_row: Hashable | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """Every cell of a finished table that breaks ``rule``; an empty table means it passes.

    Checks that each count is one the rule could show (e.g. no 3, no 12 under 'ons') and,
    when totals are named, that no suppressed cell can be worked out from them. Without
    ``value_columns``, every column holding only whole numbers and the symbol is checked.
    Returns columns row, column, value, problem.
    """
    columns = list(value_columns) if value_columns is not None else _count_columns(table, rule)
    problems = []
    hidden = pd.DataFrame(False, index=table.index, columns=columns)
    for column in columns:
        for row, value in table[column].items():
            if pd.isna(value) or str(value).strip() == "":
                continue
            if str(value).strip() == rule.symbol:
                hidden.loc[row, column] = True
                continue
            count = _as_count(value)
            if count is None:
                problems.append((row, column, value, "not a whole-number count"))
            elif not rule.could_show(count):
                problems.append((row, column, value, f"breaks the {rule.name} rule: "
                                 f"{_expected_text(rule)}"))
    if total_row is not None or total_column is not None:
        for row, column in recoverable_cells(hidden, total_row=total_row,
                                             total_column=total_column):
            problems.append((row, column, rule.symbol,
                             "suppressed cell can be worked out from the totals"))
    return pd.DataFrame(problems, columns=["row", "column", "value", "problem"])


def _expected_text(rule: DisclosureRule) -> str:
    return (f"counts {rule.suppress_min} to {rule.suppress_max} must show as {rule.symbol!r} "
            f"and others as multiples of {rule.round_to}")


class _TableParser(HTMLParser):
    """Collect every cell of every <table> in a page as (text, is_header_cell), row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, bool]]]] = []
        self._cell: list[str] | None = None
        self._is_header = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []
            self._is_header = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(("".join(self._cell).strip(), self._is_header))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[pd.DataFrame]:
    """Every table in an HTML page as a DataFrame of text, first row as the header.

    Columns whose body cells are all header cells (<th>, e.g. the row labels pandas writes
    for an index) are row labels and become the DataFrame's index, not data to check.
    """
    parser = _TableParser()
    parser.feed(html)
    frames = []
    for rows in parser.tables:
        rows = [r for r in rows if r]
        if len(rows) < 2:
            continue
        width = max(len(r) for r in rows)
        padded = [r + [("", False)] * (width - len(r)) for r in rows]
        header = [text or f"column {i + 1}" for i, (text, _) in enumerate(padded[0])]
        body = padded[1:]
        frame = pd.DataFrame([[text for text, _ in r] for r in body], columns=header,
                             dtype=object)
        label_columns = [header[i] for i in range(width) if all(r[i][1] for r in body)]
        frames.append(frame.set_index(label_columns) if label_columns else frame)
    return frames


