"""The partner-extract contract: crimes, ASB incidents and indicators from a force or council.

Partners export from their own systems with their own column names, flag values and date
formats. A YAML mapping per area (``config/mappings/<area>.yaml``) says how their columns map
to ours, so their export loads without editing. Every row is either loaded or quarantined with
a reason (file, line, column, value found, what was expected): nothing is dropped, and the
counts reconcile (rows_read = rows_loaded + rows_quarantined). Problems with the file as a
whole (missing column, unreadable file, bad mapping) raise an error instead.

The contract itself is documented in ``docs/data-contract.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.core.config import read_yaml
from analysis.core.errors import ConfigError, InputError

ExtractKind = Literal["crimes", "asb", "indicators"]

HATE_STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
ASB_CATEGORIES = ("personal", "nuisance", "environmental")

# Field types: how a cell is parsed and checked. "required" fields must be mapped and non-blank.
_LOCATION = {
    "lsoa_code": "lsoa",
    "ward_code": "ward",
    "easting": "easting",
    "northing": "northing",
    "longitude": "longitude",
    "latitude": "latitude",
}
FIELDS: dict[str, dict[str, str]] = {
    "crimes": {
        "reference": "text",
        "committed_from": "datetime",
        "committed_to": "datetime",
        "offence_code": "offence",
        **_LOCATION,
        "domestic_abuse": "flag",
        "hate_strands": "strands",
        "knife_sharp_instrument": "flag",
        "alcohol": "flag",
        "night_time_economy": "flag",
        "child_sexual_exploitation": "flag",
        "victim_age_band": "text",
        "victim_sex": "text",
        "outcome": "text",
    },
    "asb": {
        "reference": "text",
        "occurred_at": "datetime",
        "category": "category",
        "asb_type": "text",
        **_LOCATION,
        "repeat_caller": "flag",
    },
    "indicators": {
        "indicator": "text",
        "area": "text",
        "period": "text",
        "value": "number",
        "numerator": "count",
        "denominator": "count",
        "source": "text",
        "note": "text",
    },
}
"""Our fields per extract, in output order, with their type."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "crimes": ("reference", "committed_from", "offence_code"),
    "asb": ("reference", "occurred_at", "category"),
    "indicators": ("indicator", "area", "period", "value"),
}
"""Fields every row must have."""

UNIQUE_KEY: dict[str, tuple[str, ...]] = {
    "crimes": ("reference",),
    "asb": ("reference",),
    "indicators": ("indicator", "area", "period"),
}
"""A second row with the same key is quarantined as a duplicate."""

_LOCATION_GROUPS = (
    ("lsoa_code",),
    ("ward_code",),
    ("easting", "northing"),
    ("longitude", "latitude"),
)


