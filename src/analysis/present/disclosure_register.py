"""The disclosure register: what every table and chart-data file is, and whether it is safe.

Each ``section.table(...)`` and ``section.chart(...)`` declares the *source class* of its
numbers and its *count columns*. The class decides the treatment:

* ``partner``: partner extracts and other non-public data (force crime extract, council ASB
  incidents, the indicators sheet). The area's rule applies to every declared count column.
  Every other numeric column must be declared as *derived* (recomputed here from the published
  counts, so a difference or a share can never give back a hidden count) or *kept* with a
  reason (e.g. weighted survey percentages); an undeclared numeric column, or a partner table
  declaring neither counts nor kept columns, is an error, not silently published. Rows are
  ordered by label or by published value, never by a hidden count.
* ``open``: published open data (data.police.uk street-level records, ONS lookups and
  populations). police.uk publishes every record with its month and approximate location, so
  a count of those records, at any level, restates what anyone can count from the open files.
* ``process``: records of the data and the build (files, rows read and quarantined, quality
  checks, priority scores, text). They count files, rows and checks, not people or events.

Consistency across a build. Sections build in separate processes, so no suppression decision
is shared at run time. Instead the decision is a pure function of the cell: primary
suppression depends only on the true count, so the same underlying count gets the same
decision in every file without any shared state. What a deterministic rule cannot give is
protection against *relations* between files (a total in one file, its parts in another;
a secondary-suppressed cell shown in another file). Each entry therefore names its cells by a
canonical key, ``(measure, row labels, column)``; ``measure`` defaults to the file itself and
tables restating the same counts declare the same measure. :func:`verify_register` (run by
``csp share`` before anything is written) checks every file against the register: no partner
count the rule would not show, derived columns equal to their recomputation from published
counts, no key hidden in one file and shown in another, and no hidden cell recoverable from
the totals of all files taken together. A breach refuses the pack, naming file and column.

The register is written per section to ``disclosure/<section>.json`` and merged into
``disclosure_register.json`` (which goes into the partner pack) when the index is built.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.stats.disclosure import DisclosureRule, _as_count, apply_disclosure, fixed_unknowns

REGISTER_DIR = "disclosure"
REGISTER_FILE = "disclosure_register.json"

PARTNER, OPEN, PROCESS = "partner", "open", "process"


@dataclass(frozen=True)
class SourceClass:
    """One source class: what it covers, whether the rule applies, and why (for the pages)."""

    name: str
    covers: str
    controlled: bool
    why: str


SOURCE_CLASSES: dict[str, SourceClass] = {
    PARTNER: SourceClass(
        PARTNER, "partner extracts and other non-public data (the force crime extract, the "
        "council's ASB incidents, referrals, A&E attendances and survey results from the "
        "indicators sheet)", True,
        "they are not published anywhere else, and small counts of victims or incidents "
        "could identify people"),
    OPEN: SourceClass(
        OPEN, "published open data and official statistics (data.police.uk street-level "
        "crime and ASB, ONS lookups and populations, Ministry of Justice proven reoffending "
        "and Youth Justice Board first-time entrants tables)", False,
        "data.police.uk publishes every record with its month and approximate location, so "
        "any count of those records (by ward, LSOA or 250 m square too) restates what anyone "
        "can count from the open files, and the official statistics are shown as they are "
        "published"),
    PROCESS: SourceClass(
        PROCESS, "records of the data and the build (input files, rows read and quarantined, "
        "quality checks, priority scores and text)", False,
        "they count files, rows and checks, not people or events"),
}

DERIVED_KINDS = ("difference", "percent_change", "share", "share_of_last", "moving_range")
"""How a derived column is recomputed from published counts:
``difference`` a − b, ``percent_change`` 100 (a − b) / b, ``share`` 100 a / b (or, with a
third input c, 100 a / (b − c): a share of the records whose flag is known; when c is hidden,
a handful of blank flags, the base is every record, which differs by less than the rounding),
``share_of_last`` 100 a / a(last row) (a share of the total row) and ``moving_range``
|a(t) − a(t − 1)| down the rows. Percentages are given to one decimal, as pages show them."""

XMR_LIMITS = "XmR process mean and limits over every point of the chart"
XMR_KEPT = dict.fromkeys(["phase", "mean", "upper", "lower", "near_upper", "near_lower"],
                         XMR_LIMITS)
"""The kept columns of an XmR chart table (:func:`analysis.stats.trends.xmr`) of partner counts."""


def change_columns(current: str, previous: str) -> dict[str, tuple[str, str, str]]:
    """The derived columns of a ``presentable_change`` table: '# diff.' and '% diff.'."""
    return {"# diff.": ("difference", current, previous),
            "% diff.": ("percent_change", current, previous)}


def xmr_derived() -> dict[str, tuple[str, str]]:
    """The derived column of an XmR chart table: the moving range of 'value'."""
    return {"moving_range": ("moving_range", "value")}


@dataclass(frozen=True)
class Declaration:
    """What a section says about one output file (see the module docstring)."""

    source: str
    counts: tuple[str, ...] = ()
    derived: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    kept: tuple[tuple[str, str], ...] = ()
    labels: tuple[str, ...] = ()
    measure: str | None = None
    order: str | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame, *, source: str, counts: Sequence[Hashable] = (),
           derived: Mapping[Hashable, Sequence[Hashable]] | None = None,
           kept: Mapping[Hashable, str] | None = None, labels: Sequence[Hashable] = (),
           measure: str | None = None, order: str | None = None,
           file: str = "") -> Declaration:
        """Check a declaration against ``frame`` and return it (ConfigError when unsafe)."""
        if source not in SOURCE_CLASSES:
            raise ConfigError("unknown source class for a table", file=file or None,
                              found=source, expected=f"one of {', '.join(SOURCE_CLASSES)}")
        columns = {str(c): c for c in frame.columns}
        derived_items = tuple((str(col), str(spec[0]), tuple(str(c) for c in spec[1:]))
                              for col, spec in (derived or {}).items())
        declared = [*map(str, counts), *(d[0] for d in derived_items), *map(str, kept or {}),
                    *map(str, labels)]
        missing = [c for c in declared if c not in columns]
        if missing:
            raise ConfigError("a declared column is not in the table", file=file or None,
                              column=missing[0], found=list(columns))
        for column, kind, inputs in derived_items:
            if kind not in DERIVED_KINDS or any(c not in map(str, counts) for c in inputs):
                raise ConfigError("a derived column must name a known kind and count columns",
                                  file=file or None, column=column, found=(kind, *inputs),
                                  expected=f"kind in {DERIVED_KINDS}, inputs among the counts")
        if order not in (None, "labels"):
            by, _, within = order.partition(" within ")
            if by not in map(str, counts) or (within and within not in columns):
                raise ConfigError("order must be 'labels', a count column, or '<count column> "
                                  "within <label column>'", file=file or None, found=order)
        label_columns = tuple(map(str, labels)) or tuple(
            c for c in columns if c not in declared)[:1]
        declaration = cls(source, tuple(map(str, counts)), derived_items,
                          tuple((str(c), r) for c, r in (kept or {}).items()), label_columns,
                          measure, order)
        if source == PARTNER:
            declaration._check_partner(frame, file)
        return declaration

    def _check_partner(self, frame: pd.DataFrame, file: str) -> None:
        """Fail safe: a partner table declares its counts, every numeric column and its order."""
        if not self.counts and not self.kept:
            raise ConfigError("a partner-derived table must declare its count columns",
                              file=file or None, hint="pass counts=[...] (the columns of "
                              "true counts the disclosure rule applies to), or, for a table "
                              "with no counts at all, kept={column: reason} for each number")
        covered = {*self.counts, *(d[0] for d in self.derived), *(k[0] for k in self.kept),
                   *self.labels}
        for column in frame.columns:
            dtype = frame[column].dtype
            if (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                    and str(column) not in covered):
                raise ConfigError(
                    "a numeric column of a partner-derived table is neither a count, derived "
                    "nor kept", file=file or None, column=str(column),
                    hint="add it to counts=, derived= (recomputed from published counts) or "
                    "kept= with the reason it cannot reveal a hidden count")
        if self.order is None:
            raise ConfigError("a partner-derived table must declare its row order",
                              file=file or None, hint="order='labels' when rows are in label "
                              "order, or order='<count column>' to sort by published value "
                              "('<count column> within <label column>' to sort inside each "
                              "run of that label, its first row (a subtotal) kept first)")

    def record(self) -> dict[str, Any]:
        """The register's JSON for this declaration."""
        return {"source": self.source, "controlled": SOURCE_CLASSES[self.source].controlled,
                "counts": list(self.counts),
                "derived": {c: {"kind": k, "of": list(of)} for c, k, of in self.derived},
                "kept": dict(self.kept), "labels": list(self.labels),
                "measure": self.measure, "order": self.order}


