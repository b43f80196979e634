"""The Home Office police recorded crime (PRC) open data tables at CSP level, read as published,
and the most similar group (MSG) membership file.

The PRC tables have one row per financial year, quarter, partnership and offence code:
``Financial Year, Financial Quarter, Force Name, CSP Name, Offence Description, Offence Group,
Offence Subgroup, Offence Code, Offence Count``. Counts are **per quarter**: a year is the sum
of its four quarters (:func:`analysis.stats.recorded_crime.yearly_counts`), never one quarter.

Labels drift between vintages of the tables ("Theft Offences" / "Theft offences", "Rape
offences" / "Rape", "London, City of" / "City of London"). Every group and subgroup is put
into the toolkit's names (those of ``reference/offence_classification.csv``) through the
shipped table ``reference/prc_label_drift.csv``; a label that is in neither is an error naming
the file, line and column, never dropped or guessed. Only the CSV form is read: the published
XLSX/ODS workbooks hold the same columns and can be saved as CSV (one file per sheet).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.offences import load_offence_classification, read_reference

PUBLISHED_COLUMNS: dict[str, str] = {
    "Financial Year": "financial_year",
    "Financial Quarter": "quarter",
    "Force Name": "force_name",
    "CSP Name": "csp_name",
    "Offence Description": "offence_description",
    "Offence Group": "offence_group",
    "Offence Subgroup": "offence_subgroup",
    "Offence Code": "offence_code",
    "Offence Count": "count",
}
"""The published columns (any case and spacing) and the names the toolkit uses."""

REQUIRED = ("financial_year", "quarter", "force_name", "csp_name", "offence_group",
            "offence_subgroup", "count")
"""Columns that may not be blank in any row (description and code may be)."""

RECORDED_CRIME_COLUMNS = (
    "financial_year", "quarter", "force_name", "csp_name", "offence_description",
    "offence_group", "offence_subgroup", "offence_code", "count", "source_file", "source_line",
)

MSG_COLUMNS = ("group", "csp_code", "csp_name")
"""The most similar group file: one row per member, ``csp_name`` as the PRC tables write it."""

_YEAR = re.compile(r"^(\d{4})\s*[/_-]\s*(\d{2}|\d{4})$")
_QUARTER = re.compile(r"^(?:Q)?\s*([1-4])$", re.IGNORECASE)
_CSP_CODE = re.compile(r"^[EW]22\d{6}$")


def financial_year_label(start_year: int) -> str:
    """The label the toolkit uses for the financial year starting in April ``start_year``:
    '2024/25'."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_financial_year(value: str) -> str | None:
    """'2024/25', '2024-25', '2024_25' or '2024/2025' as '2024/25'; None if not a year."""
    match = _YEAR.match(value.strip())
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if end % 100 != (start + 1) % 100 or (end >= 100 and end != start + 1):
        return None
    return financial_year_label(start)


def load_label_drift() -> pd.DataFrame:
    """The shipped table of published labels and the toolkit's label for each
    (``level``: group, subgroup or name; a blank ``current_label`` means deliberately not
    mapped, with the reason in ``note``)."""
    return read_reference("prc_label_drift.csv")


def _current_labels() -> tuple[set[str], dict[str, str]]:
    """The toolkit's offence groups, and each subgroup's group (offence_classification.csv)."""
    classification = load_offence_classification()
    subgroups = dict(zip(classification["offence_subgroup"], classification["offence_group"],
                         strict=True))
    return set(classification["offence_group"]), subgroups


