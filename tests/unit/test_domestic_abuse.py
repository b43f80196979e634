"""Domestic abuse and VAWG helpers on a small hand-made crime extract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from IPython.display import Markdown

from analysis.core.config import TrendBreak
from analysis.core.findings import INCREASE, NO_DIRECTION, NOT_ASSESSED, NOT_SIGNIFICANT, NOT_TESTED
from analysis.core.periods import Period
from analysis.inputs.areas import load_area
from analysis.present.page import Section
from analysis.present.presentable import Chart, Table
from analysis.sections import domestic_abuse as da

ROOT = Path(__file__).resolve().parents[2]
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
    assert findings[1].statement == (f"Domestic abuse was 60.0 % of all recorded crime in "
                                     f"{CURRENT.label} and 50.0 % of violence with injury.")
    assert (findings[1].direction, findings[1].significance) == (NO_DIRECTION, NOT_TESTED)
    assert findings[1].figures == ("da_share_pct", "da_share_vwi_pct")
    assert not any("female" in finding.statement for finding in findings)


# --- the section page ----------------------------------------------------------------------

WARDS = pd.DataFrame({"ward_code": ["W1", "W2"], "ward_name": ["North", "South"]})


def _section(tmp_path: Path, disclosure: str = "none") -> Section:
    """A section over the demo area's config, comparing Mar-Apr 2024 with Jan-Feb 2024."""
    config = load_area("demo", ROOT).model_copy(
        update={"comparison": "preceding", "disclosure": disclosure})
    return Section("40_test", config, CURRENT, tmp_path, ROOT, "2024-03..2024-04")


def _placed() -> pd.DataFrame:
    """The hand-made crimes with a ward each: the first six in North, the rest in South."""
    return _crimes().assign(ward_code=["W1"] * 6 + ["W2"] * 3)


def test_header_without_an_extract_says_the_figures_cannot_be_shown() -> None:
    sources, caveats = da.header_notes(None, 0, False, area_name="A", police_source="police",
                                       current=CURRENT, previous=PREVIOUS)
    assert sources == ["police"]
    assert len(caveats) == 4 and caveats[0].startswith("The domestic-abuse flag is set")
    assert caveats[-1].startswith("No partner crime extract with a domestic-abuse flag")


def test_header_with_an_extract_gives_its_range_coverage_and_crimes_outside() -> None:
    sources, caveats = da.header_notes(_crimes(), 2, True, area_name="A", police_source="p",
                                       current=CURRENT, previous=PREVIOUS)
    assert sources[1] == ("Partner crime extract: 9 crimes in A, committed Jan 2024 to "
                          "Apr 2024; Home Office offence classification")
    assert caveats[:2] == [CURRENT.coverage(da.extract_months(_crimes()["committed_from"]))
                           .describe(), PREVIOUS.coverage(
                               da.extract_months(_crimes()["committed_from"])).describe()]
    assert caveats[2] == "2 crimes in the extract are outside A or could not be placed, and " \
        "are not counted."
    assert not any(c.startswith("No partner crime extract") for c in caveats)
    _, without_outside = da.header_notes(_crimes(), 0, True, area_name="A", police_source="p",
                                         current=CURRENT, previous=PREVIOUS)
    assert len(without_outside) == len(caveats) - 1


def test_page_without_an_extract_shows_only_what_is_needed(tmp_path: Path) -> None:
    page = da.page_from(_section(tmp_path), None, 0, None, [])
    assert not page.available
    assert [item.data for item in page.extract_needed] == [da.EXTRACT_NEEDED]
    assert page.change_tables == page.trend_charts == page.ward_items == []
    assert page.findings == [da.NOT_REPORTABLE]
    assert (page.findings[0].direction, page.findings[0].significance) == (NO_DIRECTION,
                                                                           NOT_ASSESSED)
    unflagged = _crimes().assign(domestic_abuse=pd.array([None] * 9, dtype="boolean"))
    assert not da.page_from(_section(tmp_path), unflagged, 0, WARDS, []).available


def test_page_tables_and_findings_from_the_extract(tmp_path: Path) -> None:
    page = da.page_from(_section(tmp_path), _placed(), 0, WARDS, [])
    assert page.available and page.extract_needed == []
    change, share = page.change_tables
    assert change.name == "da_change" and change.source == "partner"
    assert change.counts == [PREVIOUS.label, CURRENT.label]
    assert change.derived == {"# diff.": ("difference", CURRENT.label, PREVIOUS.label),
                              "% diff.": ("percent_change", CURRENT.label, PREVIOUS.label)}
    rows = change.frame.set_index("Measure")
    assert rows.loc[da.DOMESTIC_ABUSE, [PREVIOUS.label, CURRENT.label]].tolist() == [1, 3]
    assert share.frame["% domestic abuse"].tolist()[1] == 60.0
    assert [t.name for t in page.victim_tables] == ["da_victims", "sexual_offence_victims"]
    assert page.victim_tables[0].total_column == da.TOTAL
    (groups,) = page.group_tables
    assert groups.order == CURRENT.label and groups.total_row == 2
    # findings: DA 1 -> 3 (too few for a %), VAWG rows, 3 of 3 recorded-sex victims female
    statements = [finding.statement for finding in page.findings]
    assert statements[0] == "Domestic abuse flagged crime in Kingsmere rose by 2 offences " \
        "(too few last time for a reliable percentage), not a statistically significant change."
    assert (page.findings[0].direction, page.findings[0].significance) == (INCREASE,
                                                                           NOT_SIGNIFICANT)
    assert statements[-1] == "100 % of domestic abuse victims with a recorded sex were female."
    assert page.findings[2].figures == ("rape_current",)