# --- applying the rule to a partner table ----------------------------------------------------
def publish(frame: pd.DataFrame, declaration: Declaration, rule: DisclosureRule, *,
            total_row: Hashable | None = None, total_column: str | None = None,
            ) -> tuple[pd.DataFrame, int | None]:
    """``frame`` as it may be published under ``rule``, and where its total row ends up.

    Count columns are suppressed and rounded (with secondary suppression against the totals);
    derived columns are recomputed from the published counts; rows are ordered as declared
    (a count column: by published value, largest first, hidden cells after every number,
    ties by label; the total row stays last). Missing counts (months an extract does not
    cover) stay missing. Returns the published frame (index 0..n-1) and the total row's new
    position.
    """
    columns = {str(c): c for c in frame.columns}
    counts = [columns[c] for c in declaration.counts]
    values = frame[counts].apply(pd.to_numeric, errors="coerce")
    if values.isna().to_numpy().any():
        if total_row is not None or total_column is not None:
            raise ConfigError("a table with totals cannot hold unknown counts",
                              column=str(values.columns[values.isna().any()][0]))
        bad = values.notna() & ((values < 0) | (values != values.round()))
        if bad.to_numpy().any():
            row, column = bad.stack().idxmax()
            raise InputError("Disclosure control needs whole-number counts, 0 or more",
                             column=str(column), found=frame.loc[row, column],
                             hint=f"row {row!r}")
        out = frame.copy()
        for column in counts:
            out[column] = pd.Series([v if pd.isna(v) else rule.publish(int(v))
                                     for v in values[column]], index=frame.index, dtype=object)
    else:
        out = apply_disclosure(frame, rule, counts, total_row=total_row,
                               total_column=total_column)
    for column, kind, inputs in declaration.derived:
        out[columns[column]] = recompute(out, kind, [columns[c] for c in inputs], rule)
    out, position = _ordered(out, declaration, rule, total_row)
    return out, position


