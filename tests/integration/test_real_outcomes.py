"""The justice outcomes part of page 80 on the real Thurrock months, checked against the raw
police.uk street files counted here with the standard library, not through our helpers.

The real data hold no police.uk outcomes files, so each crime's outcome is its street file's
Last outcome category and the page says so. Jan-Feb 2019 is compared in full with Jan-Feb 2018;
2018/19 only like for like on Jan-Feb.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.integration

NO_SUSPECT = "Investigation complete; no suspect identified"


def raw_outcomes(real_data: Path, area_name: str, month: str) -> Counter[str]:
    """Crimes (ASB excluded) by Last outcome category in one raw month, for the LSOAs whose
    name starts with the area's."""
    path = next((real_data / "police_uk" / "essex" / month).glob("*-street.csv.gz"))
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = [re.sub(r"[^a-z]", "", name.lower()) for name in next(rows)]
        name_at, type_at = header.index("lsoaname"), header.index("crimetype")
        outcome_at = header.index("lastoutcomecategory")
        return Counter(row[outcome_at] for row in rows
                       if row[name_at].startswith(f"{area_name} ")
                       and row[type_at] != "Anti-social behaviour")


def _tables(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"80_offending_reoffending__{name}.csv")


def test_outcome_profile_builds_from_the_real_street_outcomes(
        real_reports: dict[tuple[str, str], Path], real_data: Path) -> None:
    report = real_reports[("thurrock", "2019-01..2019-02")]
    profile = _tables(report, "outcome_profile").set_index("Crime type")
    total = profile.loc["All crime, Thurrock"]
    raw = raw_outcomes(real_data, "Thurrock", "2019-01") + raw_outcomes(real_data, "Thurrock",
                                                                          "2019-02")
    assert total["Crimes"] == sum(raw.values())
    assert total["No suspect identified (%)"] == pytest.approx(
        100 * raw[NO_SUSPECT] / sum(raw.values()), abs=0.05)
    shares = [c for c in profile.columns if c.endswith("(%)")]
    assert profile.loc["All crime, Essex Police", shares].sum() == pytest.approx(100, abs=0.5)
    change = _tables(report, "outcome_change")
    before = raw_outcomes(real_data, "Thurrock", "2018-01") + raw_outcomes(real_data, "Thurrock",
                                                                             "2018-02")
    row = change[(change["Crime type"] == "All crime")
                 & (change["Outcome"] == "No suspect identified")].iloc[0]
    assert row["Crimes (previous)"] == before[NO_SUSPECT]
    assert row["Crimes (current)"] == raw[NO_SUSPECT]
    assert row["Result"] in {"significant increase", "significant decrease",
                             "no significant change"}
    page = (report / "80_offending_reoffending.html").read_text(encoding="utf-8")
    assert "Justice outcomes" in page
    assert "holds no police.uk outcomes files" in page
    assert "Every outcome string in the data is in the outcome mapping." in page


def test_outcome_change_is_like_for_like_on_the_shared_months(
        real_reports: dict[tuple[str, str], Path], real_data: Path) -> None:
    change = _tables(real_reports[("thurrock", "2018-19")], "outcome_change")
    row = change[(change["Crime type"] == "All crime")
                 & (change["Outcome"] == "No suspect identified")].iloc[0]
    # 2018/19 holds 9 of 12 months and 2017/18 only Jan-Mar 2018: Jan-Feb 2019 against Jan-Feb
    # 2018 are compared (Mar 2019 is not held)
    now = raw_outcomes(real_data, "Thurrock", "2019-01") + raw_outcomes(real_data, "Thurrock",
                                                                          "2019-02")
    then = raw_outcomes(real_data, "Thurrock", "2018-01") + raw_outcomes(real_data, "Thurrock",
                                                                           "2018-02")
    assert row["Crimes (current)"] == now[NO_SUSPECT]
    assert row["Crimes (previous)"] == then[NO_SUSPECT]
    assert row["2018/19 (Jan–Feb 2019 only) (%)"] == pytest.approx(
        100 * now[NO_SUSPECT] / sum(now.values()), abs=0.05)
    assert "2017/18 (Jan–Feb 2018 only) (%)" in change.columns
