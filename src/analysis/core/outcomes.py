"""The data.police.uk outcome categories and the groups the outcome profile reports.

Both the street files' ``Last outcome category`` and the outcomes files' ``Outcome type`` use
the same vocabulary; ``reference/police_uk_outcomes.csv`` maps each string to one of
:data:`OUTCOME_GROUPS` and a ``stage`` of the justice process (1 open or unknown, 2 closed by
the police, 3 charged, 4 sent to the Crown Court, 5 court result), used to choose between two
outcomes a crime received in the same month. A string not in the table is never dropped: it
is counted as :data:`UNRECOGNISED` and named on the page (see ``reference/SOURCES.md``).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.offences import read_reference

NO_SUSPECT = "No suspect identified"
UNDER_INVESTIGATION = "Under investigation"
CHARGED_OR_COURT = "Charged or court outcome"
OTHER_OUTCOME = "Other outcome"
STATUS_UNAVAILABLE = "Status unavailable"
UNRECOGNISED = "Outcome not recognised"

OUTCOME_GROUPS: tuple[str, ...] = (NO_SUSPECT, UNDER_INVESTIGATION, CHARGED_OR_COURT,
                                   OTHER_OUTCOME, STATUS_UNAVAILABLE)
"""The groups of the outcome profile, in the order shown; :data:`UNRECOGNISED` follows them
when a string is not in the mapping (or a crime has no outcome at all)."""

MAPPING_FILE = "police_uk_outcomes.csv"


def outcome_mapping() -> pd.DataFrame:
    """The shipped mapping: ``outcome`` (the exact police.uk string), ``outcome_group``
    (one of :data:`OUTCOME_GROUPS`), ``stage`` (1-5) and ``seen_in`` (where the string was
    found)."""
    table = read_reference(MAPPING_FILE, text_columns=["outcome", "outcome_group", "seen_in"])
    return table.astype({"stage": "int64"})


def outcome_groups(outcomes: pd.Series) -> pd.Series:
    """The group of each outcome string; a string not in the mapping, or a missing outcome,
    is :data:`UNRECOGNISED` (kept and counted, never dropped)."""
    groups = outcome_mapping().set_index("outcome")["outcome_group"]
    return outcomes.map(groups).fillna(UNRECOGNISED).astype(str)
