"""Backtest, first half: the built demo report still publishes the snapshot's numbers.

The snapshot (``tests/backtest/snapshot/``) holds the demo's key figures (every figure of
``key_figures/*.json`` except the ``findings`` sentences, whose wording the byte-identical
report comparison covers) and the headline tables of each section (``TABLES`` in
``snapshot_files.py``), as built by the suite's shared demo (36 months, April 2022 to March
2025, period 2024/25).
A refactor that changes any of these numbers fails here with the table, row, column, old
and new value.

To change the snapshot on purpose (a deliberate change of method or of the demo), rebuild
it from the suite's demo build and review the diff before committing::

    .venv/bin/python -m pytest tests/backtest --refresh-snapshot
    git diff tests/backtest/snapshot

The recount (``test_backtest_recount.py``) then checks the new values against the raw demo
files, so a refreshed snapshot cannot quietly carry a wrong count.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from snapshot_files import (
    TABLES,
    TABLES_DIR,
    built_key_figures,
    read_table,
    snapshot_key_figures,
    snapshot_table_names,
)

pytestmark = pytest.mark.build


def same_value(old: object, new: object) -> bool:
    """True if two snapshot values are equal (numbers to 1e-9 relative, for float noise)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
    return old == new


def same_cell(old: str, new: str) -> bool:
    """True if two CSV cells are equal: the same text, or the same number to 1e-9 relative."""
    if old == new:
        return True
    try:
        return same_value(float(old), float(new))
    except ValueError:
        return False


def key_figure_differences(old: dict, new: dict) -> list[str]:
    """One line per key figure added, removed or changed between two snapshots."""
    lines = []
    for section in sorted(set(old) | set(new)):
        before, after = old.get(section, {}), new.get(section, {})
        for name in sorted(set(before) | set(after)):
            if name not in after:
                lines.append(f"key figure {section}/{name}: removed (was {before[name]!r})")
            elif name not in before:
                lines.append(f"key figure {section}/{name}: new ({after[name]!r})")
            else:
                for part in ("value", "label"):
                    if not same_value(before[name][part], after[name][part]):
                        lines.append(f"key figure {section}/{name} {part}: "
                                     f"old {before[name][part]!r}, new {after[name][part]!r}")
    return lines


def table_differences(name: str, old: list[dict[str, str]], new: list[dict[str, str]]) -> list[str]:
    """One line per column, row count or cell that differs between two versions of a table.

    Rows are compared in order (the order is part of what a table publishes); each line
    names the row by its number and first cell so it can be found in the CSV.
    """
    old_columns = list(old[0]) if old else []
    new_columns = list(new[0]) if new else []
    if old_columns != new_columns:
        return [f"table {name}: columns changed: old {old_columns}, new {new_columns}"]
    lines = []
    if len(old) != len(new):
        lines.append(f"table {name}: {len(old)} rows before, {len(new)} now")
    for number, (before, after) in enumerate(zip(old, new, strict=False), start=1):
        row = f"row {number} ({next(iter(before.values()), '')!r})"
        lines += [f"table {name}, {row}, column {column!r}: old {before[column]!r}, "
                  f"new {after[column]!r}"
                  for column in old_columns if not same_cell(before[column], after[column])]
    return lines


def test_snapshot_holds_the_chosen_tables() -> None:
    assert snapshot_table_names() == sorted(TABLES), (
        "the snapshot's tables differ from TABLES: run pytest tests/backtest --refresh-snapshot"
    )


def test_key_figures_match_the_snapshot(built_demo_report: Path) -> None:
    differences = key_figure_differences(snapshot_key_figures(),
                                         built_key_figures(built_demo_report))
    assert not differences, "the demo's key figures changed:\n" + "\n".join(differences)


@pytest.mark.parametrize("name", TABLES)
def test_table_matches_the_snapshot(built_demo_report: Path, name: str) -> None:
    built = built_demo_report / "tables" / f"{name}.csv"
    assert built.exists(), f"table {name}: no longer built (expected {built})"
    differences = table_differences(name, read_table(TABLES_DIR / f"{name}.csv"),
                                    read_table(built))
    assert not differences, f"table {name} changed:\n" + "\n".join(differences)


def test_differences_name_table_row_column_old_and_new() -> None:
    old = [{"Crime type": "Burglary", "2024/25": "1091"}, {"Crime type": "Drugs", "2024/25": "566"}]
    new = [{"Crime type": "Burglary", "2024/25": "1091"}, {"Crime type": "Drugs", "2024/25": "567"}]
    assert table_differences("t", old, new) == [
        "table t, row 2 ('Drugs'), column '2024/25': old '566', new '567'"]
    assert table_differences("t", old, old[:1]) == ["table t: 2 rows before, 1 now"]
    assert table_differences("t", old, [{"Type": "Drugs"}])[0].startswith("table t: columns")
    assert same_cell("24.43667197375407", "24.436671973754071")
    assert not same_cell("[c]", "10")


def test_key_figure_differences_name_figure_old_and_new() -> None:
    old = {"10": {"a": {"value": 6.1, "label": "A"}, "b": {"value": 1, "label": "B"}}}
    new = {"10": {"a": {"value": 6.2, "label": "A"}, "c": {"value": True, "label": "C"}}}
    assert key_figure_differences(old, new) == [
        "key figure 10/a value: old 6.1, new 6.2",
        "key figure 10/b: removed (was {'value': 1, 'label': 'B'})",
        "key figure 10/c: new ({'value': True, 'label': 'C'})",
    ]
    assert not key_figure_differences(old, old)
    assert not same_value(True, 1)
