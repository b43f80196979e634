"""The partner-extract contract: crimes, ASB incidents and indicators from a force or council.

Partners export from their own systems with their own column names, flag values and date
formats. A YAML mapping per area (``config/mappings/<area>.yaml``) says how their columns map
to ours, so their export loads without editing. Every row is either loaded or quarantined with
a reason (file, line, column, value found, what was expected): nothing is dropped, and the
counts reconcile (rows_read = rows_loaded + rows_quarantined). Problems with the file as a
whole (missing column, unreadable file, bad mapping) raise an error instead.

A mapping can also join a date column and a separate time column into one date/time (a
date-only value has an unknown time of day, recorded beside it, never a made-up midnight),
band ages in years into the contract's age bands, read ward names as ward codes through the
area's ward lookup, and name the file's encoding.

The contract itself is documented in ``docs/data-contract.md``.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.core.config import read_yaml
from analysis.core.errors import ConfigError, InputError
from analysis.core.vocabulary import AGE_BANDS

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

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
        "victim_age_band": "age_band",
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

EVENT_TIME = {"crimes": "committed_from", "asb": "occurred_at"}
"""The date/time field that places each record in a month (indicators have periods)."""

TIME_KNOWN = "_time_known"
"""Suffix of the boolean column beside each date/time field: whether its time of day is known
(false for a date-only value, whose midnight is not a time; missing where the date is)."""

MAX_AGE = 120
"""The oldest age in years read as an age; above it is a typing or export error (999)."""

_LOCATION_GROUPS = (
    ("lsoa_code",),
    ("ward_code",),
    ("easting", "northing"),
    ("longitude", "latitude"),
)


def _datetime_fields(kind: ExtractKind) -> list[str]:
    """The date/time fields of an extract, in output order."""
    return [field for field, field_type in FIELDS[kind].items() if field_type == "datetime"]


class ExtractMapping(BaseModel):
    """How one partner export maps onto one of our extracts.

    ``columns`` maps their column name → our field. ``values`` maps, per our field, their value
    → ours (e.g. ``category: {"ASB Personal": personal}``; for ``hate_strands`` each listed
    item is mapped). Flags accept ``true_values``/``false_values`` (case-insensitive); a
    blank flag is unknown, not false, unless ``""`` is listed. ``date_formats`` are strptime
    formats tried in order (ISO 8601 when empty). ``time_columns`` names, per date/time field,
    their column holding the time of day (read with ``time_formats``) when date and time are
    exported apart. ``band_ages`` lists age-band fields whose column holds ages in years,
    banded into :data:`~analysis.core.vocabulary.AGE_BANDS`. ``ward_names`` says the column
    mapped to ``ward_code`` holds ward names, looked up in the area's wards. ``encoding`` is
    the file's text encoding (``cp1252`` for a file saved by Excel on Windows).
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    time_columns: dict[str, str] = Field(default_factory=dict)
    time_formats: list[str] = Field(default_factory=lambda: ["%H:%M", "%H:%M:%S"])
    band_ages: list[str] = Field(default_factory=list)
    ward_names: bool = False
    true_values: list[str] = Field(default_factory=lambda: ["Y", "YES", "TRUE", "1"])
    false_values: list[str] = Field(default_factory=lambda: ["N", "NO", "FALSE", "0"])
    list_separator: str = ";"
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, name: str) -> str:
        try:
            codecs.lookup(name)
        except LookupError:
            raise ValueError(f"unknown encoding '{name}'; e.g. utf-8, utf-8-sig, cp1252 "
                             "(Excel on Windows) or latin-1") from None
        return name

    def their_columns(self) -> list[str]:
        """Every column of their file this mapping reads: mapped columns, then time columns."""
        return [*self.columns, *self.time_columns.values()]

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
        self._check_conversions(kind, ours)

    def _check_conversions(self, kind: ExtractKind, ours: list[str]) -> None:
        """Raise ValueError if time_columns, band_ages or ward_names do not fit ``kind``."""
        dated = _datetime_fields(kind)
        for field, theirs in self.time_columns.items():
            if field not in dated:
                raise ValueError(f"{kind}: time_columns: '{field}' is not a date/time field; "
                                 f"those are {dated}")
            if field not in ours:
                raise ValueError(f"{kind}: time_columns: '{field}' needs its date column "
                                 "mapped under columns")
            if theirs in self.columns:
                raise ValueError(f"{kind}: time_columns: '{theirs}' is also mapped under "
                                 "columns; a column is read once")
        ages = [field for field, field_type in FIELDS[kind].items() if field_type == "age_band"]
        for field in self.band_ages:
            if field not in ages:
                raise ValueError(f"{kind}: band_ages: '{field}' is not an age-band field"
                                 + (f"; those are {ages}" if ages else ""))
            if field not in ours:
                raise ValueError(f"{kind}: band_ages: '{field}' is not mapped under columns")
        if self.ward_names and "ward_code" not in ours:
            raise ValueError(f"{kind}: ward_names: map the column of ward names to ward_code")


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
    """The result of loading one extract: good rows, quarantined rows and the counts.

    ``problems`` lists every problem of every quarantined row, one per line: ``source_line,
    column`` (their column, blank for the record as a whole), ``found`` (the value, where one
    is quoted), ``problem`` (what was wrong or expected) and ``summary`` (the same without
    row details, for counting by reason). ``quarantine`` joins a row's problems in ``reason``.
    """

    kind: ExtractKind
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    problems: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """rows_read = rows_loaded + rows_quarantined, for the reconciliation report."""
        return {
            "rows_read": self.rows_read,
            "rows_loaded": len(self.rows),
            "rows_quarantined": len(self.quarantine),
        }