class ExtractMapping(BaseModel):
    """How one partner export maps onto one of our extracts.

    ``columns`` maps their column name → our field. ``values`` maps, per our field, their value
    → ours (e.g. ``category: {"ASB Personal": personal}``; for ``hate_strands`` each listed
    item is mapped). Flags accept ``true_values``/``false_values`` (case-insensitive); a
    blank flag is unknown, not false, unless ``""`` is listed. ``date_formats`` are strptime
    formats tried in order (ISO 8601 when empty).
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    true_values: list[str] = Field(default_factory=lambda: ["Y", "YES", "TRUE", "1"])
    false_values: list[str] = Field(default_factory=lambda: ["N", "NO", "FALSE", "0"])
    list_separator: str = ";"
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    def check_for(self, kind: ExtractKind) -> None:
        """Raise ValueError if the mapping does not fit the extract ``kind``."""
        fields = FIELDS[kind]
        ours = list(self.columns.values())
        unknown = sorted(set(ours) - fields.keys())
        if unknown:
            raise ValueError(f"{kind}: unknown field(s) {unknown}; known: {list(fields)}")
        twice = sorted({field for field in ours if ours.count(field) > 1})
        if twice:
            raise ValueError(f"{kind}: field(s) mapped from more than one column: {twice}")
        missing = [field for field in REQUIRED[kind] if field not in ours]
        if missing:
            raise ValueError(f"{kind}: required field(s) not mapped: {missing}")
        if kind != "indicators" and not any(
            all(field in ours for field in group) for group in _LOCATION_GROUPS
        ):
            raise ValueError(
                f"{kind}: map a location: lsoa_code, ward_code, easting+northing or "
                "longitude+latitude"
            )
        stray = sorted(set(self.values) - fields.keys())
        if stray:
            raise ValueError(f"{kind}: value mappings for unknown field(s) {stray}")


class PartnerMapping(BaseModel):
    """The YAML mapping for one area: one optional :class:`ExtractMapping` per extract."""

    model_config = ConfigDict(extra="forbid")

    area: str
    description: str = ""
    crimes: ExtractMapping | None = None
    asb: ExtractMapping | None = None
    indicators: ExtractMapping | None = None

    @model_validator(mode="after")
    def _fits_each_extract(self) -> PartnerMapping:
        for kind in ("crimes", "asb", "indicators"):
            extract = getattr(self, kind)
            if extract is not None:
                extract.check_for(kind)
        return self


def load_mapping(path: Path) -> PartnerMapping:
    """Read and validate a partner mapping YAML; a mistake raises :class:`ConfigError`."""
    if not Path(path).is_file():
        raise ConfigError("mapping file not found", file=path)
    data = read_yaml(Path(path))
    try:
        return PartnerMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(
            f"the mapping is not valid at '{where}': {first['msg']}",
            file=path,
            found=first.get("input"),
            hint="see docs/data-contract.md for the mapping format",
        ) from None


@dataclass(frozen=True)
class PartnerLoad:
    """The result of loading one extract: good rows, quarantined rows and the counts."""

    kind: ExtractKind
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int

    @property
    def counts(self) -> dict[str, int]:
        """rows_read = rows_loaded + rows_quarantined, for the reconciliation report."""
        return {
            "rows_read": self.rows_read,
            "rows_loaded": len(self.rows),
            "rows_quarantined": len(self.quarantine),
        }


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _read_rows(path: Path, mapping: ExtractMapping) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Read the CSV as text: header, a frame of their columns + line numbers, shape problems.

    Uses the csv module so ``source_line`` is the editor line where the record starts even
    when a quoted cell spans lines. Wholly empty lines are not records and are skipped. A
    record with the wrong number of cells gets a reason in the third return value.
    """
    try:
        with Path(path).open(encoding=mapping.encoding, newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise InputError("extract file not found", file=path) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(
            f"cannot decode the file ({exc})",
            file=path,
            expected=f"text in the mapping's encoding ({mapping.encoding})",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    if not header:
        raise InputError("the file is empty", file=path, expected="a header row")
    records, lines, shape = [], [], []
    start = reader.line_num + 1
    for record in reader:
        if record:
            width = len(record)
            shape.append(
                "" if width == len(header) else f"has {width} cells, the header has {len(header)}"
            )
            records.append((record + [""] * len(header))[: len(header)])
            lines.append(start)
        start = reader.line_num + 1
    frame = pd.DataFrame(records, columns=header, dtype="string")
    frame.insert(0, "source_line", pd.Series(lines, dtype="int64"))
    return header, frame, shape


def _their_columns(header: list[str], mapping: ExtractMapping, path: Path) -> None:
    """Raise if a mapped column is not in the file (case-insensitive match is suggested)."""
    for theirs in mapping.columns:
        if theirs not in header:
            close = [h for h in header if h.lower() == theirs.lower()]
            raise InputError(
                "a column named in the mapping is not in the file",
                file=path,
                line=1,
                column=theirs,
                found=header,
                expected=f"a column '{theirs}'",
                hint=f"did you mean '{close[0]}'?" if close else "fix the mapping's columns",
            )


# --------------------------------------------------------------------------------------------
# Parsing one field: each parser returns (values, problem) where problem is "" when fine
# --------------------------------------------------------------------------------------------

Parsed = tuple[pd.Series, pd.Series]


def _problem(mask: pd.Series, raw: pd.Series, expected: str) -> pd.Series:
    """A per-row problem text ("found 'x', expected ...") where ``mask`` is true, else ""."""
    text = "found '" + raw.fillna("") + "', expected " + expected
    return text.where(mask.fillna(False).astype(bool), "")


def _parse_text(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    return raw, pd.Series("", index=raw.index)


EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2200-01-01")
"""Dates outside [1900, 2200) are typing or export errors (a year 1500 or 2999), and are
quarantined: pandas reads any year, but the store's timestamps hold 1677 to 2262 only."""


def _parse_datetime(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    beyond = pd.Series(False, index=raw.index)
    for fmt in mapping.date_formats or ["ISO8601"]:
        attempt = pd.to_datetime(raw, format=fmt, errors="coerce")
        outside = attempt.notna() & ((attempt < EARLIEST_DATE) | (attempt >= LATEST_DATE))
        beyond |= outside
        parsed = parsed.fillna(attempt.where(~outside).astype("datetime64[ns]"))
    beyond &= parsed.isna()  # out of range in one format, but read by another: fine
    expected = (
        "a date/time like " + " or ".join(mapping.date_formats)
        if mapping.date_formats
        else "an ISO 8601 date/time (2024-03-31 or 2024-03-31T22:15)"
    )
    in_range = f"a date from {EARLIEST_DATE.year} to {LATEST_DATE.year - 1}"
    problem = _problem(beyond, raw, in_range).where(
        beyond, _problem(parsed.isna() & raw.notna(), raw, expected))
    return parsed, problem


def _parse_flag(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    upper = raw.fillna("").str.upper()
    truthy = upper.isin([v.upper() for v in mapping.true_values])
    falsy = upper.isin([v.upper() for v in mapping.false_values])
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[truthy] = True
    values[falsy] = False
    allowed = ", ".join(repr(v) for v in [*mapping.true_values, *mapping.false_values])
    return values, _problem(raw.notna() & ~truthy & ~falsy, raw, f"one of {allowed} or blank")


def _parse_strands(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    names = mapping.values.get("hate_strands", {})

    def canonical(cell: object) -> str | None:
        if pd.isna(cell):
            return ""
        items = [item.strip() for item in str(cell).split(mapping.list_separator) if item.strip()]
        items = [names.get(item, item).lower() for item in items]
        if any(item not in HATE_STRANDS for item in items):
            return None
        return ";".join(strand for strand in HATE_STRANDS if strand in items)

    values = raw.map(canonical, na_action=None).astype("string")
    expected = f"strands from {', '.join(HATE_STRANDS)} separated by '{mapping.list_separator}'"
    return values, _problem(values.isna(), raw, expected)


def _parse_category(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    values = raw.str.lower()
    bad = values.notna() & ~values.isin(ASB_CATEGORIES)
    return values.where(~bad), _problem(bad, raw, f"one of {', '.join(ASB_CATEGORIES)}")


def _code_parser(pattern: str, example: str) -> Callable[[pd.Series, ExtractMapping], Parsed]:
    regex = re.compile(pattern)

    def parse(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
        values = raw.str.upper()
        bad = values.notna() & ~values.fillna("").str.fullmatch(regex)
        return values.where(~bad), _problem(bad, raw, f"a code like {example}")

    return parse


def _number_parser(
    low: float, high: float, *, whole: bool = False
) -> Callable[[pd.Series, ExtractMapping], Parsed]:
    def parse(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
        numbers = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        bad = raw.notna() & (numbers.isna() | (numbers < low) | (numbers > high))
        if whole:
            bad |= numbers.notna() & (numbers % 1 != 0)
        kind = "a whole number" if whole else "a number"
        expected = f"{kind} from {low:g} to {high:g}" if high != float("inf") else f"{kind} ≥ 0"
        return numbers.where(~bad).astype("Float64"), _problem(bad, raw, expected)

    return parse


_PARSERS: dict[str, Callable[[pd.Series, ExtractMapping], Parsed]] = {
    "text": _parse_text,
    "datetime": _parse_datetime,
    "flag": _parse_flag,
    "strands": _parse_strands,
    "category": _parse_category,
    "offence": _parse_text,  # checked against the classification afterwards
    "lsoa": _code_parser(r"[EW]01\d{6}", "E01015921"),
    "ward": _code_parser(r"[EW]05\d{6}", "E05002239"),
    "easting": _number_parser(0, 700_000),
    "northing": _number_parser(0, 1_300_000),
    "longitude": _number_parser(-9, 2),
    "latitude": _number_parser(49, 61),
    "number": _number_parser(float("-inf"), float("inf")),
    "count": _number_parser(0, float("inf"), whole=True),
}

_EMPTY_DTYPES = {
    "text": "string",
    "datetime": "datetime64[ns]",
    "flag": "boolean",
    "strands": "string",
    "category": "string",
    "offence": "string",
    "lsoa": "string",
    "ward": "string",
    **dict.fromkeys(("easting", "northing", "longitude", "latitude", "number", "count"), "Float64"),
}
"""The column type of an unmapped field, matching what its parser returns."""


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_partner_extract(
    path: Path,
    kind: ExtractKind,
    mapping: PartnerMapping | ExtractMapping,
    *,
    classification: pd.DataFrame | None = None,
) -> PartnerLoad:
    """Load one partner extract through its mapping: validated rows plus quarantine.

    ``rows`` has ``source_file, source_line`` then every field of :data:`FIELDS` ``[kind]``
    (missing where not mapped); crimes also get ``offence_subgroup, offence_group`` from the
    Home Office classification (``classification``, default
    ``analysis.core.offences.load_offence_classification()``). ``quarantine`` has
    ``source_file, source_line, reason`` and the row as it was in the file.
    """
    extract = _extract_mapping(mapping, kind)
    path = Path(path)
    header, raw, shape = _read_rows(path, extract)
    _their_columns(header, extract, path)
    theirs_for = {ours: theirs for theirs, ours in extract.columns.items()}
    problems = [pd.Series(shape, index=raw.index, dtype="string")]
    cells = pd.DataFrame(index=raw.index)
    values = pd.DataFrame(index=raw.index)
    for ours, field_type in FIELDS[kind].items():
        theirs = theirs_for.get(ours)
        if theirs is None:  # not in this partner's export: unknown for every row
            cells[ours] = pd.Series(pd.NA, index=raw.index, dtype="string")
            values[ours] = pd.Series(pd.NA, index=raw.index, dtype=_EMPTY_DTYPES[field_type])
            continue
        cells[ours] = _blank_to_missing(raw[theirs])
        mapped = _apply_value_mapping(cells[ours], extract.values.get(ours), field_type)
        parsed, problem = _PARSERS[field_type](mapped, extract)
        values[ours] = parsed
        problems.append(("column '" + theirs + "': " + problem).where(problem != "", ""))
    problems.extend(_row_rules(kind, cells, values))
    if kind == "crimes":
        values, offence_problem = _classify_offences(values, classification, extract)
        problems.append(offence_problem)
    problems.append(_duplicates(values, raw["source_line"], kind))
    reason = _join_reasons(problems, raw.index)
    return _split(path, kind, raw, values, reason)


def _extract_mapping(mapping: PartnerMapping | ExtractMapping, kind: ExtractKind) -> ExtractMapping:
    """The mapping for ``kind``, checked; raise ConfigError if it is missing or does not fit."""
    extract = getattr(mapping, kind) if isinstance(mapping, PartnerMapping) else mapping
    if extract is None:  # only a whole area's mapping can lack a section
        assert isinstance(mapping, PartnerMapping)
        raise ConfigError(
            f"the mapping for area '{mapping.area}' has no '{kind}' section",
            expected=f"a '{kind}:' section with columns",
        )
    try:
        extract.check_for(kind)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return extract


def _blank_to_missing(column: pd.Series) -> pd.Series:
    stripped = column.str.strip()
    return stripped.where(stripped != "")


def _apply_value_mapping(
    column: pd.Series, values: dict[str, str] | None, field_type: str
) -> pd.Series:
    """Replace their values with ours (whole cell; strands are mapped item by item later)."""
    if not values or field_type == "strands":
        return column
    return column.map(lambda cell: values.get(cell, cell) if pd.notna(cell) else cell).astype(
        "string"
    )


def _row_rules(kind: ExtractKind, cells: pd.DataFrame, values: pd.DataFrame) -> list[pd.Series]:
    """Checks across fields: required values, a location, coordinate pairs, date order, and
    no date after today (a future date is a typing or export error)."""
    index = cells.index
    problems = []
    for field in REQUIRED[kind]:
        missing = cells[field].isna()
        problems.append(pd.Series(f"{field} is blank", index=index).where(missing, ""))
    if kind == "indicators":
        return problems
    for pair in (("easting", "northing"), ("longitude", "latitude")):
        half = cells[pair[0]].notna() ^ cells[pair[1]].notna()
        problems.append(
            pd.Series(f"{pair[0]} and {pair[1]} must both be given", index=index).where(half, "")
        )
    located = pd.Series(False, index=index)
    for group in _LOCATION_GROUPS:
        located |= values[list(group)].notna().all(axis=1)
    problems.append(
        pd.Series(
            "no location: needs lsoa_code, ward_code, easting+northing or longitude+latitude",
            index=index,
        ).where(~located & cells[[f for g in _LOCATION_GROUPS for f in g]].isna().all(axis=1), "")
    )
    when = values["committed_from" if kind == "crimes" else "occurred_at"]
    future = when > pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    problems.append(pd.Series("date is in the future", index=index).where(
        future.fillna(False), ""))
    if kind == "crimes":
        backwards = values["committed_to"] < values["committed_from"]
        problems.append(
            pd.Series("committed_to is before committed_from", index=index).where(
                backwards.fillna(False), ""
            )
        )
    return problems


def _classify_offences(
    values: pd.DataFrame, classification: pd.DataFrame | None, mapping: ExtractMapping
) -> tuple[pd.DataFrame, pd.Series]:
    """Add offence subgroup and group; a code not in the classification is a row problem."""
    if classification is None:
        from analysis.core.offences import load_offence_classification

        classification = load_offence_classification()
    table = classification[["offence_code", "offence_subgroup", "offence_group"]].copy()
    table["offence_code"] = table["offence_code"].astype("string").str.strip().str.upper()
    codes = values["offence_code"].str.upper()
    joined = pd.DataFrame({"offence_code": codes}).merge(table, on="offence_code", how="left")
    joined.index = values.index
    values = values.assign(
        offence_code=codes,
        offence_subgroup=joined["offence_subgroup"].astype("string"),
        offence_group=joined["offence_group"].astype("string"),
    )
    unknown = codes.notna() & joined["offence_group"].isna()
    problem = _problem(unknown, codes, "a Home Office offence code in the classification")
    return values, ("offence_code: " + problem).where(problem != "", "")


def _duplicates(values: pd.DataFrame, lines: pd.Series, kind: ExtractKind) -> pd.Series:
    """Quarantine second and later rows with the same key, naming the first row's line."""
    key = list(UNIQUE_KEY[kind])
    complete = values[key].notna().all(axis=1)
    repeated = values[key].duplicated(keep="first") & complete
    first_line = (
        pd.concat([values[key], lines], axis=1)
        .groupby(key, dropna=True)["source_line"]
        .transform("first")
    )
    text = "duplicate " + "+".join(key) + " (first on line " + first_line.astype("string") + ")"
    return text.where(repeated, "").fillna("")


def _join_reasons(problems: list[pd.Series], index: pd.Index) -> pd.Series:
    """All of a row's problems in one '; '-separated reason, "" for a good row."""
    joined = pd.Series("", index=index, dtype="string")
    for problem in problems:
        item = problem.reindex(index).fillna("").astype("string")
        both = (joined != "") & (item != "")
        joined = (joined + "; ").where(both, joined) + item
    return joined


def _split(
    path: Path, kind: ExtractKind, raw: pd.DataFrame, values: pd.DataFrame, reason: pd.Series
) -> PartnerLoad:
    """Divide rows into loaded and quarantined, each carrying file and line."""
    bad = reason != ""
    source = pd.DataFrame({"source_file": str(path), "source_line": raw["source_line"]})
    rows = pd.concat([source, values], axis=1)[~bad].reset_index(drop=True)
    rows = rows.astype({"source_file": "string"})
    quarantine = pd.concat(
        [source, reason.rename("reason"), raw.drop(columns="source_line")], axis=1
    )[bad].reset_index(drop=True)
    quarantine = quarantine.astype({"source_file": "string"})
    return PartnerLoad(kind=kind, rows=rows, quarantine=quarantine, rows_read=len(raw))
