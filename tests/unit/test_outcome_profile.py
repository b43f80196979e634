"""The outcome profile: grouping of police.uk outcome strings, shares, the two-proportion test
per group, like-for-like months and the months still changing (hand-computed fixtures)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.core.outcomes import (
    CHARGED_OR_COURT,
    NO_SUSPECT,
    OTHER_OUTCOME,
    OUTCOME_GROUPS,
    UNDER_INVESTIGATION,
    UNRECOGNISED,
    outcome_groups,
    outcome_mapping,
)
from analysis.core.periods import Period, compared_months
from analysis.core.vocabulary import ALL_CRIME
from analysis.stats.outcomes import (
    NO_CRIMES,
    months_still_changing,
    outcome_profile,
    unrecognised_outcomes,
)

CURRENT = Period.parse("2024-01..2024-02")
PREVIOUS = Period.parse("2023-01..2023-02")
MONTHS = [date(2023, 1, 1), date(2023, 2, 1), date(2024, 1, 1), date(2024, 2, 1)]

REAL_ESSEX_STRINGS = (
    "Action to be taken by another organisation", "Awaiting court outcome",
    "Court case unable to proceed", "Court result unavailable", "Defendant found not guilty",
    "Defendant sent to Crown Court", "Formal action is not in the public interest",
    "Further action is not in the public interest",
    "Further investigation is not in the public interest",
    "Investigation complete; no suspect identified", "Local resolution",
    "Offender deprived of property", "Offender fined", "Offender given a caution",
    "Offender given a drugs possession warning", "Offender given absolute discharge",
    "Offender given community sentence", "Offender given conditional discharge",
    "Offender given penalty notice", "Offender given suspended prison sentence",
    "Offender ordered to pay compensation", "Offender otherwise dealt with",
    "Offender sent to prison", "Status update unavailable",
    "Suspect charged as part of another case", "Unable to prosecute suspect",
    "Under investigation",
)
"""Every Last outcome category in the 28 real Essex street files (shared/data/real)."""


def counts(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """(month, crime type, outcome, count) rows as the store returns them."""
    frame = pd.DataFrame(rows, columns=["month", "crime_type", "outcome", "count"])
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def test_every_real_essex_outcome_string_is_mapped_once() -> None:
    mapping = outcome_mapping()
    assert not mapping["outcome"].duplicated().any()
    assert set(mapping["outcome_group"]) == set(OUTCOME_GROUPS)
    assert set(REAL_ESSEX_STRINGS) <= set(mapping["outcome"])
    assert set(mapping["stage"]) <= {1, 2, 3, 4, 5}


def test_groups_of_strings_and_unknown_kept() -> None:
    groups = outcome_groups(pd.Series(["Offender sent to prison", "Local resolution",
                                       "Investigation complete; no suspect identified",
                                       "Under investigation", "A new police.uk string", None]))
    assert groups.tolist() == [CHARGED_OR_COURT, OTHER_OUTCOME, NO_SUSPECT,
                               UNDER_INVESTIGATION, UNRECOGNISED, UNRECOGNISED]


FIXTURE = counts([
    # Burglary 2023 (10 crimes): 3 no suspect, 5 charged, 2 other
    ("2023-01-01", "Burglary", "Investigation complete; no suspect identified", 3),
    ("2023-01-01", "Burglary", "Awaiting court outcome", 5),
    ("2023-02-01", "Burglary", "Local resolution", 2),
    # Burglary 2024 (10 crimes): 6 no suspect, 2 charged, 2 under investigation
    ("2024-01-01", "Burglary", "Investigation complete; no suspect identified", 6),
    ("2024-02-01", "Burglary", "Offender fined", 2),
    ("2024-02-01", "Burglary", "Under investigation", 2),
    # Vehicle crime 100 and 100: no suspect 50 % -> 80 %
    ("2023-01-01", "Vehicle crime", "Investigation complete; no suspect identified", 50),
    ("2023-02-01", "Vehicle crime", "Unable to prosecute suspect", 50),
    ("2024-01-01", "Vehicle crime", "Investigation complete; no suspect identified", 80),
    ("2024-02-01", "Vehicle crime", "Unable to prosecute suspect", 20),
    # Robbery only in 2024, one of them with a string not in the mapping
    ("2024-01-01", "Robbery", "Suspect charged", 1),
    ("2024-02-01", "Robbery", "A new police.uk string", 1),
])


def row(table: pd.DataFrame, crime_type: str, group: str) -> pd.Series:
    found = table[(table["crime_type"] == crime_type) & (table["outcome_group"] == group)]
    assert len(found) == 1
    return found.iloc[0]


def test_shares_and_two_proportion_test_by_group() -> None:
    table = outcome_profile(FIXTURE, compared_months(CURRENT, PREVIOUS, MONTHS))
    charged = row(table, "Burglary", CHARGED_OR_COURT)
    assert (charged["previous"], charged["previous_crimes"], charged["previous_share"]) == (
        5, 10, 50.0)
    assert (charged["current"], charged["current_crimes"], charged["current_share"]) == (
        2, 10, 20.0)
    # pooled p = 7/20, se = sqrt(.35 x .65 x (1/10 + 1/10)), z = -0.3 / se = -1.4064
    assert charged["difference_points"] == pytest.approx(-30.0)
    assert charged["p_value"] == pytest.approx(0.159599, abs=1e-6)
    assert charged["significance"] == "no significant change"
    vehicle = row(table, "Vehicle crime", NO_SUSPECT)
    # 50/100 -> 80/100: z = 0.3 / sqrt(.65 x .35 x .02) = 4.4475, p = 8.69e-6
    assert vehicle["p_value"] == pytest.approx(8.6877e-6, rel=1e-3)
    assert vehicle["significance"] == "significant increase"
    assert row(table, "Robbery", CHARGED_OR_COURT)["significance"] == NO_CRIMES


def test_rows_order_all_crime_total_and_unrecognised_group() -> None:
    table = outcome_profile(FIXTURE, compared_months(CURRENT, PREVIOUS, MONTHS))
    assert list(dict.fromkeys(table["crime_type"])) == ["Vehicle crime", "Burglary", "Robbery",
                                                        ALL_CRIME]
    assert list(dict.fromkeys(table["outcome_group"])) == [*OUTCOME_GROUPS, UNRECOGNISED]
    total = table[table["crime_type"] == ALL_CRIME]
    assert total["current"].sum() == 10 + 100 + 2 and (total["current_crimes"] == 112).all()
    assert row(table, ALL_CRIME, NO_SUSPECT)["current"] == 86  # 6 + 80
    unknown = row(table, "Robbery", UNRECOGNISED)
    assert (unknown["current"], unknown["current_share"]) == (1, 50.0)
    # shares of each crime type add up to 100 % in each period it has crimes
    by_type = table.groupby("crime_type")["current_share"].sum()
    assert by_type.to_dict() == pytest.approx({"Vehicle crime": 100, "Burglary": 100,
                                               "Robbery": 100, ALL_CRIME: 100})
    assert unrecognised_outcomes(FIXTURE).values.tolist() == [["A new police.uk string", 1]]


def test_like_for_like_counts_only_months_held_in_both_periods() -> None:
    held = [date(2023, 1, 1), date(2024, 1, 1), date(2024, 2, 1)]  # 2023-02 missing
    table = outcome_profile(FIXTURE, compared_months(CURRENT, PREVIOUS, held))
    burglary = row(table, "Burglary", NO_SUSPECT)
    # January only: 3 of 8 (2023-01) against 6 of 6 (2024-01)
    assert (burglary["previous"], burglary["previous_crimes"]) == (3, 8)
    assert (burglary["current"], burglary["current_crimes"]) == (6, 6)


def test_no_month_in_common_gives_shares_but_no_test() -> None:
    held = [date(2024, 1, 1), date(2024, 2, 1)]
    table = outcome_profile(FIXTURE, compared_months(CURRENT, PREVIOUS, held))
    burglary = row(table, "Burglary", NO_SUSPECT)
    assert burglary["current_share"] == 60.0
    assert pd.isna(burglary["previous"]) and pd.isna(burglary["previous_share"])  # not 0
    assert pd.isna(burglary["p_value"])
    assert burglary["significance"].startswith("not compared")


def test_months_still_changing_recent_or_mostly_open() -> None:
    frame = counts([
        ("2023-01-01", "Burglary", "Investigation complete; no suspect identified", 19),
        ("2023-01-01", "Burglary", "Under investigation", 1),      # 5 %: settled
        ("2023-02-01", "Burglary", "Under investigation", 3),      # 30 %: still open
        ("2023-02-01", "Burglary", "Local resolution", 7),
        ("2024-02-01", "Burglary", "Offender fined", 4),           # recent
    ])
    table = months_still_changing(frame, MONTHS, date(2024, 2, 1), recent=6)
    assert table["month"].tolist() == [date(2023, 1, 1), date(2023, 2, 1), date(2024, 2, 1)]
    assert table["crimes"].tolist() == [20, 10, 4]
    assert table["under_investigation_share"].tolist() == [5.0, 30.0, 0.0]
    assert table["still_changing"].tolist() == [False, True, True]