def recompute(frame: pd.DataFrame, kind: str, inputs: Sequence[Hashable],
              rule: DisclosureRule) -> pd.Series:
    """A derived column from published counts: the symbol when an input is hidden."""
    published = [frame[c].map(lambda v: rule.symbol if str(v).strip() == rule.symbol
                              else _number(v)) for c in inputs]
    results: list[object] = []
    for position in range(len(frame)):
        row = [series.iloc[position] for series in published]
        if kind == "moving_range":  # between consecutive points of one phase only
            new_phase = "phase" in frame.columns and position and (
                frame["phase"].iloc[position] != frame["phase"].iloc[position - 1])
            row = [row[0], published[0].iloc[position - 1]
                   if position and not new_phase else np.nan]
        elif kind == "share_of_last":
            row = [row[0], published[0].iloc[-1]]
        elif kind == "share" and len(row) == 3 and row[2] == rule.symbol:
            row = [row[0], row[1], 0.0]  # too few blanks to show: every record is the base
        if any(v == rule.symbol for v in row):
            results.append(rule.symbol)
        elif any(pd.isna(v) for v in row):
            results.append(np.nan)
        elif kind in ("difference", "moving_range"):
            diff = int(row[0] - row[1]) if float(row[0] - row[1]).is_integer() else row[0] - row[1]
            results.append(abs(diff) if kind == "moving_range" else diff)
        elif (base := row[1] - sum(row[2:])) == 0:
            results.append(np.nan)
        else:  # to the one decimal a page shows: more digits would say more than the counts
            top = row[0] - row[1] if kind == "percent_change" else row[0]
            results.append(round(100.0 * top / base, 1))
    return pd.Series(results, index=frame.index, dtype=object)


