"""Domestic abuse and VAWG helpers on a small hand-made crime extract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.periods import Period
from analysis.sections import domestic_abuse as da

CURRENT = Period.custom("2024-03", "2024-04")
PREVIOUS = CURRENT.previous()  # Jan and Feb 2024

# (committed, DA flag, subgroup, group, age band, sex)
ROWS = [
    ("2024-01-10", True, "Violence with injury", "Violence against the person", "25-34", "female"),
    ("2024-02-10", False, "Violence with injury", "Violence against the person", "18-24", "male"),
    ("2024-02-11", False, "Rape", "Sexual offences", "18-24", "female"),
    ("2024-03-01", True, "Violence with injury", "Violence against the person", "25-34", "female"),
    ("2024-03-02", True, "Stalking and harassment", "Violence against the person", "25-34",
     "female"),
    ("2024-03-03", None, "Violence with injury", "Violence against the person", "35-44", "male"),
    ("2024-04-04", False, "Shoplifting", "Theft offences", None, None),
    ("2024-04-05", True, "Rape", "Sexual offences", None, "female"),
    ("2024-04-30", False, "Violence with injury", "Violence against the person", "65+", "unknown"),
]


def _crimes() -> pd.DataFrame:
    stamps, flags, subgroups, groups, ages, sexes = zip(*ROWS, strict=True)
    return pd.DataFrame({
        "committed_from": pd.to_datetime(list(stamps)),
        "domestic_abuse": pd.array(list(flags), dtype="boolean"),
        "offence_subgroup": list(subgroups), "offence_group": list(groups),
        "victim_age_band": pd.array(list(ages), dtype="string"),
        "victim_sex": pd.array(list(sexes), dtype="string"),
    })


def test_flag_present() -> None:
    crimes = _crimes()
    assert da.has_domestic_abuse_flag(crimes)
    assert not da.has_domestic_abuse_flag(crimes.assign(
        domestic_abuse=pd.array([None] * len(crimes), dtype="boolean")))


def test_domestic_abuse_change() -> None:
    table = da.domestic_abuse_change(_crimes(), CURRENT, PREVIOUS).set_index("measure")
    # current (Mar-Apr): 6 crimes, DA 3, VWI 3 (one DA); previous: 3 crimes, DA 1, VWI 2 (1 DA)
    assert table.loc[da.DOMESTIC_ABUSE, ["current", "previous"]].tolist() == [3, 1]
    assert table.loc[da.ALL_CRIME, ["current", "previous"]].tolist() == [6, 3]
    assert table.loc[da.VIOLENCE_WITH_INJURY, ["current", "previous"]].tolist() == [3, 2]
    assert table.loc[da.DA_VIOLENCE_WITH_INJURY, ["current", "previous"]].tolist() == [1, 1]


def test_domestic_abuse_shares_leave_out_blank_flags() -> None:
    shares = da.domestic_abuse_shares(_crimes(), CURRENT, PREVIOUS).set_index(["of", "period"])
    now = shares.loc[(da.ALL_CRIME, CURRENT.label)]
    # 3 flagged of 5 known (one blank) -> 60.0 %
    assert (now["crimes"], now["flagged"], now["flag_unknown"]) == (6, 3, 1)
    assert now["share_percent"] == 60.0
    injury = shares.loc[(da.VIOLENCE_WITH_INJURY, CURRENT.label)]
    # VWI now: DA, blank, not DA -> 1 of 2 known = 50.0 %
    assert injury["share_percent"] == 50.0
    assert shares.loc[(da.ALL_CRIME, PREVIOUS.label), "share_percent"] == pytest.approx(100 / 3)


def test_by_group_ordered_by_count() -> None:
    table = da.domestic_abuse_by_group(_crimes(), CURRENT, PREVIOUS)
    assert table["offence_group"].tolist() == ["Violence against the person", "Sexual offences",
                                               "All domestic abuse flagged crime"]
    assert table["current"].tolist() == [2, 1, 3]


def test_vawg_offences_every_subgroup() -> None:
    table = da.vawg_offences(_crimes(), CURRENT, PREVIOUS).set_index("offence_subgroup")
    assert table.index.tolist() == list(da.VAWG_SUBGROUPS)
    assert table["current"].tolist() == [1, 0, 1]
    assert table["previous"].tolist() == [1, 0, 0]
    assert table["of_which_da"].tolist() == [1, 0, 1]


def test_victim_profile_and_share_female() -> None:
    profile = da.victim_profile(_crimes(), CURRENT)
    # current victims (shoplifting has no person): 25-34 F x2, 35-44 M, no age F, 65+ unknown
    rows = profile.set_index("age_band")
    assert rows.loc["25-34", "female"] == 2
    assert rows.loc["not recorded", "female"] == 1
    totals = rows.loc[da.ALL_VICTIMS, ["female", "male", "unknown", da.TOTAL]]
    assert totals.tolist() == [3, 1, 1, 5]
    assert rows[da.TOTAL].iloc[:-1].sum() == 5
    # female among recorded female/male: 3 of 4 -> 75 %
    assert da.share_female(profile) == 75.0


def test_key_findings_quote_share() -> None:
    crimes = _crimes()
    findings = da.key_findings(da.domestic_abuse_change(crimes, CURRENT, PREVIOUS),
                               da.domestic_abuse_shares(crimes, CURRENT, PREVIOUS),
                               da.vawg_offences(crimes, CURRENT, PREVIOUS), np.nan,
                               area_name="A", current=CURRENT)
    assert findings[1] == (f"Domestic abuse was 60.0 % of all recorded crime in {CURRENT.label} "
                           "and 50.0 % of violence with injury.")
    assert not any("female" in sentence for sentence in findings)
