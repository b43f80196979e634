"""The demo's partner extracts: row-for-row agreement with police.uk and the planted patterns.

One short demo (financial years 2023-24 and 2024-25, the last two 12-month blocks) is
generated once and loaded through ``config/mappings/demo.yaml`` exactly as an analyst would.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import demo
from analysis.core.offences import load_police_uk_crime_types
from analysis.demo import world
from analysis.demo.partner import (
    PLANTED_IMD_RANKS,
    write_partner_extracts,
)
from analysis.inputs.areas import load_area
from analysis.inputs.partner import PartnerLoad, load_mapping, load_partner_extract
from analysis.stats.measures import percent_change, poisson_change_test
from analysis.stats.survey import proportion_change, rank_among, survey_results

ROOT = Path(__file__).resolve().parents[2]
SPEC = demo.DemoSpec(first_month=date(2023, 4, 1), n_months=24)
KINGSMERE, ASHBY, HOLLOWAY, BRACKENFORD = (csp.csp_code for csp in world.DEMO_CSPS)
TOWN_CENTRE = ("E01900045", "E01900046")  # Kingsmere grid (4, 4) and (4, 5)
FY_PREVIOUS, FY_LATEST = "2023-24", "2024-25"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.generate(tmp_path_factory.mktemp("demo") / "demo", SPEC)


@pytest.fixture(scope="module")
def loaded(demo_dir: Path) -> dict[str, PartnerLoad]:
    mapping = load_mapping(ROOT / "config" / "mappings" / "demo.yaml")
    return {kind: load_partner_extract(demo_dir / "partner" / f"{kind}.csv", kind, mapping)
            for kind in ("crimes", "asb", "indicators")}


@pytest.fixture(scope="module")
def police_uk(demo_dir: Path) -> pd.DataFrame:
    """Kingsmere's police.uk rows, read straight from the street files."""
    files = sorted((demo_dir / "police_uk").glob("*/*-street.csv"))
    rows = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])
    return rows[rows["LSOA name"].str.startswith("Kingsmere")].reset_index(drop=True)


@pytest.fixture(scope="module")
def crimes(loaded: dict[str, PartnerLoad]) -> pd.DataFrame:
    rows = loaded["crimes"].rows
    stamp = rows["committed_from"]
    rows["fy"] = (stamp.dt.year - (stamp.dt.month < 4)).map(lambda y: f"{y}-{(y + 1) % 100:02d}")
    return rows


@pytest.fixture(scope="module")
def indicators(loaded: dict[str, PartnerLoad]) -> pd.DataFrame:
    return loaded["indicators"].rows.set_index(["indicator", "area", "period"])


def _police_uk_type(crimes: pd.DataFrame) -> pd.Series:
    """The police.uk crime type of each crime, from its offence subgroup (or group)."""
    types = load_police_uk_crime_types()
    by_subgroup, by_group = {}, {}
    for row in types[types["is_crime"]].itertuples():
        if isinstance(row.offence_subgroups, str):
            by_subgroup.update(dict.fromkeys(row.offence_subgroups.split(";"), row.crime_type))
        else:
            by_group.update(dict.fromkeys(row.offence_groups.split(";"), row.crime_type))
    return crimes["offence_subgroup"].map(by_subgroup).fillna(crimes["offence_group"].map(by_group))


# --- loading and agreement with police.uk ------------------------------------------------------


def test_mapping_loads_every_row_with_nothing_quarantined(
    loaded: dict[str, PartnerLoad], police_uk: pd.DataFrame
) -> None:
    for load in loaded.values():
        assert load.counts["rows_quarantined"] == 0
    is_asb = police_uk["Crime type"] == world.ASB
    assert loaded["crimes"].counts["rows_loaded"] == int((~is_asb).sum())
    assert loaded["asb"].counts["rows_loaded"] == int(is_asb.sum())