def _number(value: object) -> float:
    """A published cell as a float (NaN when blank or not a number)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return np.nan


def _ordered(frame: pd.DataFrame, declaration: Declaration, rule: DisclosureRule,
             total_row: Hashable | None) -> tuple[pd.DataFrame, int | None]:
    """Rows in the declared order; the index becomes 0..n-1 and the total stays last."""
    if declaration.order in (None, "labels"):
        rows = list(frame.index)
    else:
        names = {str(c): c for c in frame.columns}
        by, _, within = declaration.order.partition(" within ")
        column = names[by]
        labels = [names[c] for c in declaration.labels]

        def key(row: Hashable) -> tuple:
            value = frame.loc[row, column]
            hidden = str(value).strip() == rule.symbol or pd.isna(_number(value))
            return (hidden, 0.0 if hidden else -_number(value),
                    *(str(frame.loc[row, c]) for c in labels))

        body = [r for r in frame.index if r != total_row]
        groups = ([body] if not within else
                  [list(run) for _, run in itertools.groupby(
                      body, key=lambda r: frame.loc[r, names[within]])])
        rows = [r for run in groups
                for r in ([run[0], *sorted(run[1:], key=key)] if within else sorted(run, key=key))]
        rows += [total_row] if total_row is not None else []
    ordered = frame.loc[rows].reset_index(drop=True)
    ordered.attrs = frame.attrs
    position = rows.index(total_row) if total_row is not None else None
    return ordered, position


def numeric_view(frame: pd.DataFrame, declaration: Declaration,
                 rule: DisclosureRule | None) -> pd.DataFrame:
    """A published frame with hidden cells as NaN, for drawing a chart from it."""
    if rule is None:
        return frame
    view = frame.copy()
    for column in [*declaration.counts, *(d[0] for d in declaration.derived)]:
        original = {str(c): c for c in frame.columns}[column]
        view[original] = [np.nan if str(v).strip() == rule.symbol else _number(v)
                          for v in frame[original]]
    return view


# --- the register ----------------------------------------------------------------------------
def entry(file: str, kind: str, declaration: Declaration, rule_name: str,
          published: pd.DataFrame, total_row: int | None, total_column: str | None,
          symbol: str | None) -> dict[str, Any]:
    """One file's register entry, with the keys of its hidden cells."""
    hidden = []
    if symbol is not None and declaration.source == PARTNER:
        columns = {str(c): c for c in published.columns}
        for row in range(len(published)):
            for column in declaration.counts:
                if str(published.iloc[row][columns[column]]).strip() == symbol:
                    hidden.append({"row": row, "column": column})
    controlled = SOURCE_CLASSES[declaration.source].controlled
    return {"file": file, "kind": kind, **declaration.record(),
            "rule": rule_name if controlled else None, "total_row": total_row,
            "total_column": total_column, "hidden_cells": len(hidden)}


def write_section_register(out: Path, section: str, area: str, period: str, rule_name: str,
                           files: dict[str, dict[str, Any]]) -> Path:
    """``disclosure/<section>.json``: the section's entries (rewritten after each output)."""
    folder = out / REGISTER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{section}.json"
    payload = {"section": section, "area": area, "period": period, "rule": rule_name,
               "files": files}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    return path


