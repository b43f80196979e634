"""The justice outcomes tables of the offending and reoffending page (small fixtures)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.core.outcomes import CHARGED_OR_COURT, OUTCOME_GROUPS
from analysis.core.periods import Period, compared_months
from analysis.sections import reoffending as ro
from analysis.stats.outcomes import months_still_changing, outcome_profile

CURRENT, PREVIOUS = Period.parse("2024-01..2024-01"), Period.parse("2023-01..2023-01")
HELD = [date(2023, 1, 1), date(2024, 1, 1)]


def counts(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["month", "crime_type", "outcome", "count"])
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


AREA = counts([("2023-01-01", "Burglary", "Offender fined", 1),
               ("2023-01-01", "Burglary", "Local resolution", 3),
               ("2024-01-01", "Burglary", "Offender fined", 2),
               ("2024-01-01", "Burglary", "Under investigation", 2)])
FORCE = pd.concat([AREA, counts([("2024-01-01", "Robbery", "Suspect charged", 4)])])


def test_profile_table_has_the_area_types_then_both_totals() -> None:
    compared = compared_months(CURRENT, PREVIOUS, HELD)
    table = ro.profile_table(outcome_profile(AREA, compared), outcome_profile(FORCE, compared),
                             "Townsville", "Shire Police")
    assert table["Crime type"].tolist() == ["Burglary", "All crime, Townsville",
                                            "All crime, Shire Police"]
    assert table["Crimes"].tolist() == [4, 4, 8]
    assert table.loc[2, f"{CHARGED_OR_COURT} (%)"] == 75.0  # (2 + 4) of 8


def test_change_table_puts_the_force_beside_the_area() -> None:
    compared = compared_months(CURRENT, PREVIOUS, HELD)
    table = ro.change_table(outcome_profile(AREA, compared, list(OUTCOME_GROUPS)),
                            outcome_profile(FORCE, compared, list(OUTCOME_GROUPS)), compared,
                            "Shire Police")
    charged = table[(table["Crime type"] == "All crime")
                    & (table["Outcome"] == CHARGED_OR_COURT)].iloc[0]
    assert (charged["Crimes (previous)"], charged["Crimes (current)"]) == (1, 2)
    assert (charged["Jan 2023 (%)"], charged["Jan 2024 (%)"]) == (25.0, 50.0)
    assert charged["Shire Police Jan 2024 (%)"] == 75.0


def test_partner_outcome_counts_keep_blank_outcomes() -> None:
    extract = pd.DataFrame({
        "committed_from": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-01"]),
        "offence_group": ["Robbery", "Robbery", "Theft offences"],
        "outcome": ["Suspect charged", None, "Suspect charged"],
    })
    got = ro.partner_outcome_counts(extract)
    assert got[["month", "crime_type", "count"]].values.tolist() == [
        [date(2024, 1, 1), "Robbery", 1], [date(2024, 1, 1), "Robbery", 1],
        [date(2024, 2, 1), "Theft offences", 1]]
    assert got["outcome"].tolist()[::2] == ["Suspect charged", "Suspect charged"]
    assert pd.isna(got["outcome"].iloc[1])  # kept, to be counted as not recognised


def test_still_changing_note_names_the_months() -> None:
    changing = months_still_changing(FORCE, HELD, date(2024, 1, 1), recent=6)
    note = ro.still_changing_note(changing).data
    assert note.startswith("**Outcomes of recent months are still changing:** Jan 2024.")
    settled = months_still_changing(FORCE, HELD[:1], date(2024, 1, 1), recent=6)
    assert ro.still_changing_note(settled).data.startswith(
        "**Outcomes still changing:** none of the months compared")


def test_unrecognised_strings_are_listed_not_dropped() -> None:
    items = ro.unrecognised_items(pd.concat([FORCE, counts([
        ("2024-01-01", "Robbery", "Offender given a <b>new</b> disposal", 3)])]))
    table = items[0]
    assert isinstance(table, ro.Table) and table.name == "outcome_unrecognised"
    assert table.frame.values.tolist() == [["Offender given a <b>new</b> disposal", 3]]
    assert ro.unrecognised_items(FORCE)[0].data.startswith("Every outcome string")