def _read_published(path: Path) -> pd.DataFrame:
    """The file as text cells with the toolkit's column names, or an InputError."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("the recorded crime table does not exist", file=path,
                         hint="check sources.recorded_crime in the area config") from None
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text", file=path,
                         hint="save the table as CSV UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError("the file is not a readable CSV table", file=path,
                         found=str(exc).splitlines()[0] if str(exc) else None,
                         expected="the Home Office PRC open data CSV layout") from None
    wanted = {name.lower(): ours for name, ours in PUBLISHED_COLUMNS.items()}
    renamed = {column: wanted[" ".join(str(column).split()).lower()] for column in frame.columns
               if " ".join(str(column).split()).lower() in wanted}
    missing = [name for name, ours in PUBLISHED_COLUMNS.items() if ours not in renamed.values()]
    if missing:
        raise InputError("a column of the Home Office recorded crime table is missing",
                         file=path, line=1, column=missing[0], found=list(frame.columns),
                         expected=", ".join(PUBLISHED_COLUMNS))
    frame = frame.rename(columns=renamed)[list(PUBLISHED_COLUMNS.values())]
    return frame.apply(lambda column: column.str.strip())


def _fail(path: Path, index: int, column: str, message: str, found: object,
          expected: str, hint: str | None = None) -> InputError:
    """An InputError at the file's line for row ``index`` (header = line 1)."""
    published = next(name for name, ours in PUBLISHED_COLUMNS.items() if ours == column)
    return InputError(message, file=path, line=int(index) + 2, column=published, found=found,
                      expected=expected, hint=hint)