def load_register(out: Path) -> dict[str, dict[str, Any]]:
    """Every section's entries merged: file name (``tables/...csv``) → entry."""
    files: dict[str, dict[str, Any]] = {}
    for path in sorted((out / REGISTER_DIR).glob("*.json")):
        files.update(json.loads(path.read_text(encoding="utf-8")).get("files", {}))
    return files


def merged_register(out: Path, rule_name: str) -> dict[str, Any]:
    """The report's register: rule, source classes, totals and one entry per file."""
    files = load_register(out)
    classes = {name: {"covers": c.covers, "controlled": c.controlled, "why": c.why,
                      "files": sum(1 for e in files.values() if e["source"] == name)}
               for name, c in SOURCE_CLASSES.items()}
    rule = None if rule_name == "none" else DisclosureRule.named(rule_name)
    return {"rule": rule_name, "rule_description": rule.description if rule else None,
            "statement": disclosure_statement(rule_name), "classes": classes,
            "totals": {"files": len(files),
                       "controlled_files": sum(1 for e in files.values() if e["controlled"]),
                       "hidden_cells": sum(e["hidden_cells"] for e in files.values())},
            "files": [files[name] for name in sorted(files)]}


def write_register(out: Path, rule_name: str) -> Path:
    """Write the merged ``disclosure_register.json`` beside the index."""
    from analysis.core.files import atomic_write  # layout imports this module for the statement

    path = out / REGISTER_FILE
    atomic_write(path, json.dumps(merged_register(out, rule_name), indent=2))
    return path


def disclosure_statement(rule_name: str) -> str:
    """What every page says about small numbers, generated from the register's classes."""
    if rule_name == "none":
        return ("No disclosure control is applied: do not share these pages outside the "
                "analyst team.")
    rule = DisclosureRule.named(rule_name)
    partner, open_data, process = (SOURCE_CLASSES[n] for n in (PARTNER, OPEN, PROCESS))
    return (f"Controlled: every count from {partner.covers}, in tables and in the data behind "
            f"charts, because {partner.why}. {rule.description} Differences and percentages "
            "of these counts are worked out from the published values, and rows are never "
            "ordered by a hidden count. "
            f"Not controlled: counts of {open_data.covers}, because {open_data.why}; and "
            f"{process.covers}, because {process.why}. "
            f"{REGISTER_FILE} lists every table file with its class and count columns.")


# --- verification ----------------------------------------------------------------------------
BREACH_COLUMNS = ["file", "row", "column", "value", "problem"]


def verify_register(out: Path, rule: DisclosureRule) -> pd.DataFrame:
    """Every breach of the register in the report's table files; empty when all is safe.

    Checks that every CSV under ``tables/`` has an entry; that each partner count cell is the
    symbol, blank or a count the rule could show; that each derived column equals its
    recomputation from the published counts; that no hidden cell is recoverable from the
    declared totals of all files together; and that a cell key hidden in one file is not
    shown in another.
    """
    register = load_register(out)
    problems: list[dict[str, Any]] = []
    tables = {f"tables/{p.name}": p for p in sorted((out / "tables").glob("*.csv"))}
    for name in tables:
        if name not in register:
            problems.append({"file": name, "row": None, "column": None, "value": None,
                             "problem": "no disclosure register entry: declare its source"})
    frames = {}
    for name, spec in register.items():
        if not spec["controlled"]:
            continue
        if name not in tables:
            problems.append({"file": name, "row": None, "column": None, "value": None,
                             "problem": "registered file is missing"})
            continue
        frame = pd.read_csv(tables[name], dtype=object, keep_default_na=False)
        frames[name] = frame
        problems += _check_file(name, frame, spec, rule)
    problems += _check_links(frames, register, rule)
    return pd.DataFrame(problems, columns=BREACH_COLUMNS)


