"""The demo's partner extracts and deprivation lookup, written as a force and council export them.

:func:`write_partner_extracts` turns the Kingsmere rows of the demo's data.police.uk street
files into a force crime extract and a council ASB extract (their own column names, UK
dates, Y/N flags: ``config/mappings/demo.yaml`` maps them onto ours), adds an indicators
sheet (reoffending, first-time entrants, restorative justice, NRM, Prevent, A&E, fires and
the force's public perception survey for all four districts) and an ONS-layout IMD 2019
lookup for the 400 demo LSOAs.

The extracts agree with police.uk row for row: every Kingsmere police.uk crime (ASB) row
becomes one crime (incident) with the same month, LSOA and map point; each crime gets a
Home Office offence code of its police.uk type. Planted on top, for later sections and their
tests (the exact numbers are the ``PLANTED_*`` constants):

* domestic-abuse flag on 12 % of crime in every 12-month block (mostly violence);
* hate crime by strand with exact yearly counts; the transgender strand has 1 to 6 a year,
  so disclosure control must suppress it;
* knife/sharp-instrument flag: 150 crimes in the previous 12 months, 210 in the last 12
  (+40 %, p ≈ 0.002 by the exact Poisson test);
* violence in the town centre peaking Friday and Saturday nights (22:00 to 02:00) with
  night-time-economy and alcohol flags; burglary on weekday daytimes;
* ASB 20/70/10 % personal/nuisance/environmental, peaking Friday and Saturday evenings, 3 %
  of incidents from six repeat callers;
* indicators with exact values (Kingsmere adult reoffending 27.1 % = 271/1000, RJ referrals
  45 then 27, survey "crime and ASB more of a problem" 22 % then 33 % of 500).

"12-month blocks" are counted back from the demo's last month, so with the default demo
(April 2021 to March 2025) they are the four financial years.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from analysis.core.offences import load_offence_classification
from analysis.core.vocabulary import AGE_BANDS, BNG, WGS84
from analysis.demo.world import (
    ASB,
    DEMO_AREA,
    DEMO_CSPS,
    EMERGING_HOTSPOT_LSOA,
    FORCE_CODE,
    PERSISTENT_HOTSPOT_LSOAS,
    QUIET_WARD_HALF,
    QUIET_WARD_ROW,
    DemoSpec,
)

# --------------------------------------------------------------------------------------------
# Offence codes for each police.uk crime type, with plausible shares (normalised when used).
# --------------------------------------------------------------------------------------------

OFFENCE_CODE_SHARES: dict[str, dict[str, float]] = {
    "Violence and sexual offences": {
        "1": 0.0004, "2": 0.001, "5D": 0.03, "8N": 0.22, "8S": 0.01,
        "105A": 0.24, "104": 0.02, "3B": 0.02, "11A": 0.015, "36": 0.002, "106": 0.003,
        "8L": 0.13, "8R": 0.12, "8Q": 0.05,
        "19C": 0.02, "19D": 0.004, "19F": 0.002, "20A": 0.035, "20B": 0.004, "17A": 0.004,
        "22A": 0.002, "22B": 0.006, "71": 0.002, "88A": 0.002, "88E": 0.01,
    },
    "Burglary": {"28E": 0.55, "28F": 0.12, "28G": 0.02, "29A": 0.01, "30C": 0.25, "30D": 0.05},
    "Vehicle crime": {"45": 0.55, "48": 0.28, "126": 0.15, "37.2": 0.02},
    "Criminal damage and arson": {
        "58A": 0.25, "58B": 0.10, "58C": 0.35, "58D": 0.22, "56B": 0.06, "56A": 0.02,
    },
    "Public order": {"9A": 0.80, "66": 0.19, "62A": 0.01},
    "Shoplifting": {"46": 1.0},
    "Bicycle theft": {"44": 1.0},
    "Theft from the person": {"39": 1.0},
    "Other theft": {"49": 0.65, "49A": 0.20, "40": 0.08, "41": 0.03, "35": 0.03, "47": 0.01},
    "Robbery": {"34B": 0.88, "34A": 0.12},
    "Drugs": {"92E": 0.55, "92D": 0.22, "92A": 0.20, "92C": 0.03},
    "Possession of weapons": {"10D": 0.50, "10C": 0.25, "90": 0.10, "10B": 0.10, "81": 0.03,
                              "10A": 0.02},
    "Other crime": {"99": 0.15, "802": 0.15, "54": 0.10, "59": 0.10, "79": 0.10, "86": 0.10,
                    "33A": 0.10, "61A": 0.08, "33": 0.05, "69": 0.05, "96": 0.02},
}

# --------------------------------------------------------------------------------------------
# Planted patterns (exact; asserted by tests and found by later sections)
# --------------------------------------------------------------------------------------------

DOMESTIC_ABUSE_SHARE = 0.12
"""Share of crimes flagged domestic abuse in every 12-month block (rounded to whole crimes)."""

DOMESTIC_ABUSE_WEIGHTS: dict[str, float] = {
    "8N": 10, "5D": 10, "105A": 10, "8L": 10, "8Q": 10, "8R": 10, "3B": 10, "19C": 4,
    "20A": 4, "22A": 4, "58A": 4, "58C": 1, "40": 2, "9A": 1,
}
"""Relative chance that a crime with this code is domestic abuse (other codes: never)."""

PLANTED_HATE_CRIMES: dict[tuple[str, ...], tuple[int, ...]] = {
    ("race",): (100,),
    ("religion",): (14,),
    ("race", "religion"): (6,),
    ("sexual_orientation",): (15,),
    ("disability",): (10,),
    ("transgender",): (4, 2, 5, 3),
}
"""Hate crimes per 12-month block, by strand combination; tuples run back from the last
block (cycled). Yearly strand counts: race 106, religion 20, sexual orientation 15,
disability 10, transgender 4 (last 12 months), 2, 5, 3 (earlier years)."""

HATE_CODES = ("8N", "105A", "8L", "8R", "9A", "58A", "58B", "58C", "58D")
"""Offences a hate crime is drawn from."""

RACIALLY_AGGRAVATED: dict[str, str] = {
    "8N": "8P", "105A": "105B", "8L": "8M", "9A": "9B",
    "58A": "58J", "58B": "58J", "58C": "58J", "58D": "58J",
}
"""A race or religion hate crime is recorded under the aggravated code of the same offence."""

PLANTED_KNIFE_CRIMES: tuple[int, ...] = (210, 150, 147, 142)
"""Crimes flagged knife/sharp instrument per 12-month block, back from the last block: the
last 12 months have 210, the previous 150 (+40 %, exact Poisson p ≈ 0.002)."""

KNIFE_WEIGHTS: dict[str, float] = {
    "1": 20, "2": 20, "5D": 4, "8N": 1, "3B": 2, "34B": 3, "34A": 3, "19C": 0.5,
}
"""Relative chance that an offence involved a knife. Possession offences (10D, 90) are not
flagged: the knife-crime measure counts offences where a knife was used or threatened."""

ASB_CATEGORY_SHARES = {"personal": 0.20, "nuisance": 0.70, "environmental": 0.10}
ASB_TYPES: dict[str, dict[str, float]] = {
    "personal": {"Neighbour dispute": 0.45, "Harassment/intimidation": 0.35,
                 "Threatening behaviour": 0.20},
    "nuisance": {"Rowdy/nuisance behaviour": 0.35, "Noise": 0.20, "Nuisance youths": 0.20,
                 "Vehicle nuisance": 0.12, "Street drinking": 0.08, "Begging": 0.05},
    "environmental": {"Fly-tipping": 0.55, "Graffiti": 0.20, "Littering": 0.15,
                      "Abandoned vehicle": 0.10},
}
REPEAT_CALLERS = 6
REPEAT_CALLER_SHARE = 0.03
"""Six callers make 3 % of incidents between them (fewer if their streets have fewer)."""

# Exact IMD 2019 national ranks (1 = most deprived of 32,844) for the planted places.
IMD_LSOAS = 32_844
PLANTED_IMD_RANKS: dict[tuple[int, int], int] = {
    PERSISTENT_HOTSPOT_LSOAS[0]: 812,  # decile 1
    PERSISTENT_HOTSPOT_LSOAS[1]: 1_540,  # decile 1
    EMERGING_HOTSPOT_LSOA: 4_950,  # decile 2
    **{(QUIET_WARD_ROW, QUIET_WARD_HALF * 5 + i): rank
       for i, rank in enumerate((30_120, 30_845, 31_377, 31_902, 32_410))},  # decile 10
}

# --------------------------------------------------------------------------------------------
# Export layouts: the force's and council's own column names
# --------------------------------------------------------------------------------------------

CRIME_COLUMNS = [
    "Crime No", "Committed Date From", "Committed Date To", "HO Code", "HO Offence",
    "LSOA Code", "Grid Easting", "Grid Northing", "Domestic Flag", "Hate Crime Strands",
    "Knife/Sharp Instrument", "Alcohol Related", "NTE Flag", "CSE Flag", "Victim Age Band",
    "Victim Gender", "Outcome",
]
ASB_COLUMNS = [
    "Incident Ref", "Date Time Reported", "ASB Category", "Incident Type", "LSOA",
    "Easting", "Northing", "Repeat Caller", "Caller Ref",
]
INDICATOR_COLUMNS = [
    "Measure", "Geography", "Time Period", "Value", "Numerator", "Denominator", "Source",
    "Notes",
]
DATE_FORMAT = "%d/%m/%Y %H:%M"
HATE_STRAND_LABELS = {"race": "Race", "religion": "Religion/Faith",
                      "sexual_orientation": "Sexual Orientation", "disability": "Disability",
                      "transgender": "Transgender Identity"}

TOWN_CENTRE_TYPES = ("Violence and sexual offences", "Public order", "Robbery",
                     "Theft from the person")
"""Crime types that follow the night-time economy in the town centre."""
NIGHT_HOURS = (20, 21, 22, 23, 0, 1, 2, 3)
"""Hours of the night-time economy (20:00 to 03:59)."""
CHILD_SEXUAL_CODES = ("19D", "20B", "22B", "71", "88A")
NO_PERSON_VICTIM_CODES = ("34A", "30C", "30D")
NO_PERSON_VICTIM_TYPES = ("Shoplifting", "Drugs", "Possession of weapons", "Other crime")


STREET_COLUMNS_USED = ["Month", "Longitude", "Latitude", "LSOA code", "Crime type",
                       "Last outcome category"]
"""The police.uk columns the extracts are built from."""


@dataclass(frozen=True)
class PartnerFiles:
    """Where :func:`write_partner_extracts` wrote each file."""

    crimes: Path
    asb: Path
    indicators: Path
    imd: Path


def write_partner_extracts(demo_dir: Path, spec: DemoSpec, geo: pd.DataFrame) -> PartnerFiles:
    """Write the partner extracts and the IMD lookup beside the demo's police.uk files.

    Reads the street files already generated under ``demo_dir/police_uk`` (so the extracts
    match them row for row) and writes ``demo_dir/partner/{crimes,asb,indicators}.csv`` and
    ``demo_dir/imd/imd2019_lsoa.csv``. Each part has its own random stream, so changing one
    never changes the others.
    """
    demo_dir = Path(demo_dir)
    street = kingsmere_street_rows(demo_dir / "police_uk", geo)
    is_asb = street["Crime type"] == ASB
    files = PartnerFiles(
        crimes=demo_dir / "partner" / "crimes.csv",
        asb=demo_dir / "partner" / "asb.csv",
        indicators=demo_dir / "partner" / "indicators.csv",
        imd=demo_dir / "imd" / "imd2019_lsoa.csv",
    )
    tables = {
        files.crimes: partner_crimes(street[~is_asb], spec, geo,
                                     np.random.default_rng([spec.seed, 7_001])),
        files.asb: partner_asb(street[is_asb], geo, np.random.default_rng([spec.seed, 7_002])),
        files.indicators: partner_indicators(spec),
        files.imd: imd_lookup(geo, np.random.default_rng([spec.seed, 7_003])),
    }
    for path, table in tables.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False)
    return files


def kingsmere_street_rows(police_uk_dir: Path, geo: pd.DataFrame) -> pd.DataFrame:
    """Every row of the demo street files located in a Kingsmere LSOA, in file order.

    Rows without a location cannot be placed in a partnership, so they are not Kingsmere's.
    """
    files = sorted(Path(police_uk_dir).glob("*/*-street.csv"))
    frame = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False, usecols=STREET_COLUMNS_USED)
         for f in files],
        ignore_index=True,
    )
    kingsmere = geo.loc[geo["csp_code"] == DEMO_AREA.csp_code, "lsoa_code"]
    return frame[frame["LSOA code"].isin(kingsmere)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Crimes
# --------------------------------------------------------------------------------------------


def partner_crimes(street: pd.DataFrame, spec: DemoSpec, geo: pd.DataFrame,
                   rng: np.random.Generator) -> pd.DataFrame:
    """The force's crime extract: one row per police.uk crime row, in their layout."""
    crimes = _located(street, geo)
    crimes["block"] = _blocks(crimes["Month"], spec)
    crimes["code"] = _offence_codes(crimes["Crime type"], rng)
    crimes["domestic"] = _flag_domestic_abuse(crimes, rng)
    crimes["strands"] = _plant_hate_crime(crimes, spec, rng)
    race_or_religion = crimes["strands"].str.contains("race|religion")
    crimes.loc[race_or_religion, "code"] = crimes.loc[race_or_religion, "code"].map(
        lambda code: RACIALLY_AGGRAVATED.get(code, code)
    )
    profile = _crime_time_profile(crimes)
    crimes["committed_from"] = _times_in_month(crimes["Month"], profile, rng)
    crimes["committed_to"] = _committed_to(crimes, rng)
    hour = crimes["committed_from"].dt.hour
    crimes["nte"] = (crimes["town_centre"] & crimes["Crime type"].isin(TOWN_CENTRE_TYPES)
                     & hour.isin(NIGHT_HOURS) & ~crimes["domestic"])
    crimes["knife"] = _flag_knife_crime(crimes, spec, rng)
    crimes["alcohol"] = _flag_alcohol(crimes, rng)
    crimes["cse"] = _flag_child_sexual_exploitation(crimes, rng)
    crimes["age_band"], crimes["sex"] = _victims(crimes, rng)
    return _crime_export(crimes)


