"""A dry run of the partner ingest: what a mapping makes of an export, before it is loaded.

``csp check-mapping`` calls :func:`check_export`. It reads the export through the same code
as the ingest (:func:`analysis.inputs.partner.load_partner_extract`: the same rules, the same
reasons) but writes nothing to the store. It reports each field of the contract and the
column it comes from, near-miss names for columns the mapping and the file do not agree on,
the rows that would be set aside (quarantined) and why, and the dates the rows cover.

A column the mapping names but the file lacks stops the real ingest; the dry run still checks
the rows with the columns that are there, so one run shows every problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import InputError
from analysis.core.files import atomic_write
from analysis.core.safe_text import neutralise_table
from analysis.inputs.areas import load_area
from analysis.inputs.partner import (
    EVENT_TIME,
    FIELDS,
    REQUIRED,
    TIME_KNOWN,
    ExtractKind,
    ExtractMapping,
    PartnerLoad,
    close_names,
    extract_mapping,
    load_mapping,
    load_partner_extract,
    missing_columns,
    read_header,
    ward_name_table,
)

_LOCATION_FIELDS = ("lsoa_code", "ward_code", "easting", "northing", "longitude", "latitude")

SET_ASIDE_COLUMNS = ["line", "column", "found", "reason"]
"""The set-aside CSV: the line in the export (header = line 1), their column, the value found
and what was wrong or expected; one line per problem, so a row can be listed more than once."""


@dataclass(frozen=True)
class MappingCheck:
    """What the dry run found.

    ``fields``: one row per field of the contract: ``field, need`` (required / one location /
    optional), ``column`` (their column, with any time column), ``status`` (mapped /
    missing from the file / not mapped) and ``suggestion``. ``unread``: the file's columns the
    mapping does not read, with a ``suggestion``. ``load`` is the dry run's result, None when
    the rows could not be checked (``stopped`` says why).
    """

    path: Path
    kind: ExtractKind
    fields: pd.DataFrame
    unread: pd.DataFrame
    missing: list[str]
    load: PartnerLoad | None
    stopped: str | None

    def set_aside(self) -> pd.DataFrame:
        """The problems of the rows that would be set aside: :data:`SET_ASIDE_COLUMNS`."""
        if self.load is None:
            return pd.DataFrame(columns=SET_ASIDE_COLUMNS)
        problems = self.load.problems
        return pd.DataFrame({"line": problems["source_line"], "column": problems["column"],
                             "found": problems["found"], "reason": problems["problem"]})

    def reason_counts(self) -> pd.DataFrame:
        """Rows that would be set aside by reason: ``column, reason, rows``, most first."""
        if self.load is None or self.load.problems.empty:
            return pd.DataFrame({"column": pd.Series(dtype="string"),
                                 "reason": pd.Series(dtype="string"),
                                 "rows": pd.Series(dtype="int64")})
        problems = self.load.problems
        counts = (problems.groupby(["column", "summary"], sort=False)["source_line"].nunique()
                  .rename("rows").reset_index().rename(columns={"summary": "reason"}))
        return counts.sort_values("rows", ascending=False, kind="stable").reset_index(drop=True)

    def coverage(self) -> str:
        """The dates (or, for indicators, the periods) of the rows that would load, in words."""
        if self.load is None or self.load.rows.empty:
            return "no rows would load"
        rows = self.load.rows
        if self.kind == "indicators":
            periods = sorted(rows["period"].dropna().unique())
            return f"periods {periods[0]} to {periods[-1]} ({len(periods)} distinct)"
        field = EVENT_TIME[self.kind]
        stamps = rows[field]
        months = pd.period_range(stamps.min(), stamps.max(), freq="M")
        held = set(stamps.dt.to_period("M"))
        empty = [str(month) for month in months if month not in held]
        untimed = int((~rows[field + TIME_KNOWN].fillna(False).astype(bool)).sum())
        text = (f"{field} from {stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d} "
                f"({len(months)} months")
        text += f"; no rows in {', '.join(empty)})" if empty else ")"
        return text + (f"; with a date but no time of day: {untimed:,}" if untimed else "")


def check_export(path: Path, kind: ExtractKind, mapping_path: Path, *,
                 area: str | None = None, root: Path | None = None,
                 classification: pd.DataFrame | None = None) -> MappingCheck:
    """Dry-run the ingest of the export at ``path`` as extract ``kind`` through the mapping.

    Ward names (a mapping's ``ward_names``) are looked up in the wards of ``area``'s force
    (default: the mapping's own ``area``), read from its configured lookups. A mistake in the
    mapping, an unreadable file or one not in the mapping's encoding raises, as the ingest
    does.
    """
    mapping = load_mapping(mapping_path)
    extract = extract_mapping(mapping, kind)
    header = read_header(path, extract)
    missing = missing_columns(header, extract)
    unread = [column for column in header if column not in extract.their_columns()]
    fields = _field_table(kind, extract, missing, unread)
    checked, stopped = _without_missing(extract, kind, missing)
    load = None
    if checked is not None:
        wards = _area_wards(area or mapping.area, root) if checked.ward_names else None
        load = load_partner_extract(path, kind, checked, classification=classification,
                                    wards=wards)
    return MappingCheck(path=Path(path), kind=kind, fields=fields,
                        unread=_unread_table(unread, missing, fields), missing=missing,
                        load=load, stopped=stopped)


def _area_wards(area: str, root: Path | None) -> pd.DataFrame:
    """The wards of the area's force, from its configured lookups (for ward names)."""
    from analysis.store.area import area_lookup

    config: AreaConfig = load_area(area, root or project_root())
    return ward_name_table(area_lookup(config, root), config.force.code)


def _need(kind: ExtractKind, field: str) -> str:
    if field in REQUIRED[kind]:
        return "required"
    return "one location" if field in _LOCATION_FIELDS else "optional"


def _field_table(kind: ExtractKind, extract: ExtractMapping, missing: list[str],
                 unread: list[str]) -> pd.DataFrame:
    """Each field of the contract, the column it maps from and whether the file has it."""
    theirs_for = {ours: theirs for theirs, ours in extract.columns.items()}
    misspelt = {name for column in missing for name in close_names(column, unread)}
    rows = []
    for field in FIELDS[kind]:
        theirs = theirs_for.get(field)
        columns = [c for c in (theirs, extract.time_columns.get(field)) if c is not None]
        absent = [c for c in columns if c in missing]
        if absent:
            status = "missing from the file"
            close = [name for column in absent for name in close_names(column, unread)]
        elif columns:
            status, close = "mapped", []
        else:
            status = "not mapped"
            others = [column for column in unread if column not in misspelt]
            close = close_names(field.replace("_", " "), others, limit=1)
        rows.append({"field": field, "need": _need(kind, field),
                     "column": " + ".join(columns) + _conversion(field, extract),
                     "status": status, "suggestion": _suggest(close)})
    return pd.DataFrame(rows)


def _conversion(field: str, extract: ExtractMapping) -> str:
    """How the mapping converts the column, in words ('' when it is read as it is)."""
    if field in extract.band_ages:
        return " (ages banded)"
    if field == "ward_code" and extract.ward_names:
        return " (ward names)"
    return ""


def _suggest(names: list[str]) -> str:
    return ("did you mean " + " or ".join(f"'{name}'" for name in dict.fromkeys(names)) + "?"
            if names else "")


def _unread_table(unread: list[str], missing: list[str], fields: pd.DataFrame) -> pd.DataFrame:
    """The file's columns the mapping does not read: a mapped name they are close to (a
    misspelling on one side), else a field not yet mapped they may hold."""
    unmapped = fields.loc[fields["status"] == "not mapped", "field"].tolist()
    rows = []
    for column in unread:
        close = close_names(column, missing)
        if close:
            suggestion = _suggest(close) + " (named so in the mapping)"
        else:
            fits = close_names(column, [f.replace("_", " ") for f in unmapped], limit=1)
            suggestion = f"may hold {fits[0].replace(' ', '_')} (not mapped)" if fits else ""
        rows.append({"column": column, "suggestion": suggestion})
    return pd.DataFrame(rows, columns=["column", "suggestion"])


def _without_missing(extract: ExtractMapping, kind: ExtractKind,
                     missing: list[str]) -> tuple[ExtractMapping | None, str | None]:
    """The mapping with the columns the file lacks left out, so the rest can be checked;
    (None, why) when what is left cannot load (a required field or every location gone)."""
    if not missing:
        return extract, None
    columns = {theirs: ours for theirs, ours in extract.columns.items() if theirs not in missing}
    kept = set(columns.values())
    reduced = extract.model_copy(update={
        "columns": columns,
        "time_columns": {ours: theirs for ours, theirs in extract.time_columns.items()
                         if theirs not in missing and ours in kept},
        "band_ages": [field for field in extract.band_ages if field in kept],
        "ward_names": extract.ward_names and "ward_code" in kept,
    })
    try:
        reduced.check_for(kind)
    except ValueError as exc:
        return None, f"the rows cannot be checked without the missing column(s): {exc}"
    return reduced, None


def write_set_aside(check: MappingCheck, target: Path) -> Path:
    """Write the set-aside rows' problems as CSV, formula-safe (a cell starting '=' is text)
    and in one step (a failed write leaves any previous file as it was)."""
    target = Path(target)
    atomic_write(target, neutralise_table(check.set_aside()).to_csv(index=False))
    return target


def would_stop(check: MappingCheck) -> InputError | None:
    """The error the real ingest would stop with (a mapped column the file lacks), if any."""
    if not check.missing:
        return None
    return InputError(
        f"the ingest would stop: {len(check.missing)} column(s) named in the mapping are not "
        "in the file", file=check.path, line=1, found=check.missing,
        hint="fix the names in the mapping (see the suggestions above), then run again")


def report(check: MappingCheck, set_aside_file: Path | None) -> RenderableType:
    """The dry run for the terminal: fields table, unread columns, counts, dates, reasons."""
    parts: list[RenderableType] = [_fields_table(check)]
    if not check.unread.empty:
        unread = Table(title="Columns of the file the mapping does not read", title_justify="left")
        unread.add_column("column", overflow="fold")
        unread.add_column("suggestion", overflow="fold")
        for row in check.unread.itertuples(index=False):
            unread.add_row(escape(row.column), escape(row.suggestion))
        parts.append(unread)
    if check.load is None:
        parts.append(escape(f"Rows not checked: {check.stopped}"))
        return Group(*parts)
    counts = check.load.counts
    parts.append(escape(
        f"Rows read: {counts['rows_read']:,}; would load: {counts['rows_loaded']:,}; "
        f"would be set aside: {counts['rows_quarantined']:,}"))
    parts.append(escape(f"Dates: {check.coverage()}"))
    reasons = check.reason_counts()
    if not reasons.empty:
        table = Table(title="Set aside, by reason (a row can have several)", title_justify="left")
        table.add_column("column", overflow="fold")
        table.add_column("reason", overflow="fold")
        table.add_column("rows", justify="right")
        for row in reasons.itertuples(index=False):
            table.add_row(escape(row.column), escape(row.reason), f"{row.rows:,}")
        parts.append(table)
    if set_aside_file is not None:
        parts.append(escape(f"Rows that would be set aside, with reasons: {set_aside_file}"))
    parts.append("Dry run: nothing was written to the store.")
    return Group(*parts)


def _fields_table(check: MappingCheck) -> Table:
    table = Table(title=f"Mapping of {check.path.name} as {check.kind}", title_justify="left")
    for column in ("field", "need", "their column", "status", "suggestion"):
        table.add_column(column, overflow="fold")
    for row in check.fields.itertuples(index=False):
        status = {"mapped": "[green]mapped[/]", "missing from the file": "[red]missing from "
                  "the file[/]"}.get(row.status, "not mapped")
        table.add_row(row.field, row.need, escape(row.column), status, escape(row.suggestion))
    return table