def _check_file(name: str, frame: pd.DataFrame, spec: dict[str, Any],
                rule: DisclosureRule) -> list[dict[str, Any]]:
    problems = []
    for column in spec["counts"]:
        if column not in frame.columns:
            problems.append({"file": name, "row": None, "column": column, "value": None,
                             "problem": "declared count column missing"})
            continue
        for row, value in frame[column].items():
            text = str(value).strip()
            if text in ("", rule.symbol):
                continue
            count = _as_count(text)
            if count is None or not rule.could_show(count):
                problems.append({"file": name, "row": row, "column": column, "value": value,
                                 "problem": f"breaks the {rule.name} rule"})
    for column, derived in spec["derived"].items():
        if column not in frame.columns or any(c not in frame.columns for c in derived["of"]):
            continue
        expected = recompute(frame, derived["kind"], derived["of"], rule)
        for row, (shown, wanted) in enumerate(zip(frame[column], expected, strict=True)):
            if not _same(shown, wanted, rule):
                problems.append({"file": name, "row": row, "column": column, "value": shown,
                                 "problem": f"{derived['kind']} not worked out from the "
                                 "published counts: it can reveal a hidden count"})
    return problems


def _same(shown: object, wanted: str | float, rule: DisclosureRule) -> bool:
    """A derived cell as written equals its recomputation (to the 1 decimal a page shows)."""
    text = str(shown).strip()
    if isinstance(wanted, str):
        return text == wanted
    if pd.isna(wanted):
        return text in ("", "nan", "NaN")
    number = _number(text)
    return not pd.isna(number) and abs(number - float(wanted)) < 0.05 + 1e-9


def cell_key(spec: dict[str, Any], frame: pd.DataFrame, row: int, column: str) -> tuple:
    """The canonical key of one count cell: (measure, row labels, column)."""
    measure = spec.get("measure") or spec["file"]
    labels = tuple(str(frame.iloc[row][c]) for c in spec["labels"] if c in frame.columns)
    return (measure, labels, column)


def _check_links(frames: dict[str, pd.DataFrame], register: dict[str, dict[str, Any]],
                 rule: DisclosureRule) -> list[dict[str, Any]]:
    """Keys hidden in one file and shown in another; hidden keys recoverable from all totals."""
    shown: dict[tuple, tuple[str, int, str, str]] = {}
    hidden: dict[tuple, tuple[str, int, str]] = {}
    equations: list[tuple[list[tuple], tuple]] = []
    for name, frame in frames.items():
        spec = register[name]
        counts = [c for c in spec["counts"] if c in frame.columns]
        keys = {(r, c): cell_key(spec, frame, r, c) for r in range(len(frame)) for c in counts}
        for (r, c), key in keys.items():
            text = str(frame.iloc[r][c]).strip()
            if text == rule.symbol:
                hidden.setdefault(key, (name, r, c))
            elif text:
                shown.setdefault(key, (name, r, c, text))
        total_row, total_column = spec.get("total_row"), spec.get("total_column")
        if total_column in counts:
            parts = [c for c in counts if c != total_column]
            equations += [([keys[(r, c)] for c in parts], keys[(r, total_column)])
                          for r in range(len(frame)) if r != total_row]
        if total_row is not None and total_row < len(frame):
            body = [r for r in range(len(frame)) if r != total_row]
            equations += [([keys[(r, c)] for r in body], keys[(total_row, c)]) for c in counts]
    problems = []
    for key, (name, row, column) in hidden.items():
        if key in shown:
            other, other_row, other_column, value = shown[key]
            problems.append({"file": other, "row": other_row, "column": other_column,
                             "value": value, "problem": f"shows a count hidden in {name} "
                             f"(row {row}, column {column})"})
    for key in recoverable_keys(set(hidden) - set(shown), equations):
        name, row, column = hidden[key]
        problems.append({"file": name, "row": row, "column": column, "value": rule.symbol,
                         "problem": "hidden cell can be worked out from the totals of the "
                         "report's files taken together"})
    return problems


def recoverable_keys(unknown: set[tuple], equations: list[tuple[list[tuple], tuple]]
                     ) -> list[tuple]:
    """Unknown keys fixed by the equations (total = sum of parts) whatever the others are."""
    return fixed_unknowns(sorted(unknown, key=repr), equations)