def test_crimes_match_police_uk_by_month_type_and_lsoa(
    crimes: pd.DataFrame, police_uk: pd.DataFrame
) -> None:
    ours = pd.DataFrame({
        "Month": crimes["committed_from"].dt.strftime("%Y-%m"),
        "Crime type": _police_uk_type(crimes),
        "LSOA code": crimes["lsoa_code"],
    }).value_counts()
    theirs = police_uk.loc[police_uk["Crime type"] != world.ASB,
                           ["Month", "Crime type", "LSOA code"]].value_counts()
    assert ours.to_dict() == theirs.to_dict()


def test_crime_locations_are_the_police_uk_map_points(
    crimes: pd.DataFrame, police_uk: pd.DataFrame
) -> None:
    from pyproj import Transformer

    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    street = police_uk[police_uk["Crime type"] != world.ASB]
    east, north = to_bng.transform(street["Longitude"].astype(float).to_numpy(),
                                   street["Latitude"].astype(float).to_numpy())
    points = set(zip(east.round().astype(int), north.round().astype(int), strict=True))
    ours = set(zip(crimes["easting"].astype(int), crimes["northing"].astype(int), strict=True))
    assert ours <= points


def test_asb_matches_police_uk_by_month_and_lsoa(
    loaded: dict[str, PartnerLoad], police_uk: pd.DataFrame
) -> None:
    asb = loaded["asb"].rows
    ours = pd.DataFrame({"Month": asb["occurred_at"].dt.strftime("%Y-%m"),
                         "LSOA code": asb["lsoa_code"]}).value_counts()
    theirs = police_uk.loc[police_uk["Crime type"] == world.ASB,
                           ["Month", "LSOA code"]].value_counts()
    assert ours.to_dict() == theirs.to_dict()


def test_same_seed_same_files(demo_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_dir / "police_uk", tmp_path / "police_uk")
    files = write_partner_extracts(tmp_path, SPEC, world.geography())
    for path in (files.crimes, files.asb, files.indicators, files.imd):
        original = demo_dir / path.relative_to(tmp_path)
        assert path.read_bytes() == original.read_bytes(), path.name


# --- planted crime patterns --------------------------------------------------------------------


def test_domestic_abuse_is_twelve_percent_and_mostly_violence(crimes: pd.DataFrame) -> None:
    # Exactly round(0.12 × crimes) per 12-month block: with ~18,000 crimes a year the share is
    # 0.12 ± 0.5/18,000 = 0.12 ± 0.00003.
    share = crimes.groupby("fy")["domestic_abuse"].mean()
    assert share.between(0.11, 0.13).all()
    assert share.sub(0.12).abs().max() < 5e-5
    groups = crimes.loc[crimes["domestic_abuse"], "offence_group"].value_counts(normalize=True)
    assert groups["Violence against the person"] > 0.8


def test_hate_strands_have_the_planted_yearly_counts(crimes: pd.DataFrame) -> None:
    strands = crimes["hate_strands"].fillna("")
    counts = pd.DataFrame({s: strands.str.contains(s).groupby(crimes["fy"]).sum()
                           for s in ("race", "religion", "sexual_orientation", "disability",
                                     "transgender")})
    # race = 100 race-only + 6 race;religion = 106; religion = 14 + 6 = 20.
    assert counts.loc[FY_LATEST].to_dict() == {
        "race": 106, "religion": 20, "sexual_orientation": 15, "disability": 10,
        "transgender": 4,
    }
    assert counts.loc[FY_PREVIOUS, "transgender"] == 2
    assert counts["transgender"].between(1, 6).all()  # suppressed under every rule (1-7, 0-9)
    both = crimes["hate_strands"] == "race;religion"
    assert both.groupby(crimes["fy"]).sum().to_dict() == {FY_PREVIOUS: 6, FY_LATEST: 6}


def test_race_and_religion_hate_crimes_use_aggravated_codes(crimes: pd.DataFrame) -> None:
    race_or_religion = crimes["hate_strands"].fillna("").str.contains("race|religion")
    aggravated = {"8P", "105B", "8M", "9B", "58J", "8R"}  # 8R has no aggravated code
    assert set(crimes.loc[race_or_religion, "offence_code"]) <= aggravated
    assert not crimes.loc[~race_or_religion, "offence_code"].isin(["8P", "105B", "9B",
                                                                   "58J"]).any()


