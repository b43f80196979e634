"""The Home Office offence classification and the data.police.uk crime types.

Both are versioned CSV reference tables shipped in ``analysis/reference/`` (sources in
``reference/SOURCES.md``). Offence codes are text, never numbers: '4.10' (corporate
manslaughter) and '4.1' (manslaughter) are different offences.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

import pandas as pd

from analysis.core.errors import InputError

CLASSIFICATION_COLUMNS = (
    "offence_code", "offence_description", "offence_subgroup", "offence_group",
    "classification_version",
)


def read_reference(filename: str, *, text_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Read one shipped reference CSV; ``text_columns`` are kept exactly as written."""
    source = resources.files("analysis").joinpath("reference", filename)
    with resources.as_file(source) as path:
        return pd.read_csv(path, dtype={c: "str" for c in text_columns}, keep_default_na=False,
                           na_values=[""])


def normalise_offence_code(code: object) -> str:
    """An offence code as the reference table writes it: trimmed text, letters upper case."""
    return str(code).strip().upper()


def load_offence_classification() -> pd.DataFrame:
    """Home Office offence codes with their description, subgroup, group and version."""
    return read_reference("offence_classification.csv", text_columns=["offence_code"])


def load_police_uk_crime_types() -> pd.DataFrame:
    """The 14 data.police.uk crime types: whether each is a crime and its offence group(s).

    ``offence_groups`` and ``offence_subgroups`` hold ';'-separated names (blank subgroups
    mean every subgroup of the groups). Anti-social behaviour has ``is_crime`` False.
    """
    table = read_reference("police_uk_crime_types.csv")
    table["is_crime"] = table["is_crime"].map({True: True, False: False, "true": True,
                                               "false": False}).astype(bool)
    return table


def unknown_offence_codes(codes: Iterable[object]) -> list[str]:
    """Codes (normalised, in first-seen order) that are not in the offence classification."""
    known = set(load_offence_classification()["offence_code"])
    unknown: dict[str, None] = {}
    for code in codes:
        normalised = normalise_offence_code(code)
        if normalised not in known:
            unknown[normalised] = None
    return list(unknown)


def add_offence_groups(table: pd.DataFrame, *, code_col: str = "offence_code") -> pd.DataFrame:
    """A copy of ``table`` with offence_subgroup and offence_group looked up from the code.

    Raises InputError naming the codes that are not in the classification, so no crime is
    silently left out of a group total.
    """
    if code_col not in table.columns:
        raise InputError("Column missing from the table", column=code_col,
                         found=list(table.columns))
    unknown = unknown_offence_codes(table[code_col])
    if unknown:
        raise InputError(
            "Offence codes not in the Home Office classification", column=code_col,
            found=unknown[:10], hint="correct the codes or add them to "
            "analysis/reference/offence_classification.csv with their source",
        )
    lookup = load_offence_classification().set_index("offence_code")
    codes = table[code_col].map(normalise_offence_code)
    out = table.copy()
    out["offence_subgroup"] = codes.map(lookup["offence_subgroup"])
    out["offence_group"] = codes.map(lookup["offence_group"])
    return out
