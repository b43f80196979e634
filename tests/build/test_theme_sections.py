"""Sections 20 (ASB), 40 (VAWG and domestic abuse) and 60 (hate crime) on the 36-month demo.

The demo plants, for 2024/25 (its last 12-month block): ASB categories 20 / 70 / 10 %
personal / nuisance / environmental, six repeat callers making about 3 % of incidents,
domestic abuse on exactly round(0.12 x crimes) of recorded crime, and hate crime race 106,
religion 20, sexual orientation 15, disability 10 and transgender 4 (2 the year before). Each
section must report them in its published tables, with the transgender strand suppressed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.stats.disclosure import DisclosureRule

pytestmark = pytest.mark.build
PERIOD = "2024-25"
SECTIONS = ("20_anti_social_behaviour", "40_vawg_domestic_abuse", "60_hate_crime")


@pytest.fixture(scope="module")
def report(built_demo_report: Path) -> Path:
    """The demo report folder once the three sections are built (the suite's one demo build)."""
    assert all((built_demo_report / f"{section}.html").is_file() for section in SECTIONS)
    return built_demo_report


def _table(report: Path, section: str, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{section}__{name}.csv", dtype=str)


def _figures(report: Path, section: str) -> dict[str, object]:
    payload = json.loads((report / "key_figures" / f"{section}.json").read_text())
    return {key: item["value"] for key, item in payload["figures"].items()}


def test_asb_categories_are_20_70_10(report: Path) -> None:
    table = _table(report, SECTIONS[0], "asb_categories")
    shares = table[table["Type"] == "All types"].set_index("Category")["% of all incidents"]
    # planted over the whole demo: round(0.2 n) personal, round(0.1 n) environmental
    # planted 20/70/10 over about 4,200 incidents: one standard error of a share is about
    # 0.7 points, so 1.5 points is two standard errors
    assert float(shares["personal"]) == pytest.approx(20, abs=1.5)
    assert float(shares["nuisance"]) == pytest.approx(70, abs=1.5)
    assert float(shares["environmental"]) == pytest.approx(10, abs=1.5)
    total = table[table["Category"] == "All ASB incidents"]["2024/25"].astype(int).item()
    parts = table[table["Type"] == "All types"]["2024/25"].astype(int)
    # partner counts are rounded to 5 (each by at most 2), so the parts add up to about the total
    assert abs(parts.sum() - total) <= 2 * (len(parts) + 1)


def test_asb_repeat_callers_and_police_uk_counts(report: Path) -> None:
    repeat = _table(report, SECTIONS[0], "asb_repeat_callers").set_index("Period")
    share = float(repeat.loc["2024/25", "% from repeat callers"])
    assert 2.0 <= share <= 4.5  # six callers, about 3 % of incidents
    assert int(repeat.loc["2024/25", "From repeat callers"]) > 0
    change = _table(report, SECTIONS[0], "asb_change")
    categories = _table(report, SECTIONS[0], "asb_categories")
    # the partner extract matches police.uk row for row (its count published rounded to 5)
    police_uk = int(change.iloc[0]["2024/25"])
    assert int(categories.iloc[-1]["2024/25"]) == DisclosureRule.named("ons").rounded(police_uk)
    figures = _figures(report, SECTIONS[0])
    assert figures["asb_incidents_current"] == int(change.iloc[0]["2024/25"])
    assert figures["asb_personal_pct"] == pytest.approx(20, abs=1.0)
    assert figures["asb_rate_position"].endswith("of 4")
    day_hour = (_table(report, SECTIONS[0], "asb_day_hour").set_index("day")
                .replace("[c]", "0").astype(int))
    assert day_hour.stack().idxmax()[0] in {"Friday", "Saturday"}


def test_domestic_abuse_share_is_12_percent(report: Path) -> None:
    shares = _table(report, SECTIONS[1], "da_share")
    for _, row in shares[shares["Share of"] == "All recorded crime"].iterrows():
        # round(0.12 x crimes) flagged in every year, both published rounded to 5
        assert abs(int(row["Flagged domestic abuse"]) - 0.12 * int(row["Crimes"])) <= 3
        assert float(row["% domestic abuse"]) == pytest.approx(12.0, abs=0.05)
    figures = _figures(report, SECTIONS[1])
    assert figures["da_share_pct"] == 12.0
    assert figures["da_available"] is True
    groups = _table(report, SECTIONS[1], "da_by_offence_group").set_index("Offence group")
    violence = int(groups.loc["Violence against the person", "2024/25"])
    assert violence / figures["da_current"] > 0.85  # ~91 % of DA is violence


def test_domestic_abuse_victim_tables_are_controlled(report: Path) -> None:
    victims = _table(report, SECTIONS[1], "da_victims")
    values = victims.drop(columns="Age band").to_numpy().ravel()
    assert all(v == "[c]" or (int(v) >= 10 and int(v) % 5 == 0) for v in values)


def test_hate_strands_published_with_transgender_suppressed(report: Path) -> None:
    strands = _table(report, SECTIONS[2], "hate_strands").set_index("strand")
    now = strands["2024/25"]
    assert now["Transgender identity"] == "[c]"  # 4 crimes: suppressed
    assert strands.loc["Transgender identity", "2023/24"] == "[c]"  # 2 crimes
    # race 106 -> 105, religion 20, sexual orientation 15, disability 10 (rounded to 5)
    assert now[["Race", "Religion or belief", "Sexual orientation", "Disability"]].tolist() == [
        "105", "20", "15", "10"]
    figures = _figures(report, SECTIONS[2])
    assert figures["hate_transgender_current"] == "[c]"
    # 100 race + 14 religion + 6 race and religion + 15 + 10 + 4 = 149 crimes, each once:
    # the key figure says what the table says (rounded to 5), never the exact partner total
    assert figures["hate_total_current"] == 150
    assert now["All hate crime (each crime once)"] == "150"


def test_no_table_of_a_controlled_section_reveals_a_small_count(report: Path) -> None:
    for name in ("hate_wards", "aggravated_offences"):
        table = _table(report, SECTIONS[2], name)
        counts = table[[c for c in table.columns if c[:2] == "20"]].to_numpy().ravel()
        assert all(v == "[c]" or int(v) % 5 == 0 for v in counts)
