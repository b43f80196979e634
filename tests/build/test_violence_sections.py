"""Sections 50, 70 and 80 on the 36-month demo: the planted patterns come out of the tables.

Planted (analysis.demo.partner): knife/sharp-instrument flag 150 -> 210 (2023/24 -> 2024/25,
+40.0 %, exact Poisson p = 0.0018); ~60 % of non-domestic violence in the town-centre LSOAs
E01900045/46 on Friday and Saturday nights; proven reoffending adult 27.1 / 25.3 / 25.6 %,
youth 34.2 / 41.1 / 38.2 % (Kingsmere / Demoshire / England, 2022-23 cohort); RJ referrals
45 -> 27; NRM 11 -> 16; Prevent 14 -> 19; A&E assault attendances 612 -> 688.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.stats.disclosure import DisclosureRule
from analysis.stats.indicators import NO_INTERVAL

pytestmark = pytest.mark.build
PERIOD = "2024-25"
SECTIONS = ("50_serious_violence", "70_exploitation_drugs", "80_offending_reoffending")


@pytest.fixture(scope="module")
def report(built_demo_report: Path) -> Path:
    """The demo report folder with the three sections built (the suite's one demo build)."""
    assert all((built_demo_report / f"{section}.html").is_file() for section in SECTIONS)
    return built_demo_report


def _table(report: Path, section: str, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{section}__{name}.csv")


def _figures(report: Path, section: str) -> dict:
    figures = json.loads((report / "key_figures" / f"{section}.json").read_text())["figures"]
    return {key: entry["value"] for key, entry in figures.items()}


def test_knife_crime_rise_is_found_and_significant(report: Path) -> None:
    change = _table(report, "50_serious_violence", "measures_change").set_index("Measure")
    knife = change.loc["Knife or sharp instrument offences"]
    assert (knife["2023/24"], knife["2024/25"], knife["% diff."]) == (150, 210, 40.0)
    assert knife["Change"] == "significant increase"
    figures = _figures(report, "50_serious_violence")
    assert figures["knife_crime_current"] == 210
    assert figures["knife_crime_p_value"] == pytest.approx(0.0018, abs=1e-4)
    assert figures["knife_crime_significance"] == "significant increase"


def test_weekend_night_violence_in_the_town_centre(report: Path) -> None:
    places = _table(report, "50_serious_violence", "violence_places")
    assert set(places["LSOA"].head(2)) == {"E01900045", "E01900046"}
    share = _figures(report, "50_serious_violence")["violence_weekend_night_share"]
    assert 50 < share < 70


def test_small_counts_and_victims_are_controlled(report: Path) -> None:
    small = _table(report, "50_serious_violence", "small_counts")
    assert list(small["Measure"]) == ["Homicide"]
    summary = _table(report, "50_serious_violence", "needs_assessment").set_index("Figure")
    assert pd.isna(summary.loc["Homicide", "2024/25"])  # never beside a % change
    victims = _table(report, "50_serious_violence", "victim_age")
    published = pd.to_numeric(victims["2024/25"], errors="coerce").dropna()
    assert (published % 5 == 0).all()  # rounded to 5 under the ONS rule


def test_hospital_data_has_no_interval_and_is_in_the_summary(report: Path) -> None:
    ae = _table(report, "50_serious_violence", "ae_assaults")
    assert list(ae["Value (attendances)"]) == [610, 690]  # 612 and 688, rounded to 5
    assert (ae["95 % interval"] == NO_INTERVAL).all()
    summary = _table(report, "50_serious_violence", "needs_assessment").set_index("Figure")
    assert summary.loc["A&E assault attendances", "2024/25"] == 690


def test_planted_reoffending_rates_exactly(report: Path) -> None:
    for cohort, expected in (("adult", [27.1, 25.3, 25.6]), ("youth", [34.2, 41.1, 38.2])):
        table = _table(report, "80_offending_reoffending", f"reoffending_{cohort}")
        latest = table[table["Cohort year"] == "2022-23"]
        assert list(latest["Geography"]) == ["Kingsmere", "Demoshire Police", "England"]
        assert list(latest["Proven reoffending rate (%)"]) == expected
        recomputed = (100 * latest["Reoffenders"] / latest["Cohort size"]).round(1)
        assert list(recomputed) == expected
        assert not (latest["95 % interval (%)"] == NO_INTERVAL).any()
    figures = _figures(report, "80_offending_reoffending")
    assert figures["adult_reoffending_rate"] == 27.1
    assert figures["adult_reoffending_cohort_size"] == 1000
    assert figures["youth_reoffending_rate"] == 34.2
    assert figures["youth_reoffending_cohort_size"] == 120


def test_reoffending_tests_name_the_method(report: Path) -> None:
    tests = _table(report, "80_offending_reoffending", "reoffending_adult_tests")
    assert (tests["Test"] == "pooled two-proportion z-test").all()
    force = tests.set_index("Comparison").loc["Kingsmere against the rest of Demoshire Police"]
    assert force["p-value"] == pytest.approx(0.1306, abs=5e-4)  # 271/1000 vs 741/3000
    assert force["Result"] == "not significantly different"


def test_rj_referrals_planted_fall_published_as_in_the_table(report: Path) -> None:
    figures = _figures(report, "80_offending_reoffending")
    # Planted 45 -> 27 (the seeds' 40 % fall); partner counts are published rounded to 5, and
    # the key figures say what the table says: 45 -> 25, -44.4 % on the published counts.
    assert (figures["rj_referrals_previous"], figures["rj_referrals_current"]) == (45, 25)
    assert figures["rj_referrals_pct_diff"] == -44.4
    rj_table = _table(report, "80_offending_reoffending", "rj_referrals")
    assert rj_table["Value (referrals)"].astype(str).tolist()[:2] == ["45", "25"]
    rj = _table(report, "80_offending_reoffending", "rj_referrals")
    assert (rj["95 % interval"] == NO_INTERVAL).all()
    entrants = _table(report, "80_offending_reoffending", "first_time_entrants")
    assert not (entrants["95 % interval"] == NO_INTERVAL).any()


def test_exploitation_section(report: Path) -> None:
    figures = _figures(report, "70_exploitation_drugs")
    # Planted 11 -> 16 and 14 -> 19, published (as in their tables) rounded to 5.
    assert (figures["nrm_referrals_previous"], figures["nrm_referrals_current"]) == (10, 15)
    assert (figures["prevent_referrals_previous"], figures["prevent_referrals_current"]) \
        == (15, 20)
    change = _table(report, "70_exploitation_drugs", "measures_change").set_index("Measure")
    drugs = change.loc["Drug offences (all)", "2024/25"]
    # published rounded to 5, so the two parts add up to the total within the rounding
    assert abs(change.loc["Trafficking of drugs", "2024/25"]
               + change.loc["Possession of drugs", "2024/25"] - drugs) <= 6
    assert DisclosureRule.named("ons").rounded(figures["drug_trafficking_current"]) == \
        change.loc["Trafficking of drugs", "2024/25"]
    assert any("activity, not prevalence" in f["statement"] for f in figures["findings"])