def test_knife_crime_rises_significantly_in_the_last_12_months(crimes: pd.DataFrame) -> None:
    yearly = crimes.groupby("fy")["knife_sharp_instrument"].sum()
    assert (yearly[FY_PREVIOUS], yearly[FY_LATEST]) == (150, 210)
    # (210 - 150) / 150 = +40.0 %; exact conditional test: 210 of 360 ~ Binomial(360, 0.5),
    # two-sided p = 0.0018.
    assert percent_change(210, 150) == pytest.approx(40.0)
    assert poisson_change_test(210, 150) == pytest.approx(0.0018, abs=1e-4)
    flagged = crimes.loc[crimes["knife_sharp_instrument"], "offence_code"]
    assert not flagged.isin(["10D", "90"]).any()  # possession offences are not "knife used"


def test_town_centre_violence_peaks_friday_and_saturday_nights(crimes: pd.DataFrame) -> None:
    violence = crimes[crimes["lsoa_code"].isin(TOWN_CENTRE)
                      & (crimes["offence_group"] == "Violence against the person")
                      & ~crimes["domestic_abuse"]]
    night_of = violence["committed_from"] - pd.Timedelta(hours=6)  # 22:00-01:59 -> 16-19
    peak = night_of.dt.day_of_week.isin([4, 5]) & night_of.dt.hour.between(16, 19)
    # 8 of the week's 168 hours (4.8 %) hold well over a third of it.
    assert peak.mean() > 0.4
    busiest = violence["committed_from"].dt.strftime("%a %H").value_counts().index[0]
    assert busiest in {"Fri 22", "Fri 23", "Sat 00", "Sat 01", "Sat 22", "Sat 23", "Sun 00",
                       "Sun 01"}


def test_burglary_happens_on_weekday_daytimes(crimes: pd.DataFrame) -> None:
    burglary = crimes[crimes["offence_subgroup"].str.contains("burglary")]
    stamp = burglary["committed_from"]
    weekday_day = (stamp.dt.day_of_week < 5) & stamp.dt.hour.between(8, 18)
    # 55 of 168 hours (33 %) hold most burglaries.
    assert weekday_day.mean() > 0.55
    assert (burglary["committed_to"] > stamp).all()


def test_night_time_economy_and_alcohol_flags_fit_time_and_place(crimes: pd.DataFrame) -> None:
    nte = crimes[crimes["night_time_economy"]]
    assert len(nte) > 100
    assert nte["lsoa_code"].isin(TOWN_CENTRE).all()
    assert nte["committed_from"].dt.hour.isin([20, 21, 22, 23, 0, 1, 2, 3]).all()
    assert not nte["domestic_abuse"].any()
    alcohol = crimes.groupby("night_time_economy")["alcohol"].mean()
    assert alcohol[True] > 0.5 > 0.1 > alcohol[False]


def test_victims(crimes: pd.DataFrame) -> None:
    shoplifting = crimes["offence_code"] == "46"
    assert crimes.loc[shoplifting, ["victim_age_band", "victim_sex"]].isna().all().all()
    person = crimes["offence_group"] == "Violence against the person"
    assert crimes.loc[person, "victim_sex"].isin(["male", "female", "unknown"]).all()
    domestic_female = crimes.loc[crimes["domestic_abuse"], "victim_sex"].eq("female").mean()
    assert domestic_female > 0.7
    nte_young = crimes.loc[crimes["night_time_economy"], "victim_age_band"].eq("18-24").mean()
    assert nte_young > 0.3


# --- ASB ---------------------------------------------------------------------------------------