def _located(street: pd.DataFrame, geo: pd.DataFrame) -> pd.DataFrame:
    """The rows with easting/northing (from their police.uk point) and the planted places."""
    to_bng = Transformer.from_crs(WGS84, BNG, always_xy=True)
    east, north = to_bng.transform(street["Longitude"].astype(float).to_numpy(),
                                   street["Latitude"].astype(float).to_numpy())
    cells = geo.set_index("lsoa_code")[["grid_row", "grid_col"]]
    rows = cells.loc[street["LSOA code"], "grid_row"].to_numpy()
    cols = cells.loc[street["LSOA code"], "grid_col"].to_numpy()
    town_centre = np.zeros(len(street), dtype=bool)
    for row, col in PERSISTENT_HOTSPOT_LSOAS:
        town_centre |= (rows == row) & (cols == col)
    return pd.DataFrame(
        {
            "Month": street["Month"].to_numpy(),
            "Crime type": street["Crime type"].to_numpy(),
            "lsoa_code": street["LSOA code"].to_numpy(),
            "outcome": street["Last outcome category"].to_numpy(),
            "easting": np.round(east).astype(int),
            "northing": np.round(north).astype(int),
            "town_centre": town_centre,
        }
    )


def _blocks(months: pd.Series, spec: DemoSpec) -> np.ndarray:
    """12-month block of each row counted back from the demo's last month (0 = last 12)."""
    last = len(spec.months) - 1
    index = {month.strftime("%Y-%m"): i for i, month in enumerate(spec.months)}
    return np.array([(last - index[m]) // 12 for m in months])


def _block_share(spec: DemoSpec, block: int) -> float:
    """How much of a full 12 months block ``block`` covers (the oldest may be partial)."""
    return min(12, spec.n_months - 12 * block) / 12


def _offence_codes(crime_types: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """A Home Office offence code for each row, drawn from its police.uk type's codes."""
    codes = np.empty(len(crime_types), dtype=object)
    for crime_type, idx in crime_types.groupby(crime_types.to_numpy(), sort=True).indices.items():
        options = OFFENCE_CODE_SHARES[crime_type]
        shares = np.array(list(options.values()))
        codes[idx] = rng.choice(list(options), size=len(idx), p=shares / shares.sum())
    return codes


def _weighted_sample(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of ``k`` items drawn without replacement, chance proportional to weight.

    Uses exponential keys (Efraimidis–Spirakis): the ``k`` largest ``log(u) / w`` are a
    weighted sample. Items of weight 0 are never drawn.
    """
    eligible = np.flatnonzero(weights > 0)
    if k > len(eligible):
        raise ValueError(f"cannot draw {k} items from {len(eligible)} with positive weight")
    keys = np.log(rng.random(len(eligible))) / weights[eligible]
    return eligible[np.argsort(-keys, kind="stable")[:k]]


def _flag_domestic_abuse(crimes: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Exactly 12 % of each block's crimes, mostly violence, less in the town centre."""
    weights = crimes["code"].map(DOMESTIC_ABUSE_WEIGHTS).fillna(0).to_numpy(dtype=float)
    weights = np.where(crimes["town_centre"], weights * 0.5, weights)
    flagged = np.zeros(len(crimes), dtype=bool)
    for block in np.unique(crimes["block"]):
        rows = np.flatnonzero(crimes["block"] == block)
        k = round(DOMESTIC_ABUSE_SHARE * len(rows))
        flagged[rows[_weighted_sample(weights[rows], k, rng)]] = True
    return flagged


def _plant_hate_crime(crimes: pd.DataFrame, spec: DemoSpec,
                      rng: np.random.Generator) -> np.ndarray:
    """Hate strands (';'-joined, '' for none) with the planted counts in every block."""
    strands = np.full(len(crimes), "", dtype=object)
    candidate = crimes["code"].isin(HATE_CODES).to_numpy() & ~crimes["domestic"].to_numpy()
    for block in np.unique(crimes["block"]):
        in_block = candidate & (crimes["block"] == block).to_numpy()
        for combination, yearly in PLANTED_HATE_CRIMES.items():
            rows = np.flatnonzero(in_block & (strands == ""))
            k = round(yearly[block % len(yearly)] * _block_share(spec, block))
            strands[rows[_weighted_sample(np.ones(len(rows)), k, rng)]] = ";".join(combination)
    return strands


def _flag_knife_crime(crimes: pd.DataFrame, spec: DemoSpec,
                      rng: np.random.Generator) -> np.ndarray:
    """Exactly the planted number of knife-flagged crimes in each block."""
    weights = crimes["code"].map(KNIFE_WEIGHTS).fillna(0).to_numpy(dtype=float)
    weights = np.where(crimes["nte"], weights * 2, weights)
    flagged = np.zeros(len(crimes), dtype=bool)
    for block in np.unique(crimes["block"]):
        rows = np.flatnonzero(crimes["block"] == block)
        planted = PLANTED_KNIFE_CRIMES[min(block, len(PLANTED_KNIFE_CRIMES) - 1)]
        k = round(planted * _block_share(spec, block))
        flagged[rows[_weighted_sample(weights[rows], k, rng)]] = True
    return flagged


def _crime_time_profile(crimes: pd.DataFrame) -> np.ndarray:
    """Which day × hour pattern each crime follows (see :data:`DAY_HOUR_PROFILES`)."""
    crime_type = crimes["Crime type"]
    return np.select(
        [
            crimes["domestic"].to_numpy(),
            (crimes["town_centre"] & crime_type.isin(TOWN_CENTRE_TYPES)).to_numpy(),
            (crime_type == "Burglary").to_numpy(),
            (crime_type == "Vehicle crime").to_numpy(),
            (crime_type == "Shoplifting").to_numpy(),
        ],
        ["domestic", "night_time_economy", "weekday_daytime", "overnight", "shop_hours"],
        default="general",
    )


def _day_hour_profiles() -> dict[str, np.ndarray]:
    """Chance of each of the 168 weekday × hour cells (Monday 00:00 first) for each pattern.

    Friday and Saturday *nights* run past midnight: 22:00 to 02:00 is Friday 22-23 plus
    Saturday 00-01, and Saturday 22-23 plus Sunday 00-01.
    """
    hour = np.arange(24)
    weekday = np.arange(7)[:, None]
    daytime = (hour >= 8) & (hour <= 18)
    general = np.tile(np.where(daytime, 1.0, np.where(hour >= 19, 0.8, 0.3)), (7, 1))
    general[4:6] *= 1.15
    night = general * 0.3
    for day, hours, weight in ((4, (22, 23), 12.0), (5, (0, 1), 12.0), (5, (22, 23), 12.0),
                               (6, (0, 1), 12.0), (4, (20, 21), 3.0), (5, (20, 21, 2), 3.0),
                               (6, (2,), 3.0), (3, (22, 23), 2.0)):
        night[day, list(hours)] += weight
    domestic = np.tile(np.select([hour >= 17, hour <= 2, hour <= 7], [2.0, 1.2, 0.3], 0.7),
                       (7, 1))
    domestic[5:7] *= 1.3
    weekday_daytime = np.where((weekday < 5) & daytime, 3.0,
                               np.where(daytime, 1.0, np.where(hour >= 19, 0.8, 0.4)))
    overnight = np.tile(np.where((hour >= 22) | (hour <= 5), 2.5, 0.6), (7, 1))
    shop_hours = np.tile(np.select([(hour >= 9) & (hour <= 18), (hour >= 19) & (hour <= 20)],
                                   [3.0, 1.0], 0.02), (7, 1))
    shop_hours[5] *= 1.3
    evening = np.tile(np.select([hour >= 16, hour >= 8, hour <= 1], [1.5, 0.8, 0.6], 0.15),
                      (7, 1))
    evening[4:6, 18:24] = 4.5
    evening[5:7, 0:2] = 1.5
    asb_daytime = np.where((weekday < 5) & daytime, 2.0,
                           np.where((hour >= 9) & (hour <= 17), 1.2, 0.15))
    profiles = {
        "general": general, "night_time_economy": night, "domestic": domestic,
        "weekday_daytime": weekday_daytime, "overnight": overnight, "shop_hours": shop_hours,
        "asb_evening": evening, "asb_daytime": asb_daytime,
    }
    return {name: (grid / grid.sum()).ravel() for name, grid in profiles.items()}


DAY_HOUR_PROFILES = _day_hour_profiles()


def _times_in_month(months: pd.Series, profiles: np.ndarray,
                    rng: np.random.Generator) -> pd.Series:
    """A date-time inside each row's month, its weekday and hour drawn from its profile."""
    cells = np.empty(len(months), dtype=np.int64)
    for name, idx in pd.Series(profiles).groupby(profiles, sort=True).indices.items():
        cells[idx] = rng.choice(168, size=len(idx), p=DAY_HOUR_PROFILES[name])
    weekday, hour = np.divmod(cells, 24)
    first = pd.to_datetime(pd.Series(months).to_numpy() + "-01", format="%Y-%m-%d")
    first_weekday = first.day_of_week.to_numpy()
    offset = (weekday - first_weekday) % 7  # days to the month's first such weekday
    how_many = (first.days_in_month.to_numpy() - 1 - offset) // 7 + 1
    day = offset + 7 * np.floor(rng.random(len(months)) * how_many).astype(int)
    minute = rng.integers(0, 60, len(months))
    stamps = (first + pd.to_timedelta(day, unit="D") + pd.to_timedelta(hour, unit="h")
              + pd.to_timedelta(minute, unit="min"))
    return pd.Series(stamps, index=months.index)


def _committed_to(crimes: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """End of the window a crime was committed in: burglary and vehicle crime only."""
    window_hours = np.select(
        [crimes["Crime type"] == "Burglary", crimes["Crime type"] == "Vehicle crime"],
        [rng.integers(1, 10, len(crimes)), rng.integers(2, 11, len(crimes))], 0,
    )
    end = crimes["committed_from"] + pd.to_timedelta(window_hours, unit="h")
    return end.where(window_hours > 0)


def _flag_alcohol(crimes: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Alcohol-related: most night-time-economy violence, some domestic abuse, a little else."""
    violent = crimes["Crime type"].isin(("Violence and sexual offences", "Public order",
                                         "Criminal damage and arson"))
    chance = np.select([crimes["nte"] & violent, crimes["domestic"], violent],
                       [0.65, 0.30, 0.08], 0.0)
    return rng.random(len(crimes)) < chance


def _flag_child_sexual_exploitation(crimes: pd.DataFrame,
                                    rng: np.random.Generator) -> np.ndarray:
    """CSE flag on a third of sexual offences against children, always on code 71."""
    chance = np.select([crimes["code"] == "71", crimes["code"].isin(CHILD_SEXUAL_CODES)],
                       [1.0, 0.35], 0.0)
    return rng.random(len(crimes)) < chance


_VICTIM_GROUPS: dict[str, tuple[tuple[float, ...], dict[str, float]]] = {
    # group: (shares of AGE_BANDS, shares of sex)
    "child": ((1, 0, 0, 0, 0, 0, 0), {"F": 0.8, "M": 0.2}),
    "domestic": ((0.02, 0.17, 0.32, 0.25, 0.14, 0.06, 0.04), {"F": 0.77, "M": 0.22, "U": 0.01}),
    "sexual": ((0.10, 0.30, 0.25, 0.15, 0.10, 0.06, 0.04), {"F": 0.95, "M": 0.05}),
    "male_sexual": ((0.10, 0.30, 0.25, 0.15, 0.10, 0.06, 0.04), {"M": 1.0}),
    "night_time_economy": ((0.03, 0.42, 0.30, 0.13, 0.08, 0.03, 0.01),
                           {"M": 0.72, "F": 0.27, "U": 0.01}),
    "street": ((0.22, 0.30, 0.20, 0.11, 0.08, 0.05, 0.04), {"M": 0.65, "F": 0.34, "U": 0.01}),
    "other": ((0.06, 0.12, 0.20, 0.19, 0.18, 0.13, 0.12), {"M": 0.50, "F": 0.47, "U": 0.03}),
}


def _victims(crimes: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Victim age band and sex (M/F/U); blank where the victim is not a person."""
    code = crimes["code"]
    group = np.select(
        [
            crimes["Crime type"].isin(NO_PERSON_VICTIM_TYPES) | code.isin(NO_PERSON_VICTIM_CODES),
            code.isin((*CHILD_SEXUAL_CODES, "11A")),
            crimes["domestic"],
            code.isin(("19F", "17A")),
            code.isin(("19C", "20A", "22A", "88E")),
            crimes["nte"],
            code.isin(("34B", "39")),
        ],
        ["none", "child", "domestic", "male_sexual", "sexual", "night_time_economy", "street"],
        default="other",
    )
    age = np.full(len(crimes), "", dtype=object)
    sex = np.full(len(crimes), "", dtype=object)
    for name, idx in pd.Series(group).groupby(group, sort=True).indices.items():
        if name == "none":
            continue
        ages, sexes = _VICTIM_GROUPS[name]
        age[idx] = rng.choice(AGE_BANDS, size=len(idx), p=np.array(ages) / sum(ages))
        sex[idx] = rng.choice(list(sexes), size=len(idx), p=list(sexes.values()))
    return age, sex


def _yes_no(flags: pd.Series) -> np.ndarray:
    return np.where(flags, "Y", "N")


def _references(stamps: pd.Series, template: str) -> pd.Series:
    """Sequential references per calendar year in time order (``stamps`` sorted).

    ``template`` may use ``seq``, ``year`` and ``yy``: 'DS/{seq:06d}/{yy:02d}' -> DS/000123/24.
    """
    year = stamps.dt.year
    sequence = stamps.groupby(year).cumcount() + 1
    return pd.Series(
        [template.format(seq=n, year=y, yy=y % 100) for n, y in zip(sequence, year, strict=True)],
        index=stamps.index,
    )


def _crime_export(crimes: pd.DataFrame) -> pd.DataFrame:
    """The crimes in the force's export layout, sorted by crime number."""
    crimes = crimes.sort_values("committed_from", kind="stable").reset_index(drop=True)
    descriptions = load_offence_classification().set_index("offence_code")[
        "offence_description"]
    strands = crimes["strands"].map(
        lambda cell: ", ".join(HATE_STRAND_LABELS[s] for s in cell.split(";")) if cell else ""
    )
    return pd.DataFrame(
        {
            "Crime No": _references(crimes["committed_from"], "DS/{seq:06d}/{yy:02d}"),
            "Committed Date From": crimes["committed_from"].dt.strftime(DATE_FORMAT),
            "Committed Date To": crimes["committed_to"].dt.strftime(DATE_FORMAT).fillna(""),
            "HO Code": crimes["code"],
            "HO Offence": crimes["code"].map(descriptions),
            "LSOA Code": crimes["lsoa_code"],
            "Grid Easting": crimes["easting"],
            "Grid Northing": crimes["northing"],
            "Domestic Flag": _yes_no(crimes["domestic"]),
            "Hate Crime Strands": strands,
            "Knife/Sharp Instrument": _yes_no(crimes["knife"]),
            "Alcohol Related": _yes_no(crimes["alcohol"]),
            "NTE Flag": _yes_no(crimes["nte"]),
            "CSE Flag": _yes_no(crimes["cse"]),
            "Victim Age Band": crimes["age_band"],
            "Victim Gender": crimes["sex"],
            "Outcome": crimes["outcome"],
        },
        columns=CRIME_COLUMNS,
    )


# --------------------------------------------------------------------------------------------
# ASB
# --------------------------------------------------------------------------------------------


def partner_asb(street: pd.DataFrame, geo: pd.DataFrame,
                rng: np.random.Generator) -> pd.DataFrame:
    """The council's ASB extract: one row per police.uk ASB row, in their layout."""
    incidents = _located(street, geo)
    incidents["category"] = _asb_categories(len(incidents), rng)
    incidents["asb_type"] = ""
    for category, idx in incidents.groupby("category", sort=True).indices.items():
        types = ASB_TYPES[category]
        incidents.loc[idx, "asb_type"] = rng.choice(list(types), size=len(idx),
                                                    p=list(types.values()))
    profile = np.where(incidents["category"] == "environmental", "asb_daytime", "asb_evening")
    incidents["occurred_at"] = _times_in_month(incidents["Month"], profile, rng)
    incidents["caller"] = _repeat_callers(incidents, rng)
    incidents = incidents.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    return pd.DataFrame(
        {
            "Incident Ref": _references(incidents["occurred_at"], "ASB-{year}-{seq:05d}"),
            "Date Time Reported": incidents["occurred_at"].dt.strftime(DATE_FORMAT),
            "ASB Category": "ASB - " + incidents["category"].str.capitalize(),
            "Incident Type": incidents["asb_type"],
            "LSOA": incidents["lsoa_code"],
            "Easting": incidents["easting"],
            "Northing": incidents["northing"],
            "Repeat Caller": np.where(incidents["caller"] != "", "Y", "N"),
            "Caller Ref": incidents["caller"],
        },
        columns=ASB_COLUMNS,
    )


def _asb_categories(n: int, rng: np.random.Generator) -> np.ndarray:
    """Exactly 20 % personal and 10 % environmental (rounded), the rest nuisance, shuffled."""
    personal = round(ASB_CATEGORY_SHARES["personal"] * n)
    environmental = round(ASB_CATEGORY_SHARES["environmental"] * n)
    labels = np.repeat(["personal", "environmental", "nuisance"],
                       [personal, environmental, n - personal - environmental])
    return rng.permutation(labels)


def _repeat_callers(incidents: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Caller references ('RC01'...) for the incidents made by the six repeat callers.

    Each caller lives at one of the six map points with the most personal or nuisance
    incidents and makes up to ``3 % / 6`` of all incidents there; '' for everyone else.
    """
    callers = np.full(len(incidents), "", dtype=object)
    calls_each = round(REPEAT_CALLER_SHARE * len(incidents) / REPEAT_CALLERS)
    eligible = incidents[incidents["category"] != "environmental"]
    homes = (eligible.groupby(["easting", "northing"]).size().rename("calls").reset_index()
             .sort_values(["calls", "easting", "northing"], ascending=[False, True, True])
             .head(REPEAT_CALLERS))
    for number, home in enumerate(homes.itertuples(), start=1):
        at_home = np.flatnonzero(((eligible["easting"] == home.easting)
                                  & (eligible["northing"] == home.northing)).to_numpy())
        chosen = rng.choice(at_home, size=min(calls_each, len(at_home)), replace=False)
        callers[eligible.index[chosen]] = f"RC{number:02d}"
    return callers


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------

INDICATOR_LABELS: dict[str, str] = {
    "proven_reoffending_adult": "Proven reoffending rate - adults (%)",
    "proven_reoffending_youth": "Proven reoffending rate - juveniles (%)",
    "first_time_entrants": "First time entrants to the YJS (per 100,000 aged 10-17)",
    "rj_referrals": "Restorative justice referrals",
    "nrm_referrals": "NRM referrals",
    "prevent_referrals": "Prevent referrals",
    "ae_assault_attendances": "A&E attendances - assault",
    "deliberate_fires_primary": "Deliberate primary fires",
    "deliberate_fires_secondary": "Deliberate secondary fires",
}
"""Our indicator id -> the label in the demo's indicators sheet (mapped back by demo.yaml)."""

AREA_NAMES: dict[str, str] = {
    **{csp.csp_code: csp.name for csp in DEMO_CSPS},
    FORCE_CODE: "Demoshire",
    "E92000001": "England",
}
"""Area code -> the name the indicators sheet uses (mapped back to codes by demo.yaml)."""

_KM, _AF, _HD, _BF = (csp.csp_code for csp in DEMO_CSPS)
_FORCE, _ENGLAND = FORCE_CODE, "E92000001"

PLANTED_RATES: dict[str, dict[str, tuple[tuple[int, int], tuple[int, int]]]] = {
    # indicator: {area: ((numerator, denominator) previous, (numerator, denominator) latest)}
    "proven_reoffending_adult": {
        _KM: ((258, 1_000), (271, 1_000)),  # 25.8 % -> 27.1 %
        _FORCE: ((996, 4_000), (1_012, 4_000)),  # 24.9 % -> 25.3 %
        _ENGLAND: ((35_280, 140_000), (35_840, 140_000)),  # 25.2 % -> 25.6 %
    },
    "proven_reoffending_youth": {
        _KM: ((43, 135), (41, 120)),  # 31.9 % -> 34.2 %
        _FORCE: ((291, 731), (288, 700)),  # 39.8 % -> 41.1 %
        _ENGLAND: ((16_830, 45_000), (16_235, 42_500)),  # 37.4 % -> 38.2 %
    },
    "first_time_entrants": {  # per 100,000 aged 10-17
        _KM: ((61, 17_300), (52, 17_300)),  # 352.6 -> 300.6
        _FORCE: ((236, 66_000), (214, 66_000)),  # 357.6 -> 324.2
        _ENGLAND: ((8_300, 5_800_000), (8_000, 5_850_000)),  # 143.1 -> 136.8
    },
}
"""Rates from a numerator and denominator; value = numerator / denominator × scale."""

RATE_SCALE = {"proven_reoffending_adult": 100, "proven_reoffending_youth": 100,
              "first_time_entrants": 100_000}

PLANTED_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    # indicator: {area: (previous year, latest year)}
    "rj_referrals": {_KM: (45, 27), _FORCE: (331, 240)},  # seed 001: 45 -> 27 (-40 %)
    "nrm_referrals": {_KM: (11, 16), _FORCE: (84, 97)},
    "prevent_referrals": {_KM: (14, 19), _FORCE: (58, 66)},
    "ae_assault_attendances": {_KM: (612, 688)},
    "deliberate_fires_primary": {_KM: (48, 41)},
    "deliberate_fires_secondary": {_KM: (210, 236)},
}

SURVEY_DESIGN_EFFECT = 1.1
SURVEY_QUESTIONS: dict[str, tuple[str, str]] = {
    # question id: (label in their sheet, question text)
    "crime_asb_more_problem": (
        "PPS: crime and ASB more of a problem",
        "Crime and anti-social behaviour has become more of a problem in the local area "
        "over the last 12 months (agree)",
    ),
    "police_good_job": (
        "PPS: police doing a good or excellent job",
        "The police in this area are doing a good or excellent job",
    ),
    "police_understand_issues": (
        "PPS: police understand local issues",
        "The police understand the issues that affect this community (agree)",
    ),
    "safe_after_dark": (
        "PPS: feel safe after dark",
        "Feel very or fairly safe walking alone in the local area after dark",
    ),
    "well_informed": (
        "PPS: well informed",
        "Feel well informed about what the police are doing in the local area",
    ),
}
SURVEY_RESPONDENTS: dict[str, tuple[int, int]] = {
    _KM: (500, 500), _AF: (450, 460), _HD: (520, 510), _BF: (400, 410),
}
"""Unweighted respondents per district, (previous wave, latest wave)."""
PLANTED_SURVEY: dict[str, dict[str, tuple[float, float]]] = {
    # question id: {district: (% previous wave, % latest wave)}, weighted
    "crime_asb_more_problem": {_KM: (22, 33), _AF: (27, 29), _HD: (31, 36), _BF: (20, 24)},
    "police_good_job": {_KM: (74, 78), _AF: (71, 70), _HD: (68, 72), _BF: (80, 79)},
    "police_understand_issues": {_KM: (71, 55), _AF: (66, 64), _HD: (60, 61), _BF: (70, 69)},
    "safe_after_dark": {_KM: (61, 58), _AF: (66, 67), _HD: (57, 55), _BF: (72, 73)},
    "well_informed": {_KM: (38, 36), _AF: (41, 40), _HD: (35, 37), _BF: (44, 42)},
}

_SOURCES = {
    "proven_reoffending_adult": "MoJ proven reoffending statistics (demo)",
    "proven_reoffending_youth": "MoJ proven reoffending statistics (demo)",
    "first_time_entrants": "YJB first time entrants (demo)",
    "rj_referrals": "Demoshire restorative justice service (demo)",
    "nrm_referrals": "Home Office NRM statistics (demo)",
    "prevent_referrals": "Home Office Prevent statistics (demo)",
    "ae_assault_attendances": "Kingsmere General Hospital ED (demo)",
    "deliberate_fires_primary": "Demoshire Fire and Rescue Service (demo)",
    "deliberate_fires_secondary": "Demoshire Fire and Rescue Service (demo)",
    "survey": "Demoshire Police public perception survey (demo)",
}
_REOFFENDING_NOTE = (
    "{who} cautioned, convicted (other than to custody) or released from custody in the "
    "cohort year; a proven reoffence is committed within 12 months and proven by court "
    "conviction or caution then or in a further 6 months"
)
_NOTES = {
    "proven_reoffending_adult": _REOFFENDING_NOTE.format(who="Adults"),
    "proven_reoffending_youth": _REOFFENDING_NOTE.format(who="Juveniles (10-17)"),
    "first_time_entrants": "Rate per 100,000 population aged 10-17",
    "nrm_referrals": "Referrals to the National Referral Mechanism (MSHT)",
}
REOFFENDING_LAG_YEARS = 2
"""Reoffending cohorts run two years behind the assessment year (12 months' follow-up plus
6 months for convictions plus publication)."""


def _financial_year(years_back: int, spec: DemoSpec) -> str:
    """'2024-25' for the financial year holding the demo's last month, minus ``years_back``."""
    last = spec.months[-1]
    start = (last.year if last.month >= 4 else last.year - 1) - years_back
    return f"{start}-{(start + 1) % 100:02d}"


def partner_indicators(spec: DemoSpec) -> pd.DataFrame:
    """The indicators sheet in its sender's layout (labels and area names, not our ids).

    Rates and counts cover the demo's last two financial years (reoffending cohorts two
    years earlier); the survey has two waves in those years for all four districts.
    """
    rows: list[tuple[str, str, str, float, int | None, int | None, str, str]] = []
    for indicator, areas in PLANTED_RATES.items():
        lag = REOFFENDING_LAG_YEARS if indicator.startswith("proven_reoffending") else 0
        for area, waves in areas.items():
            for years_back, (numerator, denominator) in zip((1, 0), waves, strict=True):
                value = round(numerator / denominator * RATE_SCALE[indicator], 1)
                rows.append((INDICATOR_LABELS[indicator], AREA_NAMES[area],
                             _financial_year(years_back + lag, spec), value, numerator,
                             denominator, _SOURCES[indicator], _NOTES.get(indicator, "")))
    for indicator, count_areas in PLANTED_COUNTS.items():
        for area, counts in count_areas.items():
            for years_back, count in zip((1, 0), counts, strict=True):
                rows.append((INDICATOR_LABELS[indicator], AREA_NAMES[area],
                             _financial_year(years_back, spec), count, None, None,
                             _SOURCES[indicator], _NOTES.get(indicator, "")))
    for question, districts in PLANTED_SURVEY.items():
        label, text = SURVEY_QUESTIONS[question]
        for area, percents in districts.items():
            for years_back, percent, respondents in zip((1, 0), percents,
                                                        SURVEY_RESPONDENTS[area], strict=True):
                agreeing = int(percent * respondents / 100 + 0.5)  # half up
                rows.append((label, AREA_NAMES[area], _financial_year(years_back, spec),
                             percent, agreeing, respondents, _SOURCES["survey"],
                             f"{text} [deff {SURVEY_DESIGN_EFFECT}]"))
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    return table.astype({"Numerator": "Int64", "Denominator": "Int64"})


# --------------------------------------------------------------------------------------------
# Deprivation
# --------------------------------------------------------------------------------------------


def imd_lookup(geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """IMD 2019 national ranks for the demo LSOAs in the ONS lookup layout.

    ``LSOA11CD, LSOA11NM, LAD19CD, LAD19NM, IMD19, FID``; rank 1 is the most deprived of
    32,844. The planted places have the ranks in :data:`PLANTED_IMD_RANKS`; every other
    LSOA gets a distinct random rank, more deprived towards the middle of its district.
    """
    in_demo = (geo["csp_code"] == DEMO_AREA.csp_code).to_numpy()
    cell = list(zip(geo["grid_row"], geo["grid_col"], strict=True))
    planted = np.array([in_demo[i] and c in PLANTED_IMD_RANKS for i, c in enumerate(cell)])
    ranks = np.zeros(len(geo), dtype=np.int64)
    ranks[planted] = [PLANTED_IMD_RANKS[c] for i, c in enumerate(cell) if planted[i]]
    free = np.setdiff1d(np.arange(1, IMD_LSOAS + 1), list(PLANTED_IMD_RANKS.values()))
    others = np.flatnonzero(~planted)
    pool = np.sort(rng.choice(free, size=len(others), replace=False))
    middle = (geo["grid_row"].to_numpy() - 4.5) ** 2 + (geo["grid_col"].to_numpy() - 4.5) ** 2
    score = np.sqrt(middle[others]) + rng.normal(0, 1.5, len(others))
    ranks[others[np.argsort(score, kind="stable")]] = pool
    return pd.DataFrame(
        {
            "LSOA11CD": geo["lsoa_code"], "LSOA11NM": geo["lsoa_name"],
            "LAD19CD": geo["lad_code"], "LAD19NM": geo["lad_name"],
            "IMD19": ranks, "FID": np.arange(1, len(geo) + 1),
        }
    )