def times_of_day(rows: pd.DataFrame, field: str) -> pd.Series:
    """``rows[field]`` where its time of day is known, NaT where only the date is.

    A date-only export reads as midnight; day-and-hour profiles must count those records as
    having no time, not as 00:00. Rows loaded before times were tracked are taken as timed.
    """
    known = rows.get(field + TIME_KNOWN)
    stamps = pd.to_datetime(rows[field])
    if known is None:
        return stamps
    return stamps.where(known.fillna(False).astype(bool))


def ward_name_table(lookup: pd.DataFrame, pfa_code: str | None = None) -> pd.DataFrame:
    """The wards a ward name can stand for: ``ward_code, ward_name``, one row per pair.

    From the area's LSOA lookup (:func:`analysis.inputs.geography.load_lsoa_lookup`), only
    the police force area ``pfa_code`` when given: a name is looked up among the force's
    wards, so a like-named ward elsewhere in England does not make it ambiguous.
    """
    rows = lookup if pfa_code is None else lookup[lookup["pfa_code"] == pfa_code]
    pairs = rows[["ward_code", "ward_name"]].dropna().drop_duplicates()
    return pairs.sort_values(["ward_name", "ward_code"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _read_rows(path: Path, mapping: ExtractMapping) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Read the CSV as text: header, a frame of their columns + line numbers, shape problems.

    Uses the csv module so ``source_line`` is the editor line where the record starts even
    when a quoted cell spans lines. Wholly empty lines are not records and are skipped. A
    record with the wrong number of cells gets a reason in the third return value.
    """
    reader = _reader(path, mapping)
    header = _header(reader, path)
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


def read_header(path: Path, mapping: ExtractMapping) -> list[str]:
    """The file's column names, as the ingest reads them (decoding problems raise likewise)."""
    return _header(_reader(path, mapping), path)


def _reader(path: Path, mapping: ExtractMapping) -> _CsvReader:
    """A csv reader over the whole file decoded in the mapping's encoding."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("extract file not found", file=path) from None
    try:
        text = data.decode(mapping.encoding)
    except UnicodeDecodeError as exc:
        raise _decoding_error(path, data, exc, mapping) from None
    return csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)


def _header(reader: _CsvReader, path: Path) -> list[str]:
    """The first record as column names; an empty file is an error."""
    header = [cell.strip() for cell in next(reader, [])]
    if not header:
        raise InputError("the file is empty", file=path, expected="a header row")
    return header


def _decoding_error(path: Path, data: bytes, exc: UnicodeDecodeError,
                    mapping: ExtractMapping) -> InputError:
    """A file that is not in the mapping's encoding: the line (not a byte offset) and the fix.

    The hint depends on whether the mapping named an encoding: without one the file was read
    as UTF-8, and a Windows export is usually cp1252.
    """
    line = data.count(b"\n", 0, exc.start) + 1
    begins = data.rfind(b"\n", 0, exc.start) + 1
    ends = data.find(b"\n", exc.start)
    text = data[begins: ends if ends >= 0 else len(data)].decode(mapping.encoding,
                                                                 errors="replace")
    name = "UTF-8" if codecs.lookup(mapping.encoding).name.startswith("utf-8") else (
        mapping.encoding)
    if "encoding" in mapping.model_fields_set:
        hint = (f"the mapping says encoding: {mapping.encoding}, which cannot read this file; "
                "ask the partner which encoding their system exports, and set it there")
    else:
        hint = ("name the file's encoding in the mapping, beside its columns, e.g. "
                "'encoding: cp1252' for a file saved by Excel on Windows")
    return InputError(
        f"the file is not {name} text: byte {data[exc.start:exc.end].hex(' ')} cannot be read",
        file=path, line=line, found=text.rstrip("\r"), expected=f"text in the {name} encoding",
        hint=hint)


def missing_columns(header: Sequence[str], mapping: ExtractMapping) -> list[str]:
    """The columns the mapping reads that the file's header lacks, in the mapping's order."""
    return [theirs for theirs in mapping.their_columns() if theirs not in header]


SUGGESTION_CUTOFF = 0.6
"""How alike two column names must be (difflib's ratio, 0 to 1) to be suggested."""


def _words(name: str) -> list[str]:
    """A name's words, lower case, apostrophes dropped and '&' read as 'and' (so 'St. Mary's
    & Priory' has the words of 'St Marys and Priory')."""
    plain = re.sub(r"['’]", "", name.casefold()).replace("&", " and ")
    return re.findall(r"[^\W_]+", plain)


def close_names(name: str, candidates: Sequence[str], *, limit: int = 3,
                cutoff: float = SUGGESTION_CUTOFF) -> list[str]:
    """The ``candidates`` ``name`` may have been meant as, most alike first.

    A near miss is a difference of case, spacing or punctuation, a typo ('Crime Numbr' for
    'Crime Number', difflib's ratio at least ``cutoff``), or the same words with some left
    out ('HO Code' for 'HO Offence Code'). When some candidates have all the words, only
    they are given: 'HO Code' suggests 'HO Offence Code', not the as-alike 'LSOA Code'.
    """
    mine = _words(name)
    same_words, alike = [], []
    for candidate in candidates:
        theirs = _words(candidate)
        if not mine or not theirs:
            continue
        score = difflib.SequenceMatcher(None, " ".join(mine), " ".join(theirs)).ratio()
        if set(mine) <= set(theirs) or set(theirs) <= set(mine):
            same_words.append((-score, candidate))
        elif score >= cutoff:
            alike.append((-score, candidate))
    return [candidate for _, candidate in sorted(same_words or alike)[:limit]]


def _did_you_mean(names: Sequence[str]) -> str:
    return "did you mean " + " or ".join(f"'{name}'" for name in names) + "?"


def _their_columns(header: list[str], mapping: ExtractMapping, path: Path) -> None:
    """Raise if a column the mapping reads is not in the file, suggesting near misses."""
    missing = missing_columns(header, mapping)
    if not missing:
        return
    unread = [column for column in header if column not in mapping.their_columns()]
    close = close_names(missing[0], unread)
    raise InputError(
        "a column named in the mapping is not in the file",
        file=path,
        line=1,
        column=missing[0],
        found=header,
        expected=f"a column '{missing[0]}'",
        hint=(_did_you_mean(close) + " fix the mapping's column name") if close
        else "fix the mapping's columns",
    )


# --------------------------------------------------------------------------------------------
# Parsing one field: each parser returns (values, expected) where expected is "" when fine
# --------------------------------------------------------------------------------------------

Parsed = tuple[pd.Series, pd.Series]
Parser = Callable[[pd.Series, ExtractMapping], Parsed]


def _expect(mask: pd.Series, expected: str | pd.Series) -> pd.Series:
    """What was expected (``expected``) where ``mask`` is true, else ""."""
    text = (pd.Series(expected, index=mask.index, dtype="string") if isinstance(expected, str)
            else expected.astype("string"))
    return text.where(mask.fillna(False).astype(bool), "")


def _parse_text(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    return raw, pd.Series("", index=raw.index, dtype="string")


EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2200-01-01")
"""Dates outside [1900, 2200) are typing or export errors (a year 1500 or 2999), and are
quarantined: pandas reads any year, but the store's timestamps hold 1677 to 2262 only."""

_TIME_DIRECTIVE = re.compile(r"%[HIMSpXTRcf]")
_ISO_TIME = re.compile(r"\d[T ]\d")
"""A strptime format with a time of day in it; an ISO 8601 value with one (``2024-03-31T22``)."""


def _read_datetimes(raw: pd.Series, mapping: ExtractMapping) -> tuple[pd.Series, pd.Series,
                                                                      pd.Series]:
    """Dates/times read with the mapping's formats: (values, expected, timed).

    ``timed`` is true where the format that read the value holds a time of day (for ISO 8601,
    where the value has one), so a date-only value is known to have no time.
    """
    parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    timed = pd.Series(False, index=raw.index)
    beyond = pd.Series(False, index=raw.index)
    for fmt in mapping.date_formats or ["ISO8601"]:
        attempt = pd.to_datetime(raw, format=fmt, errors="coerce")
        outside = attempt.notna() & ((attempt < EARLIEST_DATE) | (attempt >= LATEST_DATE))
        beyond |= outside
        new = parsed.isna() & attempt.notna() & ~outside
        has_time = (raw.fillna("").str.contains(_ISO_TIME) if fmt == "ISO8601"
                    else pd.Series(bool(_TIME_DIRECTIVE.search(fmt)), index=raw.index))
        timed = timed | (new & has_time)
        parsed = parsed.fillna(attempt.where(~outside).astype("datetime64[ns]"))
    beyond &= parsed.isna()  # out of range in one format, but read by another: fine
    expected = (
        "a date/time like " + " or ".join(mapping.date_formats)
        if mapping.date_formats
        else "an ISO 8601 date/time (2024-03-31 or 2024-03-31T22:15)"
    )
    in_range = f"a date from {EARLIEST_DATE.year} to {LATEST_DATE.year - 1}"
    problem = _expect(beyond, in_range).where(beyond, _expect(parsed.isna() & raw.notna(),
                                                              expected))
    return parsed, problem, timed


def _read_times(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    """Times of day read with the mapping's ``time_formats``: (time since midnight, expected)."""
    clock = pd.Series(pd.NaT, index=raw.index, dtype="timedelta64[ns]")
    for fmt in mapping.time_formats:
        attempt = pd.to_datetime(raw, format=fmt, errors="coerce")
        clock = clock.fillna(attempt - attempt.dt.normalize())
    expected = "a time of day like " + " or ".join(mapping.time_formats)
    return clock, _expect(clock.isna() & raw.notna(), expected)


def _parse_flag(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    upper = raw.fillna("").str.upper()
    truthy = upper.isin([v.upper() for v in mapping.true_values])
    falsy = upper.isin([v.upper() for v in mapping.false_values])
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[truthy] = True
    values[falsy] = False
    allowed = ", ".join(repr(v) for v in [*mapping.true_values, *mapping.false_values])
    return values, _expect(raw.notna() & ~truthy & ~falsy, f"one of {allowed} or blank")


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
    return values, _expect(values.isna(), expected)


def _parse_category(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    values = raw.str.lower()
    bad = values.notna() & ~values.isin(ASB_CATEGORIES)
    return values.where(~bad), _expect(bad, f"one of {', '.join(ASB_CATEGORIES)}")


def _parse_age_band(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    """An age band as given (value mappings standardise labels); a bare number is an age in
    years, not a band, and quarantines the row with the way to band it."""
    age = raw.fillna("").str.fullmatch(r"\d+(?:\.\d*)?")
    return raw, _expect(age, "an age band like 18-24, not an age: list the field under "
                             "band_ages in the mapping to band ages in years")


_BAND_STARTS = [int(re.match(r"\d+", band).group()) for band in AGE_BANDS]  # type: ignore[union-attr]


def _parse_ages(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
    """Ages in whole years banded into :data:`AGE_BANDS` (34 → 25-34). A value mapped to a
    band is kept; one mapped to "" (e.g. ``Not known: ""``) is unknown."""
    text = raw.str.strip()
    given = text.isin(AGE_BANDS).fillna(False)
    unknown = text.eq("").fillna(False)
    years = pd.to_numeric(text.where(~given & ~unknown), errors="coerce")
    whole = years.notna() & (years % 1 == 0) & (years >= 0) & (years <= MAX_AGE)
    bad = raw.notna() & ~given & ~unknown & ~whole
    bands = pd.cut(years.where(whole), bins=[*_BAND_STARTS, math.inf], right=False,
                   labels=list(AGE_BANDS)).astype("string")
    values = bands.where(~given, text).where(~bad & ~unknown)
    return values, _expect(bad, f"an age in whole years from 0 to {MAX_AGE}")


def _code_parser(pattern: str, example: str) -> Parser:
    regex = re.compile(pattern)

    def parse(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
        values = raw.str.upper()
        bad = values.notna() & ~values.fillna("").str.fullmatch(regex)
        return values.where(~bad), _expect(bad, f"a code like {example}")

    return parse


WARD_CODE = r"[EW]05\d{6}"
WARD_SUGGESTION_CUTOFF = 0.8
"""Ward names are suggested only when closer than column names: many share a word ('Ward',
'North'), and a wrong suggestion sends the analyst to the wrong ward."""


def _ward_name_parser(wards: pd.DataFrame) -> Parser:
    """A parser reading ward names as codes through ``wards`` (:func:`ward_name_table`).

    Names match ignoring case, spacing and punctuation ('St. Marys' = 'St Mary's'); a value
    that is already a ward code is kept. A name of no ward, or of several (two councils'
    'Central'), quarantines the row: the reason suggests near names or lists the codes, so a
    value mapping can settle it.
    """
    codes_by_name: dict[str, list[str]] = {}
    for code, name in zip(wards["ward_code"], wards["ward_name"], strict=True):
        codes = codes_by_name.setdefault(" ".join(_words(str(name))), [])
        if code not in codes:
            codes.append(str(code))
    names = sorted(set(wards["ward_name"].astype(str)))

    def resolve(value: str) -> tuple[str | None, str]:
        if re.fullmatch(WARD_CODE, value.upper()):
            return value.upper(), ""
        codes = codes_by_name.get(" ".join(_words(value)), [])
        if len(codes) == 1:
            return codes[0], ""
        if codes:
            return None, (f"one ward, but {len(codes)} wards have that name "
                          f"({', '.join(sorted(codes))}): map it to a code under values")
        close = close_names(value, names, limit=1, cutoff=WARD_SUGGESTION_CUTOFF)
        return None, "a ward name in the area's ward lookup" + (
            f" ({_did_you_mean(close)})" if close else "")

    def parse(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
        resolved = {value: resolve(value) for value in raw.dropna().unique()}
        codes = raw.map(lambda v: resolved[v][0] if pd.notna(v) else None).astype("string")
        expected = raw.map(lambda v: resolved[v][1] if pd.notna(v) else "").astype("string")
        return codes, expected

    return parse


def _number_parser(low: float, high: float, *, whole: bool = False) -> Parser:
    def parse(raw: pd.Series, mapping: ExtractMapping) -> Parsed:
        numbers = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        bad = raw.notna() & (numbers.isna() | (numbers < low) | (numbers > high))
        if whole:
            bad |= numbers.notna() & (numbers % 1 != 0)
        kind = "a whole number" if whole else "a number"
        if high != math.inf:
            expected = f"{kind} from {low:g} to {high:g}"
        else:  # an unbounded value may be negative; a count may not
            expected = kind if low == -math.inf else f"{kind} ≥ {low:g}"
        return numbers.where(~bad).astype("Float64"), _expect(bad, expected)

    return parse


_PARSERS: dict[str, Parser] = {
    "text": _parse_text,  # datetime fields are read by _parse_when, with their time column
    "flag": _parse_flag,
    "strands": _parse_strands,
    "category": _parse_category,
    "age_band": _parse_age_band,
    "offence": _parse_text,  # checked against the classification afterwards
    "lsoa": _code_parser(r"[EW]01\d{6}", "E01015921"),
    "ward": _code_parser(WARD_CODE, "E05002239"),
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
    "age_band": "string",
    "offence": "string",
    "lsoa": "string",
    "ward": "string",
    **dict.fromkeys(("easting", "northing", "longitude", "latitude", "number", "count"), "Float64"),
}
"""The column type of an unmapped field, matching what its parser returns."""


# --------------------------------------------------------------------------------------------
# Checks: every problem found, with the column it is in, for the reason and the counts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    """One check over every row: where a row fails, what was wrong, in which column.

    The reason text is ``[label: ][found 'value', ]message``, e.g. ``column 'Committed From':
    found '32/03/2024', expected a date/time like %d/%m/%Y`` or ``reference is blank``.
    """

    failed: pd.Series                   # bool per row
    message: pd.Series | str            # what was expected or is wrong, where failed
    column: str = ""                    # their column(s); "" for the record as a whole
    label: str = ""                     # how the reason names the column
    found: pd.Series | None = None      # the value quoted in the reason
    summary: str | None = None          # the message without row details (default: message)

    def messages(self) -> pd.Series:
        """The message of every row (only meaningful where the row failed)."""
        if isinstance(self.message, str):
            return pd.Series(self.message, index=self.failed.index, dtype="string")
        return self.message.astype("string")

    def reasons(self) -> pd.Series:
        """The reason per row, "" where the row passed."""
        text = self.messages()
        if self.found is not None:
            text = "found '" + self.found.astype("string").fillna("") + "', " + text
        if self.label:
            text = self.label + ": " + text
        return text.where(self.failed.fillna(False).astype(bool), "")


def _field_check(expected: pd.Series, theirs: str, found: pd.Series) -> _Check:
    """A parser's verdict on their column as a check."""
    return _Check(failed=expected != "", message="expected " + expected, column=theirs,
                  label=f"column '{theirs}'", found=found)


def _rule(failed: pd.Series, message: str, column: str = "") -> _Check:
    """A rule across fields (a blank required field, half a pair) as a check."""
    return _Check(failed=failed.fillna(False).astype(bool), message=message, column=column)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_partner_extract(
    path: Path,
    kind: ExtractKind,
    mapping: PartnerMapping | ExtractMapping,
    *,
    classification: pd.DataFrame | None = None,
    wards: pd.DataFrame | None = None,
) -> PartnerLoad:
    """Load one partner extract through its mapping: validated rows plus quarantine.

    ``rows`` has ``source_file, source_line`` then every field of :data:`FIELDS` ``[kind]``
    (missing where not mapped), then ``<field>_time_known`` for each date/time field
    (:data:`TIME_KNOWN`); crimes also get ``offence_subgroup, offence_group`` from the
    Home Office classification (``classification``, default
    ``analysis.core.offences.load_offence_classification()``). ``quarantine`` has
    ``source_file, source_line, reason`` and the row as it was in the file. ``wards``
    (:func:`ward_name_table`) is needed when the mapping reads ward names.
    """
    extract = extract_mapping(mapping, kind)
    if extract.ward_names and wards is None:
        raise ConfigError(f"the {kind} mapping reads ward names (ward_names: true), but no "
                          "ward lookup was given", file=path,
                          hint="configure the area's lsoa_ward_lookups, or map ward codes")
    path = Path(path)
    header, raw, shape = _read_rows(path, extract)
    _their_columns(header, extract, path)
    theirs_for = {ours: theirs for theirs, ours in extract.columns.items()}
    shape_problem = pd.Series(shape, index=raw.index, dtype="string")
    checks = [_Check(failed=shape_problem != "", message=shape_problem)]
    cells = pd.DataFrame(index=raw.index)
    values = pd.DataFrame(index=raw.index)
    times_known = {}
    for ours, field_type in FIELDS[kind].items():
        theirs = theirs_for.get(ours)
        if theirs is None:  # not in this partner's export: unknown for every row
            cells[ours] = pd.Series(pd.NA, index=raw.index, dtype="string")
            values[ours] = pd.Series(pd.NA, index=raw.index, dtype=_EMPTY_DTYPES[field_type])
            if field_type == "datetime":
                times_known[ours] = pd.Series(pd.NA, index=raw.index, dtype="boolean")
            continue
        cells[ours] = _blank_to_missing(raw[theirs])
        mapped = _apply_value_mapping(cells[ours], extract.values.get(ours), field_type)
        if field_type == "datetime":
            values[ours], times_known[ours], field_checks = _parse_when(
                ours, theirs, mapped, raw, extract)
            checks.extend(field_checks)
            continue
        parsed, expected = _parser_for(ours, field_type, extract, wards)(mapped, extract)
        values[ours] = parsed
        checks.append(_field_check(expected, theirs, mapped))
    for field, known in times_known.items():
        values[field + TIME_KNOWN] = known
    checks.extend(_row_rules(kind, cells, values, theirs_for))
    if kind == "crimes":
        values, offence_check = _classify_offences(values, classification, theirs_for)
        checks.append(offence_check)
    checks.append(_duplicates(values, raw["source_line"], kind, theirs_for))
    return _split(path, kind, raw, values, checks)


def _parser_for(ours: str, field_type: str, extract: ExtractMapping,
                wards: pd.DataFrame | None) -> Parser:
    """How a field's cells are read: by its type, or as the mapping converts them."""
    if ours in extract.band_ages:
        return _parse_ages
    if ours == "ward_code" and extract.ward_names and wards is not None:
        return _ward_name_parser(wards)
    return _PARSERS[field_type]


def _parse_when(ours: str, theirs: str, mapped: pd.Series, raw: pd.DataFrame,
                extract: ExtractMapping) -> tuple[pd.Series, pd.Series, list[_Check]]:
    """Our date/time field ``ours`` from their column ``theirs`` (cells ``mapped``) and its
    time column if it has one: (values, time known, checks).

    With a time column the date column gives the day (any time of day in it, such as
    Excel's 00:00:00, is ignored) and the time column the time; a blank time leaves the time
    unknown, never midnight.
    """
    parsed, expected, timed = _read_datetimes(mapped, extract)
    checks = [_field_check(expected, theirs, mapped)]
    time_column = extract.time_columns.get(ours)
    if time_column is not None:
        cells = _blank_to_missing(raw[time_column])
        clock, clock_expected = _read_times(cells, extract)
        parsed = parsed.dt.normalize() + clock.fillna(pd.Timedelta(0))
        timed = clock.notna()
        checks.append(_field_check(clock_expected, time_column, cells))
    known = timed.astype("boolean").where(parsed.notna())
    return parsed, known, checks


def extract_mapping(mapping: PartnerMapping | ExtractMapping, kind: ExtractKind) -> ExtractMapping:
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


def _row_rules(kind: ExtractKind, cells: pd.DataFrame, values: pd.DataFrame,
               theirs_for: dict[str, str]) -> list[_Check]:
    """Checks across fields: required values, a location, coordinate pairs, date order, and
    no date after today (a future date is a typing or export error)."""
    checks = [_rule(cells[field].isna(), f"{field} is blank", theirs_for.get(field, ""))
              for field in REQUIRED[kind]]
    if kind == "indicators":
        return checks
    for pair in (("easting", "northing"), ("longitude", "latitude")):
        half = cells[pair[0]].notna() ^ cells[pair[1]].notna()
        checks.append(_rule(half, f"{pair[0]} and {pair[1]} must both be given",
                            ", ".join(theirs_for[f] for f in pair if f in theirs_for)))
    located = pd.Series(False, index=cells.index)
    for group in _LOCATION_GROUPS:
        located |= values[list(group)].notna().all(axis=1)
    nowhere = ~located & cells[[f for g in _LOCATION_GROUPS for f in g]].isna().all(axis=1)
    checks.append(_rule(nowhere, "no location: needs lsoa_code, ward_code, easting+northing "
                                 "or longitude+latitude"))
    when = EVENT_TIME[kind]
    future = values[when] > pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    checks.append(_rule(future, "date is in the future", theirs_for.get(when, "")))
    if kind == "crimes":
        checks.append(_rule(_backwards(values), "committed_to is before committed_from",
                            theirs_for.get("committed_to", "")))
    return checks


def _backwards(values: pd.DataFrame) -> pd.Series:
    """Whether committed_to is before committed_from: by date and time where both times are
    known, else by date alone (a date-only end is not midnight)."""
    start, end = values["committed_from"], values["committed_to"]
    both_timed = (values["committed_from" + TIME_KNOWN].fillna(False)
                  & values["committed_to" + TIME_KNOWN].fillna(False)).astype(bool)
    by_time = end < start
    by_date = end.dt.normalize() < start.dt.normalize()
    return by_time.where(both_timed, by_date)


def _classify_offences(
    values: pd.DataFrame, classification: pd.DataFrame | None, theirs_for: dict[str, str]
) -> tuple[pd.DataFrame, _Check]:
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
    return values, _Check(failed=unknown, found=codes, label="offence_code",
                          message="expected a Home Office offence code in the classification",
                          column=theirs_for["offence_code"])


def _duplicates(values: pd.DataFrame, lines: pd.Series, kind: ExtractKind,
                theirs_for: dict[str, str]) -> _Check:
    """Quarantine second and later rows with the same key, naming the first row's line."""
    key = list(UNIQUE_KEY[kind])
    complete = values[key].notna().all(axis=1)
    repeated = values[key].duplicated(keep="first") & complete
    first_line = (
        pd.concat([values[key], lines], axis=1)
        .groupby(key, dropna=True)["source_line"]
        .transform("first")
    )
    name = "duplicate " + "+".join(key)
    return _Check(failed=repeated, message=name + " (first on line "
                  + first_line.astype("string").fillna("") + ")", summary=name,
                  column=", ".join(theirs_for[field] for field in key))


def _join_reasons(checks: list[_Check], index: pd.Index) -> pd.Series:
    """All of a row's problems in one '; '-separated reason, "" for a good row."""
    joined = pd.Series("", index=index, dtype="string")
    for check in checks:
        item = check.reasons().reindex(index).fillna("").astype("string")
        both = (joined != "") & (item != "")
        joined = (joined + "; ").where(both, joined) + item
    return joined


def _problem_table(checks: list[_Check], lines: pd.Series) -> pd.DataFrame:
    """Every problem of every row, one per line, in line order then check order."""
    frames = []
    for order, check in enumerate(checks):
        failed = check.failed.fillna(False).astype(bool)
        if not failed.any():
            continue
        messages = check.messages()[failed]
        found = (check.found.astype("string")[failed] if check.found is not None
                 else pd.Series(pd.NA, index=messages.index, dtype="string"))
        frames.append(pd.DataFrame({
            "source_line": lines[failed], "order": order, "column": check.column,
            "found": found, "problem": messages,
            "summary": check.summary if check.summary is not None else messages}))
    columns = ["source_line", "column", "found", "problem", "summary"]
    if not frames:
        return pd.DataFrame({"source_line": pd.Series(dtype="int64"),
                             **{c: pd.Series(dtype="string") for c in columns[1:]}})
    table = pd.concat(frames).sort_values(["source_line", "order"], kind="stable")
    return table[columns].astype({c: "string" for c in columns[1:]}).reset_index(drop=True)


def _split(path: Path, kind: ExtractKind, raw: pd.DataFrame, values: pd.DataFrame,
           checks: list[_Check]) -> PartnerLoad:
    """Divide rows into loaded and quarantined, each carrying file and line."""
    reason = _join_reasons(checks, raw.index)
    bad = reason != ""
    source = pd.DataFrame({"source_file": str(path), "source_line": raw["source_line"]})
    rows = pd.concat([source, values], axis=1)[~bad].reset_index(drop=True)
    rows = rows.astype({"source_file": "string"})
    quarantine = pd.concat(
        [source, reason.rename("reason"), raw.drop(columns="source_line")], axis=1
    )[bad].reset_index(drop=True)
    quarantine = quarantine.astype({"source_file": "string"})
    return PartnerLoad(kind=kind, rows=rows, quarantine=quarantine, rows_read=len(raw),
                       problems=_problem_table(checks, raw["source_line"]))