def test_asb_categories_peaks_and_repeat_callers(loaded: dict[str, PartnerLoad],
                                                 demo_dir: Path) -> None:
    asb = loaded["asb"].rows
    shares = asb["category"].value_counts(normalize=True)
    # Exactly round(0.2 n) personal and round(0.1 n) environmental: within 1/n of the share.
    assert shares.to_dict() == pytest.approx(
        {"personal": 0.2, "nuisance": 0.7, "environmental": 0.1}, abs=1e-3)
    evening = asb[asb["category"] != "environmental"]["occurred_at"]
    peak = evening.dt.day_of_week.isin([4, 5]) & evening.dt.hour.between(18, 23)
    assert peak.mean() > 0.25  # 12 of 168 hours (7 %)
    assert 0.02 <= asb["repeat_caller"].mean() <= 0.04
    raw = pd.read_csv(demo_dir / "partner" / "asb.csv", dtype=str, keep_default_na=False)
    callers = raw.loc[raw["Repeat Caller"] == "Y", "Caller Ref"].value_counts()
    assert len(callers) == 6 and callers.min() >= 3


# --- indicators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "area", "period", "value", "numerator", "denominator"),
    [
        ("proven_reoffending_adult", KINGSMERE, "2022-23", 27.1, 271, 1000),  # 271/1000
        ("proven_reoffending_adult", KINGSMERE, "2021-22", 25.8, 258, 1000),
        ("proven_reoffending_adult", world.FORCE_CODE, "2022-23", 25.3, 1012, 4000),
        ("proven_reoffending_adult", "E92000001", "2022-23", 25.6, 35840, 140000),
        ("proven_reoffending_youth", KINGSMERE, "2022-23", 34.2, 41, 120),  # 34.17 -> 34.2
        ("proven_reoffending_youth", world.FORCE_CODE, "2022-23", 41.1, 288, 700),  # 41.14
        ("proven_reoffending_youth", "E92000001", "2022-23", 38.2, 16235, 42500),
        ("first_time_entrants", KINGSMERE, FY_LATEST, 300.6, 52, 17300),  # 52/17300 × 1e5
        ("rj_referrals", KINGSMERE, FY_PREVIOUS, 45, None, None),
        ("rj_referrals", KINGSMERE, FY_LATEST, 27, None, None),
        ("rj_referrals", world.FORCE_CODE, FY_LATEST, 240, None, None),
        ("nrm_referrals", KINGSMERE, FY_LATEST, 16, None, None),
        ("prevent_referrals", KINGSMERE, FY_LATEST, 19, None, None),
        ("ae_assault_attendances", KINGSMERE, FY_LATEST, 688, None, None),
        ("deliberate_fires_secondary", KINGSMERE, FY_LATEST, 236, None, None),
        ("survey:crime_asb_more_problem", KINGSMERE, FY_PREVIOUS, 22, 110, 500),
        ("survey:crime_asb_more_problem", KINGSMERE, FY_LATEST, 33, 165, 500),
        ("survey:police_good_job", KINGSMERE, FY_PREVIOUS, 74, 370, 500),
        ("survey:police_good_job", KINGSMERE, FY_LATEST, 78, 390, 500),
        ("survey:crime_asb_more_problem", ASHBY, FY_LATEST, 29, 133, 460),  # 133.4
    ],
)
def test_indicator_values_are_exact(indicators: pd.DataFrame, indicator, area, period, value,
                                    numerator, denominator) -> None:
    row = indicators.loc[(indicator, area, period)]
    assert row["value"] == value
    assert (None if pd.isna(row["numerator"]) else row["numerator"]) == numerator
    assert (None if pd.isna(row["denominator"]) else row["denominator"]) == denominator


def test_reoffending_note_states_the_follow_up(indicators: pd.DataFrame) -> None:
    note = indicators.loc[("proven_reoffending_adult", KINGSMERE, "2022-23"), "note"]
    assert "within 12 months" in note and "further 6 months" in note