def test_page_findings_withhold_a_change_the_rule_hides(tmp_path: Path) -> None:
    # ONS rule: counts of 1-9 are suppressed, so no change of these counts is stated
    page = da.page_from(_section(tmp_path, "ons"), _placed(), 0, WARDS, [])
    first = page.findings[0]
    assert first.statement == ("Domestic abuse flagged crime in Kingsmere: not shown, a count "
                               "is under 10 (disclosure control).")
    assert (first.direction, first.significance) == (NO_DIRECTION, NOT_ASSESSED)


def test_offence_table_adds_the_domestic_abuse_count_as_a_count() -> None:
    table = da.offence_table(da.vawg_offences(_crimes(), CURRENT, PREVIOUS), CURRENT, PREVIOUS)
    of_which = f"Of which domestic abuse, {CURRENT.label}"
    assert table.counts == [PREVIOUS.label, CURRENT.label, of_which]
    assert table.frame[of_which].tolist() == [1, 0, 1]
    assert table.order == "labels" and table.formats["# diff."] == "{:+,}"


def test_trend_has_an_xmr_chart_only_with_two_months_held() -> None:
    flagged = _crimes()[_crimes()["domestic_abuse"].fillna(False).astype(bool)]
    items = da.trend_charts(flagged, CURRENT, area_name="A")
    assert [type(item) for item in items] == [Chart, Chart]  # no gap or break to note
    assert items[0].data["da_crimes"].tolist()[-2:] == [2.0, 1.0]  # Mar and Apr 2024
    assert items[0].data["da_crimes"].isna().sum() == 4  # 2022 and 2023 are not covered
    assert items[1].name == "da_xmr" and items[1].kept == da.XMR_KEPT
    new_system = TrendBreak(month="2024-04", reason="new system", applies_to="crime")
    *_, note = da.trend_charts(flagged, CURRENT, area_name="A", breaks=[new_system])
    assert isinstance(note, Markdown) and "new system" in note.data
    one_month = flagged[flagged["committed_from"].dt.month == 4]
    assert [item.name for item in da.trend_charts(one_month, CURRENT, area_name="A")] == [
        "da_monthly_trend"]


def test_ward_items_note_each_period_the_extract_does_not_cover() -> None:
    flagged = _placed()[_placed()["domestic_abuse"].fillna(False).astype(bool)]
    (table,) = da.ward_items(flagged, WARDS, CURRENT, PREVIOUS)
    assert isinstance(table, Table) and table.order == CURRENT.label
    assert table.frame["Ward"].tolist() == ["North", "South", "All wards"]
    assert table.frame[CURRENT.label].tolist() == [2, 1, 3]
    later = flagged[flagged["committed_from"].dt.month >= 3]  # Jan-Feb 2024 not covered
    note, table = da.ward_items(later, WARDS, CURRENT, PREVIOUS)
    assert isinstance(note, Markdown) and PREVIOUS.label in note.data
    assert table.counts == [CURRENT.label]
    april = flagged[flagged["committed_from"].dt.month == 4]  # neither period covered
    assert [type(item) for item in da.ward_items(april, WARDS, CURRENT, PREVIOUS)] == [
        Markdown, Markdown]


def _recorded(tmp_path: Path) -> dict:
    import json

    return json.loads((tmp_path / "key_figures" / "40_test.json").read_text())["figures"]


def test_key_figures_without_the_flag_say_only_that(tmp_path: Path) -> None:
    section = _section(tmp_path)
    da.record_key_figures(section, da.page_from(section, None, 0, None, []))
    assert _recorded(tmp_path) == {"da_available": {
        "value": False, "label": "Domestic abuse figures available"}}


def test_key_figures_are_published_under_the_rule(tmp_path: Path) -> None:
    section = _section(tmp_path, "ons")
    da.record_key_figures(section, da.page_from(section, _placed(), 0, WARDS, []))
    figures = {key: item["value"] for key, item in _recorded(tmp_path).items()}
    assert list(figures) == ["da_available", "da_current", "da_previous", "da_pct_diff",
                             "da_significance", "da_share_pct", "da_share_vwi_pct",
                             "rape_current", "other_sexual_current", "stalking_harassment_current"]
    assert figures["da_current"] == figures["da_previous"] == "[c]"  # 3 and 1 are hidden
    assert figures["da_pct_diff"] is None
    assert figures["da_significance"].startswith("not shown")
    assert (figures["da_share_pct"], figures["da_share_vwi_pct"]) == (60.0, 50.0)
    assert figures["rape_current"] == figures["other_sexual_current"] == "[c]"  # 1 and 0
