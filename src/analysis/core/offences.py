"""The Home Office offence classification and the data.police.uk crime types.

Both are versioned CSV reference tables shipped in ``analysis/reference/`` (sources in
``reference/SOURCES.md``). Offence codes are text, never numbers: '4.10' (corporate
manslaughter) and '4.1' (manslaughter) are different offences.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

import pandas as pd

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