def _check_values(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Years, quarters and counts parsed; a blank required cell or a bad value is an error."""
    for column in REQUIRED:
        blank = frame[column] == ""
        if blank.any():
            raise _fail(path, blank.idxmax(), column, "a required cell is blank", "",
                        "a value in every row")
    years = frame["financial_year"].map(parse_financial_year)
    if years.isna().any():
        index = years.isna().idxmax()
        raise _fail(path, index, "financial_year", "not a financial year",
                    frame.loc[index, "financial_year"], "e.g. 2024/25")
    quarters = frame["quarter"].map(lambda v: _QUARTER.match(v))
    if quarters.isna().any():
        index = quarters.isna().idxmax()
        raise _fail(path, index, "quarter", "not a financial quarter",
                    frame.loc[index, "quarter"], "1, 2, 3 or 4 (April-June is 1)")
    counts = pd.to_numeric(frame["count"].str.replace(",", "", regex=False), errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        index = bad.idxmax()
        raise _fail(path, index, "count", "the offence count is not a whole number of 0 or "
                    "more", frame.loc[index, "count"], "a count such as 12")
    out = frame.copy()
    out["financial_year"] = years
    out["quarter"] = [int(match.group(1)) for match in quarters]
    out["count"] = counts.astype("int64")
    return out


def _apply_drift(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Groups, subgroups, force and CSP names in the toolkit's labels (see the module doc)."""
    drift = load_label_drift()
    groups, subgroup_group = _current_labels()
    out = frame.copy()
    for level, column, known in (("group", "offence_group", groups),
                                 ("subgroup", "offence_subgroup", set(subgroup_group))):
        table = drift[drift["level"] == level].set_index("published_label")
        for label in pd.unique(out[column]):
            if label in known:
                continue
            index = (out[column] == label).idxmax()
            if label not in table.index:
                raise _fail(path, index, column, f"an offence {level} the toolkit does not know",
                            label, f"one of the Home Office {level}s "
                            "(reference/offence_classification.csv)",
                            hint="if it is another vintage's name for a known one, add it to "
                                 "reference/prc_label_drift.csv with its current name")
            current = table.loc[label, "current_label"]
            if pd.isna(current):
                raise _fail(path, index, column, f"an offence {level} that is not mapped",
                            label, f"a {level} of the current classification",
                            hint=str(table.loc[label, "note"]))
            out[column] = out[column].replace(label, current)
    mismatch = out["offence_subgroup"].map(subgroup_group) != out["offence_group"]
    if mismatch.any():
        index = mismatch.idxmax()
        raise _fail(path, index, "offence_subgroup", "the subgroup is not part of the row's "
                    "offence group", f"{out.loc[index, 'offence_subgroup']} in "
                    f"{out.loc[index, 'offence_group']}",
                    f"{out.loc[index, 'offence_subgroup']} in "
                    f"{subgroup_group[out.loc[index, 'offence_subgroup']]}")
    names = drift[drift["level"] == "name"].set_index("published_label")["current_label"]
    for column in ("force_name", "csp_name"):
        out[column] = out[column].replace(names.to_dict())
    return out


def read_recorded_crime(path: Path) -> pd.DataFrame:
    """One PRC open data table (CSV) as published, checked and in the toolkit's labels.

    Returns :data:`RECORDED_CRIME_COLUMNS`: the financial year as '2024/25', the quarter as
    1-4, the count as a whole number, and the file and line each row came from. The same
    year, quarter, CSP, offence code and description twice in one file is an error (it would
    be counted twice).
    """
    path = Path(path)
    frame = _apply_drift(_check_values(_read_published(path), path), path)
    key = ["financial_year", "quarter", "force_name", "csp_name", "offence_code",
           "offence_description", "offence_subgroup"]
    repeated = frame.duplicated(key, keep="first")
    if repeated.any():
        index = repeated.idxmax()
        first = frame[(frame[key] == frame.loc[index, key]).all(axis=1)].index[0]
        raise _fail(path, index, "offence_code", "the same offence appears twice for one "
                    "partnership and quarter", frame.loc[index, "offence_code"],
                    f"one row per offence (first seen on line {int(first) + 2})")
    frame["source_file"] = str(path)
    frame["source_line"] = frame.index.astype("int64") + 2
    return frame[list(RECORDED_CRIME_COLUMNS)].reset_index(drop=True)


def read_recorded_crime_tables(paths: Sequence[Path]) -> pd.DataFrame:
    """Several PRC tables (vintages), oldest first, as one table of quarters.

    A newer vintage revises the quarters it holds, so each financial year and quarter is
    taken whole from the last file (in the order given) that holds it; an older file's rows
    for that quarter are not used. Columns as :func:`read_recorded_crime`.
    """
    tables = [read_recorded_crime(Path(path)) for path in paths]
    if not tables:
        return pd.DataFrame(columns=list(RECORDED_CRIME_COLUMNS))
    chosen: dict[tuple[str, int], int] = {}
    for position, table in enumerate(tables):
        for key in table[["financial_year", "quarter"]].drop_duplicates().itertuples(index=False):
            chosen[(key.financial_year, key.quarter)] = position
    kept = [table[[chosen[(y, q)] == position for y, q in
                   zip(table["financial_year"], table["quarter"], strict=True)]]
            for position, table in enumerate(tables)]
    return pd.concat(kept, ignore_index=True)


def read_most_similar_groups(path: Path) -> pd.DataFrame:
    """The most similar group file: ``group, csp_code, csp_name``, one row per member.

    ``csp_name`` is the partnership's name as the PRC tables write it (it is how a member's
    counts are found). A blank cell, a code that is not a CSP code or a member listed twice
    in one group is an error naming the line.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("the most similar group file does not exist", file=path,
                         hint="check sources.most_similar_groups in the area config") from None
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    missing = [column for column in MSG_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError("a column of the most similar group file is missing", file=path,
                         line=1, column=missing[0], found=list(frame.columns),
                         expected=", ".join(MSG_COLUMNS))
    frame = frame[list(MSG_COLUMNS)].apply(lambda column: column.str.strip())
    for column in MSG_COLUMNS:
        blank = frame[column] == ""
        if blank.any():
            raise InputError("a cell is blank", file=path, line=int(blank.idxmax()) + 2,
                             column=column, expected="a value in every row")
    bad = ~frame["csp_code"].str.match(_CSP_CODE)
    if bad.any():
        index = int(bad.idxmax())
        raise InputError("not a CSP code", file=path, line=index + 2, column="csp_code",
                         found=frame.loc[index, "csp_code"], expected="e.g. E22000091")
    twice = frame.duplicated(["group", "csp_code"])
    if twice.any():
        index = int(twice.idxmax())
        raise InputError("a partnership is listed twice in one group", file=path,
                         line=index + 2, column="csp_code", found=frame.loc[index, "csp_code"])
    return frame.reset_index(drop=True)


def group_of(groups: pd.DataFrame, csp_code: str, path: Path | None = None) -> pd.DataFrame:
    """The members (``csp_code, csp_name``) of the one group that lists ``csp_code``."""
    named = groups.loc[groups["csp_code"] == csp_code, "group"].unique()
    if len(named) != 1:
        raise InputError("the partnership must be in exactly one most similar group",
                         file=path, column="csp_code", found=f"{csp_code}: {list(named)}",
                         expected="one group listing the area's CSP code")
    members = groups[groups["group"] == named[0]]
    return members[["csp_code", "csp_name"]].reset_index(drop=True)