def test_rj_referrals_fall_as_in_the_seed(indicators: pd.DataFrame) -> None:
    # Seed 001: 45 referrals, then 27: (27 - 45) / 45 = -40.0 %.
    rj = indicators.loc["rj_referrals"].loc[KINGSMERE, "value"]
    assert percent_change(int(rj[FY_LATEST]), int(rj[FY_PREVIOUS])) == pytest.approx(-40.0)


def test_survey_change_and_rank_as_planted(loaded: dict[str, PartnerLoad]) -> None:
    survey = survey_results(loaded["indicators"].rows).set_index(
        ["question_id", "area", "period"])
    assert set(survey.index.get_level_values("area")) == {KINGSMERE, ASHBY, HOLLOWAY,
                                                          BRACKENFORD}
    assert (survey["design_effect"] == 1.1).all()

    def change(question: str) -> dict:
        before = survey.loc[(question, KINGSMERE, FY_PREVIOUS)]
        after = survey.loc[(question, KINGSMERE, FY_LATEST)]
        return proportion_change(before["proportion"], before["respondents"],
                                 after["proportion"], after["respondents"],
                                 design_effect=1.1)

    # 22 % -> 33 % of 500 (n_eff 454.5): z = 0.11 / sqrt(0.275·0.725·2/454.5) = 3.71.
    assert change("crime_asb_more_problem")["label"] == "significant increase"
    # 74 % -> 78 %: z = 0.04 / sqrt(0.76·0.24·2/454.5) = 1.41, p = 0.16.
    assert change("police_good_job")["label"] == "no significant change"
    assert change("police_understand_issues")["label"] == "significant decrease"  # 71 -> 55

    latest = survey.xs(("crime_asb_more_problem", FY_LATEST), level=("question_id", "period"))
    # Holloway Downs 36, Kingsmere 33, Ashby Fen 29, Brackenford 24.
    rank = rank_among(latest["percent"], KINGSMERE, intervals=latest[["lower", "upper"]])
    assert rank["position"] == "second highest of 4"
    assert rank["above"] == [HOLLOWAY] and rank["overlaps"][HOLLOWAY]


# --- deprivation -------------------------------------------------------------------------------


def test_imd_lookup_layout_and_planted_deciles(demo_dir: Path) -> None:
    imd = pd.read_csv(demo_dir / "imd" / "imd2019_lsoa.csv")
    assert list(imd.columns) == ["LSOA11CD", "LSOA11NM", "LAD19CD", "LAD19NM", "IMD19", "FID"]
    assert len(imd) == 400 and imd["IMD19"].is_unique
    assert imd["IMD19"].between(1, 32_844).all()
    decile = (imd.set_index("LSOA11CD")["IMD19"] - 1) * 10 // 32_844 + 1
    geo = world.geography().set_index("lsoa_code")
    kingsmere = geo[geo["csp_code"] == KINGSMERE]
    cell = {(r.grid_row, r.grid_col): code for code, r in kingsmere.iterrows()}
    assert decile[list(TOWN_CENTRE)].tolist() == [1, 1]  # ranks 812 and 1,540
    assert decile[cell[world.EMERGING_HOTSPOT_LSOA]] == 2  # rank 4,950
    quiet = [cell[(world.QUIET_WARD_ROW, 5 + i)] for i in range(5)]
    assert (decile[quiet] == 10).all()  # ranks 30,120 to 32,410
    assert {imd.set_index("LSOA11CD")["IMD19"][cell[c]] for c in PLANTED_IMD_RANKS} == set(
        PLANTED_IMD_RANKS.values())


# --- configuration -----------------------------------------------------------------------------


def test_demo_area_config_points_at_the_partner_files() -> None:
    sources = load_area("demo", ROOT).sources
    assert sources.imd == Path("data/raw/demo/imd/imd2019_lsoa.csv")
    assert sources.partner.mapping == Path("config/mappings/demo.yaml")
    assert sources.partner.crimes == Path("data/raw/demo/partner/crimes.csv")
    assert sources.partner.asb == Path("data/raw/demo/partner/asb.csv")
    assert sources.partner.indicators == Path("data/raw/demo/partner/indicators.csv")
